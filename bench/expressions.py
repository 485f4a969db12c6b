"""Benchmark: ciiflow's safe expressions vs SpiffWorkflow's stock Python `eval`.

Run from the repository root: `python bench/expressions.py`. Never in CI.

1. A typical gateway condition through `SafeScriptEngine.evaluate` vs the
   stock `PythonScriptEngine.evaluate` on the equivalent Python expression,
   same task, same data (plus, for reference, our compiled closure called
   directly vs `eval` of a precompiled code object).
2. A 20-rule decision table through `engine.dmn` (FEEL) vs SpiffWorkflow's
   `DMNEngine.decide` (Python cells), same table, same input.

Ours and theirs run in alternating short rounds (`bench/rounds.py`). The last line is
`expr_ratio=<ours/theirs> (<min>–<max>, <n> rounds) dmn_ratio=… (…)`, medians of the
per-round ratios of times per evaluation (lower is better for us; goal <= 2.0).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.camunda.parser import CamundaParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from bench.rounds import Rounds, alternate  # noqa: E402
from engine.dmn import evaluate_decision, parse_dmn  # noqa: E402
from engine.expressions import SafeScriptEngine, evaluate_condition  # noqa: E402
from engine.expressions.text import compile_condition  # noqa: E402

DATA = {"decision": "accept", "amount": 5000, "typology": "T19", "region": "VS"}
OURS = '${decision == "accept" && amount > 1000}'
THEIRS = 'decision == "accept" and amount > 1000'

BPMN_NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
CAMUNDA_NS = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'


ROUNDS = 9


def per_call(fn: Callable[[], Any], number: int) -> float:
    """Best of three short runs, in seconds per call: one round of `alternate`."""
    return min(timeit.repeat(fn, number=number, repeat=3)) / number


def ready_task(bpmn: str, process_id: str, folder: Path, dmn: str | None = None) -> Any:
    (folder / "p.bpmn").write_text(bpmn, encoding="utf-8")
    parser = CamundaParser()
    parser.add_bpmn_file(str(folder / "p.bpmn"))
    if dmn is not None:
        (folder / "d.dmn").write_text(dmn, encoding="utf-8")
        parser.add_dmn_file(str(folder / "d.dmn"))
    workflow = BpmnWorkflow(parser.get_spec(process_id), script_engine=PythonScriptEngine())
    task = workflow.get_tasks(state=TaskState.READY)[0]
    task.data.update(DATA)
    return task


def bench_condition(folder: Path) -> Rounds:
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN_NS} id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="begin" />
  </bpmn:process>
</bpmn:definitions>"""
    task = ready_task(bpmn, "p", folder)
    ours, theirs = SafeScriptEngine(), PythonScriptEngine()
    objects = task.workflow.data_objects  # what SpiffWorkflow passes for gateways
    assert ours.evaluate(task, OURS, external_context=objects) is True
    assert theirs.evaluate(task, THEIRS, external_context=objects) is True
    number = 20_000
    rounds = alternate(
        lambda: per_call(lambda: theirs.evaluate(task, THEIRS, external_context=objects), number),
        lambda: per_call(lambda: ours.evaluate(task, OURS, external_context=objects), number),
        ROUNDS)
    t_ours, t_theirs = statistics.median(rounds.subject), statistics.median(rounds.baseline)
    print(
        f"condition via script engine: ours {t_ours * 1e6:.2f} us ({1 / t_ours:,.0f}/s), "
        f"stock PythonScriptEngine {t_theirs * 1e6:.2f} us ({1 / t_theirs:,.0f}/s)"
    )

    code = compile(THEIRS, "<bench>", "eval")  # reference only: the product never compiles
    fn = compile_condition(OURS)
    data = dict(DATA)
    t_closure = per_call(lambda: fn(data), number)
    t_eval = per_call(lambda: eval(code, data), number)  # noqa: S307
    t_api = per_call(lambda: evaluate_condition(OURS, data), number)
    print(
        f"condition direct: our closure {t_closure * 1e9:.0f} ns, evaluate_condition() "
        f"{t_api * 1e9:.0f} ns, eval(precompiled) {t_eval * 1e9:.0f} ns, "
        f"closure/eval={t_closure / t_eval:.2f}, api/eval={t_api / t_eval:.2f}"
    )
    return rounds


def dmn_xml(rules: int) -> str:
    rows = []
    for i in range(rules):
        rows.append(f"""
      <rule id="r{i}">
        <inputEntry id="r{i}a"><text>"T{i}"</text></inputEntry>
        <inputEntry id="r{i}b"><text>&gt;= {i * 100}</text></inputEntry>
        <outputEntry id="r{i}o"><text>"team{i}"</text></outputEntry>
      </rule>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="bench"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="triage" name="Triage">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="in1" label="Typology">
        <inputExpression id="ie1" typeRef="string"><text>typology</text></inputExpression>
      </input>
      <input id="in2" label="Amount">
        <inputExpression id="ie2" typeRef="integer"><text>amount</text></inputExpression>
      </input>
      <output id="out1" name="team" typeRef="string" />{"".join(rows)}
    </decisionTable>
  </decision>
</definitions>"""


def bench_dmn(folder: Path) -> Rounds:
    parse, evaluate = parse_dmn, evaluate_decision
    xml = dmn_xml(20)
    bpmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {BPMN_NS} {CAMUNDA_NS} id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="rule" />
    <bpmn:businessRuleTask id="rule" camunda:decisionRef="triage">
      <bpmn:incoming>f1</bpmn:incoming>
    </bpmn:businessRuleTask>
  </bpmn:process>
</bpmn:definitions>"""
    task = ready_task(bpmn, "p", folder, dmn=xml)
    task.workflow.do_engine_steps()  # run the start event; the rule task is next
    rule_task = next(t for t in task.workflow.get_tasks() if t.task_spec.name == "rule")
    rule_task.data.update(DATA)
    spiff_engine = rule_task.task_spec.dmnEngine
    decisions = parse(xml)
    data = dict(DATA)
    ours_result = evaluate(decisions, "triage", data)
    theirs_result = spiff_engine.decide(rule_task)
    theirs_rows = [getattr(rule, "row_number", rule) for rule in theirs_result]
    print(f"dmn results: ours {list(ours_result)} / SpiffWorkflow matched rows {theirs_rows}")
    number = 1_000
    rounds = alternate(lambda: per_call(lambda: spiff_engine.decide(rule_task), number),
                       lambda: per_call(lambda: evaluate(decisions, "triage", data), number),
                       ROUNDS)
    t_ours, t_theirs = statistics.median(rounds.subject), statistics.median(rounds.baseline)
    print(
        f"dmn 20 rules (match on the last): ours {t_ours * 1e6:.1f} us ({1 / t_ours:,.0f}/s), "
        f"SpiffWorkflow DMNEngine {t_theirs * 1e6:.1f} us ({1 / t_theirs:,.0f}/s)"
    )
    return rounds


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        expressions = bench_condition(folder)
        decisions = bench_dmn(folder)
    print(f"{expressions.spread('expr_ratio', 3)} {decisions.spread('dmn_ratio', 3)}")


if __name__ == "__main__":
    main()
