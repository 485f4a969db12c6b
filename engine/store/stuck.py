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

The selects of each reason are in `engine.store.stuck_reasons`; they all yield the
columns of `stuck_columns`. Waits inside a called process
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from .plan_hints import one_worker
from .stuck_reasons import BUILT_IN, SOURCES, ReasonSource, StuckShape

__all__ = ["BUILT_IN", "SOURCES", "ReasonSource", "StuckQuery", "StuckRow", "stuck_cases",
           "stuck_counts"]


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
