"""Figures: what the database says now, for an operator's monitoring (`/metrics`).

Counts that live in the database (incidents open, cases by status; the stuck
cases by reason are `Engine.stuck_counts`) are read when they are asked for,
not counted as they happen: every API process, worker and host then reports
the same figure, and a restart loses nothing. Each is one aggregate query;
nothing names a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from engine.service.base import ServiceBase
from engine.store.models import Incident, Instance


@dataclass(frozen=True)
class Figures:
    incidents_open: int
    #: instance status (running, suspended, incident, completed, ...) -> cases
    cases: dict[str, int]


class FiguresService(ServiceBase):
    def figures(self) -> Figures:
        """Open incidents and cases by status, as of now."""
        with self.readers() as session:
            incidents = session.scalar(select(func.count()).select_from(Incident)
                                       .where(Incident.status == "open")) or 0
            cases = {status: int(count) for status, count in session.execute(
                select(Instance.status, func.count()).group_by(Instance.status))}
        return Figures(int(incidents), cases)
