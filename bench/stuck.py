"""`/api/v1/stuck` and an institution's task list at size: p95 of repeated requests.

The database is filled in bulk, straight into the engine's tables (not through a
million steps): `--cases` cases of 20 task rows each (a running case has 19
completed tasks and waits at one place: a ready user task, a message or an
external task; a closed case has 20 completed), one candidate group per task,
40 groups of which one nobody holds, an institution principal per held group
with a webhook endpoint, one of them failing (deliveries retrying with HTTP 500),
1 % of the cases in incident, and two delivered webhooks per case. Waiting times
are spread as in a live service (most tasks a few days old, a tail of months),
the statistics are refreshed (ANALYZE) as after any bulk load.

Then, through the Flask test client with a coordinator's token (authentication,
the one stuck query, naming, JSON), each reason and all together are requested
`--repeat` times, and the first page of an institution's task list; the p95 of
each is printed. The same at a tenth of the size gives the growth ratio (the
worst per-request ratio, big ÷ small), so a query that scans instead of seeking
shows. SQLite by default; PostgreSQL (a fresh schema) when
`CIIFLOW_TEST_DATABASE_URL` is set, whose figures are then the last line:
stuck_p95_ms=<worst stuck p95> tasks_p95_ms=<p95> growth_ratio=<worst ratio>
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bench.databases import database  # noqa: E402
from engine import Engine, ManualClock  # noqa: E402
from engine.store.models import (  # noqa: E402
    ExternalTask,
    Incident,
    Instance,
    MessageSubscription,
    Task,
    TaskCandidate,
)
from tests.support.bpmn import Flow, Node, document, message, user_task  # noqa: E402
from tests.support.principals import add_principal  # noqa: E402
from webhooks import secretbox  # noqa: E402
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

TASKS_PER_CASE = 20
GROUPS = [f"group-{n:02d}" for n in range(40)]
UNHELD = "group-39"
FAILING = "inst-03"
REASONS = ("waiting", "overdue", "incident", "no_holder", "idle", "notification_failing")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
BATCH = 20_000


def process() -> bytes:
    """What the bulk rows point at: 20 named user tasks, a receive task, an external task."""
    nodes = [Node("begin_event", "startEvent")]
    flows: list[Flow] = []
    prev = "begin_event"
    for k in range(TASKS_PER_CASE):
        node = user_task(f"Task_{k:02d}", GROUPS[k % len(GROUPS)])
        node.name = f"Étape {k}"
        nodes.append(node)
        flows.append(Flow(prev, node.id))
        prev = node.id
    nodes += [Node("Wait_Answer", "receiveTask", "Réponse attendue",
                   attrs={"messageRef": "answer_message"}),
              Node("Register_Service", "serviceTask", "Enregistrer",
                   attrs={"camunda:type": "external", "camunda:topic": "register"}),
              Node("finish_end", "endEvent")]
    flows += [Flow(prev, "Wait_Answer"), Flow("Wait_Answer", "Register_Service"),
              Flow("Register_Service", "finish_end")]
    return document("bench_case", nodes, flows, extra=message("answer_message", "answer"))


def _waited(rng: random.Random) -> timedelta:
    """How long the current wait has lasted: mostly days, a tail of months."""
    return timedelta(hours=min(rng.expovariate(1 / (24 * 12)), 24 * 400))


class Filler:
    """Rows in batches through the driver itself: `executemany` on SQLite, `COPY` on
    PostgreSQL. SQLAlchemy's per-value processing would make filling a million rows take
    longer than everything measured after it; the values are given as the columns store
    them (naive UTC times, JSON text)."""

    #: parents before children: the foreign keys hold at every batch
    ORDER = (Instance, Task, TaskCandidate, MessageSubscription, ExternalTask, Incident,
             WebhookMessage, WebhookDelivery)

    def __init__(self, engine: Engine) -> None:
        self.raw = engine.db.raw_connection()
        self.sqlite = engine.db.dialect.name == "sqlite"
        self.pending: dict[Any, list[tuple[Any, ...]]] = {m.__table__: [] for m in self.ORDER}
        self.columns: dict[Any, list[str]] = {}

    def value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            naive = value.astimezone(UTC).replace(tzinfo=None)
            return naive.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else naive
        if isinstance(value, list | dict):
            return json.dumps(value)
        if isinstance(value, bool) and self.sqlite:
            return int(value)
        return value

    def add(self, model: Any, row: dict[str, Any]) -> None:
        table = model.__table__
        columns = self.columns.setdefault(table, list(row))
        self.pending[table].append(tuple(self.value(row[c]) for c in columns))
        if len(self.pending[table]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        cursor = self.raw.cursor()
        if self.sqlite:  # the engine's connections run without implicit transactions
            cursor.execute("BEGIN")
        for model in self.ORDER:
            table = model.__table__
            rows = self.pending[table]
            if not rows:
                continue
            columns = self.columns[table]
            if self.sqlite:
                cursor.executemany(
                    f"INSERT INTO {table.name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' for _ in columns)})", rows)
            else:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
                                 ) as copy:
                    for row in rows:
                        copy.write_row(row)
            self.pending[table] = []
        cursor.close()
        self.raw.commit()

    def close(self) -> None:
        self.flush()
        self.raw.close()


def fill(engine: Engine, cases: int, seed: int = 12) -> tuple[str, str]:
    """The bulk rows; returns a coordinator's and an institution's token."""
    rng = random.Random(seed)
    definition_id = engine.deploy({"bench.bpmn": process()}).definitions[0].definition_id
    coordinator = add_principal(engine, "coordinator", "coordinator").token
    institutions = {f"inst-{n:02d}": add_principal(engine, f"inst-{n:02d}", "institution",
                                                   [group])
                    for n, group in enumerate(GROUPS[:-1])}
    with engine.db.begin() as conn:
        conn.execute(insert(WebhookEndpoint.__table__), [{
            "id": f"ep_{name}", "principal_id": added.id, "url": "https://example.org/hook",
            "event_types": ["task.ready"], "description": None,
            "secret_enc": secretbox.encrypt(secretbox.generate_secret()),  # never sent to
            "previous_secret_enc": None, "previous_secret_until": None, "status": "active",
            "disabled_at": None, "disabled_reason": None,
            "failing_since": NOW - timedelta(days=2) if name == FAILING else None,
            "created_at": NOW - timedelta(days=600), "updated_at": NOW}
            for name, added in institutions.items()])
    out = Filler(engine)
    for i in range(cases):
        iid = str(uuid.UUID(int=rng.getrandbits(128)))
        started = NOW - timedelta(days=rng.uniform(1, 500))
        roll = rng.random()
        status = ("completed" if roll < 0.12 else "incident" if roll < 0.13 else "running")
        wait = rng.random()
        at = "task" if wait < 0.92 else "message" if wait < 0.97 else "external"
        last = max(started, NOW - _waited(rng))
        out.add(Instance, {
            "id": iid, "definition_id": definition_id, "process_key": "bench_case",
            "definition_version": 1, "business_key": f"B-{i:07d}", "status": status,
            "state": "{}", "version": 21, "history_seq": 60, "next_timer_at": None,
            "timer_lease_until": None, "timer_lease_by": None, "started_at": started,
            "started_by": "bench", "updated_at": last,
            "ended_at": last if status == "completed" else None})
        span = (last - started) / TASKS_PER_CASE
        ready_one = status != "completed" and at == "task"
        for k in range(TASKS_PER_CASE):
            tid = str(uuid.UUID(int=rng.getrandbits(128)))
            is_ready = ready_one and k == TASKS_PER_CASE - 1
            ready_at = last if is_ready else started + span * k
            group = UNHELD if is_ready and rng.random() < 0.02 else GROUPS[
                (k + i) % (len(GROUPS) - 1)]
            out.add(Task, {
                "id": tid, "instance_id": iid, "process_key": "bench_case",
                "activity_id": f"Task_{k:02d}", "name": f"Étape {k}", "lane": None,
                "candidate_groups": [group], "candidate_users": [], "assignee": None,
                "priority": 50, "form_key": None,
                "due_at": ready_at + timedelta(days=rng.choice((5, 10, 30)))
                if rng.random() < 0.5 else None,
                "follow_up_at": None, "ready_at": ready_at,
                "state": "ready" if is_ready else "completed",
                "completed_at": None if is_ready else ready_at + span / 2,
                "completed_by": None if is_ready else "bench"})
            out.add(TaskCandidate, {"task_id": tid, "group_id": group,
                                     "ready_at": ready_at if is_ready else None})
        if status == "running" and at == "message":
            out.add(MessageSubscription, {
                "instance_id": iid, "message_name": "answer", "business_key": f"B-{i:07d}",
                "activity_id": "Wait_Answer", "since": last, "beside": False})
        if status == "running" and at == "external":
            out.add(ExternalTask, {
                "id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": iid,
                "process_key": "bench_case", "activity_id": "Register_Service",
                "topic": "register", "state": "available", "worker_id": None,
                "lock_expires_at": None, "retries": None, "retry_at": None,
                "error_message": None, "created_at": last, "ended_at": None})
        if status == "incident":
            out.add(Incident, {
                "instance_id": iid, "activity_id": "Register_Service",
                "message": "handler 'register' failed: connection refused",
                "operation": {"op": "complete"}, "status": "open", "opened_at": last,
                "resolved_at": None, "resolved_by": None})
        for n in range(2):
            mid = f"msg_{uuid.UUID(int=rng.getrandbits(128)).hex}"
            owner = f"inst-{(i + n) % (len(GROUPS) - 1):02d}"
            failing = owner == FAILING and i >= cases - 200
            out.add(WebhookMessage, {
                "id": mid, "event_type": "task.ready", "body": "{}", "instance_id": iid,
                "created_at": last})
            out.add(WebhookDelivery, {
                "message_id": mid, "endpoint_id": f"ep_{owner}",
                "status": "retrying" if failing else "delivered",
                "attempts": 3 if failing else 1,
                "next_attempt_at": NOW + timedelta(hours=1) if failing else None,
                "lease_owner": None, "lease_until": None,
                "last_status_code": 500 if failing else 200, "last_error": None,
                "created_at": last, "updated_at": last,
                "delivered_at": None if failing else last})
    out.close()
    _analyze(engine)
    return coordinator, institutions["inst-07"].token


def _analyze(engine: Engine) -> None:
    with engine.db.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("ANALYZE"))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(engine: Engine, coordinator: str, institution: str, repeat: int
            ) -> dict[str, float]:
    """p95 in ms of each request, through the app as a client calls it."""
    from workflows.app import create_app

    client = create_app({"TESTING": True}, engine=engine).test_client()
    requests = {reason: (coordinator, f"/api/v1/stuck?reason={reason}") for reason in REASONS}
    requests["all"] = (coordinator, "/api/v1/stuck")
    requests["tasks"] = (institution, "/api/v1/tasks")
    figures: dict[str, list[float]] = {name: [] for name in requests}
    for token, path in requests.values():  # warm: caches, plans, the spec
        answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
    for _ in range(repeat):  # interleaved, so a neighbour's burst hits every request alike
        for name, (token, path) in requests.items():
            started = time.perf_counter()
            answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
            body = answer.get_data()
            figures[name].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200 and json.loads(body)["items"], (name, path)
    print("  p50 ms: " + " ".join(f"{name}={statistics.median(samples):.1f}"
                                  for name, samples in figures.items()), flush=True)
    return {name: p95(samples) for name, samples in figures.items()}


def run(backend: str, cases: int, repeat: int) -> dict[str, float]:
    with database(backend) as url:
        engine = Engine(url, clock=ManualClock(NOW))
        metadata.create_all(engine.db)
        started = time.perf_counter()
        coordinator, institution = fill(engine, cases)
        with engine.db.connect() as conn:
            tasks = conn.scalar(text("SELECT count(*) FROM task"))
        print(f"{backend}: {cases} cases, {tasks} task rows filled in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        figures = measure(engine, coordinator, institution, repeat)
        engine.db.dispose()
    print(f"{backend} {cases} cases p95 ms: "
          + " ".join(f"{name}={ms:.1f}" for name, ms in figures.items()), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--growth", type=int, default=10,
                        help="the small run has cases ÷ this (10: 5,000 → 50,000)")
    args = parser.parse_args()
    os.environ.setdefault("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("CIIFLOW_TEST_DATABASE_URL")
                             else [])
    last = ""
    for backend in backends:
        small = run(backend, args.cases // args.growth, args.repeat)
        big = run(backend, args.cases, args.repeat)
        stuck = max(ms for name, ms in big.items() if name != "tasks")
        growth = max(big[name] / small[name] for name in big)
        worst = max(big, key=lambda name: big[name] / small[name])
        last = (f"stuck_p95_ms={stuck:.1f} tasks_p95_ms={big['tasks']:.1f} "
                f"growth_ratio={growth:.2f}")
        print(f"{backend}: {last} (worst growth: {worst}; median stuck p95 "
              f"{statistics.median(ms for n, ms in big.items() if n != 'tasks'):.1f} ms)",
              flush=True)
    print(last)


if __name__ == "__main__":
    main()
