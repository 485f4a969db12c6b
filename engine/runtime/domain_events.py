"""Domain events, published inside the transaction of the step that caused them.

Subscribers (the webhook outbox, later others) receive the open SQLAlchemy
session with each event, so what they write commits or rolls back with the
step itself: an event is never announced for a state that was not saved.
The engine knows nothing of its subscribers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DomainEvent:
    instance_id: str
    process_key: str
    business_key: str | None
    at: datetime


@dataclass(frozen=True)
class TaskReady(DomainEvent):
    task_id: str
    activity_id: str
    candidate_groups: tuple[str, ...] = ()
    assignee: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class TaskCompleted(DomainEvent):
    task_id: str
    activity_id: str
    actor: str | None = None
    candidate_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskCancelled(DomainEvent):
    """A ready task left without completion. `reason`, when known: `boundary` (a boundary
    event interrupted it), `event_subprocess` (an interrupting event subprocess ended its
    scope), `terminated` (a coordinator terminated the case), `closed` (the
    process ended it otherwise, e.g. a terminate end event), `migrated`."""

    task_id: str
    activity_id: str
    candidate_groups: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class TaskReassigned(DomainEvent):
    """A coordinator gave a ready task other candidate groups: the task stays ready, the
    institutions that lose it and those that gain it are told (cancelled / ready)."""

    task_id: str
    activity_id: str
    old_groups: tuple[str, ...]
    new_groups: tuple[str, ...]
    actor: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class TaskOverdue(DomainEvent):
    """A ready task's due date passed (published once per task, by the worker's notice pass)."""

    task_id: str
    activity_id: str
    candidate_groups: tuple[str, ...] = ()
    due_at: datetime | None = None


@dataclass(frozen=True)
class TaskDueSoon(DomainEvent):
    """A ready task's due date is at most N working days away (once per task)."""

    task_id: str
    activity_id: str
    candidate_groups: tuple[str, ...] = ()
    due_at: datetime | None = None


@dataclass(frozen=True)
class InstanceStateChanged(DomainEvent):
    old_status: str | None
    new_status: str
    reason: str | None = None


@dataclass(frozen=True)
class IncidentOpened(DomainEvent):
    incident_id: int
    activity_id: str | None
    message: str


@dataclass(frozen=True)
class IncidentResolved(DomainEvent):
    incident_id: int
    actor: str | None = None


Subscriber = Callable[[Session, DomainEvent], None]
#: told once per saved step (after its events), with the step's session: metrics count steps
StepObserver = Callable[[Session], None]


@dataclass
class EventBus:
    subscribers: list[Subscriber] = field(default_factory=list)
    step_observers: list[StepObserver] = field(default_factory=list)

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.append(subscriber)

    def observe_steps(self, observer: StepObserver) -> None:
        self.step_observers.append(observer)

    def publish(self, session: Session, event: DomainEvent) -> None:
        for subscriber in self.subscribers:
            subscriber(session, event)

    def publish_all(self, session: Session, events: list[Any]) -> None:
        """The events of one saved step (the step calls this once, even with none)."""
        for event in events:
            self.publish(session, event)
        for observer in self.step_observers:
            observer(session)
