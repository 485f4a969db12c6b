"""Oversight: which cases are stuck and why, and whether the service itself is healthy.

Coordinators ask for stuck cases from the dashboard, the API and the
console; load balancers and operators ask for health. Both are reads that
never load a workflow.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from engine.service.base import ServiceBase
from engine.service.paging import Page, bounded
from engine.store.stuck import REASONS, StuckRow, stuck_cases

__all__ = ["REASONS", "HealthReport", "OversightService", "StuckRow"]


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
    def stuck(self, older_than: timedelta = timedelta(days=10), *, group: str | None = None,
              activity: str | None = None, reason: str | None = None, limit: int = 100,
              offset: int = 0) -> Page[StuckRow]:
        """Ready tasks waiting longer than `older_than`, tasks past due, cases in incident,
        ready tasks whose groups no principal holds; longest waiting first.

        `reason` keeps one of `REASONS` (`InvalidInput` for another).
        """
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            rows = stuck_cases(session, self.clock.now(), older_than, group=group,
                               activity=activity, reason=reason, limit=limit + 1,
                               offset=offset)
        return Page.of(rows, limit, offset)

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
