"""External tasks: workers fetch and lock service work on their topics, then report back.

A worker principal sees only the topics it was granted (`Principal.topics`);
a task of another topic is answered 404 as if it did not exist. The rule and
the work are the engine's (`Engine.fetch_and_lock` and the reports after it).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import WORKER, current_principal, require
from ..runtime import engine
from ..schemas.external import (
    BpmnErrorSchema,
    ExternalCompleteSchema,
    ExternalFailureSchema,
    ExternalResultSchema,
    FetchSchema,
    LockedListSchema,
)

blp = Blueprint("external_tasks", __name__, url_prefix="/api/v1",
                description="External tasks (workers)")


@blp.route("/external-tasks/fetch-and-lock")
class FetchAndLock(MethodView):
    @require(WORKER)
    @blp.arguments(FetchSchema)
    @blp.response(200, LockedListSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lock up to max_tasks tasks of the given topics (only the caller's granted topics)."""
        topics = [(t["name"], t["lock_duration"]) for t in args["topics"]]
        items = engine().fetch_and_lock(current_principal(), args["worker_id"], topics,
                                        max_tasks=args["max_tasks"])
        return {"items": items}


@blp.route("/external-tasks/<string:task_id>/complete")
class ExternalComplete(MethodView):
    @require(WORKER)
    @blp.arguments(ExternalCompleteSchema)
    @blp.response(200, ExternalResultSchema)
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Complete a task locked by this worker, setting its variables."""
        result = engine().complete_external_task(current_principal(), task_id,
                                                 args["worker_id"], args["variables"])
        return asdict(result)


@blp.route("/external-tasks/<string:task_id>/failure")
class ExternalFailure(MethodView):
    @require(WORKER)
    @blp.arguments(ExternalFailureSchema)
    @blp.response(200, ExternalResultSchema)
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Report a failure: retried after retry_timeout ms, or an incident at 0 retries."""
        result = engine().report_external_failure(
            current_principal(), task_id, args["worker_id"],
            error_message=args["error_message"], retries=args["retries"],
            retry_timeout_ms=args["retry_timeout"])
        return asdict(result)


@blp.route("/external-tasks/<string:task_id>/bpmn-error")
class ExternalBpmnError(MethodView):
    @require(WORKER)
    @blp.arguments(BpmnErrorSchema)
    @blp.response(200, ExternalResultSchema)
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Throw a BPMN error at the task (caught by an error boundary event, if drawn)."""
        result = engine().throw_external_bpmn_error(
            current_principal(), task_id, args["worker_id"], args["error_code"],
            args.get("error_message"))
        return asdict(result)
