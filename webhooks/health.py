"""Whether deliveries can be sent: the stored secrets open, and how many lag or fail.

A worker whose key does not open the stored secrets sends nothing, yet the
database answers and the migrations are current: `/healthz` said ok while
thousands of deliveries waited. This operation gives health (and the worker's
and the server's start) the webhook side: it opens every stored secret with
the current key and counts the deliveries retrying, overdue and given up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from . import secretbox
from .access import Host
from .config import WebhookSettings
from .models import DUE_STATUSES, WebhookDelivery, WebhookEndpoint

#: how far back given-up deliveries are counted
FAILED_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class DeliveryHealth:
    """The webhook side of health; only secrets that do not open make it not ok."""

    #: ok | unreadable (stored secrets do not open with the key) | unknown (no table yet)
    secrets: str
    #: where the key comes from: CIIFLOW_SECRET_KEY, a file path, or "no key configured"
    key_source: str
    #: endpoints whose stored secret does not open
    unreadable_endpoints: int = 0
    #: deliveries `retrying`: failed at least once, waiting for their next attempt
    retrying: int = 0
    #: pending or retrying deliveries of active endpoints due longer ago than `overdue_after`
    overdue: int = 0
    #: deliveries given up (failed for good) in the last 24 hours
    failed_24h: int = 0
    #: the one line an operator needs when `secrets` is not ok
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.secrets != "unreadable"


def _stored_secrets(session: Session) -> list[tuple[str, str | None]]:
    """The encrypted secrets of every endpoint not deleted (a deleted one has none left)."""
    return [(row[0], row[1]) for row in session.execute(
        select(WebhookEndpoint.secret_enc, WebhookEndpoint.previous_secret_enc)
        .where(WebhookEndpoint.deleted_at.is_(None)))]


def _unreadable(tokens: list[tuple[str, str | None]]) -> tuple[int, str | None]:
    """How many endpoints' secrets do not open, and the first error's message."""
    bad, problem = 0, None
    for current, previous in tokens:
        try:
            secretbox.decrypt(current)
            if previous:
                secretbox.decrypt(previous)
        except secretbox.SecretKeyError as error:
            bad, problem = bad + 1, problem or str(error)
    return bad, problem


def delivery_health(host: Host, *, settings: WebhookSettings | None = None) -> DeliveryHealth:
    """Open every stored secret with the current key and count the lagging deliveries."""
    settings = settings or WebhookSettings.from_env()
    now = host.clock.now()
    source = secretbox.describe()
    try:
        with host.readers() as session:
            tokens = _stored_secrets(session)
            late = now - settings.overdue_after
            retrying, overdue = session.execute(  # one pass over the rows still to send
                select(func.coalesce(func.sum(case(
                           (WebhookDelivery.status == "retrying", 1), else_=0)), 0),
                       func.coalesce(func.sum(case(
                           (and_(WebhookDelivery.next_attempt_at < late,
                                 WebhookEndpoint.status == "active"), 1), else_=0)), 0))
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.status.in_(DUE_STATUSES))).one()
            failed = session.scalar(
                select(func.count()).select_from(WebhookDelivery)
                .where(WebhookDelivery.status == "failed",
                       WebhookDelivery.updated_at >= now - FAILED_WINDOW)) or 0
    except SQLAlchemyError:  # tables not there yet: the migrations check reports it
        return DeliveryHealth("unknown", source)
    bad, problem = _unreadable(tokens)
    return DeliveryHealth("unreadable" if bad else "ok", source, bad, int(retrying), int(overdue),
                          failed, problem)


def require_key(host: Host) -> None:
    """Refuse to run (`SecretKeyError`, one line naming CIIFLOW_SECRET_KEY) when the stored
    secrets do not open: a worker would send nothing, a server would sign with a stray key."""
    try:
        with host.readers() as session:
            tokens = _stored_secrets(session)
    except SQLAlchemyError:  # no webhook table yet: nothing stored to open
        return
    bad, problem = _unreadable(tokens)
    if bad:
        raise secretbox.SecretKeyError(
            f"refusing to start, {bad} stored webhook secret(s) cannot be opened: {problem}")
