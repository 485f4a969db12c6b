"""gunicorn settings for production: `gunicorn -c python:workflows.gunicorn_conf ...`.

gunicorn is not meant to face clients directly: a client that announces a body
and sends it slowly (or its headers one byte at a time) holds a worker thread
for as long as it likes, and forty of them starved every thread in our
measurement (`bench/slow_clients.py`). So gunicorn listens on loopback only,
behind a reverse proxy that buffers whole requests before passing them on
(nginx, docs/production.md): gunicorn then only ever reads complete requests
at loopback speed. The settings below bound what still reaches it.

Options given on gunicorn's command line win over this file (`-b`, `-w`, `--threads`);
`WEB_CONCURRENCY` sets the number of worker processes, as in gunicorn itself.
"""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path
from typing import Any

from workflows import logs

# loopback only: the buffering proxy is the one listener reachable from outside
bind = ["127.0.0.1:8000"]

# threads: a request waiting on the database does not block its worker's others;
# our worker class answers gunicorn's own refusals (414, 431, 400) as problem+json
worker_class = "workflows.gunicorn_worker.ProblemThreadWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = 8

# a worker whose main loop stops answering the arbiter for 30 s is restarted;
# on stop or reload, requests in flight get 30 s to finish
timeout = 30
graceful_timeout = 30
# an idle kept-alive connection is closed after 5 s (the proxy reopens at will)
keepalive = 5

# requests larger than these are refused before the application runs: a request
# line (method, path, query) of 4 KiB, 50 header fields of 8 KiB each
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# X-Forwarded-* are trusted from the proxy on this host only
forwarded_allow_ips = "127.0.0.1,::1"

# logs: JSON lines with the request id (workflows/logs.py), gunicorn's own included.
# One line per request comes from the application (route template, status, duration,
# request id; never the query string); gunicorn's access log is quiet. Should an
# operator raise it, this format keeps it safe: the path without its query string, no
# referer, no user agent, no header that could carry a token.
logconfig_dict = logs.gunicorn_logging(os.environ.get("CIIFLOW_LOG_LEVEL", "INFO").upper())
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

# metrics: every worker counts into files of one directory, and whichever worker
# answers GET /metrics adds them up (prometheus-client's multiprocess mode). Set
# before any worker imports prometheus-client (it reads the variable on import);
# emptied when gunicorn starts, a dead worker's live gauges dropped.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="ciiflow-metrics-")


def post_fork(server: object, worker: Any) -> None:
    """One pooled database connection per thread of the worker (workflows/app.py reads it):
    `--threads` on the command line is seen here, the module's `threads` is not."""
    os.environ.setdefault("CIIFLOW_DB_POOL_SIZE", str(worker.cfg.threads))


def post_worker_init(worker: object) -> None:
    """The app is loaded: its modules, specs and schemas live as long as the worker, so
    they move to the permanent generation and a full collection no longer walks them
    (one fell every ~1,000 completions, ~170 ms each: bench/README.md)."""
    gc.collect()
    gc.freeze()


def on_starting(server: object) -> None:
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(getattr(worker, "pid", 0))
