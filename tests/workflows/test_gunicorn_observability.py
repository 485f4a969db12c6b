"""Under gunicorn with several workers, as in production: `/metrics` adds up every worker's
counts whichever worker answers, and every line logged (gunicorn's own included) is JSON.

A real gunicorn with the committed configuration and two worker processes, on a free
loopback port and an SQLite file; requests go over fresh connections, so the kernel
hands them to either worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from tests.workflows.test_gunicorn import ROOT, Served, free_port
from workflows.migrate import upgrade

TOKEN = "scrape-7d41"
BATCH = 4
MAX_REQUESTS = 800


def writers(counts: Path) -> set[str]:
    """The pids whose request-latency histogram has a file in the directory."""
    return {path.stem.rsplit("_", 1)[1] for path in counts.glob("histogram_*.db")}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path]]:
    tmp = tmp_path_factory.mktemp("gunicorn-metrics")
    counts = tmp / "metrics"
    counts.mkdir()
    (counts / "counter_1.db").write_bytes(b"stale")  # a previous run's file: emptied at start
    env = {**os.environ, "CIIFLOW_DATABASE_URL": f"sqlite:///{tmp / 'ciiflow.sqlite3'}",
           "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp),
           "CIIFLOW_METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(counts)}
    database = create_engine(env["CIIFLOW_DATABASE_URL"])
    upgrade(database)
    database.dispose()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:workflows.gunicorn_conf",
         "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "2",
         "workflows.app:create_app()"],
        env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        running = Served(server, port)
        running.wait_for_line("Listening at", timeout=30)
        running.wait_for_line("Booting worker", timeout=30)
        yield running, counts
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def healthz_count(base: str) -> float:
    response = requests.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}",
                                                        "Connection": "close"}, timeout=30)
    assert response.status_code == 200, response.text
    return sum(s.value for family in text_string_to_metric_families(response.text)
               for s in family.samples
               if s.name == "ciiflow_http_request_duration_seconds_count"
               and s.labels["route"] == "/healthz")


def test_every_worker_counts_into_what_any_worker_answers(
        served: tuple[Served, Path]) -> None:
    running, counts = served
    base = f"http://{running.address[0]}:{running.address[1]}"
    def probe(i: int) -> None:
        answered = requests.get(f"{base}/healthz", headers={"X-Request-Id": f"probe-{i}",
                                                            "Connection": "close"}, timeout=30)
        assert answered.headers["X-Request-Id"] == f"probe-{i}"

    sent = 0
    with ThreadPoolExecutor(BATCH) as pool:  # batches in parallel until both workers served
        while len(writers(counts)) < 2 and sent < MAX_REQUESTS:
            list(pool.map(probe, range(sent, sent + BATCH)))
            sent += BATCH
    assert len(writers(counts)) == 2, writers(counts)  # each worker counted some of them
    assert not (counts / "counter_1.db").exists()
    assert [healthz_count(base) for _ in range(6)] == [sent] * 6

    leaked = requests.get(f"{base}/healthz?business_key=AVS-756.0042.0042.42",
                          headers={"Authorization": "Bearer tok-9f8e7d", "X-Request-Id": "q-1"},
                          timeout=30)
    assert leaked.status_code == 200
    running.wait_for_line('"request_id": "q-1"')
    assert not any("0042" in text or "tok-9f8e7d" in text for text in running.lines)
    running.wait_for_line('"logger": "ciiflow.requests"')
    mine = [json.loads(text) for text in running.lines if '"probe-0"' in text]
    request = next(line for line in mine if line["logger"] == "ciiflow.requests")
    assert request["route"] == "/healthz" and request["status"] == 200
    for text in running.lines:
        json.loads(text)  # gunicorn's own lines too ("Booting worker", "Listening at")
