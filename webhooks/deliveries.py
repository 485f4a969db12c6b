"""Delivery operations for a caller: the delivery log with its attempts, and redelivery.

"What did the receiver answer, and when" is what an institution asks when a
webhook went missing; these answer it from the attempt rows, for the caller's
own endpoints only (an admin sees all), the same way for the API and the CLI.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.errors import InvalidInput, NotFound
from engine.service.caller import Caller
from engine.service.paging import Page, bounded

from . import endpoints
from .access import Host, owns, sees_all
from .models import (
    DELIVERY_STATUSES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from .views import DeliveryView

#: ids above this cannot exist (PostgreSQL INTEGER); asking for one is a plain 404
MAX_ID = 2**31 - 1


def list_deliveries(host: Host, caller: Caller, *, status: str | None = None,
                    endpoint: str | None = None, limit: int = 50,
                    offset: int = 0) -> Page[DeliveryView]:
    """Deliveries of the caller's endpoints, newest first, each with its attempts in order."""
    if status is not None and status not in DELIVERY_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(DELIVERY_STATUSES)}",
                           field="status")
    limit, offset = bounded(limit, offset)
    stmt = (select(WebhookDelivery, WebhookMessage.event_type)
            .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id))
    if not sees_all(caller):
        stmt = stmt.where(WebhookEndpoint.principal_id == caller.principal_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if endpoint is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint)
    stmt = (stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit + 1).offset(offset))
    with host.readers() as session:
        rows = session.execute(stmt).all()
        shown = rows[:limit]
        logs: dict[int, list[WebhookAttempt]] = {d.id: [] for d, _ in shown}
        if logs:
            for attempt in session.scalars(
                    select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(logs)))
                    .order_by(WebhookAttempt.number)):
                logs[attempt.delivery_id].append(attempt)
        views = [DeliveryView.of(d, event_type, logs[d.id]) for d, event_type in shown]
    return Page(views, limit, offset, len(rows) > limit)


def redeliver(host: Host, caller: Caller, delivery_id: int) -> DeliveryView:
    """Send a delivery again: same message, same `webhook-id`, a fresh attempt budget.

    The answer carries no attempt log: the budget starts anew, and the earlier
    attempts stay in the delivery list. Someone else's delivery is answered like
    a missing one, without naming its endpoint.
    """
    with host.sessions.begin() as session:
        row = session.get(WebhookDelivery, delivery_id) if 0 < delivery_id <= MAX_ID else None
        endpoint = session.get(WebhookEndpoint, row.endpoint_id) if row is not None else None
        if row is None or endpoint is None or not owns(caller, endpoint):
            raise NotFound(f"no delivery {delivery_id}")
        endpoints.redeliver(session, row, now=host.clock.now())
        event_type = session.scalar(select(WebhookMessage.event_type)
                                    .where(WebhookMessage.id == row.message_id))
        return DeliveryView.of(row, event_type or "")
