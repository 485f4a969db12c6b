"""Sending: the retry schedule, status handling, cut-offs, rotation and real signatures."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook, WebhookVerificationError

from engine import Engine, ManualClock
from tests.support.principals import add_principal
from webhooks import endpoints, outbox, payloads
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

from .conftest import LOOPBACK, add_endpoint, endpoint_row
from .receivers import RawServer, Received, Receiver


def queue(engine: Engine, endpoint_id: str, n: int = 1) -> list[str]:
    """Queue `n` ping-like task messages for one endpoint; returns their message ids."""
    ids = []
    with engine.sessions.begin() as s:
        for i in range(n):
            message = outbox.enqueue(
                s, event_type=payloads.TASK_READY, at=engine.clock.now(),
                endpoint_ids=[endpoint_id],
                data=payloads.task_data(task_id=f"t{i}", instance_id="i", process_key="p",
                                        activity="a", groups=["g"], state="ready"))
            ids.append(message.id)
    return ids


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    with engine.sessions() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempts(engine: Engine) -> list[WebhookAttempt]:
    with engine.sessions() as s:
        return list(s.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)))


def test_two_failures_then_success_same_id_on_the_schedule(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    answers = iter([500, 500, 200])
    with Receiver(lambda r: (next(answers), {}, b"")) as receiver:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        _, secret = add_endpoint(wengine, inst, receiver.url)
        [message_id] = queue(wengine, _endpoint_of(wengine, inst))
        t0 = clock.now()
        assert dispatcher.run_once() == 1
        assert dispatcher.run_once() == 0  # not due yet
        first_retry = deliveries(wengine)[0].next_attempt_at
        assert timedelta(seconds=4) <= first_retry - t0 <= timedelta(seconds=6)
        clock.set(first_retry - timedelta(milliseconds=1))
        assert dispatcher.run_once() == 0
        clock.set(first_retry)
        assert dispatcher.run_once() == 1
        second_retry = deliveries(wengine)[0].next_attempt_at
        assert timedelta(minutes=4) <= second_retry - first_retry <= timedelta(minutes=6)
        clock.set(second_retry)
        assert dispatcher.run_once() == 1
    delivery = deliveries(wengine)[0]
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
        "delivered", 3, second_retry)
    assert receiver.ids() == [message_id] * 3
    for record in receiver.received:
        assert record.verify(secret)["type"] == "task.ready"
    logged = attempts(wengine)
    assert [(a.number, a.status_code, a.started_at) for a in logged] == [
        (1, 500, t0), (2, 500, first_retry), (3, 200, second_retry)]
    assert all(a.duration_ms >= 0 for a in logged)


def _endpoint_of(engine: Engine, principal_id: int) -> str:
    with engine.sessions() as s:
        return s.scalars(select(WebhookEndpoint.id)
                         .where(WebhookEndpoint.principal_id == principal_id)).one()


def test_every_attempt_fails_then_the_delivery_fails(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    with Receiver(lambda r: (503, {}, b"down " * 200)) as receiver:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        add_endpoint(wengine, inst, receiver.url)
        queue(wengine, _endpoint_of(wengine, inst))
        t0 = clock.now()
        for _ in range(20):
            if not dispatcher.run_once():
                due = deliveries(wengine)[0].next_attempt_at
                if due is None:
                    break
                clock.set(due)
    delivery = deliveries(wengine)[0]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 8, 503)
    times = [a.started_at - t0 for a in attempts(wengine)]
    expected = [0, 5, 305, 2105, 9305, 27305, 63305, 99305]  # seconds, before jitter
    assert len(times) == 8
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    nominal = [b - a for a, b in zip(expected, expected[1:], strict=False)]
    for gap, want in zip(gaps, nominal, strict=True):
        assert 0.8 * want <= gap.total_seconds() <= 1.2 * want
    assert all(len(a.response_excerpt.encode()) <= 512 for a in attempts(wengine))
    assert len(receiver.received) == 8


@pytest.mark.parametrize(("header", "low", "high"), [
    ("3600", timedelta(hours=1), timedelta(hours=1)),
    ("1", timedelta(seconds=4), timedelta(seconds=6)),  # never sooner than the schedule
    ("999999", timedelta(hours=24), timedelta(hours=24)),  # at most a day
    ("Wed, 07 Jan 2026 08:00:00 GMT", timedelta(days=1), timedelta(days=1)),  # an HTTP date
])
def test_retry_after_is_honoured_within_bounds(wengine: Engine, dispatcher: Dispatcher,
                                               clock: ManualClock, header: str,
                                               low: timedelta, high: timedelta) -> None:
    clock.set(datetime(2026, 1, 6, 8, 0, tzinfo=UTC))
    with Receiver(lambda r: (429, {"Retry-After": header}, b"")) as receiver:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        add_endpoint(wengine, inst, receiver.url)
        queue(wengine, _endpoint_of(wengine, inst))
        assert dispatcher.run_once() == 1
    wait = deliveries(wengine)[0].next_attempt_at - clock.now()
    assert low <= wait <= high


def test_410_disables_the_endpoint_and_tells_coordinators(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver(lambda r: (410, {}, b"gone")) as gone, Receiver() as coordination:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        coord = add_principal(wengine, "coord", "coordinator", []).id
        add_endpoint(wengine, inst, gone.url)
        _, coord_secret = add_endpoint(wengine, coord, coordination.url, ["endpoint.disabled"])
        endpoint_id = _endpoint_of(wengine, inst)
        queue(wengine, endpoint_id, 1)
        assert dispatcher.run_once(limit=1) == 1
        queue(wengine, endpoint_id, 1)  # queued after the endpoint is disabled: not sent
        assert dispatcher.run_once() == 1  # only the endpoint.disabled announcement
    row = endpoint_row(wengine, endpoint_id)
    assert (row.status, row.disabled_reason) == ("disabled", "gone")
    assert [d.status for d in deliveries(wengine)] == ["failed", "delivered", "pending"]
    [announcement] = coordination.received
    event = announcement.verify(coord_secret)
    assert event["type"] == "endpoint.disabled"
    assert event["data"]["endpoint_id"] == endpoint_id and event["data"]["reason"] == "gone"
    assert len(gone.received) == 1


def test_a_redirect_is_not_followed_and_counts_as_failure(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as elsewhere:
        with Receiver(lambda r: (301, {"Location": elsewhere.url}, b"")) as moved:
            inst = add_principal(wengine, "sas", "institution", ["g"]).id
            add_endpoint(wengine, inst, moved.url)
            queue(wengine, _endpoint_of(wengine, inst))
            assert dispatcher.run_once() == 1
    assert elsewhere.received == [] and len(moved.received) == 1
    delivery = deliveries(wengine)[0]
    assert (delivery.status, delivery.last_status_code, delivery.attempts) == ("retrying", 301, 1)
    assert delivery.next_attempt_at is not None


def _read_request(conn: socket.socket) -> None:
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk


def _trickle_body(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
    for _ in range(100):
        conn.sendall(b"x")
        time.sleep(0.1)  # the receiver's own pace, not the test's clock


def _trickle_headers(conn: socket.socket) -> None:
    _read_request(conn)
    for byte in b"HTTP/1.1 200 OK\r\nx-slow: " + b"y" * 100:
        conn.sendall(bytes([byte]))
        time.sleep(0.1)


def _silence_after_headers(conn: socket.socket) -> None:
    _read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nabc")
    time.sleep(10)


def _ten_megabytes(conn: socket.socket) -> None:
    _read_request(conn)
    size = 10 * 1024 * 1024
    conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % size)
    block = b"z" * 65536
    for _ in range(size // len(block)):
        conn.sendall(block)


@pytest.mark.parametrize("script", [_trickle_body, _trickle_headers, _silence_after_headers])
def test_a_slow_receiver_is_cut_off_at_the_total_timeout(wengine: Engine, script) -> None:  # noqa: ANN001
    settings = WebhookSettings(allow_hosts=LOOPBACK, connect_timeout=0.5, total_timeout=0.8)
    dispatcher = Dispatcher(wengine.sessions, clock=wengine.clock, settings=settings)
    with RawServer(script) as server:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        add_endpoint(wengine, inst, server.url)
        queue(wengine, _endpoint_of(wengine, inst))
        began = time.monotonic()
        assert dispatcher.run_once() == 1
        took = time.monotonic() - began
        dispatcher.close()
    assert took < 2.0
    [attempt] = attempts(wengine)
    assert attempt.error is not None and attempt.error.startswith("timeout")
    assert deliveries(wengine)[0].status == "retrying"


def test_a_huge_answer_is_read_no_further_than_4_kb(wengine: Engine,
                                                    dispatcher: Dispatcher) -> None:
    with RawServer(_ten_megabytes) as server:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        add_endpoint(wengine, inst, server.url)
        queue(wengine, _endpoint_of(wengine, inst))
        began = time.monotonic()
        assert dispatcher.run_once() == 1
        assert time.monotonic() - began < 2.0
    [attempt] = attempts(wengine)
    assert attempt.status_code == 200 and attempt.response_excerpt == "z" * 512
    assert deliveries(wengine)[0].status == "delivered"


def test_an_endpoint_failing_for_five_days_is_disabled(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    with Receiver(lambda r: (500, {}, b"")) as broken, Receiver() as coordination:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        coord = add_principal(wengine, "coord", "coordinator", []).id
        add_endpoint(wengine, inst, broken.url)
        add_endpoint(wengine, coord, coordination.url, ["endpoint.disabled"])
        endpoint_id = _endpoint_of(wengine, inst)
        for day in range(6):
            queue(wengine, endpoint_id)
            dispatcher.run_once()
            row = endpoint_row(wengine, endpoint_id)
            assert row.status == ("disabled" if day == 5 else "active"), day
            clock.advance(days=1)
        dispatcher.run_once()
    assert endpoint_row(wengine, endpoint_id).disabled_reason == "failing"
    [announcement] = coordination.received
    assert b'"endpoint.disabled"' in announcement.body
    assert {d.status for d in deliveries(wengine) if d.endpoint_id == endpoint_id} == {"failed"}


def test_rotation_signs_with_both_secrets_during_the_overlap(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    with Receiver() as receiver:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, old = add_endpoint(wengine, inst, receiver.url)
        with wengine.sessions.begin() as s:
            new = endpoints.rotate_secret(s, s.get(endpoints.WebhookEndpoint, endpoint_id),
                                          now=clock.now(),
                                          settings=WebhookSettings(
                                              rotation_overlap=timedelta(hours=24)))
        queue(wengine, endpoint_id)
        dispatcher.run_once()
        clock.advance(hours=24, seconds=1)
        queue(wengine, endpoint_id)
        dispatcher.run_once()
    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verify(old) == during.verify(new)
    assert after.verify(new)["type"] == "task.ready"
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    with pytest.raises(WebhookVerificationError):
        after.verify(old)


def test_forged_deliveries_are_rejected_by_the_standard_verifier(
        wengine: Engine, settings: WebhookSettings) -> None:
    with Receiver() as receiver:
        inst = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, secret = add_endpoint(wengine, inst, receiver.url)
        queue(wengine, endpoint_id)
        fresh = Dispatcher(wengine.sessions, clock=wengine.clock, settings=settings)
        fresh.run_once()
        fresh.close()

        class SixMinutesAgo:
            def now(self) -> datetime:
                return datetime.now(UTC) - timedelta(minutes=6)

        queue(wengine, endpoint_id)
        stale = Dispatcher(wengine.sessions, clock=wengine.clock, settings=settings,
                           signing_clock=SixMinutesAgo())
        stale.run_once()
        stale.close()
    genuine, old = receiver.received
    assert genuine.verify(secret)["type"] == "task.ready"  # the real thing passes

    def forged(**changes: object) -> Received:
        headers = dict(genuine.headers)
        body = changes.pop("body", genuine.body)
        headers.update({k.replace("_", "-"): str(v) for k, v in changes.items()})
        return Received(headers, body)  # type: ignore[arg-type]

    tampered = [
        forged(body=genuine.body.replace(b'"ready"', b'"done!"')),
        forged(webhook_id="msg_other"),
        forged(webhook_timestamp=int(genuine.headers["webhook-timestamp"]) - 1),
    ]
    for record in tampered:
        with pytest.raises(WebhookVerificationError):
            record.verify(secret)
    wrong = Webhook(endpoints.secretbox.generate_secret())
    with pytest.raises(WebhookVerificationError):
        wrong.verify(genuine.body, genuine.headers)
    with pytest.raises(WebhookVerificationError, match="too old"):
        old.verify(secret)
    with wengine.sessions() as s:
        bodies = {m.id: m.body for m in s.scalars(select(WebhookMessage))}
    assert bodies[genuine.id].encode() == genuine.body
