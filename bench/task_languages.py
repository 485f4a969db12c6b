"""What German names cost a task list: `Engine.tasks` in French (the rows' names) vs German.

A German page reads the definitions of its cases (one query) and each
activity's `name.de` from the cached specs (`engine.service.languages`); a
French page reads the rows only. This measures a page of 50 ready tasks of the
real `bpmn/orp_bip.bpmn` in both languages, in alternating rounds on an SQLite
file, and prints the median ratio and the absolute times.

    python bench/task_languages.py [--rounds 9] [--reads 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rounds import alternate  # noqa: E402
from engine import Engine, ManualClock  # noqa: E402
from tests.processes.payloads import bip_announcement  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

CASES = 60
GROUP = "orp-haut-valais"
GERMAN = "Person beim RAV anmelden"


def prepared(url: str) -> Engine:
    engine = Engine(url, clock=ManualClock())
    metadata.create_all(engine.db)
    engine.deploy({"orp_bip.bpmn": (ROOT / "bpmn" / "orp_bip.bpmn").read_bytes()})
    for i in range(CASES):
        engine.start("orp_bip", f"BIP-{i}", bip_announcement(), actor="oasi-bip/bip")
    return engine


def timed(engine: Engine, language: str, reads: int) -> float:
    """Mean ms per page of 50 tasks."""
    t0 = time.perf_counter()
    for _ in range(reads):
        page = engine.tasks(group=GROUP, limit=50, language=language)
        assert len(page) == 50 and (language == "fr" or page.name(page[0]) == GERMAN)
    return (time.perf_counter() - t0) / reads * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--reads", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = prepared(f"sqlite:///{tmp}/languages.sqlite3")
        rounds = alternate(lambda: timed(engine, "fr", args.reads),
                           lambda: timed(engine, "de", args.reads), args.rounds)
        engine.db.dispose()
    print(f"{rounds.spread('german_list_ratio')} "
          f"french_ms={statistics.median(rounds.baseline):.3f} "
          f"german_ms={statistics.median(rounds.subject):.3f}")


if __name__ == "__main__":
    main()
