"""Webhook dispatch benchmark: deliveries per second, and latency from task ready to receipt.

Run: `.venv/bin/python bench/webhooks.py [--deliveries 5000] [--tasks 300]`.
Uses a fresh SQLite file (or `--database-url`), one dispatcher (a thread pool
and pooled connections, in this process) and a loopback receiver in another
process, so the receiver does not compete with the dispatcher for the GIL.

1. throughput: N deliveries are queued, then one dispatcher drains them;
2. latency: with the dispatcher running, instances are started at a steady pace;
   each start commits a `task.ready`; the receiver stamps its arrival.
Throughput runs in alternating rounds (`bench/rounds.py`) against a bare sender that
signs and POSTs the same number of messages with the same threads and no database.
The last line is machine-readable: `deliveries_per_s=<median of ours>
delivery_ratio=<ours ÷ bare throughput> (<min>–<max>, <n> rounds)
ready_to_delivered_p50_ms=<n> p95_ms=<n>`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from standardwebhooks import Webhook  # noqa: E402

from bench.rounds import alternate  # noqa: E402


def receiver_main(conn: Connection) -> None:
    """A keep-alive HTTP/1.1 receiver recording (task_id or message id, arrival time)."""
    arrivals: list[tuple[str, float]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            at = time.time()
            key = json.loads(body)["data"].get("task_id") or self.headers["webhook-id"]
            with lock:
                arrivals.append((key, at))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    conn.send(server.server_address[1])
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    while True:
        command = conn.recv()
        if command == "count":
            with lock:
                conn.send(len(arrivals))
        elif command == "dump":
            with lock:
                conn.send(list(arrivals))
        else:
            break


def wait_count(conn: Connection, want: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    count = 0
    while time.monotonic() < deadline:
        conn.send("count")
        count = conn.recv()
        if count >= want:
            break
        time.sleep(0.01)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="instances started per second")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--threads", type=int, default=8,
                        help="sender threads (8 suits a 2-core machine with a local receiver)")
    args = parser.parse_args()

    os.environ.setdefault("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    os.environ["CIIFLOW_WEBHOOK_ALLOW_HOSTS"] = "127.0.0.1"
    from engine import Engine, SystemClock
    from engine.store.principals import create_principal
    from tests.engine import processes
    from webhooks import endpoints, install, outbox, payloads
    from webhooks.config import WebhookSettings
    from webhooks.dispatcher import Dispatcher
    from webhooks.secretbox import generate_secret
    from workflows.migrate import metadata

    here, theirs = multiprocessing.Pipe()
    receiver = multiprocessing.Process(target=receiver_main, args=(theirs,), daemon=True)
    receiver.start()
    port = here.recv()
    url = f"http://127.0.0.1:{port}/hook"

    tmp = tempfile.mkdtemp(prefix="ciiflow-bench-")
    db_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    engine = Engine(db_url, clock=SystemClock())
    metadata.create_all(engine.db)
    install(engine)
    settings = WebhookSettings(allow_hosts=frozenset({"127.0.0.1"}), threads=args.threads)
    with engine.sessions.begin() as s:
        principal, _ = create_principal(s, name="team", role="institution",
                                        groups=["cii-team-sion"], now=engine.clock.now())
        endpoint, _ = endpoints.create_endpoint(s, principal_id=principal.id, url=url,
                                                event_types=["task.ready"],
                                                now=engine.clock.now(), settings=settings)
        endpoint_id = endpoint.id

    # 1. throughput, in alternating rounds against a bare sender (sign + POST, same
    #    threads, same receiver, no database): what the outbox, claims and logs cost
    dispatcher = Dispatcher(engine.sessions, clock=engine.clock, settings=settings)
    stop = threading.Event()
    worker = threading.Thread(target=dispatcher.run_forever, args=(stop,),
                              kwargs={"poll_interval": 0.01, "limit": 200}, daemon=True)
    worker.start()
    per_round = max(50, args.deliveries // args.rounds)
    received = 0

    def ours() -> float:
        nonlocal received
        with engine.sessions.begin() as s:
            for i in range(per_round):
                outbox.enqueue(s, event_type=payloads.TASK_READY, at=engine.clock.now(),
                               endpoint_ids=[endpoint_id],
                               data=payloads.task_data(task_id=f"bulk-{received + i}",
                                                       instance_id="i", process_key="p",
                                                       activity="a", groups=["g"],
                                                       state="ready"))
        began = time.monotonic()
        received = wait_count(here, received + per_round, timeout=300)
        return per_round / (time.monotonic() - began)

    bare_sender = Webhook(generate_secret())
    client = httpx.Client(timeout=15)

    def bare() -> float:
        nonlocal received

        def send(i: int) -> None:
            body = json.dumps({"type": "task.ready", "data": {"task_id": f"bare-{i}"}})
            msg_id = f"msg_bare_{received}_{i}"
            at = datetime.now(UTC)
            client.post(url, content=body, headers={
                "content-type": "application/json", "webhook-id": msg_id,
                "webhook-timestamp": str(int(at.timestamp())),
                "webhook-signature": bare_sender.sign(msg_id, at, body)})

        began = time.monotonic()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(send, range(per_round)))
        received = wait_count(here, received + per_round, timeout=300)
        return per_round / (time.monotonic() - began)

    ours()  # warm the dispatcher's connections
    measured = alternate(bare, ours, args.rounds)
    client.close()
    got = received
    rate = statistics.median(measured.subject)
    print(f"throughput: ours {rate:.0f}/s, bare sign+POST "
          f"{statistics.median(measured.baseline):.0f}/s ({per_round} per round)")

    # 2. latency from the commit of task.ready to its arrival, dispatcher running
    engine.deploy({"p.bpmn": processes.three_tasks()})
    committed: dict[str, float] = {}
    from sqlalchemy import select

    from engine.store.models import Task

    for i in range(args.tasks):
        outcome = engine.start("three_tasks", f"bench-{i}", {"region": "sion"})
        at = time.time()
        with engine.sessions() as s:
            task_id = s.scalar(select(Task.id).where(Task.instance_id == outcome.instance.id))
        committed[task_id] = at
        time.sleep(max(0.0, 1 / args.rate - 0.001))
    wait_count(here, got + args.tasks, timeout=60)
    stop.set()
    worker.join(timeout=30)
    dispatcher.close()
    here.send("dump")
    arrivals = dict(here.recv())
    here.send("stop")
    latencies = sorted((arrivals[t] - c) * 1000 for t, c in committed.items() if t in arrivals)
    if len(latencies) < len(committed):
        print(f"warning: {len(committed) - len(latencies)} task.ready not received")
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"latency over {len(latencies)} tasks (commit of task.ready to receipt)")
    print(f"deliveries_per_s={rate:.0f} {measured.spread('delivery_ratio')} "
          f"ready_to_delivered_p50_ms={p50:.1f} p95_ms={p95:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
