"""The floor under a saved step: bare SpiffWorkflow plus the very SQL a step sends.

`step_ratio` compares a step that commits its task rows, candidate groups, history
and compare-and-set with bare SpiffWorkflow that keeps its state in a string. The
floor says how much of the gap the database's part alone explains, whatever the
Python around it: every statement an `Engine.complete_task` sent (recorded with
its parameters as the driver received them, BEGIN and COMMIT included) is sent
again, through the driver with nothing around it, to a second database of the same
schema that saw the same starts. Per round, the floor is the bare step's time plus
the replayed step's time: `floor_ratio` = floor ÷ bare, and `step_vs_floor` = the
engine ÷ the floor, so that the Python of the engine (read models, history, chain,
SQLAlchemy) and the database's work are told apart.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from engine.store.db import make_engine
from workflows.migrate import metadata

#: one recorded transaction: [(statement, parameters, executemany)], COMMIT as None
Transaction = list[tuple[str, Any, bool] | None]


class Recorder:
    """Records what the engine sends to its database, by transaction; steps apart."""

    def __init__(self, db: SqlEngine) -> None:
        self.current: Transaction = []
        #: (is it a completion, the transaction) in the order they ran
        self.done: list[tuple[bool, Transaction]] = []
        self.in_step = False

        self.db = db

        def _statement(_conn: Any, _cursor: Any, statement: str, parameters: Any,
                       _context: Any, executemany: bool) -> None:
            self.current.append((statement, parameters, executemany))

        def _commit(_conn: Any) -> None:
            self.current.append(None)
            writes = any(s is not None and not s[0].lstrip().upper().startswith("SELECT")
                         for s in self.current)
            if writes:
                self.done.append((self.in_step, self.current))
            self.current = []

        def _rollback(_conn: Any) -> None:
            self.current = []

        self.listeners = [("before_cursor_execute", _statement), ("commit", _commit),
                          ("rollback", _rollback)]
        for name, fn in self.listeners:
            event.listen(db, name, fn)

    def detach(self) -> None:
        for name, fn in self.listeners:
            event.remove(self.db, name, fn)

    @staticmethod
    def statements_per_step(transactions: list[tuple[bool, Transaction]]) -> float:
        """Statements of a completion, BEGIN included, COMMIT not (as counted before)."""
        steps = [t for is_step, t in transactions if is_step]
        return sum(sum(1 for s in t if s is not None) for t in steps) / len(steps)

    def take(self) -> list[tuple[bool, Transaction]]:
        done, self.done = self.done, []
        return done


class Replayer:
    """Sends recorded transactions again through the driver of a database of its own."""

    def __init__(self, url: str) -> None:
        self.db = make_engine(url)
        metadata.create_all(self.db)
        self.raw = self.db.raw_connection()
        self.dbapi = self.raw.driver_connection

    def replay(self, transactions: list[tuple[bool, Transaction]]) -> list[float]:
        """Seconds per completion replayed (the other transactions run untimed)."""
        times = []
        for is_step, statements in transactions:
            t0 = time.perf_counter()
            cur = self.dbapi.cursor()
            for item in statements:
                if item is None:
                    self.dbapi.commit() if self.db.name != "sqlite" else cur.execute("COMMIT")
                    continue
                statement, parameters, many = item
                if many:
                    cur.executemany(statement, parameters)
                else:
                    cur.execute(statement, parameters)
            if is_step:
                times.append(time.perf_counter() - t0)
        return times

    def close(self) -> None:
        self.raw.close()
        self.db.dispose()


class Floor:
    """Replays one recorded engine round right after each measured engine round
    (untimed for the engine), so that round i's floor is the paired bare round plus
    replay i: the same steps' SQL, sent again through the driver."""

    def __init__(self, recorded: list[list[tuple[bool, Transaction]]],
                 replayer: Replayer) -> None:
        self.replayer = replayer
        self.pending = list(recorded)
        self.replayer.replay(self.pending.pop(0))  # the deploy, the first starts: untimed
        #: mean ms per replayed completion, one per engine round
        self.replay_ms: list[float] = []

    def after_round(self) -> None:
        self.replay_ms.append(statistics.mean(self.replayer.replay(self.pending.pop(0)))
                              * 1000)

    def line(self, bare: list[float], engine: list[float]) -> str:
        replay = self.replay_ms[-len(bare):]
        floor = [b + r for b, r in zip(bare, replay, strict=True)]
        floor_ratio = [f / b for f, b in zip(floor, bare, strict=True)]
        vs = [e / f for e, f in zip(engine, floor, strict=True)]

        def text(name: str, values: list[float]) -> str:
            return (f"{name}={statistics.median(values):.2f} "
                    f"({min(values):.2f}–{max(values):.2f}, {len(values)} rounds)")

        return (f"{text('floor_ratio', floor_ratio)} {text('step_vs_floor', vs)} "
                f"floor_ms={statistics.median(floor):.3f} "
                f"replay_ms={statistics.median(replay):.3f}")
