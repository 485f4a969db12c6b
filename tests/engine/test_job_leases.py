"""Due jobs (async boundaries) are leased: workers share them and run each once.

Two engines on one database claim disjoint batches; a lease that ran out is taken
again (the clock is injected). Then three worker threads, each with its own
engine and connections, run many due jobs between them, each job exactly once;
and three worker *processes* over 300 due jobs run each once, each doing part of
the work. Run as a script (`python -m tests.engine.test_job_leases URL`), this
module is that worker: at a line on stdin it runs one batch of jobs and prints
what it ran as JSON; at a second line it runs due jobs until none is left to
claim and prints that too.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import Engine, ManualClock
from engine.camunda.handlers import HandlerContext, HandlerRegistry
from engine.store.db import make_engine
from engine.store.jobs import claim_due_jobs
from engine.store.models import Instance, Job
from tests.modeler.conftest import corpus
from tests.support.worker_processes import run_workers

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=60)
BATCH = 20  # jobs a worker process claims at a time


def start_held(engine: Engine, n: int) -> list[str]:
    """`n` cases held before Stamp_Case (asyncBefore): `n` due jobs."""
    engine.deploy(corpus("async_default_retries.bpmn"))
    return [engine.start("async_default_retries", f"J-{i}").instance.id for i in range(n)]


def claim(engine: Engine, owner: str, clock: ManualClock, limit: int,
          lease: timedelta = LEASE, later: timedelta = timedelta(0)) -> list[int]:
    with engine.sessions.begin() as session:
        return claim_due_jobs(session, owner=owner, now=clock.now() + later, lease=lease,
                              limit=limit)


def counting(calls: Counter[str], lock: threading.Lock) -> HandlerRegistry:
    registry = HandlerRegistry()

    def stamp(ctx: HandlerContext) -> dict[str, bool]:
        with lock:
            calls[ctx.instance_id] += 1
        return {"stamped": True}

    registry.topic("stamp-case")(stamp)
    return registry


def test_two_engines_claim_disjoint_job_batches_and_only_run_out_leases_are_taken_again(
        engine: Engine, clock: ManualClock, db_url: str) -> None:
    start_held(engine, 5)
    other = Engine(make_engine(db_url), clock=clock)
    try:
        first = claim(engine, "a", clock, 3, lease=timedelta(seconds=30))
        second = claim(other, "b", clock, 10, lease=timedelta(seconds=90))
        assert len(first) == 3 and len(second) == 2 and set(first).isdisjoint(second)
        assert claim(other, "c", clock, 10) == []  # every lease still holds
        assert sorted(claim(other, "c", clock, 10, later=timedelta(seconds=60))) == sorted(first)
    finally:
        other.db.dispose()


def test_a_suspended_case_keeps_its_job_until_it_resumes(
        engine: Engine, handlers: HandlerRegistry) -> None:
    calls: Counter[str] = Counter()
    handlers.topic("stamp-case")(lambda ctx: calls.update([ctx.instance_id]) or {})
    [iid] = start_held(engine, 1)
    engine.set_status(iid, "suspend", reason="waiting for the file")

    assert engine.run_due_jobs() == 0 and calls == Counter()

    engine.set_status(iid, "resume", reason="file arrived")
    assert engine.run_due_jobs() == 1 and calls == Counter({iid: 1})


def test_three_worker_threads_run_each_due_job_once(
        engine: Engine, clock: ManualClock, db_url: str) -> None:
    ids = start_held(engine, 60)
    calls: Counter[str] = Counter()
    lock = threading.Lock()
    workers = [Engine(make_engine(db_url), clock=clock, handlers=counting(calls, lock))
               for _ in range(3)]
    barrier = threading.Barrier(len(workers))

    def work(worker: Engine) -> int:
        barrier.wait()
        ran = 0
        while True:
            moved = worker.run_due_jobs(limit=5)
            if moved == 0:
                return ran
            ran += moved

    try:
        with ThreadPoolExecutor(len(workers)) as pool:
            ran = list(pool.map(work, workers))
    finally:
        for worker in workers:
            worker.db.dispose()

    assert calls == Counter({i: 1 for i in ids})
    assert sum(ran) == len(ids)
    with engine.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
        assert set(s.scalars(select(Instance.status))) == {"running"}
    assert {engine.workflow_data(i)["stamped"] for i in ids} == {True}


def test_a_terminated_case_leaves_no_job(engine: Engine) -> None:
    [iid] = start_held(engine, 1)

    engine.set_status(iid, "terminate", reason="withdrawn")

    with engine.sessions() as s:
        assert s.scalars(select(Job).where(Job.instance_id == iid)).all() == []
    assert engine.run_due_jobs() == 0


@pytest.mark.slow
def test_three_worker_processes_run_300_jobs_once_each_and_share_them(
        engine: Engine, clock: ManualClock, db_url: str) -> None:
    """A first round, all three at once, then a free run until nothing is due.

    In the first round each worker claims a batch of its own. The free run is not
    asked to be even: SQLite's write lock is not fair, a waiting process may find it
    taken until the others are done.
    """
    clock.set(datetime.now(UTC) - timedelta(hours=1))  # the workers run on the system clock
    ids = start_held(engine, 300)
    first, reports = run_workers("tests.engine.test_job_leases", db_url, timeout=300)

    assert [r["ran"] for r in first] == [BATCH] * 3
    assert all(len(r["stamped"]) == BATCH for r in first)  # each worker did its own part
    stamped = Counter(i for r in first + reports for i in r["stamped"])
    assert stamped == Counter({i: 1 for i in ids})
    assert sum(r["ran"] for r in first + reports) == 300
    assert sum(r["lost"] for r in first + reports) == 0, reports  # lost compare-and-sets
    with engine.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0
    assert {engine.workflow_data(i)["stamped"] for i in ids} == {True}


class _LostCounter(logging.Handler):
    """Counts the jobs whose case this worker found already advanced by another."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lost = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "advanced by someone else" in record.getMessage():
            self.lost += 1


def worker_main(url: str) -> None:
    stamped: list[str] = []
    registry = HandlerRegistry()

    def stamp(ctx: HandlerContext) -> dict[str, bool]:
        stamped.append(ctx.instance_id)
        return {"stamped": True}

    registry.topic("stamp-case")(stamp)
    engine = Engine(make_engine(url), handlers=registry)
    counter = _LostCounter()
    jobs_log = logging.getLogger("engine.runtime.jobs")
    jobs_log.setLevel(logging.DEBUG)
    jobs_log.addHandler(counter)
    print("ready", flush=True)
    sys.stdin.readline()
    ran = engine.run_due_jobs(limit=BATCH)
    print(json.dumps({"ran": ran, "stamped": stamped, "lost": counter.lost}), flush=True)
    counter.lost, stamped[:] = 0, []
    sys.stdin.readline()
    ran = 0
    while moved := engine.run_due_jobs(limit=BATCH):
        ran += moved
    print(json.dumps({"ran": ran, "stamped": stamped, "lost": counter.lost}), flush=True)


if __name__ == "__main__":
    worker_main(sys.argv[1])
