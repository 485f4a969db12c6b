"""What the webhook operations answer: plain frozen values, detached from any session.

The operations open and close their own transaction, so they hand back values
rather than ORM rows: a blueprint or a CLI command shapes them without lazy
loads, and nothing of the secret store (encrypted secrets, leases) leaks out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True)
class EndpointView:
    id: str
    principal_id: int
    principal: str | None
    url: str
    event_types: tuple[str, ...]
    description: str | None
    status: str
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_valid_until: datetime | None
    created_at: datetime
    deleted_at: datetime | None = None

    @classmethod
    def of(cls, row: WebhookEndpoint, principal: str | None = None) -> EndpointView:
        return cls(id=row.id, principal_id=row.principal_id, principal=principal, url=row.url,
                   event_types=tuple(row.event_types or ()), description=row.description,
                   status=row.status, disabled_at=row.disabled_at,
                   disabled_reason=row.disabled_reason, failing_since=row.failing_since,
                   previous_secret_valid_until=row.previous_secret_until,
                   created_at=row.created_at, deleted_at=row.deleted_at)


@dataclass(frozen=True)
class WithSecret:
    """An endpoint with its clear signing secret: answered once, at creation or rotation."""

    endpoint: EndpointView
    secret: str


@dataclass(frozen=True)
class AttemptView:
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str | None

    @classmethod
    def of(cls, row: WebhookAttempt) -> AttemptView:
        return cls(number=row.number, started_at=row.started_at, duration_ms=row.duration_ms,
                   status_code=row.status_code, error=row.error,
                   response_excerpt=row.response_excerpt)


@dataclass(frozen=True)
class DeliveryView:
    id: int
    message_id: str
    event_type: str
    endpoint_id: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    last_status_code: int | None
    last_error: str | None
    attempt_log: tuple[AttemptView, ...] = ()

    @classmethod
    def of(cls, row: WebhookDelivery, event_type: str,
           log: Iterable[WebhookAttempt] = ()) -> DeliveryView:
        return cls(id=row.id, message_id=row.message_id, event_type=event_type,
                   endpoint_id=row.endpoint_id, status=row.status, attempts=row.attempts,
                   next_attempt_at=row.next_attempt_at, delivered_at=row.delivered_at,
                   created_at=row.created_at, last_status_code=row.last_status_code,
                   last_error=row.last_error,
                   attempt_log=tuple(AttemptView.of(a) for a in log))
