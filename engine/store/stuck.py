"""Which cases are stuck, where and why: one indexed SQL query per page, no workflow loaded.

Coordinators ask this across every case, so a page must cost the same with 50,000
cases as with 50. Each reason is one or more selects over the read-model tables,
each read longest-waiting first through an index and cut at the page's end
(`offset + limit + 1` rows); the cut selects are one UNION ALL, sorted and paged
again. So a page reads at most (branches × page end) rows, however many cases wait.

Reasons (a case may appear under several, once per reason and place):
- ``waiting``: the case waits longer than ``older_than`` at a wait state: a ready
  user task, a message (receive task, message catch event, event-based gateway:
  `message_subscription` rows, without the boundary events it only listens to),
  or an external task no worker has completed;
- ``overdue``: a ready task whose due date has passed;
- ``incident``: an open incident (with its message);
- ``no_holder``: a ready task none of whose candidate groups an enabled principal
  holds (nobody sees it in a task list);
- ``idle``: a running case with no step for longer than ``idle_after``;
- further reasons from other packages (`ReasonSource`): the webhooks add
  ``notification_failing`` without the engine knowing their tables.

Every select yields the columns of `stuck_columns`; waits inside a called process
carry the element they wait at, and the service names the call activity from the
definition (engine.runtime.elements).

Building a union of nine nested selects costs SQLAlchemy more than the database
takes to answer it, so each statement is built once per shape (which reasons, which
filters are given) with its values as bound parameters (`StuckQuery.params`), and
kept: a page then only binds and executes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from .models import (
    EXTERNAL_WAITING_SQL,
    ExternalTask,
    Incident,
    Instance,
    MessageSubscription,
    Task,
    TaskCandidate,
    UTCDateTime,
)
from .plan_hints import Unindexed, one_worker
from .principals import Principal, PrincipalGroup

BUILT_IN = ("waiting", "overdue", "incident", "no_holder", "idle")


#: the bound values every statement reads (`StuckQuery.params` gives them)
WAITING_BEFORE = bindparam("waiting_before")
IDLE_BEFORE = bindparam("idle_before")
NOW = bindparam("now")
GROUP = bindparam("group")
INSTITUTION = bindparam("institution")
PROCESS = bindparam("process")
ACTIVITIES = bindparam("activities", expanding=True)


@dataclass(frozen=True)
class StuckShape:
    """Which filters a statement has; their values are bound when it runs."""

    group: bool = False
    activity: bool = False
    institution: bool = False
    process: bool = False


@dataclass(frozen=True)
class StuckQuery:
    """What a coordinator asks: when a wait counts as stuck, and the filters."""

    now: datetime
    #: a wait longer than this is stuck (`waiting`)
    older_than: timedelta
    #: a running case without a step for longer than this is stuck (`idle`)
    idle_after: timedelta
    group: str | None = None
    #: the element ids the case waits at (an activity and what it calls); empty: any
    activities: tuple[str, ...] = ()
    #: the name of an institution principal: the tasks of the groups it holds
    institution: str | None = None
    process: str | None = None

    @property
    def shape(self) -> StuckShape:
        return StuckShape(group=bool(self.group), activity=bool(self.activities),
                          institution=bool(self.institution), process=bool(self.process))

    def params(self) -> dict[str, Any]:
        found: dict[str, Any] = {"now": self.now, "waiting_before": self.now - self.older_than,
                                 "idle_before": self.now - self.idle_after}
        for name, value in (("group", self.group), ("institution", self.institution),
                            ("process", self.process)):
            if value:
                found[name] = value
        if self.activities:
            found["activities"] = list(self.activities)
        return found


@dataclass(frozen=True)
class StuckRow:
    reason: str
    #: what the case waits for: user_task | message | external_task | incident | case |
    #: notification
    wait: str
    instance_id: str
    business_key: str | None
    process_key: str
    definition_id: int
    activity_id: str | None
    task_id: str | None
    task_name: str | None
    groups: list[str]
    since: datetime
    incident_id: int | None = None
    external_task_id: str | None = None
    #: the message name, the external topic, the incident message, the last delivery error
    detail: str | None = None
    #: the institution principal a `notification_failing` row is about
    institution: str | None = None
    #: since when the cause lasts, where it is not the wait itself (the failing webhooks)
    cause_since: datetime | None = None
    #: how long the case has waited here at `now` (never negative)
    waiting_seconds: int = 0


#: one more reason: a select of `stuck_columns` for a shape of query, reading the bound
#: values (`NOW`, `GROUP`, …); the page is cut by the caller
ReasonSource = Callable[[StuckShape], Select[Any]]


def stuck_columns(reason: str, wait: str, *, instance_id: Any, business_key: Any,
                  process_key: Any, definition_id: Any, since: Any, activity_id: Any = None,
                  task_id: Any = None, task_name: Any = None, groups: Any = None,
                  incident_id: Any = None, external_task_id: Any = None, detail: Any = None,
                  institution: Any = None, cause_since: Any = None) -> list[Any]:
    """The columns every select of the union yields, in order; absent ones are typed NULLs."""

    def col(value: Any, kind: Any) -> Any:
        return cast(null(), kind) if value is None else value

    return [
        literal(reason).label("reason"), literal(wait).label("wait"),
        instance_id.label("instance_id"), business_key.label("business_key"),
        process_key.label("process_key"), definition_id.label("definition_id"),
        col(activity_id, String).label("activity_id"), col(task_id, String).label("task_id"),
        col(task_name, String).label("task_name"), col(groups, JSON).label("groups"),
        since.label("since"), col(incident_id, Integer).label("incident_id"),
        col(external_task_id, String).label("external_task_id"),
        col(detail, String).label("detail"), col(institution, String).label("institution"),
        col(cause_since, UTCDateTime).label("cause_since"),
    ]


# -- filters ------------------------------------------------------------------------
def _held_by() -> Any:
    """The groups the enabled principal named `INSTITUTION` holds."""
    return (select(PrincipalGroup.group_id)
            .join(Principal, Principal.id == PrincipalGroup.principal_id)
            .where(Principal.name == INSTITUTION, Principal.disabled_at.is_(None))
            .correlate(None))  # uncorrelated, even inside a select over principals


def task_filters(shape: StuckShape) -> list[Any]:
    """The filters of a select over ready `Task` rows (joined to `Instance`)."""
    found: list[Any] = []
    candidate = aliased(TaskCandidate)  # the outer select may join candidates itself
    if shape.group:
        found.append(exists().where(candidate.task_id == Task.id,
                                    candidate.group_id == GROUP))
    if shape.institution:
        found.append(exists().where(candidate.task_id == Task.id,
                                    candidate.group_id.in_(_held_by())))
    if shape.activity:
        found.append(Task.activity_id.in_(ACTIVITIES))
    if shape.process:
        found.append(Task.process_key == PROCESS)
    return found


def _case_filters(shape: StuckShape, activity_column: Any | None) -> list[Any]:
    """Filters of a select over a case (`Instance`) and, when known, the element it is at.

    A group or institution keeps the cases with a ready task of that group: a wait
    that belongs to no group (a message, an idle case) is left out of a group's view
    unless the case also has work there.
    """
    found: list[Any] = []
    task_of_case = [Task.instance_id == Instance.id, Task.state == "ready"]
    if shape.group:
        found.append(exists().where(*task_of_case, TaskCandidate.task_id == Task.id,
                                    TaskCandidate.group_id == GROUP))
    if shape.institution:
        found.append(exists().where(*task_of_case, TaskCandidate.task_id == Task.id,
                                    TaskCandidate.group_id.in_(_held_by())))
    if shape.activity:
        if activity_column is not None:
            found.append(activity_column.in_(ACTIVITIES))
        else:
            found.append(exists().where(*task_of_case, Task.activity_id.in_(ACTIVITIES)))
    if shape.process:
        found.append(Instance.process_key == PROCESS)
    return found


# -- the reasons --------------------------------------------------------------------
def _task_select(reason: str, since: Any, shape: StuckShape, *conditions: Any) -> Select[Any]:
    return (
        select(*stuck_columns(
            reason, "user_task", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=since, activity_id=Task.activity_id,
            task_id=Task.id, task_name=Task.name, groups=Task.candidate_groups))
        .join(Instance, Instance.id == Task.instance_id)
        .where(Task.state == "ready", Instance.status == "running", *conditions,
               *task_filters(shape))
    )


def waiting_tasks(shape: StuckShape) -> Select[Any]:
    return _task_select("waiting", Task.ready_at, shape, Task.ready_at < WAITING_BEFORE)


def waiting_messages(shape: StuckShape) -> Select[Any]:
    sub = MessageSubscription
    return (
        select(*stuck_columns(
            "waiting", "message", instance_id=Instance.id, business_key=Instance.business_key,
            process_key=Instance.process_key, definition_id=Instance.definition_id,
            since=sub.since, activity_id=sub.activity_id, detail=sub.message_name))
        .join(Instance, Instance.id == sub.instance_id)
        .where(sub.since < WAITING_BEFORE,
               or_(sub.beside.is_(None), sub.beside == false()),
               # not by index on SQLite: with its statistics SQLite would walk every
               # running case by `ix_instance_status` instead of the longest waits first
               # (measured with bench/stuck.py); the instance is found by id
               Unindexed(Instance.status) == "running",
               *_case_filters(shape, sub.activity_id))
    )


def waiting_external(shape: StuckShape) -> Select[Any]:
    ext = ExternalTask
    return (
        select(*stuck_columns(
            "waiting", "external_task", instance_id=Instance.id,
            business_key=Instance.business_key, process_key=Instance.process_key,
            definition_id=Instance.definition_id, since=ext.created_at,
            activity_id=ext.activity_id, external_task_id=ext.id, detail=ext.topic))
        .join(Instance, Instance.id == ext.instance_id)
        # the partial index's own terms (`ix_external_task_waiting`), longest first
        .where(text(f"external_task.{EXTERNAL_WAITING_SQL}"), ext.created_at < WAITING_BEFORE,
               Instance.status == "running", *_case_filters(shape, ext.activity_id))
    )


def overdue(shape: StuckShape) -> Select[Any]:
    return _task_select("overdue", Task.due_at, shape, Task.due_at.is_not(None),
                        Task.due_at < NOW)


def _held_groups() -> Any:
    """The groups enabled principals hold: a materialized CTE of a few dozen rows."""
    return (select(PrincipalGroup.group_id)
            .join(Principal, and_(Principal.id == PrincipalGroup.principal_id,
                                  Principal.disabled_at.is_(None)))
            .distinct().cte("held_group").prefix_with("MATERIALIZED"))


def no_holder(shape: StuckShape) -> Select[Any]:
    """Ready tasks with candidate groups none of which is held: their ready candidate
    rows oldest first (`ix_task_candidate_ready_since`, index only), those of an unheld
    group kept, each task once (by its first group) and only if no other group of it
    is held. A page reads the ready candidates it takes to fill it, never a closed task's.
    """
    held = select(_held_groups().c.group_id)
    ready, other = aliased(TaskCandidate), aliased(TaskCandidate)
    seen_or_held = (select(other.task_id)
                    .where(other.task_id == ready.task_id,
                           or_(other.group_id < ready.group_id, other.group_id.in_(held)))
                    .exists())
    return (
        select(*stuck_columns(
            "no_holder", "user_task", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=ready.ready_at,
            activity_id=Task.activity_id, task_id=Task.id, task_name=Task.name,
            groups=Task.candidate_groups))
        .select_from(ready)
        .join(Task, Task.id == ready.task_id)
        .join(Instance, Instance.id == Task.instance_id)
        .where(ready.ready_at.is_not(None), ready.group_id.not_in(held), ~seen_or_held,
               # SQLite would otherwise walk every ready task or running case
               Unindexed(Task.state) == "ready", Unindexed(Instance.status) == "running",
               *task_filters(shape))
    )


#: ready tasks without a candidate group, as the partial index `ix_task_ready_ungrouped`
#: says it: one term, literal text (SQLite uses a partial index only for the very same
#: terms, and would walk every ready task by `ix_task_state_ready_at` for a state term)
UNGROUPED = text("(task.state || ':' || CAST(task.candidate_groups AS TEXT)) = 'ready:[]'")


def no_holder_ungrouped(shape: StuckShape) -> Select[Any]:
    """Ready tasks without any candidate group: nobody's task list shows them either."""
    candidate = aliased(TaskCandidate)
    return (
        select(*stuck_columns(
            "no_holder", "user_task", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=Task.ready_at,
            activity_id=Task.activity_id, task_id=Task.id, task_name=Task.name,
            groups=Task.candidate_groups))
        .join(Instance, Instance.id == Task.instance_id)
        .where(UNGROUPED, Unindexed(Instance.status) == "running",
               ~select(candidate.task_id).where(candidate.task_id == Task.id).exists(),
               *task_filters(shape))
    )


def incidents(shape: StuckShape) -> Select[Any]:
    return (
        select(*stuck_columns(
            "incident", "incident", instance_id=Instance.id,
            business_key=Instance.business_key, process_key=Instance.process_key,
            definition_id=Instance.definition_id, since=Incident.opened_at,
            activity_id=Incident.activity_id, incident_id=Incident.id,
            detail=Incident.message))
        .join(Instance, Instance.id == Incident.instance_id)
        .where(Incident.status == "open", Instance.status == "incident",
               *_case_filters(shape, Incident.activity_id))
    )


def idle(shape: StuckShape) -> Select[Any]:
    return (
        select(*stuck_columns(
            "idle", "case", instance_id=Instance.id, business_key=Instance.business_key,
            process_key=Instance.process_key, definition_id=Instance.definition_id,
            since=Instance.updated_at))
        .where(Instance.status == "running", Instance.updated_at < IDLE_BEFORE,
               *_case_filters(shape, None))
    )


#: the engine's own reasons, each one or more selects
SOURCES: Mapping[str, tuple[ReasonSource, ...]] = {
    "waiting": (waiting_tasks, waiting_messages, waiting_external),
    "overdue": (overdue,),
    "incident": (incidents,),
    "no_holder": (no_holder, no_holder_ungrouped),
    "idle": (idle,),
}

_ORDER = ("since", "instance_id", "reason", "activity_id", "task_id", "external_task_id",
          "incident_id", "institution")


def _cut(stmt: Select[Any]) -> Select[Any]:
    """The first `end` rows of one select, in the page's order (its index gives `since`)."""
    inner = stmt.subquery()
    return (select(inner).order_by(*(inner.c[name] for name in _ORDER))
            .limit(bindparam("end", type_=Integer)))


_built: dict[Any, Any] = {}
_built_lock = threading.Lock()


def _page_statement(sources: Mapping[str, tuple[ReasonSource, ...]],
                    reasons: tuple[str, ...], shape: StuckShape) -> Any:
    """The page's union for this shape, built once (values are bound at execution)."""
    key = (tuple((name, sources[name]) for name in reasons), shape)
    stmt = _built.get(key)
    if stmt is None:
        selects = [_cut(build(shape)) for name in reasons for build in sources[name]]
        union = union_all(*(s.subquery().select() for s in selects)).subquery("stuck")
        stmt = (select(union).order_by(*(union.c[name] for name in _ORDER))
                .limit(bindparam("limit", type_=Integer))
                .offset(bindparam("offset", type_=Integer)))
        with _built_lock:
            _built[key] = stmt
    return stmt


def stuck_cases(session: Session, query: StuckQuery,
                sources: Mapping[str, tuple[ReasonSource, ...]], *,
                reasons: tuple[str, ...], limit: int, offset: int) -> list[StuckRow]:
    """Stuck rows of `reasons` (keys of `sources`), longest waiting first."""
    stmt = _page_statement(sources, reasons, query.shape)
    params = {**query.params(), "end": offset + limit, "limit": limit, "offset": offset}
    one_worker(session)
    return [_row(r, query.now) for r in session.execute(stmt, params)]


def stuck_counts(session: Session, query: StuckQuery,
                 sources: Mapping[str, tuple[ReasonSource, ...]]) -> dict[str, int]:
    """How many rows each reason has (one count per select, summed per reason)."""
    counts: dict[str, int] = {}
    params = query.params()
    for name, builds in sources.items():
        total = 0
        for build in builds:
            total += session.scalar(select(func.count()).select_from(
                build(query.shape).subquery()), params) or 0
        counts[name] = total
    return counts


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: a raw union column comes back as text
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _row(r: Any, now: datetime) -> StuckRow:
    since = _utc(r.since)
    assert since is not None  # every select has its since
    return StuckRow(
        reason=r.reason, wait=r.wait, instance_id=r.instance_id, business_key=r.business_key,
        process_key=r.process_key, definition_id=r.definition_id, activity_id=r.activity_id,
        task_id=r.task_id, task_name=r.task_name, groups=_groups(r.groups), since=since,
        incident_id=r.incident_id, external_task_id=r.external_task_id, detail=r.detail,
        institution=r.institution, cause_since=_utc(r.cause_since),
        waiting_seconds=max(0, int((now - since).total_seconds())))


def _groups(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):  # JSON text through the union on some backends
        value = json.loads(value)
    return [str(g) for g in value or []]
