"""Consent withdrawn: every exchange about the person stops and the case closes.

Why an engine rule rather than a drawn path: exchange between partners rests on
the person's procuration, so a withdrawal must stop a case wherever it stands,
in every process, whether or not its owner drew a way out. A drawn catch would
have to sit on every task and timer (the engine has no interrupting event
subprocess), and a process drawn without one would keep exchanging. So the
message `consent_withdrawn`, correlated by business key or instance id like any
message, is taken by the engine itself, never by a subscription:

- every ready task is cancelled (its institutions get `task.cancelled`, reason
  `consent_withdrawn`), every open external task is cancelled (no worker may
  lock or complete it), message subscriptions and timers are dropped;
- the case ends `terminated`, its history says `consent_withdrawn` then
  `terminate` with reason `consent_withdrawn`, both by the sender;
- by business key, every open case with that key closes (the consent is the
  person's, not one process's).

All of it in one transaction, the instance's compare-and-set first, so a step
racing the withdrawal either lands before it or is refused after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.errors import InstanceNotActive, NoSubscriber, NotFound
from engine.store.models import (
    ExternalTask,
    Instance,
    MessageSubscription,
    Task,
    TaskCandidate,
)

from .domain_events import TaskCancelled
from .step import Step

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

CONSENT_WITHDRAWN = "consent_withdrawn"
OPEN = ("running", "incident", "suspended")


def targets(session: Session, *, business_key: str | None,
            instance_id: str | None) -> list[Instance]:
    """The open cases a withdrawal closes: the one named, or every one with the key."""
    if instance_id:
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound(f"no instance {instance_id}")
        if instance.status not in OPEN:
            raise InstanceNotActive(f"instance {instance_id} is {instance.status}")
        return [instance]
    found = list(session.scalars(
        select(Instance).where(Instance.business_key == business_key,
                               Instance.status.in_(OPEN))
        .order_by(Instance.started_at, Instance.id)))
    if not found:
        raise NoSubscriber(f"no open case with business key {business_key}")
    return found


def withdraw(engine: Engine, session: Session, instance: Instance, actor: str | None) -> None:
    """Close one open case for a withdrawn consent, in the caller's transaction."""
    step = Step(engine.runtime, session, instance)
    step.record(CONSENT_WITHDRAWN, actor=actor)
    for row in session.scalars(select(Task).where(Task.instance_id == instance.id,
                                                  Task.state == "ready")):
        row.state, row.completed_at = "cancelled", step.now
        step.record("task_cancelled", actor=actor, activity_id=row.activity_id, task_id=row.id,
                    detail={"reason": CONSENT_WITHDRAWN})
        step.emit(TaskCancelled, task_id=row.id, activity_id=row.activity_id,
                  candidate_groups=tuple(row.candidate_groups or ()), reason=CONSENT_WITHDRAWN)
    step.record("terminate", actor=actor, detail={"reason": CONSENT_WITHDRAWN})
    with session.no_autoflush:  # the compare-and-set is the first write
        step.cas_update(status="terminated", ended_at=step.now, next_timer_at=None)
    session.execute(
        update(ExternalTask)
        .where(ExternalTask.instance_id == instance.id,
               ExternalTask.state.in_(("available", "locked")))
        .values(state="cancelled", ended_at=step.now, worker_id=None, lock_expires_at=None)
        .execution_options(synchronize_session=False))
    session.execute(delete(MessageSubscription).where(
        MessageSubscription.instance_id == instance.id))
    session.execute(update(TaskCandidate).where(TaskCandidate.task_id.in_(  # models.TaskCandidate
        select(Task.id).where(Task.instance_id == instance.id))).values(ready_at=None)
        .execution_options(synchronize_session=False))
    step.flush_records()
