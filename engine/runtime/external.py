"""External tasks: service work done by another system, Camunda's fetch-and-lock way.

A worker asks for work on its topics, gets it locked for a while, and reports
completion, failure (with the retries it wants left) or a BPMN error. A lock
that expires makes the task available again, so a crashed worker loses nothing.
A worker granted some topics (`allowed_topics`) is told "no such task" for a
task of any other topic, so ids of other work leak nothing.
Claiming is one transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL, and on
SQLite the write lock every ciiflow transaction takes at BEGIN.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from copy import deepcopy
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.camunda.service_tasks import PENDING_ERROR, ServiceTaskSpec, apply_result
from engine.errors import Conflict, InvalidInput, NotFound
from engine.store.models import ExternalTask, Instance

from .step import Step, StepOutcome, merged, run_engine

if TYPE_CHECKING:
    from .parts import EngineParts as Engine


def fetch_and_lock(engine: Engine, worker_id: str, topics: Iterable[tuple[str, int]], *,
                   max_tasks: int = 10, allowed_topics: Iterable[str] | None = None
                   ) -> list[dict[str, Any]]:
    """Lock up to `max_tasks` available tasks of the given topics (lock durations in ms)."""
    if not worker_id:
        raise InvalidInput("worker_id is required", field="worker_id")
    durations = {name: int(ms) for name, ms in topics}
    if any(ms <= 0 for ms in durations.values()):
        raise InvalidInput("lock_duration must be positive", field="topics")
    if allowed_topics is not None:
        durations = {n: d for n, d in durations.items() if n in set(allowed_topics)}
    if not durations or max_tasks <= 0:
        return []
    now = engine.clock.now()
    locked: list[dict[str, Any]] = []
    with engine.sessions.begin() as session:
        stmt = (
            select(ExternalTask)
            .where(ExternalTask.topic.in_(list(durations)))
            .where(or_(ExternalTask.state == "available",
                       and_(ExternalTask.state == "locked",
                            ExternalTask.lock_expires_at <= now)))
            .where(or_(ExternalTask.retry_at.is_(None), ExternalTask.retry_at <= now))
            .join(Instance, Instance.id == ExternalTask.instance_id)
            .where(Instance.status == "running")
            .order_by(ExternalTask.created_at)
            .limit(max_tasks)
        )
        if session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=ExternalTask)
        rows = list(session.scalars(stmt))
        for row in rows:
            row.state, row.worker_id = "locked", worker_id
            row.lock_expires_at = now + timedelta(milliseconds=durations[row.topic])
            instance = session.get(Instance, row.instance_id)
            locked.append({
                "id": row.id, "topic": row.topic, "activity_id": row.activity_id,
                "instance_id": row.instance_id, "process_key": row.process_key,
                "business_key": instance.business_key, "worker_id": worker_id,
                "lock_expires_at": row.lock_expires_at, "retries": row.retries,
                "variables": _variables(engine, session, instance, row.id),
            })
    return locked


def _variables(engine: Engine, session: Session, instance: Instance,
               task_id: str) -> dict[str, Any]:
    with Step(engine.runtime, session, instance).reading() as wf:
        task = wf.get_task_from_id(uuid.UUID(task_id))
        return deepcopy(task.data) if task is not None else {}


def _locked_row(session: Session, task_id: str, worker_id: str,
                allowed_topics: Collection[str] | None = None) -> ExternalTask:
    row = session.get(ExternalTask, task_id)
    if row is None or (allowed_topics is not None and row.topic not in allowed_topics):
        raise NotFound(f"no external task {task_id}")
    if row.state != "locked":
        raise Conflict(f"external task {task_id} is {row.state}, not locked")
    if row.worker_id != worker_id:
        raise Conflict(f"external task {task_id} is locked by another worker")
    return row


def _advance(engine: Engine, session: Session, row: ExternalTask, action_on_task: Any,
             *, actor: str, operation: dict[str, Any],
             recorded: tuple[str, dict[str, Any]] | None = None) -> StepOutcome:
    """Run `action_on_task` on the locked task and the engine after it, in one step;
    `recorded` (kind, detail) is the history row of the report, kept only if the step
    succeeds."""
    instance = session.get(Instance, row.instance_id)
    if instance is None or instance.status != "running":
        raise Conflict(f"instance {row.instance_id} is not running")
    step = Step(engine.runtime, session, instance)
    wf = step.load()
    task = wf.get_task_from_id(uuid.UUID(row.id))
    if task is None or not task.has_state(TaskState.STARTED):
        raise Conflict(f"external task {row.id} is no longer waiting")

    def action(w: BpmnWorkflow) -> None:
        action_on_task(task)
        if recorded is not None:
            step.record(recorded[0], actor=actor, activity_id=row.activity_id, task_id=row.id,
                        detail=recorded[1])
        run_engine(w)

    return step.advance(wf, action, actor=actor, operation=operation)


def complete(engine: Engine, task_id: str, worker_id: str,
             variables: dict[str, Any] | None = None, *,
             allowed_topics: Collection[str] | None = None) -> StepOutcome:
    data = merged(variables)
    with engine.sessions.begin() as session:
        row = _locked_row(session, task_id, worker_id, allowed_topics)

        def finish(task: Any) -> None:
            spec: ServiceTaskSpec = task.task_spec
            if spec.result_variable:
                apply_result(spec, task, data)
            else:
                task.data.update(data)
            task.complete()

        return _advance(engine, session, row, finish, actor=f"worker:{worker_id}",
                        operation={"op": "external_complete", "task_id": task_id},
                        recorded=("external_task_completed", {
                            "topic": row.topic, "worker_id": worker_id,
                            **({"outputs": deepcopy(data)} if data else {})}))


def bpmn_error(engine: Engine, task_id: str, worker_id: str, error_code: str,
               error_message: str | None = None, *,
               allowed_topics: Collection[str] | None = None) -> StepOutcome:
    with engine.sessions.begin() as session:
        row = _locked_row(session, task_id, worker_id, allowed_topics)
        if not error_code:
            raise InvalidInput("error_code is required", field="error_code")

        def throw(task: Any) -> None:
            task.internal_data[PENDING_ERROR] = {"code": error_code, "message": error_message}

        return _advance(engine, session, row, throw, actor=f"worker:{worker_id}",
                        operation={"op": "external_error", "task_id": task_id,
                                   "code": error_code},
                        recorded=("external_task_error", {
                            "topic": row.topic, "worker_id": worker_id, "code": error_code}))


def failure(engine: Engine, task_id: str, worker_id: str, *, error_message: str,
            retries: int, retry_timeout_ms: int = 0,
            allowed_topics: Collection[str] | None = None) -> int | None:
    """Report a failure; with retries left the task comes back later, else an incident.

    Returns the incident's id when the failure opened one (no retries left), else None.
    """
    with engine.sessions.begin() as session:
        row = _locked_row(session, task_id, worker_id, allowed_topics)
        if retries < 0:
            raise InvalidInput("retries cannot be negative", field="retries")
        now = engine.clock.now()
        row.error_message = (error_message or "")[:2000]
        row.retries, row.worker_id, row.lock_expires_at = retries, None, None
        if retries > 0:
            row.state = "available"
            row.retry_at = now + timedelta(milliseconds=max(0, retry_timeout_ms))
            return None
        row.state = "failed"
        instance = session.get(Instance, row.instance_id)
        step = Step(engine.runtime, session, instance)
        incident = step.open_incident(_WorkerFailure(row.activity_id, row.error_message),
                                      {"op": "external_task", "task_id": task_id},
                                      f"worker:{worker_id}")
        return incident.id


class _WorkerFailure(Exception):
    def __init__(self, activity_id: str, message: str) -> None:
        super().__init__(f"external worker failed with no retries left: {message}")
        self.task_spec = type("Spec", (), {"bpmn_id": activity_id, "name": activity_id})()


def reopen(session: Session, task_id: str) -> None:
    """An incident retry on a failed external task: make it available again, one retry."""
    row = session.get(ExternalTask, task_id)
    if row is None:
        raise NotFound(f"no external task {task_id}")
    row.state, row.retries, row.retry_at = "available", 1, None
