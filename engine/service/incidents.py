"""Incidents: list them, retry one (with corrected data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.runtime.incidents import retry
from engine.runtime.step import StepOutcome, merged
from engine.service.base import ServiceBase
from engine.service.paging import Page, bounded
from engine.store.models import Incident
from engine.store.queries import list_incidents


class IncidentService(ServiceBase):
    def retry_incident(self, incident_id: int, *, data: Mapping[str, Any] | None = None,
                       actor: str | None = None, reason: str | None = None) -> StepOutcome:
        """Run the failed step again with `data` merged in.

        The outcome's `incident` is None when the retry resolved it, else the same
        incident, still open, with the new failure. The history keeps who retried, the
        `reason` given and the corrected data.
        """
        return retry(self, incident_id, data=merged(data), actor=actor,  # type: ignore[arg-type]
                     reason=reason.strip() if reason and reason.strip() else None)

    def incidents(self, *, status: str | None = "open", instance_id: str | None = None,
                  activity: str | None = None, limit: int = 50,
                  offset: int = 0) -> Page[Incident]:
        """Incidents, oldest first; `status=None` lists open and resolved ones."""
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            rows = list_incidents(session, status=status, instance_id=instance_id,
                                  activity=activity, limit=limit, offset=offset)
        return Page.of(rows, limit, offset)
