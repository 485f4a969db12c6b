"""Several dispatcher processes: each delivery is sent once; a killed one loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Engine, ManualClock
from tests.support.principals import add_principal
from webhooks import outbox, payloads
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookAttempt, WebhookDelivery

from .conftest import add_endpoint
from .receivers import Received, Receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def fill(engine: Engine, endpoint_id: str, n: int) -> set[str]:
    ids = set()
    with engine.sessions.begin() as s:
        for i in range(n):
            message = outbox.enqueue(
                s, event_type=payloads.TASK_READY, at=engine.clock.now(),
                endpoint_ids=[endpoint_id],
                data=payloads.task_data(task_id=f"t{i}", instance_id="i", process_key="p",
                                        activity="a", groups=["g"], state="ready"))
            ids.add(message.id)
    return ids


def spawn(db_url: str, clock: ManualClock, *extra: str, threads: int = 4) -> subprocess.Popen:
    env = {**os.environ, "CIIFLOW_WEBHOOK_THREADS": str(threads), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "webhooks.dispatcher", "--database-url", db_url,
         "--now", clock.now().isoformat(), *extra], cwd=ROOT, env=env)


def test_two_dispatcher_processes_send_each_delivery_once(
        wengine: Engine, db_url: str, clock: ManualClock) -> None:
    def slow_ok(_: Received) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.005)  # a receiver that takes a little time, so both workers get work
        return 200, {}, b"ok"

    with Receiver(slow_ok) as receiver:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, secret = add_endpoint(wengine, principal, receiver.url)
        expected = fill(wengine, endpoint_id, 1000)
        workers = [spawn(db_url, clock, "--drain", "--limit", "20") for _ in range(2)]
        for worker in workers:
            assert worker.wait(timeout=120) == 0
    counts = Counter(receiver.ids())
    assert set(counts) == expected and set(counts.values()) == {1}
    receiver.received[0].verify(secret)
    with wengine.sessions() as s:
        statuses = Counter(s.scalars(select(WebhookDelivery.status)))
        by_worker = Counter(s.scalars(select(WebhookAttempt.worker)))
    assert statuses == {"delivered": 1000}
    assert len(by_worker) == 2 and sum(by_worker.values()) == 1000


def test_a_dispatcher_killed_mid_send_loses_nothing(
        wengine: Engine, db_url: str, clock: ManualClock) -> None:
    release = threading.Event()

    def hang_until_released(_: Received) -> tuple[int, dict[str, str], bytes]:
        release.wait(timeout=30)
        return 200, {}, b"ok"

    with Receiver(hang_until_released) as receiver:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        endpoint_id, secret = add_endpoint(wengine, principal, receiver.url)
        expected = fill(wengine, endpoint_id, 6)
        worker = spawn(db_url, clock, threads=3)
        try:
            assert receiver.arrived.wait(timeout=30), "the dispatcher never sent"
            deadline = time.monotonic() + 10
            while len(receiver.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)  # waits for the receiver's threads, not for the test's clock
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        before_kill = set(receiver.ids())
        assert before_kill and before_kill <= expected
        release.set()
        with wengine.sessions() as s:
            leased = s.scalar(select(func.count()).where(WebhookDelivery.lease_owner.is_not(None)))
        assert leased == 6  # all claimed by the dead worker, none recorded

        restarted = Dispatcher(wengine.sessions, clock=clock)
        try:
            assert restarted.run_once() == 0  # its leases still hold
            clock.advance(restarted.settings.lease + timedelta(seconds=1))
            assert restarted.run_once() == 6
        finally:
            restarted.close()
    after = receiver.received[len(before_kill):]
    assert {r.id for r in after} == expected  # every delivery arrived, with its same id
    assert all(r.verify(secret) for r in after)
    with wengine.sessions() as s:
        assert Counter(s.scalars(select(WebhookDelivery.status))) == {"delivered": 6}
