"""Personal data (nFADP/LPD): consent withdrawal, retention, the audit chain, access.

Why one area: these are the operations a data-protection request or an audit
needs, and each must apply the same rules from the API, the CLI and the
worker: who may withdraw a consent, what retention erases, what an export of
a case holds and that the export itself is logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.errors import InstanceNotActive, NoSubscriber, NotFound
from engine.runtime import audit, consent, retention
from engine.runtime.step import Step, StepOutcome
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.service.instances import current_data
from engine.store import queries
from engine.store.access_log import AccessLog
from engine.store.models import ExternalTask, History, Incident, Instance, Task

RETENTION_ACTOR = "retention"


@dataclass
class AuditReport:
    """What `verify_audit` checked and every fault it found (empty: the chains hold)."""

    checked: int = 0
    faults: list[audit.Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


class PrivacyService(ServiceBase):
    # -- consent ---------------------------------------------------------------
    def withdraw_consent(self, *, business_key: str | None = None,
                         instance_id: str | None = None, actor: str | None = None,
                         caller: Caller | None = None) -> StepOutcome:
        """Close the case (by id) or every open case (by business key) whose person withdrew
        consent: see `engine.runtime.consent`. An institution may do it for the cases it
        took part in; any other case is `NoSubscriber`, as for any message."""
        if caller is not None:
            actor = caller.name
        refused = NoSubscriber(f"no instance waits for message '{consent.CONSENT_WITHDRAWN}'")
        limited = caller is not None and not caller.reads_all
        with self.sessions.begin() as session:
            try:
                found = consent.targets(session, business_key=business_key,
                                        instance_id=instance_id)
            except (NotFound, InstanceNotActive):
                if limited:  # the same answer as for a case it may not reach
                    raise refused from None
                raise
            if limited and not (caller.is_institution and all(  # type: ignore[union-attr]
                    queries.took_part(session, i.id, caller.groups)  # type: ignore[union-attr]
                    for i in found)):
                raise refused
            for instance in found:
                consent.withdraw(self, session, instance, actor)  # type: ignore[arg-type]
            return StepOutcome(found[0])

    # -- retention -------------------------------------------------------------
    def retention_due(self, *, limit: int = 500) -> list[retention.Expired]:
        """Closed cases past their process's historyTimeToLive, not yet erased."""
        with self.readers() as session:
            return retention.expired(session, self.clock.now(), limit=limit)

    def purge(self, *, dry_run: bool = False, limit: int = 500) -> list[retention.Expired]:
        """Erase the values of every case past its retention (`engine.runtime.retention`),
        each in its own transaction; `dry_run` only says which would go."""
        due = self.retention_due(limit=limit)
        if dry_run:
            return due
        erased = []
        for case in due:
            with self.sessions.begin() as session:
                now = self.clock.now()
                if not retention.erase(session, case.instance_id, now):
                    continue
                step = Step(self.runtime, session, session.get(Instance, case.instance_id))
                step.record("erased", actor=RETENTION_ACTOR,
                            detail={"ttl_days": case.ttl_days})
                step.flush_records()
            erased.append(case)
        return erased

    # -- the audit chain ---------------------------------------------------------
    def verify_audit(self, instance_id: str | None = None) -> AuditReport:
        """Verify one case's history chain, or every case's; each fault names its row."""
        report = AuditReport()
        with self.readers() as session:
            ids = [instance_id] if instance_id is not None else list(
                session.scalars(select(Instance.id).order_by(Instance.id)))
            for one in ids:
                report.faults += audit.verify_instance(session, one)
                report.checked += 1
        return report

    # -- right of access -----------------------------------------------------------
    def export_case(self, instance_id: str, caller: Caller) -> dict[str, Any]:
        """One case's full record for an access request, as a JSON document: the case, its
        data, every task, the history with details, incidents, external tasks and who read
        it. Coordinators and admins only (anyone else: `NotFound`); the export is logged."""
        if not caller.reads_all:
            raise NotFound(f"no instance {instance_id}")
        with self.readers() as session:
            instance = queries.existing(session, Instance, instance_id, "instance")
            with Step(self.runtime, session, instance).reading() as wf:
                data = current_data(wf)
            record = {
                "instance": _columns(instance, exclude={"state", "history_salt",
                                                        "timer_lease_by",
                                                        "timer_lease_until"}),
                "data": data,
                "tasks": [_columns(t) for t in session.scalars(
                    select(Task).where(Task.instance_id == instance_id)
                    .order_by(Task.ready_at, Task.id))],
                "history": [_columns(h, exclude={"instance_id", "digest"})
                            for h in session.scalars(
                                select(History).where(History.instance_id == instance_id)
                                .order_by(History.seq))],
                "incidents": [_columns(i) for i in session.scalars(
                    select(Incident).where(Incident.instance_id == instance_id)
                    .order_by(Incident.id))],
                "external_tasks": [_columns(x) for x in session.scalars(
                    select(ExternalTask).where(ExternalTask.instance_id == instance_id)
                    .order_by(ExternalTask.created_at, ExternalTask.id))],
                "access_log": [_columns(a, exclude={"instance_id", "listed"})
                               for a in session.scalars(
                                   select(AccessLog).where(AccessLog.instance_id == instance_id)
                                   .order_by(AccessLog.at, AccessLog.id))],
            }
        self.record_read(caller, "export", instance_id, instance_id)  # type: ignore[attr-defined]
        return record

    def record_list_read(self, caller: Caller, what: str, instance_ids: Iterable[str]) -> None:
        """One access-log row for a list read (tasks, cases), naming the cases it showed."""
        listed = list(dict.fromkeys(instance_ids))
        with self.sessions.begin() as session:
            session.add(AccessLog(at=self.clock.now(), principal_id=caller.principal_id or 0,
                                  principal_name=caller.name, role=caller.role, what=what,
                                  object_id=None, instance_id=None, listed=listed))


def _columns(row: Any, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row's columns as JSON values (times in ISO 8601, UTC): the export is a document,
    the same from the API and the CLI."""
    return {c.key: _json_value(getattr(row, c.key))
            for c in row.__table__.columns if c.key not in exclude}


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
