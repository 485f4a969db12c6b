"""External tasks: workers fetch and lock service work on their topics, then report back.

A worker principal sees only the topics it was granted (`Principal.topics`);
a task of another topic is answered 404 as if it did not exist. The engine
side is `engine.runtime.external`.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.runtime import external
from engine.store.models import ExternalTask, Instance

from ..auth import ADMIN, WORKER, current_principal, require
from ..problems import ApiProblem
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


def _allowed_topics() -> list[str] | None:
    principal = current_principal()
    return None if principal.role == ADMIN else list(principal.topics)


def _check_topic(task_id: str) -> None:
    allowed = _allowed_topics()
    with engine().readers() as session:
        row = session.get(ExternalTask, task_id)
        if row is None or (allowed is not None and row.topic not in allowed):
            raise ApiProblem(404, f"no external task {task_id}")


def _result(task_id: str, outcome: Any = None) -> dict[str, Any]:
    with engine().readers() as session:
        row = session.get(ExternalTask, task_id)
        instance = session.get(Instance, row.instance_id) if row else None
    incident = getattr(outcome, "incident", None)
    return {"task_id": task_id, "state": row.state if row else "unknown",
            "instance_status": instance.status if instance else None,
            "incident_id": incident.id if incident else None}


@blp.route("/external-tasks/fetch-and-lock")
class FetchAndLock(MethodView):
    @require(WORKER)
    @blp.arguments(FetchSchema)
    @blp.response(200, LockedListSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Lock up to max_tasks tasks of the given topics (only the caller's granted topics)."""
        topics = [(t["name"], t["lock_duration"]) for t in args["topics"]]
        items = external.fetch_and_lock(engine(), args["worker_id"], topics,
                                        max_tasks=args["max_tasks"],
                                        allowed_topics=_allowed_topics())
        return {"items": items}


@blp.route("/external-tasks/<string:task_id>/complete")
class ExternalComplete(MethodView):
    @require(WORKER)
    @blp.arguments(ExternalCompleteSchema)
    @blp.response(200, ExternalResultSchema)
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Complete a task locked by this worker, setting its variables."""
        _check_topic(task_id)
        outcome = external.complete(engine(), task_id, args["worker_id"], args["variables"])
        return _result(task_id, outcome)


@blp.route("/external-tasks/<string:task_id>/failure")
class ExternalFailure(MethodView):
    @require(WORKER)
    @blp.arguments(ExternalFailureSchema)
    @blp.response(200, ExternalResultSchema)
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Report a failure: retried after retry_timeout ms, or an incident at 0 retries."""
        _check_topic(task_id)
        external.failure(engine(), task_id, args["worker_id"],
                         error_message=args["error_message"], retries=args["retries"],
                         retry_timeout_ms=args["retry_timeout"])
        return _result(task_id)


@blp.route("/external-tasks/<string:task_id>/bpmn-error")
class ExternalBpmnError(MethodView):
    @require(WORKER)
    @blp.arguments(BpmnErrorSchema)
    @blp.response(200, ExternalResultSchema)
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Throw a BPMN error at the task (caught by an error boundary event, if drawn)."""
        _check_topic(task_id)
        outcome = external.bpmn_error(engine(), task_id, args["worker_id"], args["error_code"],
                                      args.get("error_message"))
        return _result(task_id, outcome)
