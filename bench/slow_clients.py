"""Does `/healthz` keep answering while 40 slow clients hold connections open?

The service is started as the README says: `ciiflow db upgrade` on an SQLite file
in a temporary folder, then gunicorn with the committed configuration
(`-c python:workflows.gunicorn_conf`, default workers and threads), and, when nginx
is installed, nginx with the configuration of docs/production.md (the ```nginx
block, taken from the document itself so the document is what is proven) in front.

Two kinds of slow client, 40 connections each, all on 127.0.0.1:
- body: an authenticated POST announcing `Content-Length: 100000` that sends
  5 bytes of it and stalls (the view reads the body, so a thread waits for it);
- headers: a request whose header lines come one byte per second.
A client whose connection is closed opens a new one, so 40 stay held for the
whole measure. Meanwhile `/healthz` is asked `--probes` times, one after the
other, each given at most `--probe-timeout` seconds (a timeout counts as that
long). Each scenario (gunicorn alone, then through nginx) prints a line; the
last line is the production set-up (through nginx when it is there, the worse of
the two kinds): `slow_clients=40 healthz_p50_ms=… healthz_max_ms=… ok=…`, ok
when the max is under 1000 ms.

    python bench/slow_clients.py [--clients 40] [--probes 20] [--probe-timeout 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CIIFLOW = Path(sys.executable).parent / "ciiflow"
HOST = "127.0.0.1"
OK_MS = 1000.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, deadline_s: float = 30.0) -> None:
    """Until something accepts on the port (the server is up), at most `deadline_s`."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {HOST}:{port}")


@contextmanager
def gunicorn(tmp: Path) -> Iterator[tuple[int, str]]:
    """The service as the README runs it; yields (port, an admin token)."""
    env = {**os.environ, "CIIFLOW_DATABASE_URL": f"sqlite:///{tmp / 'ciiflow.sqlite3'}",
           "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp)}
    subprocess.run([str(CIIFLOW), "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    token = subprocess.run([str(CIIFLOW), "token", "create", "--name", "bench", "--role",
                            "admin"], env=env, cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:workflows.gunicorn_conf",
         "-b", f"{HOST}:{port}", "workflows.app:create_app()"],
        env=env, cwd=ROOT, stderr=open(tmp / "gunicorn.log", "w"))  # noqa: SIM115
    try:
        wait_listening(port)
        probe(port, 30.0)  # the workers have booted
        yield port, token
    finally:
        server.terminate()
        server.wait(timeout=60)


def nginx_config(tmp: Path, listen: int, upstream: int) -> Path:
    """docs/production.md's nginx block, on loopback ports, in a minimal main config."""
    text = (ROOT / "docs" / "production.md").read_text()
    block = re.search(r"```nginx\n(.*?)```", text, re.S)
    if block is None:
        raise SystemExit("docs/production.md has no ```nginx block")
    site = block.group(1).replace("127.0.0.1:8000", f"{HOST}:{upstream}")
    site = re.sub(r"listen\s+80;", f"listen {HOST}:{listen};", site)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / name).mkdir(exist_ok=True)
    temp_paths = "\n".join(f"    {n}_temp_path {tmp / n};" if n != "body" else
                           f"    client_body_temp_path {tmp / n};"
                           for n in ("body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = tmp / "nginx.conf"
    conf.write_text(f"""user root;
worker_processes 1;
pid {tmp / 'nginx.pid'};
error_log {tmp / 'nginx-error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp_paths}
{site}
}}
""")
    return conf


@contextmanager
def nginx(tmp: Path, upstream: int) -> Iterator[int]:
    """nginx with the documented configuration in front of `upstream`; yields its port."""
    port = free_port()
    conf = nginx_config(tmp, port, upstream)
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run([binary, "-t", "-q", "-e", str(tmp / "nginx-error.log"), "-c", str(conf)],
                   check=True)
    server = subprocess.Popen([binary, "-e", str(tmp / "nginx-error.log"), "-c", str(conf),
                               "-g", "daemon off;"])
    try:
        wait_listening(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def probe(port: int, timeout_s: float) -> float:
    """One GET /healthz; its latency in ms (`timeout_s` in ms when it did not answer 200)."""
    start = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
        conn.close()
    except OSError:
        return timeout_s * 1000
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed if status == 200 else timeout_s * 1000


def slow_body(port: int, token: str, stop: threading.Event) -> None:
    """Announce a 100 kB body, send 5 bytes, stall; reopen when the server closes."""
    head = (f"POST /api/v1/processes/cii/instances HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            "Content-Length: 100000\r\n\r\n{\"bus").encode()
    while not stop.is_set():
        try:
            with socket.create_connection((HOST, port), timeout=1) as conn:
                conn.sendall(head)
                while not stop.is_set():  # held until the server closes or we stop
                    try:
                        if conn.recv(4096) == b"":
                            break
                    except TimeoutError:
                        continue
        except OSError:
            stop.wait(0.1)


def slow_headers(port: int, token: str, stop: threading.Event) -> None:
    """Send a request's header lines one byte per second; reopen when the server closes."""
    head = (f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n" + "X-Slow: " + "s" * 500).encode()
    while not stop.is_set():
        try:
            with socket.create_connection((HOST, port), timeout=1) as conn:
                for byte in head:
                    conn.sendall(bytes([byte]))
                    if stop.wait(1.0):
                        break
        except OSError:
            stop.wait(0.1)


def scenario(port: int, token: str, kind: str, args: argparse.Namespace) -> list[float]:
    """Hold `args.clients` slow connections of one kind; probe /healthz meanwhile."""
    stop = threading.Event()
    target = slow_body if kind == "body" else slow_headers
    clients = [threading.Thread(target=target, args=(port, token, stop), daemon=True)
               for _ in range(args.clients)]
    for client in clients:
        client.start()
    stop.wait(args.settle)  # the connections are open and being read
    try:
        return [probe(port, args.probe_timeout) for _ in range(args.probes)]
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)


def report(label: str, kind: str, args: argparse.Namespace, latencies: list[float]) -> None:
    """One scenario's line; `unanswered` counts the probes that got no 200 in time."""
    p50, worst = statistics.median(latencies), max(latencies)
    unanswered = sum(1 for ms in latencies if ms >= args.probe_timeout * 1000)
    print(f"{label:<15} {kind:<8} slow_clients={args.clients} healthz_p50_ms={p50:.1f} "
          f"healthz_max_ms={worst:.1f} unanswered={unanswered}/{len(latencies)} "
          f"ok={str(worst < OK_MS).lower()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--probe-timeout", type=float, default=3.0)
    parser.add_argument("--settle", type=float, default=7.0,
                        help="seconds between opening the slow connections and probing "
                             "(past gthread's 5-s wait for a first byte)")
    args = parser.parse_args()
    has_nginx = bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())
    worst_alone: list[float] = []
    worst_proxied: list[float] = []
    with tempfile.TemporaryDirectory() as folder, gunicorn(Path(folder)) as (port, token):
        for kind in ("body", "headers"):
            latencies = scenario(port, token, kind, args)
            report("gunicorn alone", kind, args, latencies)
            worst_alone = max(worst_alone, latencies, key=lambda xs: max(xs, default=0))
        if has_nginx:
            with nginx(Path(folder), port) as front:
                for kind in ("body", "headers"):
                    latencies = scenario(front, token, kind, args)
                    report("through nginx", kind, args, latencies)
                    worst_proxied = max(worst_proxied, latencies,
                                        key=lambda xs: max(xs, default=0))
        else:
            print("nginx is not installed: the last line is gunicorn alone")
    final = worst_proxied or worst_alone
    p50, worst = statistics.median(final), max(final)
    print(f"slow_clients={args.clients} healthz_p50_ms={p50:.1f} healthz_max_ms={worst:.1f} "
          f"ok={str(worst < OK_MS).lower()}")


if __name__ == "__main__":
    main()
