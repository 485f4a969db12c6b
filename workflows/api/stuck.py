"""Stuck cases: where each case waits too long, is overdue, failed, or has no one to act."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.service.oversight import StuckRow

from ..auth import COORDINATOR, require
from ..runtime import api_link, engine
from ..schemas.operations import StuckArgs, StuckPageSchema

blp = Blueprint("stuck", __name__, url_prefix="/api/v1",
                description="Stuck cases (coordinators)")


def _shape(row: StuckRow) -> dict[str, Any]:
    return {
        "reason": row.reason, "instance_id": row.instance_id, "business_key": row.business_key,
        "process_key": row.process_key, "activity": row.activity_id, "task_id": row.task_id,
        "incident_id": row.incident_id, "groups": row.groups, "since": row.since,
        "waiting_seconds": row.waiting_seconds,
        "link": api_link(f"/tasks/{row.task_id}" if row.task_id
                         else f"/instances/{row.instance_id}"),
    }


@blp.route("/stuck")
class Stuck(MethodView):
    @require(COORDINATOR)
    @blp.arguments(StuckArgs, location="query")
    @blp.response(200, StuckPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Ready tasks waiting longer than `older_than`, tasks past due, cases in incident,
        ready tasks whose groups no principal holds; longest waiting first."""
        page = engine().stuck(args["older_than"], group=args.get("group"),
                              activity=args.get("activity"), reason=args.get("reason"),
                              limit=args["limit"], offset=args["offset"])
        return page.map(_shape)
