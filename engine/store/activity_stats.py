"""Where the cases of one process version stand, per activity, in one grouped query.

The process page of the control room draws these figures on the diagram (a
heatmap, as Camunda Cockpit does): per activity, the ready user tasks, how many
of them are overdue, the open incidents, and the median time the ready tasks
have waited. One query over the ready tasks and the open incidents of the
version (a UNION ALL), ranked per activity with window functions so that the
median comes out of the same pass on SQLite and PostgreSQL alike (SQLite has no
percentile function).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, cast, func, literal, null, or_, select, text, union_all
from sqlalchemy.orm import Session

from .models import READY_TASK, Incident, Instance, Task, UTCDateTime


@dataclass(frozen=True)
class ActivityFigures:
    """The figures of one activity of one process version, as of `now`."""

    activity_id: str
    ready: int
    overdue: int
    incidents: int
    #: the median wait of the ready tasks (None when none is ready)
    median_waiting: timedelta | None


def activity_figures(session: Session, definition_id: int,
                     now: datetime) -> list[ActivityFigures]:
    """The figures of every activity that has a ready task or an open incident."""
    tasks = (select(Task.activity_id.label("activity_id"), literal(0).label("incident"),
                    Task.ready_at.label("at"), Task.due_at.label("due_at"))
             .join(Instance, Instance.id == Task.instance_id)
             # the partial index's own term: its columns are all the figures read
             .where(Instance.definition_id == definition_id, text(f"task.{READY_TASK}")))
    incidents = (select(Incident.activity_id, literal(1),
                        Incident.opened_at, cast(null(), UTCDateTime))
                 .join(Instance, Instance.id == Incident.instance_id)
                 .where(Instance.definition_id == definition_id, Incident.status == "open",
                        Incident.activity_id.is_not(None)))
    rows = union_all(tasks, incidents).subquery("rows")
    ranked = select(
        rows.c.activity_id, rows.c.incident, rows.c.at, rows.c.due_at,
        func.row_number().over(partition_by=(rows.c.activity_id, rows.c.incident),
                               order_by=rows.c.at).label("rank"),
        func.count().over(partition_by=(rows.c.activity_id, rows.c.incident)).label("n"),
    ).subquery("ranked")
    is_task = ranked.c.incident == 0
    # the middle row (odd count) or the two middle rows (even count) of the ready tasks
    middle = and_(is_task, or_(ranked.c.rank == (ranked.c.n + 1) // 2,
                               ranked.c.rank == (ranked.c.n + 2) // 2))
    query = (select(
        ranked.c.activity_id,
        func.sum(case((is_task, 1), else_=0)).label("ready"),
        func.sum(case((and_(is_task, ranked.c.due_at < now), 1), else_=0)).label("overdue"),
        func.sum(case((is_task, 0), else_=1)).label("incidents"),
        func.min(case((middle, ranked.c.at), else_=None), type_=UTCDateTime).label("low"),
        func.max(case((middle, ranked.c.at), else_=None), type_=UTCDateTime).label("high"),
    ).group_by(ranked.c.activity_id).order_by(ranked.c.activity_id))
    figures = []
    for row in session.execute(query):
        median = None
        if row.low is not None and row.high is not None:
            median = now - (row.low + (row.high - row.low) / 2)
        figures.append(ActivityFigures(row.activity_id, int(row.ready or 0),
                                       int(row.overdue or 0), int(row.incidents or 0), median))
    return figures


@dataclass(frozen=True)
class ActivityCase:
    """One case at an activity: its ready task or its open incident."""

    instance_id: str
    business_key: str | None
    kind: str  # "task" | "incident"
    since: datetime
    task_id: str | None = None
    assignee: str | None = None
    groups: tuple[str, ...] = ()
    due_at: datetime | None = None
    incident_id: int | None = None
    message: str | None = None


def activity_cases(session: Session, definition_id: int, activity_id: str, *,
                   limit: int) -> list[ActivityCase]:
    """The ready tasks and open incidents at one activity of one version, oldest first
    (at most `limit` of each kind)."""
    tasks = session.execute(
        select(Task, Instance.business_key).join(Instance, Instance.id == Task.instance_id)
        .where(Instance.definition_id == definition_id, Task.state == "ready",
               Task.activity_id == activity_id)
        .order_by(Task.ready_at, Task.id).limit(limit)).all()
    incidents = session.execute(
        select(Incident, Instance.business_key)
        .join(Instance, Instance.id == Incident.instance_id)
        .where(Instance.definition_id == definition_id, Incident.status == "open",
               Incident.activity_id == activity_id)
        .order_by(Incident.opened_at, Incident.id).limit(limit)).all()
    found = [ActivityCase(t.instance_id, key, "task", t.ready_at, task_id=t.id,
                          assignee=t.assignee, groups=tuple(t.candidate_groups or ()),
                          due_at=t.due_at) for t, key in tasks]
    found += [ActivityCase(i.instance_id, key, "incident", i.opened_at, incident_id=i.id,
                           message=i.message) for i, key in incidents]
    return sorted(found, key=lambda c: c.since)


def _at_activity(process_key: str, version: int | None) -> list[Any]:
    where: list[Any] = [Instance.process_key == process_key]
    if version is not None:
        where.append(Instance.definition_version == version)
    return where


def open_incidents_at(session: Session, process_key: str, version: int | None,
                      activity_id: str, *, limit: int) -> list[tuple[Incident, str | None]]:
    """The open incidents at one activity of a process (one version, or all), oldest first."""
    rows = session.execute(
        select(Incident, Instance.business_key)
        .join(Instance, Instance.id == Incident.instance_id)
        .where(*_at_activity(process_key, version), Incident.status == "open",
               Incident.activity_id == activity_id)
        .order_by(Incident.opened_at, Incident.id).limit(limit)).all()
    return [(i, key) for i, key in rows]


def ready_tasks_at(session: Session, process_key: str, version: int | None, activity_id: str,
                   *, claimed_only: bool, limit: int) -> list[tuple[Task, str | None]]:
    """The ready tasks at one activity of a process (one version, or all), oldest first;
    `claimed_only`: those someone holds."""
    query = (select(Task, Instance.business_key)
             .join(Instance, Instance.id == Task.instance_id)
             .where(*_at_activity(process_key, version), Task.state == "ready",
                    Task.activity_id == activity_id))
    if claimed_only:
        query = query.where(Task.assignee.is_not(None))
    rows = session.execute(query.order_by(Task.ready_at, Task.id).limit(limit)).all()
    return [(t, key) for t, key in rows]


def incidents_by_id(session: Session,
                    ids: list[int]) -> dict[int, tuple[Incident, str | None]]:
    rows = session.execute(select(Incident, Instance.business_key)
                           .join(Instance, Instance.id == Incident.instance_id)
                           .where(Incident.id.in_(ids))).all()
    return {i.id: (i, key) for i, key in rows}


def tasks_by_id(session: Session, ids: list[str]) -> dict[str, tuple[Task, str | None]]:
    rows = session.execute(select(Task, Instance.business_key)
                           .join(Instance, Instance.id == Task.instance_id)
                           .where(Task.id.in_(ids))).all()
    return {t.id: (t, key) for t, key in rows}
