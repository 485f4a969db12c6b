"""Running the jobs left at transaction boundaries: Camunda 7's async continuations.

A step that reaches `camunda:asyncBefore` or passes `camunda:asyncAfter` ends
there and commits, with a `job` row (`engine.camunda.async_boundaries` holds the
task, `engine.store.jobs` keeps the row). The worker's loop claims due jobs
under a lease, as it claims due timers, and runs each in a step of its own: the
held task is released and the case runs on to its next wait state, saved with
the step's compare-and-set.

A failure inside the job (an expression, a handler crash, a BPMN error nobody
catches) rolls back the job's work only: what the step before the boundary
committed stays. The job is tried again after the wait of its
`camunda:failedJobRetryTimeCycle` (three tries in all, no wait, without one),
each failure a `job_failed` history row (attempt and error class, no message:
it may quote the case's data); when the tries are spent an incident opens at
the element, and retrying the incident runs the job once more
(`engine.runtime.incidents`).
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine.camunda.async_boundaries import held, release, retry_policy
from engine.errors import ConcurrentUpdate, EngineError, TaskNotReady
from engine.store.jobs import DUE, INCIDENT, claim_due_jobs, release_jobs
from engine.store.models import Incident, Instance, Job

from .step import Action, Runtime, Step, run_engine
from .timers import FixedClock

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

log = logging.getLogger(__name__)

JOB_FAILED = "job_failed"
CLOSED = frozenset({"completed", "terminated"})


def job_lease() -> timedelta:
    """How long a claim on due jobs holds before another worker may take them."""
    return timedelta(seconds=float(os.environ.get("CIIFLOW_JOB_LEASE_SECONDS", "60")))


def job_action(task_id: str, data: dict[str, Any] | None = None) -> Action:
    """Release the held task and run on; `data` (an incident retry's corrections) goes to
    the task the job starts (before) or to what follows it (after)."""

    def run(wf: BpmnWorkflow) -> None:
        task = wf.get_task_from_id(uuid.UUID(task_id))
        if task is None or held(task) is None:
            raise TaskNotReady(f"task {task_id} no longer waits for its job")
        kind = held(task)
        if data and (kind == "before" or not task.children):
            # before: the release may evaluate the element's input mappings already; an
            # instance held after: its loop merges it on release
            task.data.update(data)
        release(task)
        if data:
            targets = [task] if kind == "before" else [
                t for t in task.children if t.has_state(TaskState.READY | TaskState.WAITING)]
            for target in targets:
                target.data.update(data)
        run_engine(wf)

    return run


def run_due_jobs(engine: Engine, now: datetime, *, limit: int = 100,
                 owner: str | None = None, lease: timedelta | None = None) -> int:
    """Run up to `limit` due jobs this worker claimed; how many ran (or failed) a step."""
    owner = owner or uuid.uuid4().hex
    with engine.sessions.begin() as session:
        ids = claim_due_jobs(session, owner=owner, now=now, lease=lease or job_lease(),
                             limit=limit)
    if not ids:
        return 0
    runtime = replace(engine.runtime, clock=FixedClock(now))
    ran = 0
    try:
        for job_id in ids:
            ran += _run(engine, runtime, job_id, owner, now)
    finally:
        with engine.sessions.begin() as session:
            release_jobs(session, owner=owner, ids=ids)
    return ran


def _run(engine: Engine, runtime: Runtime, job_id: int, owner: str, now: datetime) -> int:
    """Run one claimed job; 1 if a step ran (the case moved, or the failure was kept)."""
    try:
        with engine.sessions.begin() as session:
            job = session.get(Job, job_id)
            if (job is None or job.status != DUE or job.lease_by != owner
                    or job.due_at > now):
                return 0
            instance = session.get(Instance, job.instance_id)
            if instance is None or instance.status in CLOSED:
                session.delete(job)
                return 0
            if instance.status != "running":
                return 0  # suspended or in an incident elsewhere: the job waits
            step = Step(runtime, session, instance)
            wf = step.load()
            task = wf.get_task_from_id(uuid.UUID(job.task_id))
            if task is None or held(task) != job.kind:
                session.delete(job)  # the held task was cancelled meanwhile
                return 0
            failures: list[Exception] = []

            def failed(exc: Exception, operation: dict[str, Any],
                       actor: str | None) -> Incident | None:
                failures.append(exc)
                return _failed(step, job, exc, operation, actor)

            step.on_failure = failed
            step.advance(wf, job_action(job.task_id), actor=None, operation=operation_of(job))
            if not failures:
                session.delete(job)
            return 1
    except ConcurrentUpdate:
        log.debug("job %s: its case was advanced by someone else", job_id)
        return 0
    except EngineError as refusal:  # the engine refused the step: nothing was written
        log.warning("job %s not run: %s", job_id, type(refusal).__name__)
        return 0


def operation_of(job: Job) -> dict[str, Any]:
    """What an incident of this job keeps, to run it again when retried."""
    return {"op": "job", "job_id": job.id, "task_id": job.task_id, "kind": job.kind}


def error_class(exc: Exception) -> str:
    """The failure's class (and the class it wraps): never its message, which may quote
    the case's data."""
    inner = getattr(exc, "exception", None)
    name = type(exc).__name__
    return f"{name}({type(inner).__name__})" if isinstance(inner, Exception) else name


def _failed(step: Step, job: Job, exc: Exception, operation: dict[str, Any],
            actor: str | None) -> Incident | None:
    """Keep one failed try: due again after the cycle's wait, or an incident at the end."""
    job.attempts += 1
    job.error, job.failed_at = error_class(exc)[:255], step.now
    try:
        policy = retry_policy(job.retry_cycle)
    except ValueError:  # lint refuses a malformed cycle; a row from elsewhere gets the default
        policy = retry_policy(None)
    detail: dict[str, Any] = {"job_id": job.id, "attempt": job.attempts, "error": job.error,
                              "tries": policy.tries}
    log.info("job %s of instance %s at %s failed (attempt %s of %s, %s)", job.id,
             step.instance.id, job.activity_id, job.attempts, policy.tries, job.error)
    if job.attempts < policy.tries:
        job.due_at = step.now + policy.wait_after(job.attempts)
        detail["next_at"] = job.due_at.isoformat()
        step.cas_update()  # the failed try is kept only if nobody advanced the case meanwhile
        step.record(JOB_FAILED, activity_id=job.activity_id, detail=detail)
        step.flush_records()
        return None
    step.record(JOB_FAILED, activity_id=job.activity_id, detail=detail)
    incident = step.open_incident(exc, operation, actor)
    job.status, job.incident_id = INCIDENT, incident.id
    return incident


def job_finished(session: Session, operation: dict[str, Any]) -> None:
    """An incident retry ran the job through: its row goes."""
    session.execute(delete(Job).where(Job.id == operation["job_id"]))
