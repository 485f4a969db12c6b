"""Claims and hand-overs: claim, release and reassign a ready task.

An institution claims a task ("we are on it") before completing it, its holder
or a coordinator releases the claim, a coordinator reassigns the task to other
candidate groups. None of these moves the workflow, so none loads it: a
conditional UPDATE on the task row (still ready, still held as read) plus a
history row and a compare-and-set on the instance, in one transaction. The
compare-and-set keeps the instance's history sequence consistent with a
concurrent step (the loser gets `ConcurrentUpdate`, as for completions).

Locks are taken in a step's order, the instance row (its compare-and-set)
before the task row: the reverse order let a claim and a completion of the
same case wait on each other, a deadlock on PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from engine.errors import ConcurrentUpdate, Conflict, NotAllowed, NotFound, TaskNotReady
from engine.store.models import Instance, Task, TaskCandidate
from engine.store.principals import Principal

from .domain_events import TaskReassigned
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
        if row.assignee is not None:
            raise ClaimedByAnother(f"task {task_id} is claimed by {row.assignee}")
        instance = session.get(Instance, row.instance_id)
        step = Step(engine.runtime, session, instance)
        step.record("task_claimed", actor=who, activity_id=row.activity_id, task_id=task_id)
        step.cas_update()
        result = session.execute(
            update(Task).where(Task.id == task_id, Task.state == "ready",
                               or_(Task.assignee.is_(None), Task.assignee == who))
            .values(assignee=who).execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise ClaimedByAnother(f"task {task_id} is claimed by {row.assignee}")
        step.flush_records()
        session.refresh(row)
        return row


def release(engine: Engine, task_id: str, who: str, *, any_holder: bool,
            reason: str | None = None) -> Task:
    """Clear a ready task's claim so another institution of its groups can claim it.

    The holder may release its own claim; with `any_holder` (a coordinator) any claim,
    a modelled assignee included. Refused: a task not ready or not claimed (`Conflict`),
    another's claim without `any_holder` (`NotAllowed`).
    """
    with engine.sessions.begin() as session:
        row = _ready_task(session, task_id)
        holder = row.assignee
        if holder is None:
            raise Conflict(f"task {task_id} is not claimed")
        if holder != who and not any_holder:
            raise NotAllowed(f"task {task_id} is claimed by another principal: only its "
                             "holder or a coordinator may release it")
        detail = {"holder": holder, **({"reason": reason} if reason else {})}
        step = _record(engine, session, row, "task_released", who, detail)
        _update_ready(session, task_id, holder, assignee=None)
        step.flush_records()
        session.refresh(row)
        return row


def reassign(engine: Engine, task_id: str, groups: list[str], *, who: str,
             reason: str) -> Task:
    """Give a ready task other candidate groups: the row, its candidate rows, a history
    row with both lists and the reason, and a `TaskReassigned` event, in one transaction.

    A principal's claim is released with it (the holder's institution may be losing the
    task; the new groups must be able to claim it); a modelled assignee stays. The
    same groups again change nothing (a retried request is not recorded twice).
    """
    new = tuple(dict.fromkeys(groups))
    with engine.sessions.begin() as session:
        row = _ready_task(session, task_id)
        old = tuple(row.candidate_groups or ())
        if old == new:
            return row
        holder = row.assignee
        claimed = holder is not None and held_by_another_principal(session, holder, None)
        detail = {"from": list(old), "to": list(new), "reason": reason,
                  **({"released": holder} if claimed else {})}
        step = _record(engine, session, row, "task_reassigned", who, detail)
        _update_ready(session, task_id, holder, candidate_groups=list(new),
                      assignee=None if claimed else holder)
        session.execute(delete(TaskCandidate).where(TaskCandidate.task_id == task_id))
        session.execute(insert(TaskCandidate),
                        [{"task_id": task_id, "group_id": g, "ready_at": row.ready_at}
                         for g in new])
        step.emit(TaskReassigned, task_id=task_id, activity_id=row.activity_id,
                  old_groups=old, new_groups=new, actor=who, due_at=row.due_at)
        step.flush_records()
        session.refresh(row)
        return row


def _ready_task(session: Session, task_id: str) -> Task:
    row = session.get(Task, task_id)
    if row is None:
        raise NotFound(f"no task {task_id}")
    if row.state != "ready":
        raise TaskNotReady(f"task {task_id} is {row.state}")
    return row


def _update_ready(session: Session, task_id: str, holder: str | None, **values: object) -> None:
    """Update the task only if it is still ready and held as read; else someone was first."""
    held = Task.assignee.is_(None) if holder is None else Task.assignee == holder
    result = session.execute(
        update(Task).where(Task.id == task_id, Task.state == "ready", held)
        .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise ConcurrentUpdate(f"task {task_id} changed meanwhile; read it again")


def _record(engine: Engine, session: Session, row: Task, kind: str, who: str,
            detail: dict[str, object]) -> Step:
    """The history row and the instance's compare-and-set, taken before the task row."""
    step = Step(engine.runtime, session, session.get(Instance, row.instance_id))
    step.record(kind, actor=who, activity_id=row.activity_id, task_id=row.id, detail=detail)
    step.cas_update()
    return step


def held_by_another_principal(session: Session, assignee: str, who: str | None) -> bool:
    """Whether a task's assignee is another principal's claim, not a modelled assignee
    (`camunda:assignee` names a person, who completes through an institution's token)."""
    if assignee == who:
        return False
    return session.scalar(select(Principal.id).where(Principal.name == assignee)) is not None


__all__ = ["ClaimedByAnother", "ConcurrentUpdate", "claim", "held_by_another_principal",
           "reassign", "release"]
