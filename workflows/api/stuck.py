"""Stuck cases: where each case waits too long, is overdue, failed, idle, has no one to act,
or is not heard of by an institution whose webhooks fail; each row says why in words."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.service.oversight import StuckCase

from ..auth import COORDINATOR, require
from ..runtime import api_link, engine
from ..schemas.operations import StuckArgs, StuckPageSchema

blp = Blueprint("stuck", __name__, url_prefix="/api/v1",
                description="Stuck cases (coordinators)")


def _link(row: StuckCase) -> str:
    if row.task_id:
        return api_link(f"/tasks/{row.task_id}")
    return api_link(f"/instances/{row.instance_id}")


def shape(row: StuckCase) -> dict[str, Any]:
    """One row as the API answers it (the dashboard reads the same)."""
    return {
        "reason": row.reason, "wait": row.wait, "message": row.message,
        "instance_id": row.instance_id, "business_key": row.business_key,
        "process_key": row.process_key, "activity": row.activity_id,
        "activity_name": row.activity_name, "activity_kind": row.activity_kind,
        "child": asdict(row.child) if row.child else None, "task_id": row.task_id,
        "external_task_id": row.external_task_id, "incident_id": row.incident_id,
        "institution": row.institution, "cause_since": row.cause_since,
        "detail": row.detail, "groups": row.groups,
        "since": row.since, "waiting_seconds": row.waiting_seconds, "link": _link(row),
    }


@blp.route("/stuck")
class Stuck(MethodView):
    @require(COORDINATOR)
    @blp.arguments(StuckArgs, location="query")
    @blp.response(200, StuckPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Where cases are stuck and why, longest waiting first.

        Reasons: `waiting` (a user task, message or external task waited on longer than
        `older_than`), `overdue`, `incident`, `no_holder` (no principal holds the task's
        groups), `idle` (no step for `idle_after`), `notification_failing` (an
        institution holding the task's groups has failing webhook deliveries or a
        disabled endpoint). A wait inside a called process is shown at the call
        activity, with the called element in `child`."""
        page = engine().stuck(args["older_than"], group=args.get("group"),
                              activity=args.get("activity"), reason=args.get("reason"),
                              institution=args.get("institution"),
                              process=args.get("process"), idle_after=args.get("idle_after"),
                              limit=args["limit"], offset=args["offset"])
        return page.map(shape)
