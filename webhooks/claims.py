"""Claiming due deliveries with a lease, so several dispatcher processes never share one.

PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks rows no other transaction
holds, and the lease is written in the same transaction. SQLite has no row
locks (SQLAlchemy renders `skip_locked` as nothing there), so the claim is one
atomic `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING id` under the
database's single write lock. Either way a lease that runs out (its worker
died) makes the delivery claimable again: at-least-once, same `webhook-id`.

A delivery claimed again after its lease ran out had an attempt whose outcome
nobody reported (the sender was killed mid-flight; the receiver may well have
got it). That attempt is written to the log as lost, with the time its lease
was taken, and counted in `attempts` before the new one, so the count and the
retry schedule see every request that may have left; the delivery is
`retrying` from then on, like one whose attempt failed. The lease start is the
lease end minus the lease length, as every dispatcher uses the same lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from .models import DUE_STATUSES, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

#: the `error` of an attempt whose sender died before reporting its outcome
LOST = "lost: the sender stopped before reporting (lease expired)"


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
        .where(WebhookDelivery.status.in_(DUE_STATUSES), WebhookDelivery.next_attempt_at <= now,
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
            _record_lost(session, ids, now=now, lease=lease)
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                            .values(**lease_values)
                            .execution_options(synchronize_session=False))
    else:
        # the lost attempts first: the claim below overwrites the expired leases they need
        _record_lost(session, _due_ids(now, limit), now=now, lease=lease)
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


def _record_lost(session: Session, ids: object, *, now: datetime, lease: timedelta) -> None:
    """Log and count the unreported attempt of each delivery in `ids` whose lease ran out.

    `ids` is a list, or on SQLite the very subquery the claim uses next: the
    writing transaction holds the database's one write lock (`BEGIN IMMEDIATE`),
    so both statements see the same rows.
    """
    lost = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.lease_owner,
               WebhookDelivery.lease_until)
        .where(WebhookDelivery.id.in_(ids), WebhookDelivery.lease_until.is_not(None),
               WebhookDelivery.lease_until < now)).all()
    if not lost:
        return
    held_ms = int(lease.total_seconds() * 1000)
    session.execute(insert(WebhookAttempt), [{
        "delivery_id": row.id, "number": row.attempts + 1, "started_at": row.lease_until - lease,
        "duration_ms": held_ms, "status_code": None, "error": LOST, "worker": row.lease_owner,
        "response_excerpt": None} for row in lost])
    session.execute(update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_([row.id for row in lost]))
                    .values(attempts=WebhookDelivery.attempts + 1, status="retrying",
                            last_status_code=None, last_error=LOST, updated_at=now)
                    .execution_options(synchronize_session=False))
