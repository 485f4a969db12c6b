"""What the request id, the JSON request line and the latency histogram add to a request.

Two apps on one engine (SQLite file, or PostgreSQL when
`CIIFLOW_TEST_DATABASE_URL` is set): the service as built, its JSON log
handler writing to an in-memory stream at INFO as in production, and the same
app with the hooks of workflows/logs.py and workflows/metrics.py taken out. An
institution's task list (`GET /api/v1/tasks`: token, one query, JSON) through
the Flask test client, in alternating rounds (bench/rounds.py). Last line:
plain_ms=<median per request> observed_ms=<median> cost=<median ratio (range, rounds)>
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402

from bench.databases import database  # noqa: E402
from bench.rounds import alternate  # noqa: E402
from engine import Engine  # noqa: E402
from tests.support.principals import add_principal, bearer  # noqa: E402
from tests.workflows.processes import one_task  # noqa: E402
from workflows import logs, metrics  # noqa: E402
from workflows.app import create_app  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

HOOKS = {logs._begin, logs._finish, logs._forget, metrics._started, metrics._observed}


def without_hooks(app: Flask) -> Flask:
    for table in (app.before_request_funcs, app.after_request_funcs,
                  app.teardown_request_funcs):
        for key, functions in table.items():
            table[key] = [f for f in functions if f not in HOOKS]
    return app


def per_request(app: Flask, headers: dict[str, str], requests: int) -> float:
    client = app.test_client()
    start = time.perf_counter()
    for _ in range(requests):
        assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    return (time.perf_counter() - start) * 1000 / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with database() as url:
        engine = Engine(url)
        metadata.create_all(engine.db)
        engine.deploy({"one_task.bpmn": one_task()})
        for i in range(20):
            engine.start("one_task", f"H-{i}", {})
        headers = bearer(add_principal(engine, "oai-1", "institution", ["oai"]).token)
        root = logging.getLogger()
        root.addHandler(logs.json_handler(io.StringIO()))
        root.setLevel(logging.INFO)
        observed = create_app({"TESTING": True}, engine=engine)
        plain = without_hooks(create_app({"TESTING": True}, engine=engine))
        per_request(observed, headers, 20), per_request(plain, headers, 20)  # warm
        rounds = alternate(lambda: per_request(plain, headers, args.requests),
                           lambda: per_request(observed, headers, args.requests), args.rounds)
        print(f"{engine.db.dialect.name}: GET /api/v1/tasks, {args.requests} requests a round")
        print(f"plain_ms={statistics.median(rounds.baseline):.3f} "
              f"observed_ms={statistics.median(rounds.subject):.3f} {rounds.spread('cost')}")
        engine.db.dispose()


if __name__ == "__main__":
    main()
