"""Batches: retry, release or reassign many at once (coordinators), each item on its own.

The answer lists every target with its case and what became of it; a dry run
lists the targets only (the control room's confirmation: how many cases).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import COORDINATOR, current_principal, require
from ..runtime import engine
from ..schemas.control_room import BatchResultSchema, BatchSchema

blp = Blueprint("batches", __name__, url_prefix="/api/v1",
                description="Batch operations on incidents and tasks (coordinators)")


@blp.route("/batches")
class Batches(MethodView):
    @require(COORDINATOR)
    @blp.arguments(BatchSchema)
    @blp.response(200, BatchResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Retry the open incidents, release the claimed tasks or reassign the ready tasks
        chosen by ids or by `process_key` + `activity_id` (optionally one `version`).
        Each item runs in its own transaction and is reported on its own (`ok` or `error`
        with the reason); `dry_run` lists the targets and changes nothing."""
        operation = args.pop("operation")
        return engine().batch(operation, caller=current_principal(), **args).as_dict()
