"""The crash proof: SIGKILL server and worker processes under load, then check nothing was lost.

Why: the engine's claims (a step is one transaction with its history and outbox rows,
compare-and-set on the instance, leases on timers and deliveries) only matter if they
hold when processes die mid-request. This script runs the real service on PostgreSQL
(`CIIFLOW_TEST_DATABASE_URL`, a schema of its own, `ciiflow db upgrade`): gunicorn
with 2 workers, 2 `ciiflow worker` processes and a loopback webhook receiver. A small
process (user task, 2-s timer, user task) is deployed; cases are started and tasks
completed over the API by client threads that retry when a server process died under
them, while a killer thread sends SIGKILL every 1–2 s to a random gunicorn worker
(gunicorn respawns it) or `ciiflow worker` (restarted here). Then it drains (every case
completed, every delivery delivered, within `--drain` seconds: a killed dispatcher's
delivery lease runs 120 s) and checks the invariants against the database and the
receiver.

    CIIFLOW_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/crash.py [--cases 600] [--duration 75] [--kills 30]

Last line: `kills=<n> lost=<n> doubled=<n>`; exit 0 when nothing was lost or doubled.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import database  # noqa: E402
from bench.http_steps import free_port  # noqa: E402
from tests.support.bpmn import Flow, Node, document, timer, user_task  # noqa: E402

BIN = Path(sys.executable).parent
PROCESS = "crash_proof"
GROUP = "cii-team-sion"


def process() -> bytes:
    """Two user tasks with an intermediate 2-s timer between them: workers fire timers."""
    nodes = [Node("start_event", "startEvent"), user_task("first_task", GROUP),
             Node("wait_timer", "intermediateCatchEvent", inner=timer("PT2S")),
             user_task("second_task", GROUP), Node("done_end", "endEvent")]
    flows = [Flow("start_event", "first_task"), Flow("first_task", "wait_timer"),
             Flow("wait_timer", "second_task"), Flow("second_task", "done_end")]
    return document(PROCESS, nodes, flows)


class Receiver:
    """A loopback webhook receiver recording every (webhook-id, type, task id) it is sent."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str | None]] = []
        lock = threading.Lock()
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
                with lock:
                    seen.append((self.headers["webhook-id"], body["type"],
                                 body["data"].get("task_id")))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        receiver = self
        self.resets = 0

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                receiver.resets += 1  # a dispatcher killed mid-send: counted, not printed

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (gunicorn's workers), read from /proc."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:  # field 4 of stat, after the ")" that ends the command name, is the parent
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


class Service:
    """gunicorn (2 workers) and 2 `ciiflow worker` processes, each in a session of its own
    so that Ctrl-C reaches only this script, which then stops them."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.base = f"http://127.0.0.1:{port}"
        self.gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:workflows.gunicorn_conf", "-w", "2",
             "-b", f"127.0.0.1:{port}", "--log-level", "critical",
             "workflows.app:create_app()"], cwd=ROOT, env=env, start_new_session=True)
        self.workers = [self.worker() for _ in range(2)]
        self.lock = threading.Lock()

    def worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(BIN / "ciiflow"), "worker", "--interval", "0.2"], cwd=ROOT,
                                env=self.env, start_new_session=True,
                                stdout=subprocess.DEVNULL)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.gunicorn.poll() is None:
            try:
                requests.get(f"{self.base}/healthz", timeout=2).raise_for_status()
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def kill_one(self, rng: random.Random) -> str:
        """SIGKILL a random gunicorn worker or `ciiflow worker`; restart the latter."""
        web = children(self.gunicorn.pid)
        victims = [("web", pid) for pid in web] + [("worker", i) for i in range(2)]
        kind, which = rng.choice(victims)
        with self.lock:
            if kind == "web":
                try:
                    os.kill(which, signal.SIGKILL)
                    return "web"
                except ProcessLookupError:
                    return "none"
            proc = self.workers[which]
            proc.kill()
            proc.wait()
            self.workers[which] = self.worker()
            return "worker"

    def stop(self) -> None:
        with self.lock:
            for proc in [*self.workers, self.gunicorn]:
                if proc.poll() is None:
                    proc.terminate()
            for proc in [*self.workers, self.gunicorn]:
                try:
                    proc.wait(timeout=35)
                except subprocess.TimeoutExpired:
                    proc.kill()


class Load:
    """Clients that start cases and complete tasks over HTTP, retrying through crashes."""

    def __init__(self, base: str, token: str, db: Any, stop: threading.Event) -> None:
        self.base, self.token, self.db, self.stop = base, token, db, stop
        self.counts: Counter[str] = Counter()
        self.todo: queue.Queue[str] = queue.Queue()
        self.queued: set[str] = set()
        self.lock = threading.Lock()

    def count(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1

    def call(self, method: str, path: str, body: Any = None,
             done: Callable[[], bool] | None = None) -> requests.Response | None:
        """One request, sent again after a dropped connection or a 5xx; `done` tells (from the
        database) whether a request that died already took effect, so it is not sent again.
        Without `done`, a 404/409 to a request sent again is a duplicate attempt: the first
        one had taken effect before its server process died."""
        for attempt in range(60):
            if attempt:
                self.count("retries")
                time.sleep(0.2)
                if done is not None and done():
                    self.count("took_effect_before_crash")
                    return None
            try:
                r = requests.request(method, f"{self.base}{path}", json=body, timeout=30,
                                     headers={"Authorization": f"Bearer {self.token}"})
            except requests.RequestException:  # refused, reset, cut mid-answer, timed out
                self.count("dropped_connections")
                continue
            if r.status_code >= 500:
                self.count(f"http_{r.status_code}")
                continue
            if attempt and r.status_code in (404, 409):
                self.count("duplicate_attempts")
            return r
        self.count("gave_up")
        return None

    def starter(self, cases: int, rate: float) -> None:
        t0 = time.monotonic()
        for i in range(cases):
            if self.stop.is_set():
                return
            time.sleep(max(0.0, t0 + i / rate - time.monotonic()))
            key = f"crash-{i}"

            def started(key: str = key) -> bool:
                with self.db.connect() as c:
                    return bool(c.execute(text("SELECT count(*) FROM instance WHERE "
                                               "business_key = :k"), {"k": key}).scalar())
            r = self.call("POST", f"/api/v1/processes/{PROCESS}/instances",
                          {"business_key": key}, started)
            self.count("started" if r is None or r.status_code == 201
                       else f"start_{r.status_code}")

    def lister(self) -> None:
        while not self.stop.is_set():
            r = self.call("GET", "/api/v1/tasks?limit=200")
            if r is not None and r.status_code == 200:
                for item in r.json()["items"]:
                    with self.lock:
                        if item["id"] in self.queued:
                            continue
                        self.queued.add(item["id"])
                    self.todo.put(item["id"])
            time.sleep(0.3)

    def completer(self) -> None:
        while not self.stop.is_set():
            try:
                task_id = self.todo.get(timeout=0.2)
            except queue.Empty:
                continue
            # sent again after a crash whatever happened: a completion that had committed
            # must come back 409 (the server's compare-and-set), never complete twice
            r = self.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": {}})
            if r is None or r.status_code == 200:
                self.count("completed")
            elif r.status_code not in (404, 409):
                self.count(f"complete_{r.status_code}")


def ciiflow(env: dict[str, str], *args: str) -> str:
    return subprocess.run([str(BIN / "ciiflow"), *args], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def drained(db: Any) -> tuple[bool, str]:
    with db.connect() as c:
        open_cases = c.execute(text("SELECT count(*) FROM instance WHERE status <> 'completed'"
                                    )).scalar()
        pending = c.execute(text("SELECT count(*) FROM webhook_delivery WHERE status <> "
                                 "'delivered'")).scalar()
    return open_cases == 0 and pending == 0, f"open cases {open_cases}, undelivered {pending}"


def check(db: Any, cases: int, receiver: Receiver) -> tuple[int, int]:
    """Print each invariant; returns (lost, doubled)."""
    with db.connect() as c:
        return invariants(lambda sql: c.execute(text(sql)).all(), cases, receiver)


def invariants(q: Callable[[str], Any], cases: int, receiver: Receiver) -> tuple[int, int]:
    instances = q("SELECT id, business_key, status FROM instance")
    by_key = Counter(k for _, k, _ in instances)
    not_done = sum(1 for *_, s in instances if s != "completed")
    missing_cases = sum(1 for i in range(cases) if not by_key[f"crash-{i}"])
    extra_cases = sum(n - 1 for n in by_key.values() if n > 1)
    print(f"cases: {len(instances)} of {cases} started, {not_done} not completed, "
          f"{missing_cases} never started, {extra_cases} started twice")
    tasks = q("SELECT id, instance_id, activity_id, state FROM task")
    per_activity = Counter((i, a) for _, i, a, _ in tasks)
    done_rows = Counter(t for (t,) in q("SELECT task_id FROM history "
                                        "WHERE kind = 'task_completed'"))
    uncompleted = sum(1 for t, *_ in tasks if done_rows[t] == 0)
    twice = sum(1 for t, *_ in tasks if done_rows[t] > 1)
    missing_tasks = sum(1 for iid, *_ in instances for a in ("first_task", "second_task")
                        if per_activity[(iid, a)] == 0)
    double_tasks = sum(n - 1 for n in per_activity.values() if n > 1)
    print(f"completions: {len(tasks)} tasks, {sum(done_rows.values())} task_completed rows; "
          f"{uncompleted} without, {twice} completed twice; {missing_tasks} task rows missing, "
          f"{double_tasks} activities made ready twice")
    fired = Counter(i for (i,) in q("SELECT instance_id FROM history WHERE kind = 'timer_fired'"))
    timers_lost = sum(1 for iid, *_ in instances if fired[iid] == 0)
    timers_twice = sum(1 for iid, *_ in instances if fired[iid] > 1)
    print(f"timers: {sum(fired.values())} fired for {len(instances)} cases; "
          f"{timers_lost} never, {timers_twice} more than once")
    messages = q("SELECT m.id, m.body, d.status FROM webhook_message m JOIN webhook_delivery d "
                 "ON d.message_id = m.id WHERE m.event_type = 'task.ready'")
    received = Counter(mid for mid, kind, _ in receiver.seen if kind == "task.ready")
    ids_per_task: dict[str, set[str]] = defaultdict(set)
    for mid, task_id in [*((m, json.loads(b)["data"]["task_id"]) for m, b, _ in messages),
                         *((m, t) for m, kind, t in receiver.seen if kind == "task.ready")]:
        ids_per_task[task_id].add(mid)
    undelivered = sum(1 for mid, _, status in messages if not received[mid])
    not_marked = sum(1 for *_, status in messages if status != "delivered")
    no_message = sum(1 for t, *_ in tasks if not ids_per_task[t])
    two_ids = sum(1 for ids in ids_per_task.values() if len(ids) > 1)
    redelivered = sum(n - 1 for n in received.values() if n > 1)
    print(f"webhooks: {len(messages)} task.ready deliveries, {sum(received.values())} received; "
          f"{undelivered} never received ({not_marked} not marked delivered), {no_message} "
          f"tasks without a message, {redelivered} same-id redeliveries (allowed), "
          f"{receiver.resets} connections cut mid-send, {two_ids} tasks with two webhook ids")
    return (not_done + missing_cases + uncompleted + missing_tasks + timers_lost + undelivered
            + no_message, twice + double_tasks + timers_twice + two_ids + extra_cases)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--duration", type=float, default=75.0, help="seconds of load")
    parser.add_argument("--kills", type=int, default=30, help="at most this many SIGKILLs")
    parser.add_argument("--clients", type=int, default=6, help="completing client threads")
    parser.add_argument("--drain", type=float, default=240.0, help="seconds to drain at most")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if not os.environ.get("CIIFLOW_TEST_DATABASE_URL"):
        sys.exit("set CIIFLOW_TEST_DATABASE_URL (PostgreSQL)")
    rng = random.Random(args.seed)
    receiver = Receiver()
    kills: Counter[str] = Counter()
    with database("postgresql") as url, tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CIIFLOW_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "CIIFLOW_SECRET_KEY": Fernet.generate_key().decode(), "XDG_RUNTIME_DIR": tmp,
               "CIIFLOW_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",  # a killed worker's timer claims
               "CIIFLOW_TIMER_LEASE_SECONDS": "10"}  # run out in 10 s rather than 60
        ciiflow(env, "db", "upgrade")
        (Path(tmp) / f"{PROCESS}.bpmn").write_bytes(process())
        ciiflow(env, "deploy", str(Path(tmp) / f"{PROCESS}.bpmn"))
        token = ciiflow(env, "token", "create", "--name", "crash", "--role", "institution",
                        "--group", GROUP).splitlines()[-1]
        db = create_engine(url, pool_size=args.clients + 4)
        service = Service(env, free_port())
        stop = threading.Event()
        threads: list[threading.Thread] = []
        try:
            service.wait_ready()
            requests.post(f"{service.base}/api/v1/webhooks/endpoints", timeout=10,
                          headers={"Authorization": f"Bearer {token}"},
                          json={"url": receiver.url, "event_types": ["task.ready"]}
                          ).raise_for_status()
            load = Load(service.base, token, db, stop)
            rate = args.cases / max(1.0, args.duration - 10)  # starts end 10 s before the kills
            threads = [threading.Thread(target=load.starter, args=(args.cases, rate)),
                       threading.Thread(target=load.lister)]
            threads += [threading.Thread(target=load.completer) for _ in range(args.clients)]
            for t in threads:
                t.start()
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.duration and sum(kills.values()) < args.kills:
                time.sleep(rng.uniform(1.0, 2.0))
                kind = service.kill_one(rng)
                if kind != "none":
                    kills[kind] += 1
            print(f"load: {sum(kills.values())} kills ({kills['web']} gunicorn workers, "
                  f"{kills['worker']} ciiflow workers) in {time.monotonic() - t0:.0f} s",
                  flush=True)
            t1, state = time.monotonic(), ""
            while time.monotonic() - t1 < args.drain:  # clients keep completing, no more kills
                ok, state = drained(db)
                if ok and not threads[0].is_alive():  # every case started, and done
                    break
                time.sleep(1.0)
            print(f"drain: {time.monotonic() - t1:.0f} s, {state}; clients: "
                  f"{dict(sorted(load.counts.items()))}", flush=True)
        except KeyboardInterrupt:
            print("interrupted: stopping", flush=True)
        finally:
            stop.set()
            for t in threads:
                t.join()
            service.stop()
        time.sleep(0.5)  # the last receipts
        lost, doubled = check(db, args.cases, receiver)
        db.dispose()
    receiver.server.shutdown()
    print(f"kills={sum(kills.values())} lost={lost} doubled={doubled}")
    return 0 if lost == 0 and doubled == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
