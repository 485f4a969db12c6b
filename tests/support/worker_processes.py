"""Several worker processes over one database, started together and let go in two rounds.

The lease tests (timers, jobs) prove that N `ciiflow worker` processes share due work
instead of repeating it; threads would share one interpreter and one connection pool,
which is not what operators run. Each worker is the test module itself run as a script
(`python -m MODULE DB_URL`): it builds its engine, prints `ready`, and on each `go` line
runs one round and prints a JSON report (the first round one batch, the second the rest).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_workers(module: str, db_url: str, *, count: int = 3,
                timeout: float = 120) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The workers' reports of the first round (one batch each, all started before any
    claims) and of the second (the rest, as fast as each goes); every worker exited 0."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen(
        [sys.executable, "-m", module, db_url], cwd=ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(count)]

    def tell_all() -> None:
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()

    try:
        for worker in workers:  # every worker has its engine built before any starts
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        tell_all()
        first = [json.loads(worker.stdout.readline()) for worker in workers]  # type: ignore[union-attr]
        tell_all()
        rest = [json.loads(worker.communicate(timeout=timeout)[0]) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert all(worker.returncode == 0 for worker in workers)
    return first, rest
