"""Coordinators' actions on a whole case: suspend, resume, terminate, each with a reason.

These change the case's status, not its position in the process, so they do not
run the workflow; terminating closes the open tasks so no institution keeps
work on a case that is over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NotFound
from engine.store.models import Incident, Instance, Job, MessageSubscription, Task, TaskCandidate

from .domain_events import TaskCancelled
from .step import Step

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

TRANSITIONS = {
    "suspend": ({"running", "incident"}, "suspended"),
    "resume": ({"suspended"}, "running"),
    "terminate": ({"running", "incident", "suspended"}, "terminated"),
}


def set_status(engine: Engine, instance_id: str, action: str, *, reason: str,
               actor: str | None) -> Instance:
    if action not in TRANSITIONS:
        raise InvalidInput(f"unknown action {action}", field="action")
    allowed, target = TRANSITIONS[action]
    with engine.sessions.begin() as session:
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound(f"no instance {instance_id}")
        if instance.status not in allowed:
            raise Conflict(f"cannot {action} an instance that is {instance.status}")
        step = Step(engine.runtime, session, instance)
        if action == "resume" and _has_open_incident(session, instance_id):
            target = "incident"
        values: dict = {"status": target}
        if target == "terminated":
            values.update(ended_at=step.now, next_timer_at=None)
            for row in session.scalars(select(Task).where(
                    Task.instance_id == instance_id, Task.state == "ready")):
                row.state, row.completed_at = "cancelled", step.now
                step.record("task_cancelled", actor=actor, activity_id=row.activity_id,
                            task_id=row.id)
                step.emit(TaskCancelled, task_id=row.id, activity_id=row.activity_id,
                          candidate_groups=tuple(row.candidate_groups or ()),
                          reason="terminated")
            session.execute(delete(MessageSubscription).where(
                MessageSubscription.instance_id == instance_id))
            session.execute(delete(Job).where(Job.instance_id == instance_id))  # async boundaries
        step.record(action, actor=actor, detail={"reason": reason})
        step.cas_update(**values)
        if target == "terminated":  # out of the groups' ready index (models.TaskCandidate)
            session.execute(update(TaskCandidate).where(TaskCandidate.task_id.in_(
                select(Task.id).where(Task.instance_id == instance_id))).values(ready_at=None)
                .execution_options(synchronize_session=False))
        step.flush_records()
        return instance


def _has_open_incident(session: Session, instance_id: str) -> bool:
    stmt = select(Incident.id).where(
        Incident.instance_id == instance_id, Incident.status == "open").limit(1)
    return session.scalars(stmt).first() is not None
