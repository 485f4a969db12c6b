"""What authentication costs now that it records `last_used_at`: the hot path stays a read.

`Engine.authenticate` runs on every API request. It reads the token, its
principal and groups in one query, and writes the token's `last_used_at` only
when the stored value is a minute old or more. Three ways are timed in
alternating rounds (`rounds.alternate`), each round `--calls` authentications
with one token under the system clock:

- baseline: the read alone (`holder_of`), what authentication was before;
- subject: `Engine.authenticate` as shipped (the read, a write once a minute);
- write_each: the read and a `last_used_at` write on every call, the naive way.

Printed: the median calls per second of each pair, then the line
`auth_vs_read=<median ratio> (<range>, n rounds) write_each_vs_read=<…>`;
a ratio near 1 means recording the last use costs the hot path nothing.
SQLite file by default; PostgreSQL when `CIIFLOW_TEST_DATABASE_URL` is set.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.databases import database  # noqa: E402
from bench.rounds import alternate  # noqa: E402
from engine import Engine  # noqa: E402
from engine.store.principals import holder_of  # noqa: E402
from tests.support.principals import add_principal  # noqa: E402
from workflows.migrate import metadata  # noqa: E402


def _rate(call: Callable[[], object], calls: int) -> float:
    began = time.perf_counter()
    for _ in range(calls):
        call()
    return calls / (time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    with database() as url:
        engine = Engine(url)
        metadata.create_all(engine.db)
        token = add_principal(engine, "bench", "institution", ["g1", "g2"]).token
        assert engine.authenticate(token) is not None

        def read() -> object:
            with engine.readers() as session:
                return holder_of(session, token, datetime.now(UTC))

        def shipped() -> object:
            return engine.authenticate(token)

        def naive() -> object:
            """The read and a `last_used_at` write on every call."""
            holder = read()
            assert holder is not None
            with engine.sessions.begin() as session:
                session.execute(text("UPDATE api_token SET last_used_at = :now "
                                     "WHERE id = :id"),
                                {"now": datetime.now(UTC), "id": holder.token_id})
            return holder

        auth = alternate(lambda: _rate(read, args.calls), lambda: _rate(shipped, args.calls),
                         args.rounds)
        each = alternate(lambda: _rate(read, args.calls), lambda: _rate(naive, args.calls),
                         args.rounds)
        print(f"read_per_s={statistics.median(auth.baseline):.0f} "
              f"authenticate_per_s={statistics.median(auth.subject):.0f} | "
              f"read_per_s={statistics.median(each.baseline):.0f} "
              f"write_each_per_s={statistics.median(each.subject):.0f}")
        print(f"{auth.spread('auth_vs_read')} {each.spread('write_each_vs_read')}")
        engine.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
