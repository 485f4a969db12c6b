"""Endpoint and delivery row work, shared by the caller-facing operations and the dispatcher.

These functions take a session and never commit, so one transaction can hold
several of them (the dispatcher disables an endpoint while recording an
attempt). Who may touch which endpoint, and the transaction, belong to the
operations the API and the CLI call (`manage`, `deliveries`, checked by `access`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.errors import InvalidInput

from . import outbox, payloads, secretbox
from .config import WebhookSettings
from .models import DELETED, DUE_STATUSES, WebhookDelivery, WebhookEndpoint, WebhookMessage
from .ssrf import Resolver, check_url


def validate_event_types(event_types: Iterable[str]) -> list[str]:
    types = list(dict.fromkeys(event_types))
    unknown = [t for t in types if t not in payloads.EVENT_TYPES]
    if unknown or not types:
        raise InvalidInput(f"event types must be among {', '.join(payloads.EVENT_TYPES)}",
                           field="event_types")
    return types


def create_endpoint(session: Session, *, principal_id: int, url: str,
                    event_types: Iterable[str], now: datetime,
                    description: str | None = None, settings: WebhookSettings | None = None,
                    resolver: Resolver | None = None) -> tuple[WebhookEndpoint, str]:
    """Register a URL (SSRF-checked); returns the endpoint and its clear secret, shown once."""
    settings = settings or WebhookSettings.from_env()
    check_url(url, allow_hosts=settings.allow_hosts, resolver=resolver)
    secret = secretbox.generate_secret()
    endpoint = WebhookEndpoint(
        id="ep_" + uuid.uuid4().hex, principal_id=principal_id, url=url.strip(),
        event_types=validate_event_types(event_types), description=description,
        secret_enc=secretbox.encrypt(secret), status="active", created_at=now, updated_at=now)
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def update_endpoint(session: Session, endpoint: WebhookEndpoint, *, now: datetime,
                    url: str | None = None, event_types: Iterable[str] | None = None,
                    description: str | None = None, status: str | None = None,
                    settings: WebhookSettings | None = None,
                    resolver: Resolver | None = None) -> WebhookEndpoint:
    settings = settings or WebhookSettings.from_env()
    if url is not None:
        check_url(url, allow_hosts=settings.allow_hosts, resolver=resolver)
        endpoint.url = url.strip()
    if event_types is not None:
        endpoint.event_types = validate_event_types(event_types)
    if description is not None:
        endpoint.description = description
    if status is not None and status != endpoint.status:
        if status == "active":  # re-enabled by a person: the failure streak starts anew
            endpoint.status, endpoint.disabled_at, endpoint.disabled_reason = "active", None, None
            endpoint.failing_since = None
        elif status == "disabled":
            disable_endpoint(session, endpoint, reason="manual", now=now, announce=False)
        else:
            raise InvalidInput("status must be active or disabled", field="status")
    endpoint.updated_at = now
    session.flush()
    return endpoint


def delete_endpoint(session: Session, endpoint: WebhookEndpoint, *, now: datetime) -> None:
    """Remove an endpoint for good, keeping its delivery log readable.

    The row stays, marked `deleted`, so its deliveries and attempts still answer
    "what did we send, and what came back" for its owner; nothing is sent to it
    any more (what was still to send fails) and its secrets are dropped.
    """
    _give_up(session, endpoint.id, reason="endpoint deleted", now=now)
    endpoint.status, endpoint.deleted_at, endpoint.updated_at = DELETED, now, now
    endpoint.secret_enc, endpoint.previous_secret_enc = "", None
    endpoint.previous_secret_until = None
    session.flush()


def _give_up(session: Session, endpoint_id: str, *, reason: str, now: datetime) -> None:
    """Fail every delivery of the endpoint still to send (pending or retrying)."""
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id,
               WebhookDelivery.status.in_(DUE_STATUSES))
        .values(status="failed", last_error=reason, lease_owner=None,
                lease_until=None, next_attempt_at=None, updated_at=now)
        .execution_options(synchronize_session=False))


def rotate_secret(session: Session, endpoint: WebhookEndpoint, *, now: datetime,
                  settings: WebhookSettings | None = None) -> str:
    """A new secret; the current one keeps signing beside it for the overlap period."""
    settings = settings or WebhookSettings.from_env()
    secret = secretbox.generate_secret()
    endpoint.previous_secret_enc = endpoint.secret_enc
    endpoint.previous_secret_until = now + settings.rotation_overlap
    endpoint.secret_enc = secretbox.encrypt(secret)
    endpoint.updated_at = now
    session.flush()
    return secret


def signing_secrets(secret_enc: str, previous_enc: str | None,
                    previous_until: datetime | None, now: datetime) -> list[str]:
    """The clear secrets to sign with now: the current one, and the previous during overlap."""
    found = [secretbox.decrypt(secret_enc)]
    if previous_enc and previous_until is not None and now < previous_until:
        found.append(secretbox.decrypt(previous_enc))
    return found


def send_test(session: Session, endpoint: WebhookEndpoint, *, now: datetime) -> WebhookMessage:
    """Queue a `ping` to this endpoint alone, whatever its event types."""
    message = outbox.enqueue(session, event_type=payloads.PING, at=now,
                             data=payloads.ping_data(endpoint_id=endpoint.id),
                             endpoint_ids=[endpoint.id])
    assert message is not None
    session.flush()
    return message


def disable_endpoint(session: Session, endpoint: WebhookEndpoint, *, reason: str,
                     now: datetime, announce: bool = True) -> None:
    """Stop sending to an endpoint: what it still had to receive fails, coordinators hear of it."""
    if endpoint.status != "active":
        return
    endpoint.status, endpoint.disabled_at, endpoint.disabled_reason = "disabled", now, reason
    endpoint.updated_at = now
    _give_up(session, endpoint.id, reason="endpoint disabled", now=now)
    if announce:
        outbox.enqueue(
            session, event_type=payloads.ENDPOINT_DISABLED, at=now,
            data=payloads.endpoint_data(endpoint_id=endpoint.id, reason=reason),
            endpoint_ids=outbox.endpoints_for_roles(session, outbox.OVERSEERS,
                                                    payloads.ENDPOINT_DISABLED,
                                                    exclude=endpoint.id))
    session.flush()


def redeliver(session: Session, delivery: WebhookDelivery, *, now: datetime) -> None:
    """Send a delivery again, same message and `webhook-id`, with a fresh attempt budget."""
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is not None and endpoint.status == DELETED:
        raise InvalidInput("the endpoint was deleted: nothing can be sent to it",
                           field="endpoint")
    if endpoint is None or endpoint.status != "active":
        raise InvalidInput("the endpoint is disabled: enable it first", field="endpoint")
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
    delivery.lease_owner = delivery.lease_until = None
    delivery.updated_at = now
    session.flush()


def recover(session: Session, endpoint: WebhookEndpoint, *, since: datetime,
            now: datetime) -> int:
    """Redeliver every failed delivery of the endpoint created since `since`; returns how many."""
    if endpoint.status != "active":
        raise InvalidInput("the endpoint is disabled: enable it first", field="endpoint")
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "failed",
               WebhookDelivery.created_at >= since)
        .values(status="pending", attempts=0, next_attempt_at=now, lease_owner=None,
                lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False))
    session.flush()
    return int(result.rowcount or 0)
