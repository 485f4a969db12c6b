"""Retrying the step that failed, after a coordinator fixed what was wrong.

An incident keeps the operation that failed (complete a task with its data,
run engine steps, fire timers, deliver a message). A retry runs it again on
the last good state, with corrected data merged in; success resolves the
incident, failure updates it and leaves it open.
"""

from __future__ import annotations

import uuid
from copy import deepcopy
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.errors import Conflict, NotFound, TaskNotReady
from engine.store.models import Incident, Instance

from .domain_events import IncidentResolved
from .external import reopen
from .jobs import job_action, job_finished
from .messages import message_action
from .step import Action, Step, StepOutcome, run_engine
from .timers import fire_timers

if TYPE_CHECKING:
    from .parts import EngineParts as Engine


def _patch_waiting(wf: BpmnWorkflow, data: dict[str, Any]) -> None:
    if data:
        for task in wf.get_tasks(state=TaskState.READY | TaskState.WAITING):
            task.data.update(data)


def _action(wf: BpmnWorkflow, operation: dict[str, Any], data: dict[str, Any]) -> Action:
    op = operation.get("op")
    if op == "complete_task":
        spiff_task = wf.get_task_from_id(uuid.UUID(operation["task_id"]))
        if spiff_task is None or not spiff_task.has_state(TaskState.READY):
            raise TaskNotReady(f"task {operation['task_id']} is no longer ready")
        completion = {**operation.get("data", {}), **data}

        def complete(w: BpmnWorkflow) -> None:
            spiff_task.data.update(completion)
            spiff_task.run()
            run_engine(w)

        return complete
    if op == "job":  # a job whose tries were spent: run it once more
        return job_action(operation["task_id"], data)
    if op == "message":
        deliver = message_action(operation["name"], operation.get("payload", {}))

        def redeliver(w: BpmnWorkflow) -> None:
            _patch_waiting(w, data)
            deliver(w)

        return redeliver
    runner = fire_timers if op == "timers" else run_engine

    def rerun(w: BpmnWorkflow) -> None:
        _patch_waiting(w, data)
        runner(w)

    return rerun


def retry(engine: Engine, incident_id: int, *, data: dict[str, Any],
          actor: str | None, reason: str | None = None) -> StepOutcome:
    """Run the failed step again; the history's `incident_resolved` row keeps who retried,
    why (`reason`) and the corrected data (`data`), or nothing of it if it failed again."""
    with engine.sessions.begin() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound(f"no incident {incident_id}")
        if incident.status != "open":
            raise Conflict(f"incident {incident_id} is {incident.status}")
        instance = session.get(Instance, incident.instance_id)
        if instance is None or instance.status != "incident":
            raise Conflict(f"instance {incident.instance_id} is not in incident")
        step = Step(engine.runtime, session, instance)
        resolved = {"incident_id": incident.id, **({"reason": reason} if reason else {}),
                    **({"data": deepcopy(data)} if data else {})}
        if incident.operation.get("op") == "external_task":
            return _retry_external(session, step, incident, actor, resolved)
        step.retrying = incident
        wf = step.load()
        operation = dict(incident.operation)
        if operation.get("op") == "complete_task":
            operation["data"] = {**operation.get("data", {}), **data}
            step.submitted = operation["data"]
        outcome = step.advance(
            wf, _action(wf, incident.operation, data), actor=actor, operation=operation,
            completing=operation.get("task_id"),
        )
        if outcome.incident is not None:
            return outcome
        if operation.get("op") == "job":
            job_finished(session, operation)
        incident.status, incident.resolved_at, incident.resolved_by = "resolved", step.now, actor
        step.record("incident_resolved", actor=actor, activity_id=incident.activity_id,
                    detail=resolved)
        step.emit(IncidentResolved, incident_id=incident.id, actor=actor)
        step.flush_records()
        return outcome


def _retry_external(session: Any, step: Step, incident: Incident,
                    actor: str | None, resolved: dict[str, Any]) -> StepOutcome:
    reopen(session, incident.operation["task_id"])
    step.cas_update(status="running")
    incident.status, incident.resolved_at, incident.resolved_by = "resolved", step.now, actor
    step.record("incident_resolved", actor=actor, activity_id=incident.activity_id,
                detail=resolved)
    step.emit(IncidentResolved, incident_id=incident.id, actor=actor)
    step.flush_records()
    return StepOutcome(step.instance)
