"""Which cases are stuck, where and why: one indexed SQL query, no workflow loaded.

Coordinators ask this across every case, so it must cost the same with 50,000
instances as with 50: each reason is a select over the read-model tables
(`task`, `task_candidate`, `instance`, `incident`, `principal_group`) through
their indexes, and the four selects are one UNION ALL ordered by how long the
case has waited. The API and the CLI reach it through `Engine.stuck`.

Reasons:
- ``waiting``: a ready task that became ready before ``now - older_than``;
- ``overdue``: a ready task whose due date has passed;
- ``incident``: an instance in incident (since the incident opened);
- ``no_holder``: a ready task none of whose candidate groups is held by an
  enabled principal (nobody can see it in a task list).
A task may appear under several reasons, once per reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, and_, cast, exists, literal, null, select, union_all
from sqlalchemy.orm import Session

from engine.errors import InvalidInput

from .models import Incident, Instance, Task, TaskCandidate
from .principals import Principal, PrincipalGroup

REASONS = ("waiting", "overdue", "incident", "no_holder")


@dataclass(frozen=True)
class StuckRow:
    reason: str
    instance_id: str
    business_key: str | None
    process_key: str
    activity_id: str | None
    task_id: str | None
    groups: list[str]
    since: datetime
    incident_id: int | None = None
    #: how long the case has waited here at `now` (never negative)
    waiting_seconds: int = 0


def _task_select(reason: str, since_column: Any, *conditions: Any) -> Any:
    return (
        select(
            literal(reason).label("reason"),
            Task.instance_id.label("instance_id"),
            Instance.business_key.label("business_key"),
            Task.process_key.label("process_key"),
            Task.activity_id.label("activity_id"),
            Task.id.label("task_id"),
            Task.candidate_groups.label("groups"),
            since_column.label("since"),
            cast(null(), Integer).label("incident_id"),
        )
        .join(Instance, Instance.id == Task.instance_id)
        .where(Task.state == "ready", Instance.status == "running", *conditions)
    )


def _group_filter(group: str | None) -> list[Any]:
    if not group:
        return []
    return [exists().where(TaskCandidate.task_id == Task.id, TaskCandidate.group_id == group)]


def _activity_filter(activity: str | None) -> list[Any]:
    return [Task.activity_id == activity] if activity else []


def _no_holder() -> Any:
    held = (
        select(TaskCandidate.task_id)
        .join(PrincipalGroup, PrincipalGroup.group_id == TaskCandidate.group_id)
        .join(Principal, and_(Principal.id == PrincipalGroup.principal_id,
                              Principal.disabled_at.is_(None)))
        .where(TaskCandidate.task_id == Task.id)
    )
    return ~held.exists()


def _incident_select(group: str | None, activity: str | None) -> Any:
    stmt = (
        select(
            literal("incident").label("reason"),
            Instance.id.label("instance_id"),
            Instance.business_key.label("business_key"),
            Instance.process_key.label("process_key"),
            Incident.activity_id.label("activity_id"),
            cast(null(), String).label("task_id"),
            cast(null(), JSON).label("groups"),
            Incident.opened_at.label("since"),
            Incident.id.label("incident_id"),
        )
        .join(Instance, Instance.id == Incident.instance_id)
        .where(Incident.status == "open", Instance.status == "incident")
    )
    if activity:
        stmt = stmt.where(Incident.activity_id == activity)
    if group:
        stmt = stmt.where(exists().where(
            Task.instance_id == Instance.id, Task.state == "ready",
            TaskCandidate.task_id == Task.id, TaskCandidate.group_id == group))
    return stmt


def stuck_cases(session: Session, now: datetime, older_than: timedelta, *,
                group: str | None = None, activity: str | None = None,
                reason: str | None = None, limit: int = 100, offset: int = 0
                ) -> list[StuckRow]:
    """Stuck rows, longest waiting first; `reason` restricts to one of `REASONS`."""
    if reason is not None and reason not in REASONS:
        raise InvalidInput(f"unknown reason {reason!r}; one of {', '.join(REASONS)}",
                           field="reason")
    extra = [*_group_filter(group), *_activity_filter(activity)]
    parts = {
        "waiting": lambda: _task_select("waiting", Task.ready_at,
                                        Task.ready_at < now - older_than, *extra),
        "overdue": lambda: _task_select("overdue", Task.due_at,
                                        Task.due_at.is_not(None), Task.due_at < now, *extra),
        "incident": lambda: _incident_select(group, activity),
        "no_holder": lambda: _task_select("no_holder", Task.ready_at, _no_holder(), *extra),
    }
    selects = [build() for name, build in parts.items() if reason in (None, name)]
    union = union_all(*selects).subquery("stuck")
    stmt = (select(union).order_by(union.c.since, union.c.instance_id, union.c.reason,
                                   union.c.task_id)
            .limit(limit).offset(offset))
    rows = []
    for r in session.execute(stmt):
        since = r.since
        if since is not None and since.tzinfo is None:  # raw union column: not re-typed
            since = since.replace(tzinfo=UTC)
        rows.append(StuckRow(reason=r.reason, instance_id=r.instance_id,
                             business_key=r.business_key, process_key=r.process_key,
                             activity_id=r.activity_id, task_id=r.task_id,
                             groups=_groups(r.groups), since=since,
                             incident_id=r.incident_id,
                             waiting_seconds=max(0, int((now - since).total_seconds()))))
    return rows


def _groups(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # JSON text through the union on some backends
        value = json.loads(value)
    return [str(g) for g in value or []]
