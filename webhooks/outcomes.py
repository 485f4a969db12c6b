"""What an attempt's result does to its delivery and endpoint, written in one transaction.

2xx delivers; 410 Gone disables the endpoint (the receiver said it is gone for
good); everything else (3xx, 4xx, 5xx, timeouts, refused addresses, network
errors) is retried on the schedule: the delivery is `retrying` with its next
attempt's time and the last error, and `failed` once the last attempt fails. An endpoint
whose deliveries have failed without a single success for `disable_after`
(5 days) is disabled and coordinators are told.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from . import retry
from .claims import Claim
from .config import WebhookSettings
from .endpoints import disable_endpoint
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .sender import SendResult


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    result: SendResult


def record(session: Session, outcomes: list[Outcome], *, owner: str, now: datetime,
           settings: WebhookSettings, rng: random.Random) -> None:
    """Log every attempt and move every delivery on; a lost lease only logs the attempt.

    Attempts are inserted in one executemany and successes updated in one
    statement per status code: the dispatcher records a thousand outcomes a
    second, and a statement per row was most of its time.
    """
    healthy: set[str] = set()
    streaks: set[str] = set()
    failing: set[str] = set()
    gone: set[str] = set()
    delivered: dict[int, list[int]] = {}
    session.execute(insert(WebhookAttempt), [{
        "delivery_id": o.claim.delivery_id, "number": o.claim.attempts + 1, "started_at": now,
        "duration_ms": o.result.duration_ms, "status_code": o.result.status_code,
        "error": o.result.error, "worker": owner,
        "response_excerpt": o.result.excerpt[:settings.logged_response_bytes].decode(
            "utf-8", "replace") or None} for o in outcomes])
    for outcome in outcomes:
        claim, result = outcome.claim, outcome.result
        if result.ok:
            delivered.setdefault(result.status_code or 200, []).append(claim.delivery_id)
            healthy.add(claim.endpoint_id)
            if claim.failing_since is not None:
                streaks.add(claim.endpoint_id)
            continue
        values: dict[str, object] = {
            "attempts": claim.attempts + 1, "lease_owner": None, "lease_until": None,
            "updated_at": now, "last_status_code": result.status_code,
            "last_error": result.error}
        if result.status_code == 410:
            values.update(status="failed", next_attempt_at=None)
            gone.add(claim.endpoint_id)
        else:
            delay = retry.next_delay(claim.attempts + 1, settings, rng,
                                     retry.parse_retry_after(result.retry_after, now))
            if delay is None:
                values.update(status="failed", next_attempt_at=None)
            else:
                values.update(status="retrying", next_attempt_at=now + delay)
            failing.add(claim.endpoint_id)
        session.execute(update(WebhookDelivery)
                        .where(WebhookDelivery.id == claim.delivery_id,
                               WebhookDelivery.lease_owner == owner)
                        .values(**values).execution_options(synchronize_session=False))
    for status_code, ids in delivered.items():
        session.execute(update(WebhookDelivery)
                        .where(WebhookDelivery.id.in_(ids), WebhookDelivery.lease_owner == owner)
                        .values(status="delivered", delivered_at=now, next_attempt_at=None,
                                attempts=WebhookDelivery.attempts + 1, lease_owner=None,
                                lease_until=None, updated_at=now,
                                last_status_code=status_code, last_error=None)
                        .execution_options(synchronize_session=False))
    _endpoints(session, healthy & streaks, healthy, failing, gone, now=now,
               settings=settings)


def _endpoints(session: Session, reset: set[str], healthy: set[str], failing: set[str],
               gone: set[str], *, now: datetime, settings: WebhookSettings) -> None:
    """Reset, start or judge each endpoint's failure streak; disable the hopeless ones."""
    for endpoint_id in reset - failing - gone:
        session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
                        .values(failing_since=None)
                        .execution_options(synchronize_session=False))
    for endpoint_id in sorted(gone | failing):
        endpoint = session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None or endpoint.status != "active":
            continue
        if endpoint_id in gone:
            disable_endpoint(session, endpoint, reason="gone", now=now)
            continue
        if endpoint_id in healthy:  # one success in the batch: not continuously failing
            endpoint.failing_since = None
            continue
        if endpoint.failing_since is None:
            endpoint.failing_since = now
        elif now - endpoint.failing_since >= settings.disable_after:
            disable_endpoint(session, endpoint, reason="failing", now=now)
    session.flush()
