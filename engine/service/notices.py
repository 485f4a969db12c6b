"""Deadlines: tell institutions when a task's due date passed or is near (the worker calls this)."""

from __future__ import annotations

from datetime import datetime

from engine.runtime.notices import run_task_notices
from engine.service.base import ServiceBase


class NoticeService(ServiceBase):
    def run_task_notices(self, now: datetime | None = None, *, limit: int = 100,
                         due_soon_days: int | None = None) -> int:
        """Send the `task.overdue` and `task.due_soon` notices now due, each once per task.

        `due_soon_days`: working days before the due date (default: the setting
        `CIIFLOW_DUE_SOON_WORKING_DAYS`, 2; 0 sends none). Returns how many were sent.
        """
        return run_task_notices(self, now or self.clock.now(), limit=limit,  # type: ignore[arg-type]
                                due_soon_days=due_soon_days)
