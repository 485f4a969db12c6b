"""How much a saved step costs over bare SpiffWorkflow, measured in the same run.

(a) bare SpiffWorkflow: deserialize the state (spec stored once, cached),
    complete one user task, run engine steps, serialize;
(b) ciiflow: `Engine.complete_task` on an SQLite file, commit included
    (task rows, history, compare-and-set, read models).

Both run in alternating short rounds (`bench/rounds.py`); the last line gives the
median per-round ratio with its range:
step_ratio=<b/a> (<min>–<max>, <n> rounds) engine_ms=<b> bare_ms=<a> bytes_per_step=<n>
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.rounds import alternate, median_spread  # noqa: E402
from engine import Engine, ManualClock  # noqa: E402
from engine.camunda.serializer import (
    dump_state,  # noqa: E402
    load_state,  # noqa: E402
)
from engine.runtime.definitions import build_specs  # noqa: E402
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

    def round(self) -> float:
        """Mean ms per step over INSTANCES cases walked to their end."""
        times = []
        for _ in range(INSTANCES):
            wf = BpmnWorkflow(self.specs[0], self.specs[1], script_engine=PythonScriptEngine())
            wf.do_engine_steps()
            state = dump_state(wf)
            while True:
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
                times.append(time.perf_counter() - t0)
        return statistics.mean(times) * 1000


class Ours:
    """`Engine.complete_task` on an SQLite file, commit included."""

    def __init__(self, tmp: str) -> None:
        self.engine = Engine(f"sqlite:///{tmp}/bench.sqlite3", clock=ManualClock())
        metadata.create_all(self.engine.db)
        self.engine.deploy({"bench.bpmn": process(juel=True)})
        self.sizes: list[int] = []
        self.cases = 0

    def round(self) -> float:
        engine, times = self.engine, []
        for _ in range(INSTANCES):
            self.cases += 1
            started = engine.start("bench_process", f"case-{self.cases}", {"route": "go"})
            while True:
                with engine.sessions() as s:
                    task_id = s.scalars(select(Task.id).where(
                        Task.instance_id == started.instance.id, Task.state == "ready")).first()
                if task_id is None:
                    break
                t0 = time.perf_counter()
                engine.complete_task(task_id, {"route": "go"}, actor="bench")
                times.append(time.perf_counter() - t0)
                with engine.sessions() as s:
                    self.sizes.append(len(s.scalar(select(Instance.state).where(
                        Instance.id == started.instance.id))))
        return statistics.mean(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    bare = Bare()
    with tempfile.TemporaryDirectory() as tmp:
        ours = Ours(tmp)
        bare.round(), ours.round()  # warm caches and the SQLite file
        measured = alternate(bare.round, ours.round, args.rounds)
        size = statistics.mean(ours.sizes)
        ours.engine.db.dispose()
    print(f"bare SpiffWorkflow step (deserialize+complete+serialize): "
          f"{median_spread(measured.baseline, 3)} ms")
    print(f"ciiflow Engine.complete_task on SQLite, commit included: "
          f"{median_spread(measured.subject, 3)} ms")
    print(f"{measured.spread('step_ratio')} "
          f"engine_ms={statistics.median(measured.subject):.3f} "
          f"bare_ms={statistics.median(measured.baseline):.3f} bytes_per_step={size:.0f}")


if __name__ == "__main__":
    main()
