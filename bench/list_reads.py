"""What logging a list read costs: `Engine.tasks` for an institution, logged or not.

Every list read by a caller (`GET /tasks`, `GET /instances`) appends one
access-log row naming the cases the page showed (nFADP/LPD: traceable reads),
in its own short transaction. This measures a page of 50 ready tasks read
without a caller (not logged) and with one (logged), in alternating rounds on
an SQLite file, and prints the median ratio and the absolute times.

    python bench/list_reads.py [--rounds 9] [--reads 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from bench.rounds import alternate  # noqa: E402
from engine import Caller, Engine, ManualClock  # noqa: E402
from engine.store.access_log import AccessLog  # noqa: E402
from tests.support.bpmn import Flow, Node, document, user_task  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

CASES = 60
GROUP = "sas"


def prepared(url: str) -> Engine:
    engine = Engine(url, clock=ManualClock())
    metadata.create_all(engine.db)
    engine.deploy({"l.bpmn": document("listed", [
        Node("start", "startEvent"), user_task("review", GROUP), Node("end", "endEvent")],
        [Flow("start", "review"), Flow("review", "end")])})
    for i in range(CASES):
        engine.start("listed", f"L-{i}", {})
    return engine


def timed(engine: Engine, caller: Caller | None, reads: int) -> float:
    """Mean ms per page of 50 tasks."""
    t0 = time.perf_counter()
    for _ in range(reads):
        page = engine.tasks(caller=caller, groups=[GROUP], limit=50)
        assert len(page) == 50
    return (time.perf_counter() - t0) / reads * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    institution = Caller(name="sas/agent", role="institution", groups=(GROUP,), principal_id=1)
    with tempfile.TemporaryDirectory() as tmp:
        engine = prepared(f"sqlite:///{tmp}/lists.sqlite3")
        rounds = alternate(lambda: timed(engine, None, args.reads),
                           lambda: timed(engine, institution, args.reads), args.rounds)
        with engine.sessions() as session:
            rows = session.scalar(select(func.count()).select_from(AccessLog))
        engine.db.dispose()
    reads = args.rounds * args.reads
    print(f"{rounds.spread('logged_list_ratio')} "
          f"unlogged_ms={statistics.median(rounds.baseline):.3f} "
          f"logged_ms={statistics.median(rounds.subject):.3f} "
          f"log_rows_per_read={rows / reads:.2f}")


if __name__ == "__main__":
    main()
