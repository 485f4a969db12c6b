"""Due timers are leased: workers share them instead of all firing the same ones.

Two engines on one database claim disjoint batches; a lease that ran out is
taken again, one that did not is not (the clock is injected). Then three
worker processes over 500 due timers fire each exactly once between them, each
doing part of the work. Run as a script (`python -m tests.engine.test_timer_leases
URL`), this module is that worker: at a line on stdin it fires one batch and
prints what it fired as JSON; at a second line it fires due timers until none
is left to claim and prints that too.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Engine, ManualClock
from engine.store.db import make_engine
from engine.store.leases import claim_due_timers
from engine.store.models import History, Instance
from tests.engine import processes
from tests.support.bpmn import Flow, Node, document, timer, user_task
from tests.support.worker_processes import run_workers

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=60)
BATCH = 20  # timers a worker process claims at a time


def start_due(engine: Engine, clock: ManualClock, n: int) -> list[str]:
    """`n` instances waiting on a one-minute boundary timer, then two minutes pass."""
    engine.deploy({"p.bpmn": processes.boundary_timer(duration="PT1M")})
    ids = [engine.start("boundary_timer", f"case-{i}", {}).instance.id for i in range(n)]
    clock.advance(minutes=2)
    return ids


def claim(engine: Engine, owner: str, now: datetime, limit: int,
          lease: timedelta = LEASE) -> list[str]:
    with engine.sessions.begin() as session:
        return claim_due_timers(session, owner=owner, now=now, lease=lease, limit=limit)


def fired_per_instance(engine: Engine) -> dict[str, int]:
    with engine.sessions() as s:
        return dict(s.execute(select(History.instance_id, func.count()).where(
            History.kind == "timer_fired").group_by(History.instance_id)).all())


def leases(engine: Engine) -> dict[str, tuple[datetime | None, str | None]]:
    with engine.sessions() as s:
        return {row.id: (row.timer_lease_until, row.timer_lease_by) for row in s.execute(
            select(Instance.id, Instance.timer_lease_until, Instance.timer_lease_by))}


def test_two_engines_claim_disjoint_batches_and_only_expired_leases_are_taken_again(
        engine: Engine, clock: ManualClock, db_url: str) -> None:
    ids = start_due(engine, clock, 5)
    other = Engine(make_engine(db_url), clock=clock)
    try:
        now = clock.now()
        first = claim(engine, "a", now, 3, lease=timedelta(seconds=30))
        second = claim(other, "b", now, 10, lease=timedelta(seconds=90))
        assert len(first) == 3 and len(second) == 2
        assert set(first).isdisjoint(second) and set(first) | set(second) == set(ids)
        assert claim(other, "c", now, 10) == []  # every lease still holds

        later = now + timedelta(seconds=60)  # a's leases ran out, b's did not
        assert sorted(claim(other, "c", later, 10)) == sorted(first)
        held = leases(engine)
        assert {held[i][1] for i in first} == {"c"}
        assert {held[i][1] for i in second} == {"b"}
    finally:
        other.db.dispose()


def test_a_worker_fires_what_it_claims_skips_what_another_holds_and_clears_its_leases(
        engine: Engine, clock: ManualClock) -> None:
    ids = start_due(engine, clock, 4)
    held = claim(engine, "dead-worker", clock.now(), 2)

    assert engine.run_due_timers() == 2
    fired = fired_per_instance(engine)
    assert set(fired) == set(ids) - set(held) and set(fired.values()) == {1}
    assert all(leases(engine)[i] == (None, None) for i in fired)
    assert engine.run_due_timers() == 0  # the dead worker's leases still hold

    clock.advance(LEASE + timedelta(seconds=1))
    assert engine.run_due_timers() == 2
    assert fired_per_instance(engine) == {i: 1 for i in ids}
    assert set(leases(engine).values()) == {(None, None)}


def two_waits() -> bytes:
    """Two one-minute timers in a row, then a task."""
    nodes = [Node("start_event", "startEvent"),
             Node("first_wait", "intermediateCatchEvent", inner=timer("PT1M")),
             Node("second_wait", "intermediateCatchEvent", inner=timer("PT1M")),
             user_task("after_task", "sas"), Node("done_end", "endEvent")]
    flows = [Flow("start_event", "first_wait"), Flow("first_wait", "second_wait"),
             Flow("second_wait", "after_task"), Flow("after_task", "done_end")]
    return document("two_waits", nodes, flows)


def test_a_timer_due_again_after_its_step_is_claimable_before_the_lease_would_end(
        engine: Engine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker drops its lease after the step, which set the next `next_timer_at`."""
    monkeypatch.setenv("CIIFLOW_TIMER_LEASE_SECONDS", "3600")
    engine.deploy({"w.bpmn": two_waits()})
    instance_id = engine.start("two_waits", "case-1", {}).instance.id
    clock.advance(minutes=2)
    assert engine.run_due_timers() == 1
    assert leases(engine)[instance_id] == (None, None)

    clock.advance(minutes=2)
    assert engine.run_due_timers() == 1
    assert fired_per_instance(engine) == {instance_id: 2}
    with engine.sessions() as s:
        assert s.get(Instance, instance_id).next_timer_at is None


def test_workers_racing_for_timer_start_events_start_each_occurrence_once(
        engine: Engine, clock: ManualClock, db_url: str) -> None:
    """Timer start events need no lease: the compare-and-set on `next_at` decides."""
    engine.deploy({"cycle.bpmn": (ROOT / "tests/modeler/files/timer_start_cycle.bpmn")
                   .read_bytes()})
    clock.advance(hours=31)  # R3/PT10H: three occurrences are due
    engines = [Engine(make_engine(db_url), clock=clock) for _ in range(4)]
    barrier = threading.Barrier(len(engines))

    def run(worker: Engine) -> int:
        barrier.wait()
        return worker.run_due_timers()

    try:
        with ThreadPoolExecutor(len(engines)) as pool:
            started = list(pool.map(run, engines))
    finally:
        for worker in engines:
            worker.db.dispose()
    with engine.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Instance)) == 3
    assert sum(started) == 3


@pytest.mark.slow
def test_three_worker_processes_fire_500_timers_once_each_and_share_them(
        engine: Engine, clock: ManualClock, db_url: str) -> None:
    """A first round, all three at once, then a free run until nothing is due.

    In the first round each worker claims a batch of its own (without leases all
    three fired the same 20, one won each compare-and-set). The free run is not
    asked to be even: SQLite's write lock is not fair, a waiting process may
    find it taken until the others are done.
    """
    clock.set(datetime.now(UTC) - timedelta(hours=1))  # the workers run on the system clock
    ids = start_due(engine, clock, 500)
    first, reports = run_workers("tests.engine.test_timer_leases", db_url, timeout=120)

    assert [r["fired"] for r in first] == [BATCH] * 3
    assert fired_per_instance(engine) == {i: 1 for i in ids}
    assert sum(r["fired"] for r in first + reports) == 500
    assert sum(r["lost"] for r in first + reports) <= 5, reports  # lost compare-and-sets


class _LostCounter(logging.Handler):
    """Counts the instances this worker found already advanced by another."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lost = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "advanced by another worker" in record.getMessage():
            self.lost += 1


def worker_main(url: str) -> None:
    engine = Engine(make_engine(url))
    counter = _LostCounter()
    timers_log = logging.getLogger("engine.runtime.timers")
    timers_log.setLevel(logging.DEBUG)
    timers_log.addHandler(counter)
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps({"fired": engine.run_due_timers(limit=BATCH), "lost": counter.lost}),
          flush=True)
    counter.lost = 0
    sys.stdin.readline()
    fired = 0
    while moved := engine.run_due_timers(limit=BATCH):
        fired += moved
    print(json.dumps({"fired": fired, "lost": counter.lost}), flush=True)

if __name__ == "__main__":
    worker_main(sys.argv[1])
