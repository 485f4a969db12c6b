"""How long migrating 10,000 waiting cases takes, on PostgreSQL, against a plain step.

A fresh schema of `CIIFLOW_TEST_DATABASE_URL` (PostgreSQL; SQLite when unset) gets
version 1 of a small process (review, then check) and `--cases` cases waiting at
the review; version 2 renames the review (`review_task` → `assess_task`, routed to
another institution) and replaces the check. Then:

(a) the whole batch: `Engine.migrate` of every case, one transaction per case, as
    `ciiflow migrate intake --from-version 1 --to-version 2 --map
    review_task=assess_task` runs it;
(b) alternating rounds (`bench/rounds.py`) of `--chunk` cases each: migrating them
    (subject) against completing their review task (baseline: a plain step of the
    same kind of case, in its own transaction too).

Last line:
migrate_cases=<n> migrate_s=<a> cases_per_s=<n/a> migrate_vs_step=<ratio> (<min>–<max>, <r> rounds)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.databases import database  # noqa: E402
from bench.rounds import alternate  # noqa: E402
from engine import Caller, Engine, ManualClock  # noqa: E402
from engine.store.models import Instance, Task  # noqa: E402
from tests.engine import migration_processes as versions  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

OWNER = Caller(name="bench", role="process-owner")
MAPPING = {"review_task": "assess_task"}


def start(engine: Engine, n: int, prefix: str) -> list[str]:
    return [engine.start("intake", f"{prefix}-{i}", {}).instance.id for i in range(n)]


def ready_task(engine: Engine, instance_id: str) -> str:
    with engine.readers() as s:
        return s.scalars(select(Task.id).where(Task.instance_id == instance_id,
                                               Task.state == "ready")).one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with database() as url:
        engine = Engine(url, clock=ManualClock())
        metadata.create_all(engine.db)
        engine.deploy({"intake.bpmn": versions.v1()})
        t0 = time.perf_counter()
        start(engine, args.cases, "batch")
        pools = [start(engine, args.chunk, f"r{r}") for r in range(2 * args.rounds)]
        print(f"started {args.cases + 2 * args.rounds * args.chunk} cases in "
              f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
        engine.deploy({"intake.bpmn": versions.v2()})
        # the baseline's cases must stay on version 1: the batch takes the first ones only
        with engine.readers() as s:
            batch_ids = list(s.scalars(select(Instance.id).where(
                Instance.business_key.like("batch-%"))))

        def progress(done: int, total: int) -> None:
            if done % max(1, total // 10) == 0:
                print(f"migrate: {done}/{total}", file=sys.stderr)

        t0 = time.perf_counter()
        report = engine.migrate("intake", 1, 2, caller=OWNER, activity_map=MAPPING,
                                instance_ids=batch_ids, dry_run=False, progress=progress)
        batch_s = time.perf_counter() - t0
        assert report.counts["migrated"] == args.cases, report.counts

        def subject() -> float:
            ids = pools.pop()
            t = time.perf_counter()
            done = engine.migrate("intake", 1, 2, caller=OWNER, activity_map=MAPPING,
                                  instance_ids=ids, dry_run=False)
            elapsed = time.perf_counter() - t
            assert done.counts["migrated"] == len(ids)
            return elapsed / len(ids)

        def baseline() -> float:
            tasks = [ready_task(engine, i) for i in pools.pop()]
            t = time.perf_counter()
            for task_id in tasks:
                engine.complete_task(task_id, {}, actor="bench")
            return (time.perf_counter() - t) / len(tasks)

        rounds = alternate(baseline, subject, args.rounds)
        backend = engine.db.dialect.name
        print(f"backend={backend} per_case_ms={batch_s / args.cases * 1000:.2f} "
              f"plain_step_ms={sorted(rounds.baseline)[len(rounds.baseline) // 2] * 1000:.2f}",
              file=sys.stderr)
        print(f"migrate_cases={args.cases} migrate_s={batch_s:.1f} "
              f"cases_per_s={args.cases / batch_s:.0f} {rounds.spread('migrate_vs_step')}")
        engine.db.dispose()


if __name__ == "__main__":
    main()
