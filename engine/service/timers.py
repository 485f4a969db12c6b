"""Time: advance the cases whose timers or jobs are due (the worker's loop calls this)."""

from __future__ import annotations

from datetime import datetime

from engine.runtime.jobs import run_due_jobs
from engine.runtime.timers import run_due_timers
from engine.service.base import ServiceBase


class TimerService(ServiceBase):
    def run_due_timers(self, now: datetime | None = None, *, limit: int = 100) -> int:
        """Advance every running instance whose next timer is due; returns how many moved."""
        return run_due_timers(self, now or self.clock.now(), limit=limit)  # type: ignore[arg-type]

    def run_due_jobs(self, now: datetime | None = None, *, limit: int = 100) -> int:
        """Run the due jobs left at transaction boundaries (`camunda:asyncBefore`/`asyncAfter`);
        returns how many ran a step (moved on, or kept a failed try)."""
        return run_due_jobs(self, now or self.clock.now(), limit=limit)  # type: ignore[arg-type]
