"""Claiming due deliveries with a lease, so several dispatcher processes never share one.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks rows no other transaction
holds, and the lease is written in the same transaction. SQLite has no row
locks (SQLAlchemy renders `skip_locked` as nothing there), so the claim is one
atomic `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING id` under the
database's single write lock. Either way a lease that runs out (its worker
died) makes the delivery claimable again: at-least-once, same `webhook-id`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import WebhookDelivery, WebhookEndpoint, WebhookMessage


@dataclass(frozen=True)
class Claim:
    """Everything needed to send one delivery without touching the database again."""

    delivery_id: int
    attempts: int
    message_id: str
    event_type: str
    body: str
    endpoint_id: str
    url: str
    secret_enc: str
    previous_secret_enc: str | None
    previous_secret_until: datetime | None
    failing_since: datetime | None


def _due_ids(now: datetime, limit: int):  # noqa: ANN202 - a SQLAlchemy Select
    return (
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
               WebhookEndpoint.status == "active")
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )


def claim(session: Session, *, owner: str, now: datetime, lease: timedelta,
          limit: int) -> list[Claim]:
    """Lease up to `limit` due deliveries to `owner`, in the caller's transaction."""
    lease_values = {"lease_owner": owner, "lease_until": now + lease}
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.scalars(_due_ids(now, limit).with_for_update(
            skip_locked=True, of=WebhookDelivery)))
        if ids:
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                            .values(**lease_values)
                            .execution_options(synchronize_session=False))
    else:
        ids = list(session.scalars(
            update(WebhookDelivery).where(WebhookDelivery.id.in_(_due_ids(now, limit)))
            .values(**lease_values).returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)))
    if not ids:
        return []
    rows = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookMessage.id,
               WebhookMessage.event_type, WebhookMessage.body, WebhookEndpoint.id,
               WebhookEndpoint.url, WebhookEndpoint.secret_enc,
               WebhookEndpoint.previous_secret_enc, WebhookEndpoint.previous_secret_until,
               WebhookEndpoint.failing_since)
        .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id.in_(ids))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id))
    return [Claim(*row) for row in rows]
