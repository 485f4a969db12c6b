"""A delivery whose sender died mid-flight keeps the lost attempt in its log and its count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import Engine, ManualClock
from tests.support.principals import add_principal
from webhooks import claims
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookAttempt, WebhookDelivery

from .conftest import add_endpoint, queue_one
from .receivers import Receiver


def test_a_lease_run_out_is_logged_as_a_lost_attempt_before_the_next(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock,
        settings: WebhookSettings) -> None:
    with Receiver() as receiver:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, _ = add_endpoint(wengine, principal, receiver.url)
        message_id = queue_one(wengine, endpoint_id)
        leased_at = clock.now()
        with wengine.sessions.begin() as s:  # a sender claims, then is killed: no outcome
            [taken] = claims.claim(s, owner="host-a:41:dead", now=leased_at,
                                   lease=settings.lease, limit=10)
        assert taken.attempts == 0
        clock.advance(settings.lease - timedelta(seconds=1))
        assert dispatcher.run_once() == 0  # still leased: nobody else sends it
        clock.advance(timedelta(seconds=2))
        resent_at = clock.now()
        assert dispatcher.run_once() == 1
    assert receiver.ids() == [message_id]
    with wengine.sessions() as s:
        delivery = s.scalars(select(WebhookDelivery)).one()
        log = list(s.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [(a.number, a.started_at, a.status_code, a.error, a.worker) for a in log] == [
        (1, leased_at, None, claims.LOST, "host-a:41:dead"),
        (2, resent_at, 200, None, dispatcher.worker_id)]


def test_a_lost_attempt_counts_in_the_retry_schedule(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock,
        settings: WebhookSettings) -> None:
    """Lost, then refused: the next try waits the delay after attempt 2, not attempt 1."""
    with Receiver(lambda _: (503, {}, b"")) as receiver:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, _ = add_endpoint(wengine, principal, receiver.url)
        queue_one(wengine, endpoint_id)
        with wengine.sessions.begin() as s:
            claims.claim(s, owner="gone", now=clock.now(), lease=settings.lease, limit=10)
        clock.advance(settings.lease + timedelta(seconds=1))
        failed_at = clock.now()
        assert dispatcher.run_once() == 1
    with wengine.sessions() as s:
        delivery = s.scalars(select(WebhookDelivery)).one()
        numbers = list(s.scalars(select(WebhookAttempt.number).order_by(WebhookAttempt.id)))
    assert numbers == [1, 2] and delivery.attempts == 2 and delivery.status == "retrying"
    assert delivery.last_status_code == 503 and delivery.lease_owner is None
    second_delay = settings.schedule[1]  # 5 min after the second attempt, with jitter
    wait = delivery.next_attempt_at - failed_at
    assert second_delay * (1 - settings.jitter) <= wait <= second_delay * (1 + settings.jitter)


def test_a_delivery_claimed_for_the_first_time_has_no_lost_attempt(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as receiver:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, _ = add_endpoint(wengine, principal, receiver.url)
        queue_one(wengine, endpoint_id)
        assert dispatcher.run_once() == 1
    with wengine.sessions() as s:
        assert list(s.scalars(select(WebhookAttempt.error))) == [None]
        assert s.scalars(select(WebhookDelivery.attempts)).one() == 1
