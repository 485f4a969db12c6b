"""Overdue and due-soon notices: telling an institution its task is late, or nearly.

A due date alone does nothing when it passes unless the model draws a timer for
it. The worker's notice pass (run beside the timers) finds the ready tasks whose
due date passed (`task.overdue`), or is at most N working days away
(`task.due_soon`, N = `CIIFLOW_DUE_SOON_WORKING_DAYS`, 2 by default, 0 turns it
off), and for each one writes a history row and publishes a domain event, which
the webhook outbox turns into one message to the institutions holding the
task's groups.

Exactly once, whichever worker sees the task first: the notice is claimed by a
conditional UPDATE setting `overdue_notified_at` (or `due_soon_notified_at`)
only while it is empty, in the transaction that writes the history row and the
webhook message. The instance's compare-and-set comes first, as in a step (same
lock order, so a notice and a completion cannot deadlock, and the history
sequence stays whole); a competing worker either waits for the row and then
matches nothing (PostgreSQL) or runs after the first (SQLite's single writer),
and writes nothing.

"N working days before" counts in the task's calendar (`engine.calendar`): the
notice fires from the start of the day that is N working days before the due
date's day. A task already overdue gets no due-soon notice, only the overdue one.
Both scans are indexed (`ix_task_overdue_scan`, `ix_task_due_soon_scan`): ready
tasks not yet told, by due date.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from engine.errors import ConcurrentUpdate
from engine.store.models import Instance, Task

from .domain_events import TaskDueSoon, TaskOverdue
from .step import Runtime, Step
from .timers import FixedClock

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

log = logging.getLogger(__name__)

DUE_SOON_SETTING = "CIIFLOW_DUE_SOON_WORKING_DAYS"


def due_soon_working_days() -> int:
    """How many working days before its due date a task gets `task.due_soon` (0: never)."""
    text = os.environ.get(DUE_SOON_SETTING, "").strip()
    if not text:
        return 2
    try:
        days = int(text)
    except ValueError:
        raise ValueError(f"{DUE_SOON_SETTING} must be a whole number of working days, "
                         f"got {text!r}") from None
    return max(days, 0)


class _Lost(Exception):
    """Another worker claimed the notice, or the task stopped being ready, meanwhile."""


_NOTICES: dict[str, tuple[Any, type, str]] = {
    "overdue": (Task.overdue_notified_at, TaskOverdue, "task_overdue"),
    "due_soon": (Task.due_soon_notified_at, TaskDueSoon, "task_due_soon"),
}


def run_task_notices(engine: Engine, now: datetime, *, limit: int = 100,
                     due_soon_days: int | None = None) -> int:
    """Send the overdue, then the due-soon notices that are due; returns how many were sent."""
    runtime = replace(engine.runtime, clock=FixedClock(now))
    sent = sum(_notify(engine, runtime, task_id, "overdue")
               for task_id in _overdue(engine, now, limit))
    days = due_soon_working_days() if due_soon_days is None else due_soon_days
    if days > 0:
        sent += sum(_notify(engine, runtime, task_id, "due_soon")
                    for task_id in _due_soon(engine, now, days, limit))
    return sent


def _overdue(engine: Engine, now: datetime, limit: int) -> list[str]:
    with engine.readers() as session:
        return list(session.scalars(
            select(Task.id).join(Instance, Instance.id == Task.instance_id)
            .where(Task.state == "ready", Task.overdue_notified_at.is_(None),
                   Task.due_at < now, Instance.status == "running")
            .order_by(Task.due_at).limit(limit)))


def _due_soon(engine: Engine, now: datetime, days: int, limit: int) -> list[str]:
    """Ready tasks due before their calendar's horizon: one indexed range, then each calendar."""
    calendars = engine.runtime.calendars
    horizons = {c: c.horizon(now, days)
                for c in {calendars.default, *calendars.by_group.values()}}
    with engine.readers() as session:
        rows = session.execute(
            select(Task.id, Task.due_at, Task.candidate_groups)
            .join(Instance, Instance.id == Task.instance_id)
            .where(Task.state == "ready", Task.due_soon_notified_at.is_(None),
                   Task.due_at >= now, Task.due_at < max(horizons.values()),
                   Instance.status == "running")
            .order_by(Task.due_at).limit(limit)).all()
    return [task_id for task_id, due_at, groups in rows
            if due_at < horizons[calendars.for_groups(groups or ())]]


def _notify(engine: Engine, runtime: Runtime, task_id: str, kind: str) -> int:
    """Claim and send one notice in one transaction; 1 if this worker sent it."""
    column, event_class, history_kind = _NOTICES[kind]
    try:
        with engine.sessions.begin() as session:
            task = session.get(Task, task_id)
            if task is None or task.state != "ready" or getattr(task, column.key) is not None:
                return 0
            instance = session.get(Instance, task.instance_id)
            if instance.status != "running":
                return 0  # suspended meanwhile: told once the case resumes
            step = Step(runtime, session, instance)
            step.record(history_kind, activity_id=task.activity_id, task_id=task.id,
                        detail={"due_at": task.due_at.isoformat() if task.due_at else None})
            step.emit(event_class, task_id=task.id, activity_id=task.activity_id,
                      candidate_groups=tuple(task.candidate_groups or ()), due_at=task.due_at)
            # the instance first, as a step does; a notice is not a move of the case
            step.cas_update(updated_at=instance.updated_at)
            claimed = session.execute(
                update(Task).where(Task.id == task_id, Task.state == "ready", column.is_(None))
                .values({column.key: step.now}).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                raise _Lost
            step.flush_records()
            return 1
    except (ConcurrentUpdate, _Lost):
        log.debug("%s notice of task %s sent by another worker or moot", kind, task_id)
        return 0
