"""Task completions per second over real HTTP (gunicorn, 2 workers) vs in-process.

Why: the API must not cost much more than the engine step it wraps. The same
run measures `engine.complete_task` in process, then completions through
`POST /api/v1/tasks/{id}/complete` (auth, form validation, access checks, the
step, the next-task query) against gunicorn (2 workers x 4 threads) started as
a subprocess on a free port: first one client (latency, for the ratio), then
`--clients` concurrent clients (throughput, what institutions together get).
SQLite by default; PostgreSQL too when `CIIFLOW_TEST_DATABASE_URL` is set, and
then the last line is PostgreSQL's.

    python bench/http_steps.py [--steps 300] [--clients 8]

Last line: `http_steps_per_s=<concurrent throughput> http_ratio=<one client's http
time per step / engine time per step>`.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine  # noqa: E402
from engine.store.db import make_engine  # noqa: E402
from engine.store.models import Task  # noqa: E402
from engine.store.principals import create_principal  # noqa: E402
from tests.workflows.processes import one_task  # noqa: E402
from workflows.migrate import metadata  # noqa: E402
from workflows.runtime import install_webhooks  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    base = os.environ["CIIFLOW_TEST_DATABASE_URL"]
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def ready_tasks(engine: Engine, n: int) -> list[str]:
    ids = [engine.start("one_task", f"b-{i}", {}).instance.id for i in range(n)]
    with engine.sessions() as s:
        return list(s.scalars(select(Task.id).where(Task.instance_id.in_(ids),
                                                    Task.state == "ready")))


@contextmanager
def gunicorn(url: str, port: int) -> Iterator[str]:
    env = {**os.environ, "CIIFLOW_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-k", "gthread",
         "--threads", "4", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "workflows.app:create_app()"],
        cwd=ROOT, env=env)
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


def complete_all(base: str, token: str, tasks: list[str], clients: int) -> float:
    """Complete `tasks` with `clients` concurrent HTTP clients; returns wall seconds."""
    chunks = [tasks[i::clients] for i in range(clients)]

    def work(chunk: list[str]) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            for task_id in chunk:
                http.post(f"{base}/api/v1/tasks/{task_id}/complete",
                          json={"data": {"done": True}}, timeout=30).raise_for_status()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(work, chunks))
    return time.perf_counter() - t0


def run(backend: str, steps: int, clients: int) -> tuple[float, float, float]:
    """(http seconds per step with one client, engine seconds per step, http steps/s
    with `clients` concurrent clients)."""
    with database(backend) as url:
        db = make_engine(url)
        metadata.create_all(db)
        engine = Engine(db)
        install_webhooks(engine)  # the same subscribers as the served app
        engine.deploy({"one_task.bpmn": one_task()})
        with engine.sessions.begin() as s:
            _, token = create_principal(s, name="oai", role="institution", groups=["oai"],
                                        now=engine.clock.now())

        tasks = ready_tasks(engine, steps)
        t0 = time.perf_counter()
        for task_id in tasks:
            engine.complete_task(task_id, {"done": True}, actor="oai")
        engine_per_step = (time.perf_counter() - t0) / len(tasks)

        serial, concurrent = ready_tasks(engine, steps), ready_tasks(engine, steps * 2)
        with gunicorn(url, free_port()) as base:
            complete_all(base, token, serial[:20], 4)  # warm every worker thread
            http_per_step = complete_all(base, token, serial[20:], 1) / (len(serial) - 20)
            throughput = len(concurrent) / complete_all(base, token, concurrent, clients)
        db.dispose()
    print(f"{backend}: engine {1 / engine_per_step:.0f} steps/s ({engine_per_step * 1e3:.2f} ms); "
          f"http, 1 client {1 / http_per_step:.0f} steps/s ({http_per_step * 1e3:.2f} ms, "
          f"ratio {http_per_step / engine_per_step:.2f}); http, {clients} clients "
          f"{throughput:.0f} steps/s")
    return http_per_step, engine_per_step, throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("CIIFLOW_TEST_DATABASE_URL")
                             else [])
    results = [run(b, args.steps, args.clients) for b in backends]
    # The goal is set on PostgreSQL: report it when it ran.
    http_per_step, engine_per_step, throughput = results[-1]
    print(f"http_steps_per_s={throughput:.0f} "
          f"http_ratio={http_per_step / engine_per_step:.2f}")


if __name__ == "__main__":
    main()
