"""How much a saved step costs over bare SpiffWorkflow, measured in the same run.

(a) bare SpiffWorkflow: deserialize the state (spec stored once, cached),
    complete one user task, run engine steps, serialize;
(b) ciiflow: `Engine.complete_task` on an SQLite file, commit included
    (task rows, history, compare-and-set, read models); with `--database-url`
    (or `--postgresql`: a fresh schema of `CIIFLOW_TEST_DATABASE_URL`), on that
    database instead.

Both run in alternating short rounds (`bench/rounds.py`); the last line gives the
median per-round ratio with its range and the SQL statements one completion sends
(recorded by a SQLAlchemy listener in untimed rounds before the measured ones, BEGIN
included, COMMIT not: a listener sends the step's writes through SQLAlchemy instead of
the driver, `engine.store.prepared`), so that a change that adds a round trip shows
even when the machine's noise hides its time:
step_ratio=<b/a> (<min>–<max>, <n> rounds) engine_ms=<b> bare_ms=<a> bytes_per_step=<n>
statements_per_step=<n> backend=<name> step_cpu_ratio=<b/a> (…) engine_cpu_ms=<b>
bare_cpu_ms=<a>
(the `cpu` figures: the same rounds timed in this thread's CPU time, which a neighbour's
load moves much less than the wall clock; on PostgreSQL the server's part is not in it).
With `--stored`, a second baseline in rounds of its own: (a) that also saves its state
with a compare-and-set UPDATE of one row, committed, on the same database through the
driver (what storing alone costs): `stored_ratio=<b/that> …`, before the last line.

With `--floor`, the floor under a step (`bench/step_floor.py`): the bare round plus the
same steps' SQL replayed through the driver alone, `floor_ratio=<floor/a>
step_vs_floor=<b/floor>`, before the last line.

The bare side stays what it was measured as: SpiffWorkflow's own JSON codec (the
stdlib `json` with its registry's encoder) around the spec-less state.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.databases import database  # noqa: E402
from bench.rounds import Rounds, alternate, median_spread  # noqa: E402
from bench.step_floor import Floor, Recorder, Replayer  # noqa: E402
from engine import Engine, ManualClock  # noqa: E402
from engine.camunda.serializer import (
    dump_state,  # noqa: E402
    load_state,  # noqa: E402
)
from engine.runtime.definitions import build_specs  # noqa: E402
from engine.store.db import make_engine  # noqa: E402
from engine.store.models import (
    Instance,  # noqa: E402
    Task,  # noqa: E402
)
from tests.support.bpmn import Flow, Node, document, user_task  # noqa: E402
from workflows.migrate import metadata  # noqa: E402

INSTANCES = 8


def process(juel: bool) -> bytes:
    """12 user tasks, 2 exclusive gateways; conditions in JUEL (ours) or Python (bare)."""
    def cond(value: str) -> str:
        return f'${{route == "{value}"}}' if juel else f'route == "{value}"'

    nodes = [Node("start_event", "startEvent")]
    flows: list[Flow] = []
    prev = "start_event"
    for i in range(1, 13):
        tid = f"task_{i}"
        nodes.append(user_task(tid, "cii-team-sion"))
        flows.append(Flow(prev, tid))
        prev = tid
        if i in (4, 8):
            gw = f"gateway_{i}"
            nodes.append(Node(gw, "exclusiveGateway"))
            flows.append(Flow(prev, gw))
            nodes.append(Node(f"{gw}_end", "endEvent"))
            flows.append(Flow(gw, f"{gw}_end", cond("stop")))
            flows.append(Flow(gw, f"task_{i + 1}", cond("go")))
            prev = None
        if prev is None:
            prev = "__skip__"
    nodes.append(Node("done_end", "endEvent"))
    flows.append(Flow("task_12", "done_end"))
    return document("bench_process", nodes, [f for f in flows if f.source != "__skip__"])


class Bare:
    """Bare SpiffWorkflow: deserialize, complete one task, run engine steps, serialize."""

    def __init__(self) -> None:
        parser, _ = build_specs({"bench.bpmn": process(juel=False)})
        self.specs = (parser.get_spec("bench_process"),
                      parser.get_subprocess_specs("bench_process"))
        #: this thread's CPU time per step, mean ms of each round (see `cpu_rounds`)
        self.cpu_rounds: list[float] = []

    def round(self) -> float:
        """Mean ms per step over INSTANCES cases walked to their end."""
        times = []
        cpu = []
        for _ in range(INSTANCES):
            wf = BpmnWorkflow(self.specs[0], self.specs[1], script_engine=PythonScriptEngine())
            wf.do_engine_steps()
            state = dump_state(wf)
            while True:
                c0 = time.thread_time()
                t0 = time.perf_counter()
                wf = load_state(state, self.specs)
                wf.script_engine = PythonScriptEngine()
                ready = wf.get_tasks(state=TaskState.READY, manual=True)
                if not ready:
                    break
                ready[0].data.update({"route": "go"})
                ready[0].run()
                wf.do_engine_steps()
                state = dump_state(wf)
                self.save(state)
                times.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
        self.cpu_rounds.append(statistics.mean(cpu) * 1000)
        return statistics.mean(times) * 1000

    def save(self, state: str) -> None:
        """Bare SpiffWorkflow keeps its state in memory; `BareStored` stores it."""


class BareStored(Bare):
    """(a) and then the state saved as a step saves it, without anything else: a
    compare-and-set UPDATE of one row in its own transaction, on the engine's database,
    through the driver (no SQLAlchemy). What storing alone costs, for `stored_ratio`."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.db = make_engine(url)
        self.raw = self.db.raw_connection()
        sqlite = self.db.name == "sqlite"
        self.begin = "BEGIN IMMEDIATE" if sqlite else None
        mark = "?" if sqlite else "%s"
        self.update = (f"UPDATE bare_state SET state = {mark}, version = version + 1 "
                       f"WHERE id = {mark} AND version = {mark}")
        cur = self.raw.cursor()
        cur.execute("CREATE TABLE bare_state (id INTEGER PRIMARY KEY, state TEXT, "
                    "version INTEGER)")
        cur.execute("INSERT INTO bare_state VALUES (1, '', 0)")
        self.raw.commit()
        self.version = 0

    def save(self, state: str) -> None:
        cur = self.raw.cursor()
        if self.begin:
            cur.execute(self.begin)
        cur.execute(self.update, (state, 1, self.version))
        if cur.rowcount != 1:
            raise RuntimeError("lost the compare-and-set")
        self.version += 1
        if self.begin:
            cur.execute("COMMIT")
        else:
            self.raw.commit()


    def close(self) -> None:
        self.raw.close()
        self.db.dispose()


class Ours:
    """`Engine.complete_task` on an SQLite file, commit included."""

    def __init__(self, url: str) -> None:
        self.engine = Engine(url, clock=ManualClock())
        metadata.create_all(self.engine.db)
        #: what the engine sends, in the untimed rounds before the measured ones: the
        #: statements per step and, with `--floor`, what is replayed (`step_floor`).
        #: Detached before the measured rounds: a cursor listener would send the step's
        #: writes through SQLAlchemy instead of the driver (engine.store.prepared)
        self.recorder = Recorder(self.engine.db)
        self.after_round: Callable[[], None] | None = None
        self.engine.deploy({"bench.bpmn": process(juel=True)})
        self.sizes: list[int] = []
        self.cases = 0
        #: this thread's CPU time per step, mean ms of each round: on SQLite the whole
        #: step runs in this thread, so CPU time leaves out the neighbours' share of the
        #: cores (not the caches they share); on PostgreSQL the server's part is missing
        self.cpu_rounds: list[float] = []

    def round(self) -> float:
        engine, times = self.engine, []
        cpu = []
        for _ in range(INSTANCES):
            self.cases += 1
            started = engine.start("bench_process", f"case-{self.cases}", {"route": "go"})
            while True:
                with engine.sessions() as s:
                    task_id = s.scalars(select(Task.id).where(
                        Task.instance_id == started.instance.id, Task.state == "ready")).first()
                if task_id is None:
                    break
                self.recorder.in_step = True
                c0 = time.thread_time()
                t0 = time.perf_counter()
                engine.complete_task(task_id, {"route": "go"}, actor="bench")
                times.append(time.perf_counter() - t0)
                cpu.append(time.thread_time() - c0)
                self.recorder.in_step = False
                with engine.sessions() as s:
                    self.sizes.append(len(s.scalar(select(Instance.state).where(
                        Instance.id == started.instance.id))))
        self.cpu_rounds.append(statistics.mean(cpu) * 1000)
        if self.after_round is not None:
            self.after_round()
        return statistics.mean(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--database-url", help="measure the engine on this database "
                        "(its tables are created); default: a fresh SQLite file")
    parser.add_argument("--postgresql", action="store_true",
                        help="a fresh schema of CIIFLOW_TEST_DATABASE_URL")
    parser.add_argument("--floor", action="store_true",
                        help="also the floor: bare SpiffWorkflow plus the step's own SQL "
                        "replayed through the driver (floor_ratio, step_vs_floor)")
    parser.add_argument("--stored", action="store_true",
                        help="also rounds against (a) that saves its state in the database "
                        "(stored_ratio, printed before the last line)")
    args = parser.parse_args()
    bare = Bare()
    stored = None
    with ExitStack() as stack:
        url = args.database_url or stack.enter_context(
            database("postgresql" if args.postgresql else "sqlite"))
        ours = Ours(url)
        bare.round(), ours.round()  # warm caches and the database
        # untimed rounds that record what a step sends: one to count, and with --floor
        # one per measured round to replay beside it (a replay writes the same rows)
        recorded = [ours.recorder.take() for _ in range(1 + (args.rounds if args.floor else 0))
                    if ours.round() is not None]
        ours.recorder.detach()
        statements = Recorder.statements_per_step(recorded[0])
        floor = None
        if args.floor:
            mirror = stack.enter_context(database(
                "postgresql" if ours.engine.db.name == "postgresql" else "sqlite"))
            floor = Floor(recorded, stack.enter_context(closing(Replayer(mirror))))
            ours.after_round = floor.after_round
        bare.cpu_rounds, ours.cpu_rounds = [], []
        measured = alternate(bare.round, ours.round, args.rounds)
        ours.after_round = None  # the floor pairs with the measured rounds only
        cpu = Rounds(list(bare.cpu_rounds), list(ours.cpu_rounds))  # before --stored adds
        size = statistics.mean(ours.sizes)
        if args.stored:
            keeper = BareStored(url)
            keeper.round()
            stored = alternate(keeper.round, ours.round, args.rounds)
            keeper.close()
        ours.engine.db.dispose()
    print(f"bare SpiffWorkflow step (deserialize+complete+serialize): "
          f"{median_spread(measured.baseline, 3)} ms")
    print(f"ciiflow Engine.complete_task on {ours.engine.db.name}, commit included: "
          f"{median_spread(measured.subject, 3)} ms")
    if floor is not None:
        print(floor.line(measured.baseline, measured.subject))
    if stored is not None:
        print(f"{stored.spread('stored_ratio')} "
              f"engine_ms={statistics.median(stored.subject):.3f} "
              f"bare_stored_ms={statistics.median(stored.baseline):.3f} (bare SpiffWorkflow "
              f"and a compare-and-set UPDATE of its state, committed)")
    print(f"{measured.spread('step_ratio')} "
          f"engine_ms={statistics.median(measured.subject):.3f} "
          f"bare_ms={statistics.median(measured.baseline):.3f} bytes_per_step={size:.0f} "
          f"statements_per_step={statements:.2f} backend={ours.engine.db.name} "
          f"{cpu.spread('step_cpu_ratio')} engine_cpu_ms={statistics.median(cpu.subject):.3f} "
          f"bare_cpu_ms={statistics.median(cpu.baseline):.3f}")


if __name__ == "__main__":
    main()
