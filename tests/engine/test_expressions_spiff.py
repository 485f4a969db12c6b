"""SafeScriptEngine inside real SpiffWorkflow workflows: routing, timers, hostile files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.expressions import (
    ExpressionSyntaxError,
    MissingVariable,
    SafeEnvironment,
    SafeScriptEngine,
    ScriptRefused,
)

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="defs" targetNamespace="http://bpmn.io/schema/bpmn">
"""


def gateway_bpmn(condition: str) -> bytes:
    """start → XOR gateway → (condition) accepted | (default) rejected."""
    body = f"""
  <bpmn:process id="routing" isExecutable="true">
    <bpmn:startEvent id="begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_no">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f_yes</bpmn:outgoing><bpmn:outgoing>f_no</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="accepted">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >{escape(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="rejected" />
    <bpmn:userTask id="accepted"><bpmn:incoming>f_yes</bpmn:incoming></bpmn:userTask>
    <bpmn:userTask id="rejected"><bpmn:incoming>f_no</bpmn:incoming></bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>"""
    return (HEADER + body).encode()


def timer_bpmn(duration: str) -> bytes:
    body = f"""
  <bpmn:process id="waiting" isExecutable="true">
    <bpmn:startEvent id="begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(duration)}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming></bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>"""
    return (HEADER + body).encode()


def script_bpmn(script: str) -> bytes:
    body = f"""
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="begin" targetRef="code" />
    <bpmn:scriptTask id="code" scriptFormat="python">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:script>{escape(script)}</bpmn:script>
    </bpmn:scriptTask>
  </bpmn:process>
</bpmn:definitions>"""
    return (HEADER + body).encode()


def load(xml: bytes, process_id: str, tmp_path: Path) -> object:
    path = tmp_path / f"{process_id}.bpmn"
    path.write_bytes(xml)
    parser = CamundaParser()
    parser.add_bpmn_file(str(path))
    return parser.get_spec(process_id)


def start(xml: bytes, process_id: str, tmp_path: Path, data: dict) -> BpmnWorkflow:
    workflow = BpmnWorkflow(load(xml, process_id, tmp_path), script_engine=SafeScriptEngine())
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    return workflow


def ready_names(workflow: BpmnWorkflow) -> list[str]:
    return [task.task_spec.name for task in workflow.get_tasks(state=TaskState.READY, manual=True)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [({"decision": "accept"}, ["accepted"]), ({"decision": "refuse"}, ["rejected"])],
)
def test_gateway_routes_with_juel(tmp_path: Path, data: dict, expected: list[str]) -> None:
    workflow = start(gateway_bpmn('${decision == "accept"}'), "routing", tmp_path, data)
    workflow.do_engine_steps()
    assert ready_names(workflow) == expected


def test_gateway_with_compound_condition(tmp_path: Path) -> None:
    xml = gateway_bpmn("${decision == 'accept' && amount > 1000}")
    workflow = start(xml, "routing", tmp_path, {"decision": "accept", "amount": 1500})
    workflow.do_engine_steps()
    assert ready_names(workflow) == ["accepted"]


def test_missing_variable_names_variable_and_task(tmp_path: Path) -> None:
    workflow = start(gateway_bpmn('${decisoin == "accept"}'), "routing", tmp_path, {})
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert "decisoin" in str(caught.value)
    assert isinstance(caught.value.__cause__, MissingVariable)
    assert caught.value.__cause__.name == "decisoin"
    assert caught.value.task.task_spec.name == "gw"


@pytest.mark.parametrize(
    ("duration", "data", "days"),
    [("P10D", {}, 10), ('${"PT" + hours + "H"}', {"hours": 36}, 1.5), (" PT2H ", {}, 2 / 24)],
)
def test_timer_durations(tmp_path: Path, duration: str, data: dict, days: float) -> None:
    workflow = start(timer_bpmn(duration), "waiting", tmp_path, data)
    before = datetime.now(UTC)
    workflow.do_engine_steps()
    waiting = workflow.get_tasks(state=TaskState.WAITING)
    assert [task.task_spec.name for task in waiting] == ["wait"]
    due = datetime.fromisoformat(waiting[0].internal_data["event_value"])
    assert abs((due - before) - timedelta(days=days)) < timedelta(minutes=1)
    waiting[0].internal_data["event_value"] = (before - timedelta(seconds=1)).isoformat()
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert ready_names(workflow) == ["after"]


def test_timer_expression_with_bad_result_is_an_error(tmp_path: Path) -> None:
    workflow = start(timer_bpmn("${hours}"), "waiting", tmp_path, {"hours": 36})
    with pytest.raises(WorkflowTaskException, match="36"):
        workflow.do_engine_steps()


def test_script_task_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    workflow = start(
        script_bpmn(f"open({str(marker)!r}, 'w').write('x')"), "scripted", tmp_path, {}
    )
    with pytest.raises(WorkflowTaskException, match="script tasks are refused"):
        workflow.do_engine_steps()
    assert not marker.exists()


def test_environment_refuses_execute_directly() -> None:
    with pytest.raises(ScriptRefused):
        SafeEnvironment().execute("x = 1", {})


def test_validate_uses_our_grammar() -> None:
    engine = SafeScriptEngine()
    engine.validate('${a == "b"}')
    engine.validate("P10D")
    with pytest.raises(SyntaxError):
        engine.validate("__import__('os')")
    with pytest.raises(ExpressionSyntaxError):
        engine.validate("x.upper()")


def hostile(marker: Path) -> list[str]:
    """Each of these runs code under stock SpiffWorkflow; none may run with ours."""
    m = str(marker)
    return [
        f'__import__("os").system("touch {m}")',
        f"__import__('pathlib').Path('{m}').touch()",
        "().__class__.__bases__[0].__subclasses__()",
        f'open("{m}", "w").write("x")',
        f"(lambda: open('{m}', 'w'))()",
        f"[open('{m}', 'w') for x in [1]]",
        "a.__class__",
        "a._private",
        "x.upper()",
        'getattr(a, "b")',
        "import os",
        f'exec(\'open("{m}", "w")\')',
        f'eval(\'open("{m}", "w")\')',
        "if a: b",
        f"a; open('{m}', 'w')",
        f"f\"{{open('{m}', 'w')}}\"",
        f"${{__import__('os').system('touch {m}')}}",
        f"#{{open('{m}', 'w')}}",
        f"${{a}}${{open('{m}', 'w')}}",
    ]


@pytest.mark.parametrize("index", range(19))
def test_hostile_condition_never_runs_in_a_gateway(tmp_path: Path, index: int) -> None:
    marker = tmp_path / "pwned"
    expression = hostile(marker)[index]
    workflow = start(gateway_bpmn(expression), "routing", tmp_path, {"a": {"b": 1}, "x": "s"})
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    assert isinstance(caught.value.__cause__, ExpressionSyntaxError)
    assert not marker.exists()


def test_hostile_corpus_would_run_under_stock_engine(tmp_path: Path) -> None:
    """Guard on the test itself: the first payload really is harmful without us."""
    marker = tmp_path / "pwned"
    expression = f"__import__('pathlib').Path('{marker}').touch() is None"
    workflow = BpmnWorkflow(
        load(gateway_bpmn(expression), "routing", tmp_path), script_engine=PythonScriptEngine()
    )
    workflow.do_engine_steps()
    assert marker.exists()
