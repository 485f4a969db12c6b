"""Oversight: which cases are stuck and why, and whether the service itself is healthy.

Coordinators ask for stuck cases from the dashboard, the API and the
console; load balancers and operators ask for health. Both are reads that
never load a workflow: a stuck page is one query (engine.store.stuck), then each
row is named from the cached definition (engine.runtime.elements) and said in
words (engine.service.stuck_words).

Other packages add reasons with `add_stuck_reason` (the webhooks add
`notification_failing`), so the engine never reads their tables itself.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.runtime.elements import Element, elements_of
from engine.service.base import ServiceBase
from engine.service.paging import Page, bounded
from engine.service.stuck_words import StuckCase, described
from engine.store.models import Definition
from engine.store.stuck import (
    BUILT_IN,
    SOURCES,
    ReasonSource,
    StuckQuery,
    StuckRow,
    stuck_cases,
    stuck_counts,
)

#: the engine's own reasons; `Engine.stuck_reasons()` adds those of other packages
REASONS = BUILT_IN
#: how long a running case may go without a step before it counts as idle
IDLE_AFTER_ENV = "CIIFLOW_STUCK_IDLE_DAYS"
DEFAULT_IDLE_DAYS = 30

__all__ = ["REASONS", "HealthReport", "OversightService", "StuckCase", "StuckRow"]


def idle_after_setting() -> timedelta:
    """`CIIFLOW_STUCK_IDLE_DAYS` (30 by default): a case without a step that long is idle."""
    raw = os.environ.get(IDLE_AFTER_ENV, "").strip()
    try:
        days = float(raw) if raw else DEFAULT_IDLE_DAYS
    except ValueError:
        raise InvalidInput(f"{IDLE_AFTER_ENV} must be a number of days, not {raw!r}",
                           field=IDLE_AFTER_ENV) from None
    return timedelta(days=days)


@dataclass(frozen=True)
class HealthReport:
    """The database answers, and its schema is at the migration this code expects.

    A database behind on its migrations would fail in strange ways on the
    first write, so it counts as unhealthy.
    """

    #: ok | unavailable
    status: str
    #: ok, or the class of the error the database gave
    database: str
    #: current | behind | unknown
    migrations: str
    current: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class OversightService(ServiceBase):
    def add_stuck_reason(self, name: str, *sources: ReasonSource) -> None:
        """One more stuck reason, read by `sources` (selects of `stuck_columns`)."""
        extra = dict(self.__dict__.get("_extra_stuck", {}))
        extra[name] = tuple(sources)
        self.__dict__["_extra_stuck"] = extra

    def _stuck_sources(self) -> dict[str, tuple[ReasonSource, ...]]:
        return {**SOURCES, **self.__dict__.get("_extra_stuck", {})}

    def stuck_reasons(self) -> tuple[str, ...]:
        """Every reason this engine reads: its own and those other packages added."""
        return tuple(self._stuck_sources())

    def _stuck_query(self, older_than: timedelta, idle_after: timedelta | None, *,
                     group: str | None = None, activities: tuple[str, ...] = (),
                     institution: str | None = None, process: str | None = None
                     ) -> StuckQuery:
        return StuckQuery(now=self.clock.now(), older_than=older_than,
                          idle_after=idle_after if idle_after is not None
                          else idle_after_setting(),
                          group=group or None, activities=activities,
                          institution=institution or None, process=process or None)

    def stuck(self, older_than: timedelta = timedelta(days=10), *, group: str | None = None,
              activity: str | None = None, reason: str | None = None,
              institution: str | None = None, process: str | None = None,
              idle_after: timedelta | None = None, limit: int = 100,
              offset: int = 0) -> Page[StuckCase]:
        """Where cases are stuck and why, longest waiting first: one query per page.

        A wait (user task, message, external task) longer than `older_than`, a task past
        due, an open incident, a task whose groups nobody holds, a case without a step
        for `idle_after` (`CIIFLOW_STUCK_IDLE_DAYS`, 30 days), and the reasons other
        packages add. `reason` keeps one of `stuck_reasons()` (`InvalidInput` for
        another); `group`, `activity` (the element the case waits at, or the call
        activity leading there), `institution` (a principal's name: its groups' work)
        and `process` (a process key) narrow the page.
        """
        sources = self._stuck_sources()
        if reason is not None and reason not in sources:
            raise InvalidInput(f"unknown reason {reason!r}; one of {', '.join(sources)}",
                               field="reason")
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            query = self._stuck_query(older_than, idle_after, group=group,
                                      activities=self._activities(session, activity, process),
                                      institution=institution, process=process)
            rows = stuck_cases(session, query, sources,
                               reasons=(reason,) if reason else tuple(sources),
                               limit=limit + 1, offset=offset)
            named = [described(row, self._element(session, row)) for row in rows]
        return Page.of(named, limit, offset)

    def stuck_counts(self, older_than: timedelta = timedelta(days=10), *,
                     idle_after: timedelta | None = None) -> dict[str, int]:
        """How many stuck rows each reason has now (for metrics): one count per select."""
        query = self._stuck_query(older_than, idle_after)
        with self.readers() as session:
            return stuck_counts(session, query, self._stuck_sources())

    def _elements(self, session: Session, definition_id: int) -> dict[str, Element]:
        """The drawn elements of a definition, from its cached spec."""

        def spec_text() -> str:
            return session.get_one(Definition, definition_id).spec

        return elements_of(self.runtime.specs.get(definition_id, spec_text))

    def _element(self, session: Session, row: StuckRow) -> Element | None:
        if row.activity_id is None:
            return None
        return self._elements(session, row.definition_id).get(row.activity_id)

    def _activities(self, session: Session, activity: str | None,
                    process: str | None) -> tuple[str, ...]:
        """The element ids an activity filter keeps: the element itself and, for a call
        activity, every element of the processes it calls (a wait there is stored by
        the called element's id)."""
        if not activity:
            return ()
        stmt = select(Definition.id)
        if process:
            stmt = stmt.where(Definition.key == process)
        found = {activity}
        for definition_id in session.scalars(stmt):
            found.update(e.id for e in self._elements(session, definition_id).values()
                         if e.call_activity is not None and e.call_activity.id == activity)
        return tuple(sorted(found))

    def health(self, expected: Collection[str]) -> HealthReport:
        """Whether the database answers and is at the `expected` migration heads.

        The heads come from the caller: the migrations belong to the service that
        owns every table (workflows), not to the engine.
        """
        wanted = sorted(expected)
        try:
            with self.db.connect() as conn:
                conn.execute(text("SELECT 1"))
                current = set(MigrationContext.configure(conn).get_current_heads())
        except SQLAlchemyError as exc:
            return HealthReport("unavailable", type(exc).__name__, "unknown", [], wanted)
        if current != set(wanted):
            return HealthReport("unavailable", "ok", "behind", sorted(current), wanted)
        return HealthReport("ok", "ok", "current", sorted(current), wanted)
