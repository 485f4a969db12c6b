"""The process page's figures at size: p95 of the per-activity stats and of one activity's
cases, with a tenth of the size for the growth ratio.

The database is filled as `bench/stuck.py` fills it (`--cases` cases of 20 task rows,
most of them completed, one wait per running case, 1 % in incident), then the figures
of the process version (`GET .../activity-stats`, one grouped query with the medians)
and the cases at its busiest activity (`GET .../activities/{id}/cases`) are requested
`--repeat` times each through the Flask test client with a coordinator's token.
SQLite by default; PostgreSQL (a fresh schema) when `CIIFLOW_TEST_DATABASE_URL` is set,
whose figures are then the last line:
stats_p95_ms=<p95> cases_p95_ms=<p95> growth_ratio=<worst ratio, big ÷ small>
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.fernet import Fernet  # noqa: E402

from bench.databases import database  # noqa: E402
from bench.stuck import NOW, fill, p95  # noqa: E402
from engine import Engine, ManualClock  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

STATS = "/api/v1/definitions/bench_case/versions/1/activity-stats"


def measure(engine: Engine, coordinator: str, repeat: int) -> dict[str, float]:
    from workflows.app import create_app

    client = create_app({"TESTING": True}, engine=engine).test_client()
    headers = {"Authorization": f"Bearer {coordinator}"}
    stats = client.get(STATS, headers=headers).get_json()
    busiest = max(stats["activities"], key=lambda a: a["ready"] + a["incidents"])
    requests = {"stats": STATS,
                "cases": f"/api/v1/definitions/bench_case/versions/1/activities/"
                         f"{busiest['activity_id']}/cases"}
    figures: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(repeat):
        for name, path in requests.items():
            started = time.perf_counter()
            answer = client.get(path, headers=headers)
            answer.get_data()
            figures[name].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
    print("  p50 ms: " + " ".join(f"{name}={statistics.median(samples):.1f}"
                                  for name, samples in figures.items()), flush=True)
    return {name: p95(samples) for name, samples in figures.items()}


def run(backend: str, cases: int, repeat: int) -> dict[str, float]:
    with database(backend) as url:
        engine = Engine(url, clock=ManualClock(NOW))
        metadata.create_all(engine.db)
        coordinator, _ = fill(engine, cases)
        figures = measure(engine, coordinator, repeat)
        engine.db.dispose()
    print(f"{backend} {cases} cases p95 ms: "
          + " ".join(f"{name}={ms:.1f}" for name, ms in figures.items()), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--growth", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("CIIFLOW_TEST_DATABASE_URL")
                             else [])
    last = ""
    for backend in backends:
        small = run(backend, args.cases // args.growth, args.repeat)
        big = run(backend, args.cases, args.repeat)
        growth = max(big[name] / small[name] for name in big)
        last = (f"stats_p95_ms={big['stats']:.1f} cases_p95_ms={big['cases']:.1f} "
                f"growth_ratio={growth:.2f}")
    print(last)


if __name__ == "__main__":
    main()
