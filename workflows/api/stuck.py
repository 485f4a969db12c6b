"""Stuck cases: where each case waits too long, is overdue, failed, or has no one to act."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.store.stuck import stuck_cases

from ..auth import COORDINATOR, require
from ..runtime import api_link, engine
from ..schemas.operations import StuckArgs, StuckPageSchema

blp = Blueprint("stuck", __name__, url_prefix="/api/v1",
                description="Stuck cases (coordinators)")


@blp.route("/stuck")
class Stuck(MethodView):
    @require(COORDINATOR)
    @blp.arguments(StuckArgs, location="query")
    @blp.response(200, StuckPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Ready tasks waiting longer than `older_than`, tasks past due, cases in incident,
        ready tasks whose groups no principal holds; longest waiting first."""
        eng = engine()
        limit, offset = args["limit"], args["offset"]
        now = eng.clock.now()
        with eng.readers() as session:
            rows = stuck_cases(session, now, args["older_than"],
                               group=args.get("group"), activity=args.get("activity"),
                               reason=args.get("reason"), limit=limit + 1, offset=offset)
        items = [{
            "reason": r.reason, "instance_id": r.instance_id, "business_key": r.business_key,
            "process_key": r.process_key, "activity": r.activity_id, "task_id": r.task_id,
            "incident_id": r.incident_id, "groups": r.groups, "since": r.since,
            "waiting_seconds": max(0, int((now - r.since).total_seconds())),
            "link": api_link(f"/tasks/{r.task_id}" if r.task_id
                             else f"/instances/{r.instance_id}"),
        } for r in rows[:limit]]
        return {"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit}
