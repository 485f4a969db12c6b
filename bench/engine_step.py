"""How much a saved step costs over bare SpiffWorkflow, measured in the same run.

(a) bare SpiffWorkflow: deserialize the state (spec stored once, cached),
    complete one user task, run engine steps, serialize;
(b) ciiflow: `Engine.complete_task` on an SQLite file, commit included
    (task rows, history, compare-and-set, read models).

Last line: step_ratio=<b/a> engine_ms=<b> bare_ms=<a> bytes_per_step=<n>
"""

from __future__ import annotations

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

INSTANCES = 40


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


def bare_ms() -> float:
    parser, _ = build_specs({"bench.bpmn": process(juel=False)})
    specs = (parser.get_spec("bench_process"), parser.get_subprocess_specs("bench_process"))
    times = []
    for _ in range(INSTANCES):
        wf = BpmnWorkflow(specs[0], specs[1], script_engine=PythonScriptEngine())
        wf.do_engine_steps()
        state = dump_state(wf)
        while True:
            t0 = time.perf_counter()
            wf = load_state(state, specs)
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


def engine_ms() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        engine = Engine(url, clock=ManualClock())
        metadata.create_all(engine.db)
        engine.deploy({"bench.bpmn": process(juel=True)})
        times, sizes = [], []
        for n in range(INSTANCES):
            started = engine.start("bench_process", f"case-{n}", {"route": "go"})
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
                    sizes.append(len(s.scalar(select(Instance.state).where(
                        Instance.id == started.instance.id))))
        engine.db.dispose()
    return statistics.mean(times) * 1000, statistics.mean(sizes)


def main() -> None:
    bare = bare_ms()
    ours, size = engine_ms()
    print(f"bare SpiffWorkflow step (deserialize+complete+serialize): {bare:.3f} ms")
    print(f"ciiflow Engine.complete_task on SQLite, commit included: {ours:.3f} ms")
    print(f"step_ratio={ours / bare:.2f} engine_ms={ours:.3f} bare_ms={bare:.3f} "
          f"bytes_per_step={size:.0f}")


if __name__ == "__main__":
    main()
