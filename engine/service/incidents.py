"""Incidents: list them, retry one (with corrected data)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from engine.runtime.incidents import retry
from engine.runtime.step import StepOutcome, merged
from engine.service.base import ServiceBase
from engine.store.models import Incident


class IncidentService(ServiceBase):
    def retry_incident(self, incident_id: int, *, data: Mapping[str, Any] | None = None,
                       actor: str | None = None) -> StepOutcome:
        return retry(self, incident_id, data=merged(data), actor=actor)  # type: ignore[arg-type]

    def incidents(self, *, status: str | None = "open") -> list[Incident]:
        with self.readers() as session:
            stmt = select(Incident).order_by(Incident.opened_at)
            if status:
                stmt = stmt.where(Incident.status == status)
            return list(session.scalars(stmt))
