"""What one `/metrics` scrape costs as the delivery attempts pile up.

The scrape reads its gauges and the receivers' latency histogram from the
database (workflows/metrics.py): the histogram is one pass over every
`webhook_attempt` row, so its cost grows with the attempts kept. Two databases
are filled in bulk, one with `--attempts` attempt rows (four per delivery) and
one with a tenth of them, plus `--cases` running cases with a ready task each;
then the whole scrape body (`metrics.exposition`) is built on each, in
alternating rounds (bench/rounds.py), and the median times and the growth
ratio (big ÷ small) are printed. SQLite by default; PostgreSQL (fresh
schemas) when `CIIFLOW_TEST_DATABASE_URL` is set. Last line:
scrape_ms_small=<median> scrape_ms_big=<median> growth=<median ratio (range, rounds)>
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bench.databases import database  # noqa: E402
from bench.rounds import alternate  # noqa: E402
from engine import Engine  # noqa: E402
from engine.store.models import Instance, Task, TaskCandidate  # noqa: E402
from tests.support.principals import add_principal  # noqa: E402
from tests.workflows.processes import one_task  # noqa: E402
from webhooks.models import (  # noqa: E402
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)
from workflows import metrics  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CHUNK = 5_000


def _chunks(rows: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def fill(engine: Engine, attempts: int, cases: int) -> None:
    metadata.create_all(engine.db)
    owner = add_principal(engine, "institution-1", "institution", ["g-1"]).id
    definition_id = engine.deploy({"one_task.bpmn": one_task()}).definitions[0].definition_id
    deliveries = max(1, attempts // 4)
    with engine.db.begin() as conn:
        conn.execute(insert(WebhookEndpoint), [{
            "id": "ep-1", "principal_id": owner, "url": "https://example.org/hook",
            "event_types": ["task.ready"], "secret_enc": "x", "status": "active",
            "created_at": NOW, "updated_at": NOW}])
        messages = [{"id": f"msg_{i}", "event_type": "task.ready", "body": "{}",
                     "created_at": NOW} for i in range(deliveries)]
        for part in _chunks(messages):
            conn.execute(insert(WebhookMessage), part)
        rows = [{"id": i + 1, "message_id": f"msg_{i}", "endpoint_id": "ep-1",
                 "status": ("delivered", "failed", "pending")[i % 3], "attempts": 4,
                 "created_at": NOW, "updated_at": NOW} for i in range(deliveries)]
        for part in _chunks(rows):
            conn.execute(insert(WebhookDelivery), part)
        tries = [{"delivery_id": i // 4 + 1, "number": i % 4 + 1, "started_at": NOW,
                  "duration_ms": (i * 37) % 20_000, "status_code": 200}
                 for i in range(deliveries * 4)]
        for part in _chunks(tries):
            conn.execute(insert(WebhookAttempt), part)
        instances = [{"id": str(uuid.uuid4()), "definition_id": definition_id,
                      "process_key": "one_task", "definition_version": 1,
                      "business_key": f"B-{i}", "status": "running", "state": "{}",
                      "version": 1, "started_at": NOW, "updated_at": NOW}
                     for i in range(cases)]
        for part in _chunks(instances):
            conn.execute(insert(Instance), part)
        tasks = [{"id": str(uuid.uuid4()), "instance_id": row["id"], "process_key": "one_task",
                  "activity_id": "work_task", "state": "ready", "candidate_groups": ["g-1"],
                  "ready_at": NOW - timedelta(days=i % 40)}
                 for i, row in enumerate(instances)]
        for part in _chunks(tasks):
            conn.execute(insert(Task), part)
        for part in _chunks([{"task_id": t["id"], "group_id": "g-1"} for t in tasks]):
            conn.execute(insert(TaskCandidate), part)
    if engine.db.dialect.name == "postgresql":
        with engine.db.begin() as conn:
            conn.execute(text("ANALYZE"))


def timed(engine: Engine, repeat: int) -> float:
    """The median of `repeat` scrapes, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        body = metrics.exposition(engine)
        times.append((time.perf_counter() - start) * 1000)
        assert b"ciiflow_webhook_attempt_duration_seconds_count" in body
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with database() as small_url, database() as big_url:
        small, big = Engine(small_url), Engine(big_url)
        fill(small, args.attempts // 10, args.cases)
        fill(big, args.attempts, args.cases)
        timed(small, 1), timed(big, 1)  # warm: connections, compiled statements
        rounds = alternate(lambda: timed(small, args.repeat), lambda: timed(big, args.repeat),
                           args.rounds)
        print(f"{small.db.dialect.name}: {args.attempts // 10} vs {args.attempts} attempts, "
              f"{args.cases} cases")
        print(f"scrape_ms_small={statistics.median(rounds.baseline):.1f} "
              f"scrape_ms_big={statistics.median(rounds.subject):.1f} "
              f"{rounds.spread('growth')}")
        small.db.dispose()
        big.db.dispose()


if __name__ == "__main__":
    main()
