"""Task completions per second over real HTTP (gunicorn, 2 workers) vs in-process.

Why: the API must not cost much more than the engine step it wraps. The same
run measures `engine.complete_task` in process, then completions through
`POST /api/v1/tasks/{id}/complete` (auth, form validation, access checks, the
step, the next-task query) against gunicorn started as a subprocess on a free
port: first one client (latency, for the ratio), then `--clients` concurrent
clients (throughput, what institutions together get). SQLite by default;
PostgreSQL too when `CIIFLOW_TEST_DATABASE_URL` is set, and then the last line is
PostgreSQL's.

gunicorn runs with the production configuration (`-c python:workflows.gunicorn_conf`:
the problem+json threaded worker with its 8 threads, JSON request lines at INFO,
multiprocess metrics) and differs from it in two options only: `-w 2` (production:
`WEB_CONCURRENCY`, 4) and `-b` on a free port; its log lines go to /dev/null. The
clients are the standard library's `http.client`, one kept-alive connection each, as a
proxy's upstream connections are (nginx, docs/production.md): `requests` spent
0.6 ms of the same two cores per request on building it (measured against a
do-nothing WSGI app: 0.94 ms per POST with requests, 0.30 ms with http.client),
which the old runs counted as server time. `--client requests` measures as before.

    python bench/http_steps.py [--batch 40] [--clients 8] [--rounds 7] [--client requests]

The three are measured in alternating short rounds (`bench/rounds.py`), so that a
neighbour's load hits them alike. Last line: `http_steps_per_s=<median throughput
with --clients> http_ratio=<median of one client's http time per step / engine time
per step> (<min>–<max>, <n> rounds) scaling=<median of --clients throughput / one
client's> (<min>–<max>, <n> rounds)`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import database  # noqa: E402
from bench.rounds import Rounds, alternate, median_spread  # noqa: E402
from engine import Engine  # noqa: E402
from engine.store.db import make_engine  # noqa: E402
from engine.store.models import Task  # noqa: E402
from tests.workflows.processes import one_task  # noqa: E402
from workflows.migrate import metadata  # noqa: E402
from workflows.runtime import install_webhooks  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready_tasks(engine: Engine, n: int) -> list[str]:
    ids = [engine.start("one_task", f"b-{i}", {}).instance.id for i in range(n)]
    with engine.sessions() as s:
        return list(s.scalars(select(Task.id).where(Task.instance_id.in_(ids),
                                                    Task.state == "ready")))


@contextmanager
def gunicorn(url: str, port: int) -> Iterator[str]:
    """gunicorn with the production configuration, 2 workers, on `port`."""
    metrics_dir = tempfile.TemporaryDirectory(prefix="ciiflow-bench-metrics-")
    env = {**os.environ, "CIIFLOW_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
           "PROMETHEUS_MULTIPROC_DIR": metrics_dir.name}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "python:workflows.gunicorn_conf",
         "-w", "2", "-b", f"127.0.0.1:{port}", "workflows.app:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        metrics_dir.cleanup()


#: how the clients send: "http.client" (default) or "requests" (the runs before)
CLIENT = {"name": "http.client"}


def _complete_with_requests(base: str, token: str, chunk: list[str]) -> None:
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        for task_id in chunk:
            http.post(f"{base}/api/v1/tasks/{task_id}/complete",
                      json={"data": {"done": True}}, timeout=30).raise_for_status()


def _complete_with_http_client(base: str, token: str, chunk: list[str]) -> None:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"data": {"done": True}})
    try:
        for task_id in chunk:
            connection.request("POST", f"/api/v1/tasks/{task_id}/complete", body, headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"task {task_id}: HTTP {answer.status}")
    finally:
        connection.close()


def complete_all(base: str, token: str, tasks: list[str], clients: int) -> float:
    """Complete `tasks` with `clients` concurrent HTTP clients; returns wall seconds."""
    chunks = [tasks[i::clients] for i in range(clients)]
    send = (_complete_with_requests if CLIENT["name"] == "requests"
            else _complete_with_http_client)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda chunk: send(base, token, chunk), chunks))
    return time.perf_counter() - t0


def run(backend: str, batch: int, clients: int, rounds: int) -> tuple[Rounds, Rounds]:
    """Per round: the engine in process, one HTTP client and `clients` HTTP clients, each
    on `batch` fresh tasks; returns (http ÷ engine time per step, clients ÷ one client
    throughput) over the rounds."""
    with database(backend) as url:
        db = make_engine(url)
        metadata.create_all(db)
        engine = Engine(db)
        install_webhooks(engine)  # the same subscribers as the served app
        engine.deploy({"one_task.bpmn": one_task()})
        token = engine.create_principal("oai", "institution", groups=["oai"]).token
        # Cases are started by an engine of their own, as gunicorn's are by the bench: the
        # in-process side must not find their workflows in its state cache when the
        # served side cannot (engine.runtime.state_cache), or it would do less work.
        starter = Engine(db)

        def in_process() -> float:
            tasks = ready_tasks(starter, batch)
            t0 = time.perf_counter()
            for task_id in tasks:
                engine.complete_task(task_id, {"done": True}, actor="oai")
            return (time.perf_counter() - t0) / len(tasks)

        with gunicorn(url, free_port()) as base:
            complete_all(base, token, ready_tasks(starter, 40), clients)  # warm the threads

            def one_client() -> float:
                tasks = ready_tasks(starter, batch)
                return complete_all(base, token, tasks, 1) / len(tasks)

            def many_clients() -> float:
                tasks = ready_tasks(starter, batch * 2)
                return complete_all(base, token, tasks, clients) / len(tasks)

            latency = alternate(in_process, one_client, rounds)
            # a ratio of throughputs: one client's time per step over the clients' time
            scaling = alternate(many_clients, one_client, rounds)
        db.dispose()
    print(f"{backend}: engine {median_spread([1 / s for s in latency.baseline], 0)} steps/s; "
          f"http, 1 client {median_spread([1 / s for s in latency.subject], 0)} steps/s; "
          f"http, {clients} clients {median_spread([1 / s for s in scaling.baseline], 0)} "
          f"steps/s; {latency.spread('http_ratio')}; {scaling.spread('scaling')}")
    return latency, scaling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=40, help="tasks per round and side")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--client", choices=("http.client", "requests"), default="http.client")
    args = parser.parse_args()
    CLIENT["name"] = args.client
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("CIIFLOW_TEST_DATABASE_URL")
                             else [])
    results = [run(b, args.batch, args.clients, args.rounds) for b in backends]
    # The goals are set on PostgreSQL: report it when it ran.
    latency, scaling = results[-1]
    throughput = statistics.median(1 / s for s in scaling.baseline)
    print(f"http_steps_per_s={throughput:.0f} {latency.spread('http_ratio')} "
          f"{scaling.spread('scaling')}")


if __name__ == "__main__":
    main()
