"""Claiming a task: an institution says "we are on it" before completing.

A claim does not move the workflow, so it does not load it: one conditional
UPDATE on the task row (ready and unclaimed, or already ours) plus a history
row and a compare-and-set on the instance, in one transaction. The
compare-and-set keeps the instance's history sequence consistent with a
concurrent step (the loser gets `ConcurrentUpdate`, as for completions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.errors import ConcurrentUpdate, Conflict, NotFound
from engine.store.models import Instance, Task
from engine.store.principals import Principal

from .step import Step

if TYPE_CHECKING:
    from .parts import EngineParts as Engine


class ClaimedByAnother(Conflict):
    pass


def claim(engine: Engine, task_id: str, who: str) -> Task:
    with engine.sessions.begin() as session:
        row = session.get(Task, task_id)
        if row is None:
            raise NotFound(f"no task {task_id}")
        if row.state != "ready":
            raise Conflict(f"task {task_id} is {row.state}")
        if row.assignee == who:
            return row
        result = session.execute(
            update(Task).where(Task.id == task_id, Task.state == "ready",
                               or_(Task.assignee.is_(None), Task.assignee == who))
            .values(assignee=who).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise ClaimedByAnother(f"task {task_id} is claimed by {row.assignee}")
        instance = session.get(Instance, row.instance_id)
        step = Step(engine.runtime, session, instance)
        step.record("task_claimed", actor=who, activity_id=row.activity_id, task_id=task_id)
        step.cas_update()
        step.flush_records()
        session.refresh(row)
        return row


def held_by_another_principal(session: Session, assignee: str, who: str | None) -> bool:
    """Whether a task's assignee is another principal's claim, not a modelled assignee
    (`camunda:assignee` names a person, who completes through an institution's token)."""
    if assignee == who:
        return False
    return session.scalar(select(Principal.id).where(Principal.name == assignee)) is not None


__all__ = ["ClaimedByAnother", "ConcurrentUpdate", "claim", "held_by_another_principal"]
