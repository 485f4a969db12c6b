"""A case's history, page by page: what happened, who did it, what was decided."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.service.history import HistoryEntry

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import engine
from ..schemas.history import HistoryArgs, HistoryPageSchema

blp = Blueprint("history", __name__, url_prefix="/api/v1",
                description="A case's history (coordinators; institutions: their tasks' rows)")


def shape(entry: HistoryEntry) -> dict[str, Any]:
    return {"seq": entry.seq, "at": entry.at, "kind": entry.kind, "actor": entry.actor,
            "activity_id": entry.activity_id, "activity_name": entry.activity_name,
            "task_id": entry.task_id, "detail": entry.detail,
            "flows": [{"id": flow, "name": name} for flow, name in entry.flows]}


@blp.route("/instances/<string:instance_id>/history")
class InstanceHistory(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(HistoryArgs, location="query")
    @blp.response(200, HistoryPageSchema)
    def get(self, args: dict[str, Any], instance_id: str) -> dict[str, Any]:
        """The case's history, oldest first (`order=newest` for newest first), filtered by
        `kind`. Coordinators read every row with its detail (submitted form data, decision
        inputs and matched rules, branches taken, reasons); an institution reads the rows
        about its own tasks, without detail. The read is logged in the access log."""
        page = engine().history(instance_id, current_principal(), kinds=args.get("kind"),
                                newest_first=args["order"] == "newest", limit=args["limit"],
                                offset=args["offset"])
        return page.map(shape)
