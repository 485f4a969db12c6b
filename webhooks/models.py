"""The webhook tables: endpoints, the outbox (messages and deliveries) and attempts.

A message is one event as it will be sent, its body frozen as text so every
retry carries the very same bytes and `webhook-id`. A delivery is that message
for one endpoint: the unit the dispatcher claims, leases, retries and gives up
on. Every HTTP attempt is a row of its own, so "what did the receiver answer
last Tuesday" is a query, not a log search.

A delivery's state, for whoever reads it (the delivery views, health, stuck cases):
- `status`: `pending` (not tried yet, or sent again by a person), `retrying` (at least
  one attempt failed, another is scheduled at `next_attempt_at`), `delivered`, or
  `failed` (the last attempt failed, a 410 came back, or the endpoint was disabled or
  deleted: nothing more will be sent unless a person redelivers);
- `attempts`: the HTTP attempts made (lost ones included), `next_attempt_at`: when the
  dispatcher may send it (due at once for `pending`, None once finished);
- `last_status_code`, `last_error`: the answer of the last attempt (`last_error` None
  after a success).

An endpoint is never deleted from the table: `remove` marks it `deleted` (with
`deleted_at`) and drops its secret, so its delivery log stays readable by its owner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.models import Base, UTCDateTime

#: the statuses a person may set; `deleted` is set by removing the endpoint, and final
ENDPOINT_STATUSES = ("active", "disabled")
DELETED = "deleted"
DELIVERY_STATUSES = ("pending", "retrying", "delivered", "failed")
#: the statuses the dispatcher still sends
DUE_STATUSES = ("pending", "retrying")


class WebhookEndpoint(Base):
    """A receiving URL of one principal; its secret is stored encrypted (Fernet)."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_principal", "principal_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"))
    url: Mapped[str] = mapped_column(String(2048))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(255))
    secret_enc: Mapped[str] = mapped_column(Text)
    previous_secret_enc: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="active")
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(40))
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: when its owner removed it (status `deleted`): its deliveries stay listable
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookMessage(Base):
    """One event, as sent: `id` is the `webhook-id`, `body` the exact bytes signed."""

    __tablename__ = "webhook_message"
    __table_args__ = (Index("ix_webhook_message_created", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One message for one endpoint; leased by one dispatcher at a time."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "status", "created_at"),
        Index("ix_webhook_delivery_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("webhook_message.id"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoint.id",
                                                        ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: lets the unit of work insert the message before its deliveries
    message: Mapped[WebhookMessage] = relationship(lazy="raise")


class WebhookAttempt(Base):
    """One HTTP attempt of one delivery, whatever came of it."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id",
                                                        ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(255))
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(64))
