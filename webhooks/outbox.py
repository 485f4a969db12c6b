"""The transactional outbox: domain events become message and delivery rows in the step.

The engine calls `OutboxWriter` with the session of the step that caused the
event, so the rows commit or roll back with the state change itself: no
webhook announces a state that was never saved, and none is lost for a state
that was. Nothing here talks to the network; the dispatcher does, later.

Who hears what:
- `task.ready`, `task.completed`, `task.cancelled`: endpoints of principals holding one
  of the task's groups; a reassigned task is `task.cancelled` for the principals that
  lose it and `task.ready` for those that gain it (nothing for those that keep it);
- `task.overdue`, `task.due_soon` (once per task, from the worker's notice pass):
  endpoints of principals holding one of the task's groups;
- `instance.completed`: coordinators and admins, the principals holding a group
  of any task of the instance (the institutions that took part), and the principal
  that started it (`Instance.started_by`, a principal's name as for claims);
- `instance.incident`, `endpoint.disabled`: coordinators and admins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from engine.runtime.domain_events import (
    DomainEvent,
    IncidentOpened,
    InstanceStateChanged,
    TaskCancelled,
    TaskCompleted,
    TaskDueSoon,
    TaskOverdue,
    TaskReady,
    TaskReassigned,
)
from engine.store.models import Instance, Task, TaskCandidate
from engine.store.principals import Principal, PrincipalGroup

from . import payloads, secretbox
from .models import WebhookDelivery, WebhookEndpoint, WebhookMessage

OVERSEERS = ("coordinator", "admin")


@dataclass(frozen=True)
class _Listener:
    endpoint_id: str
    event_types: frozenset[str]
    role: str
    groups: frozenset[str]
    principal: str = ""


def _directory(session: Session) -> list[_Listener]:
    """Every active endpoint with its owner's role and groups, read once per transaction.

    A step publishes several events; one query for all of them keeps the outbox
    cheap (and nearly free when no endpoint is registered at all).
    """
    cached = session.info.get(_DIRECTORY_KEY)
    if cached is not None:
        return cached
    rows = session.execute(_DIRECTORY_QUERY)
    found: dict[str, tuple[frozenset[str], str, set[str], str]] = {}
    for endpoint_id, event_types, role, group_id, name in rows:
        entry = found.setdefault(endpoint_id,
                                 (frozenset(event_types or ()), role, set(), name))
        if group_id is not None:
            entry[2].add(group_id)
    listeners = [_Listener(k, v[0], v[1], frozenset(v[2]), v[3]) for k, v in found.items()]
    session.info[_DIRECTORY_KEY] = listeners
    return listeners


_DIRECTORY_KEY = "ciiflow.webhook_directory"
_DIRECTORY_QUERY = (
    select(WebhookEndpoint.id, WebhookEndpoint.event_types, Principal.role,
           PrincipalGroup.group_id, Principal.name)
    .join(Principal, Principal.id == WebhookEndpoint.principal_id)
    .outerjoin(PrincipalGroup, PrincipalGroup.principal_id == Principal.id)
    .where(WebhookEndpoint.status == "active", Principal.disabled_at.is_(None))
)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, _transaction: Any) -> None:
    """The directory lives for one transaction: the next one sees new endpoints."""
    session.info.pop(_DIRECTORY_KEY, None)


def endpoints_for_groups(session: Session, groups: Iterable[str], event_type: str) -> list[str]:
    """Active endpoints of enabled principals holding one of `groups`, subscribed to the type."""
    wanted = set(groups)
    if not wanted:
        return []
    return sorted(d.endpoint_id for d in _directory(session)
                  if event_type in d.event_types and d.groups & wanted)


def endpoints_for_roles(session: Session, roles: Iterable[str], event_type: str,
                        *, exclude: str | None = None) -> list[str]:
    wanted = set(roles)
    return sorted(d.endpoint_id for d in _directory(session)
                  if event_type in d.event_types and d.role in wanted
                  and d.endpoint_id != exclude)


def endpoints_of_principal(session: Session, name: str | None, event_type: str) -> list[str]:
    """Active endpoints of the enabled principal called `name`, subscribed to the type."""
    if not name:
        return []
    return sorted(d.endpoint_id for d in _directory(session)
                  if event_type in d.event_types and d.principal == name)


def instance_groups(session: Session, instance_id: str) -> list[str]:
    return list(session.scalars(
        select(TaskCandidate.group_id).join(Task, Task.id == TaskCandidate.task_id)
        .where(Task.instance_id == instance_id).distinct()))


def enqueue(session: Session, *, event_type: str, at: datetime, data: dict[str, Any],
            endpoint_ids: Iterable[str], instance_id: str | None = None
            ) -> WebhookMessage | None:
    """Write one message and a due delivery per endpoint; nothing when nobody listens."""
    endpoint_ids = list(dict.fromkeys(endpoint_ids))
    if not endpoint_ids:
        return None
    message = WebhookMessage(id=payloads.new_message_id(), event_type=event_type,
                             body=payloads.body(event_type, at, data),
                             instance_id=instance_id, created_at=at)
    session.add(message)
    session.add_all(WebhookDelivery(
        message=message, endpoint_id=endpoint_id, status="pending", attempts=0,
        next_attempt_at=at, created_at=at, updated_at=at) for endpoint_id in endpoint_ids)
    return message


class OutboxWriter:
    """The engine subscriber: one domain event in, zero or one message out."""

    def __call__(self, session: Session, event: DomainEvent) -> None:
        if isinstance(event, TaskReady):
            self._task(session, event, payloads.TASK_READY, "ready", event.due_at)
        elif isinstance(event, TaskCompleted):
            self._task(session, event, payloads.TASK_COMPLETED, "completed", None)
        elif isinstance(event, TaskCancelled):
            self._task(session, event, payloads.TASK_CANCELLED, "cancelled", None,
                       reason=event.reason)
        elif isinstance(event, TaskOverdue):
            self._task(session, event, payloads.TASK_OVERDUE, "ready", event.due_at)
        elif isinstance(event, TaskDueSoon):
            self._task(session, event, payloads.TASK_DUE_SOON, "ready", event.due_at)
        elif isinstance(event, TaskReassigned):
            self._reassigned(session, event)
        elif isinstance(event, InstanceStateChanged) and event.new_status == "completed":
            listening = [d for d in _directory(session)
                         if payloads.INSTANCE_COMPLETED in d.event_types]
            if not listening:
                return
            groups = instance_groups(session, event.instance_id)
            starter = session.scalar(select(Instance.started_by)
                                     .where(Instance.id == event.instance_id))
            targets = (endpoints_for_roles(session, OVERSEERS, payloads.INSTANCE_COMPLETED)
                       + endpoints_for_groups(session, groups, payloads.INSTANCE_COMPLETED)
                       + endpoints_of_principal(session, starter,
                                                payloads.INSTANCE_COMPLETED))
            enqueue(session, event_type=payloads.INSTANCE_COMPLETED, at=event.at,
                    instance_id=event.instance_id, endpoint_ids=targets,
                    data=payloads.instance_data(instance_id=event.instance_id,
                                                process_key=event.process_key,
                                                state="completed"))
        elif isinstance(event, IncidentOpened):
            enqueue(session, event_type=payloads.INSTANCE_INCIDENT, at=event.at,
                    instance_id=event.instance_id,
                    endpoint_ids=endpoints_for_roles(session, OVERSEERS,
                                                     payloads.INSTANCE_INCIDENT),
                    data=payloads.instance_data(
                        instance_id=event.instance_id, process_key=event.process_key,
                        state="incident", activity=event.activity_id,
                        incident_id=event.incident_id))

    def _task(self, session: Session,
              event: TaskReady | TaskCompleted | TaskCancelled | TaskOverdue | TaskDueSoon,
              event_type: str, state: str, due_at: datetime | None,
              reason: str | None = None) -> None:
        targets = endpoints_for_groups(session, event.candidate_groups, event_type)
        enqueue(session, event_type=event_type, at=event.at, instance_id=event.instance_id,
                endpoint_ids=targets,
                data=payloads.task_data(task_id=event.task_id, instance_id=event.instance_id,
                                        process_key=event.process_key,
                                        activity=event.activity_id,
                                        groups=event.candidate_groups, state=state,
                                        due_at=due_at, reason=reason))

    def _reassigned(self, session: Session, event: TaskReassigned) -> None:
        """Who loses the task hears `task.cancelled` (with the groups it knew the task
        under), who gains it `task.ready` (with the new groups); an endpoint whose
        principal holds an old and a new group hears nothing: its work list is unchanged."""
        for event_type, groups, others, state, reason in (
                (payloads.TASK_CANCELLED, event.old_groups, event.new_groups, "cancelled",
                 "reassigned"),
                (payloads.TASK_READY, event.new_groups, event.old_groups, "ready", None)):
            keep = set(endpoints_for_groups(session, others, event_type))
            targets = [e for e in endpoints_for_groups(session, groups, event_type)
                       if e not in keep]
            enqueue(session, event_type=event_type, at=event.at,
                    instance_id=event.instance_id, endpoint_ids=targets,
                    data=payloads.task_data(
                        task_id=event.task_id, instance_id=event.instance_id,
                        process_key=event.process_key, activity=event.activity_id,
                        groups=groups, state=state, reason=reason,
                        due_at=event.due_at if state == "ready" else None))


def install(engine: Any) -> None:
    """Subscribe the outbox writer to an `engine.Engine` (once, however often called)."""
    if getattr(engine, "_webhooks_installed", False):
        return
    db = getattr(engine, "db", None)
    if db is not None:  # the embedded secret key lives beside this database's file
        secretbox.use_database(db.url)
    engine.subscribe(OutboxWriter())
    engine._webhooks_installed = True
