"""A Camunda business rule task running our DMN engine inside SpiffWorkflow, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.dmn import (
    DecisionTaskConverter,
    DecisionTaskParser,
    DecisionTaskSpec,
    DmnBundleMixin,
    DmnParseError,
)
from engine.dmn import parser as dmn_parser

FILES = Path(__file__).parent / "dmn_files"
BPMN = (FILES / "triage_case.bpmn").read_bytes()
TRIAGE = (FILES / "triage_dmn13.dmn").read_bytes()


class P(DmnBundleMixin, CamundaParser):
    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTaskSpec),
    }


def parse(bpmn: bytes = BPMN, *dmn: bytes) -> Any:
    parser = P()
    parser.add_bpmn_str(bpmn, "triage_case.bpmn")
    for index, xml in enumerate(dmn or (TRIAGE,)):
        parser.add_dmn_str(xml, f"file{index}.dmn")
    return parser.get_spec("triage_case")


def serializer() -> BpmnWorkflowSerializer:
    config = dict(CAMUNDA_CONFIG)
    config[DecisionTaskSpec] = DecisionTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


def run_until_review(workflow: BpmnWorkflow, data: dict[str, Any]) -> Any:
    """Complete the intake with `data`; return the ready review task."""
    workflow.do_engine_steps()
    (intake,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert intake.task_spec.bpmn_id == "Activity_intake"
    intake.data.update(data)
    intake.run()
    workflow.do_engine_steps()
    (review,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    assert review.task_spec.bpmn_id == "Activity_review"
    return review


def test_business_rule_task_writes_the_mapped_result() -> None:
    spec = parse()
    task_spec = spec.task_specs["Activity_triage"]
    assert isinstance(task_spec, DecisionTaskSpec)
    assert (task_spec.decision_ref, task_spec.result_variable) == ("triage", "proposal")
    assert task_spec.map_decision_result == "singleEntry"
    review = run_until_review(BpmnWorkflow(spec), {"typology": "A", "person": {"age": 12}})
    assert review.data["proposal"] == "OPE"
    assert "lead" not in review.data  # Camunda: only the result variable is written


def test_spec_round_trips_through_the_serializer() -> None:
    ser = serializer()
    workflow = BpmnWorkflow(parse())
    restored = ser.deserialize_json(ser.serialize_json(workflow))
    spec = restored.spec.task_specs["Activity_triage"]
    assert isinstance(spec, DecisionTaskSpec)
    assert (spec.decision_ref, spec.result_variable, spec.map_decision_result) == (
        "triage",
        "proposal",
        "singleEntry",
    )
    review = run_until_review(restored, {"typology": "A", "person": {"age": 40}})
    assert review.data["proposal"] == "AI"


def test_deserializing_many_times_parses_the_dmn_once() -> None:
    ser = serializer()
    text = ser.serialize_json(BpmnWorkflow(parse()))
    dmn_parser._parse_cached.cache_clear()
    for _ in range(20):
        ser.deserialize_json(text)
    assert dmn_parser._parse_cached.cache_info().misses == 1


def test_running_instance_survives_serialization() -> None:
    ser = serializer()
    workflow = BpmnWorkflow(parse())
    workflow.do_engine_steps()
    restored = ser.deserialize_json(ser.serialize_json(workflow))
    review = run_until_review(restored, {"typology": "C"})
    assert review.data["proposal"] == "ORP"


def test_no_matching_rule_gives_null_for_single_entry() -> None:
    review = run_until_review(BpmnWorkflow(parse()), {"typology": "A", "person": {"age": 90}})
    assert review.data["proposal"] is None


def test_without_result_variable_outputs_are_merged() -> None:
    bpmn = BPMN.replace(b'camunda:resultVariable="proposal" ', b"")
    review = run_until_review(BpmnWorkflow(parse(bpmn)), {"typology": "C"})
    assert review.data["lead"] == "ORP"
    assert "proposal" not in review.data


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("singleResult", {"lead": "ORP"}),
        ("collectEntries", ["ORP"]),
        ("resultList", [{"lead": "ORP"}]),
    ],
)
def test_map_modes_in_the_task(mode: str, expected: Any) -> None:
    bpmn = BPMN.replace(b'"singleEntry"', f'"{mode}"'.encode())
    review = run_until_review(BpmnWorkflow(parse(bpmn)), {"typology": "C"})
    assert review.data["proposal"] == expected


def test_evaluation_failure_is_a_workflow_task_exception() -> None:
    unique = TRIAGE.replace(b'hitPolicy="FIRST"', b'hitPolicy="UNIQUE"')
    workflow = BpmnWorkflow(parse(BPMN, unique))
    with pytest.raises(WorkflowTaskException) as info:
        run_until_review(workflow, {"typology": "B", "person": {"age": 12}})
    assert info.value.task.task_spec.bpmn_id == "Activity_triage"
    assert "['DecisionRule_young', 'DecisionRule_other']" in str(info.value)


def test_unknown_decision_is_refused_at_parse() -> None:
    bpmn = BPMN.replace(b'camunda:decisionRef="triage"', b'camunda:decisionRef="nope"')
    with pytest.raises(ValidationException, match="nope"):
        parse(bpmn)


def test_unknown_map_mode_is_refused_at_parse() -> None:
    bpmn = BPMN.replace(b'"singleEntry"', b'"firstEntry"')
    with pytest.raises(ValidationException, match="firstEntry"):
        parse(bpmn)


def test_decisions_come_from_several_files() -> None:
    dish = (FILES / "dish_dmn11.dmn").read_bytes()
    parser = P()
    parser.add_dmn_str(TRIAGE, "triage.dmn")
    parser.add_dmn_str(dish, "dish.dmn")
    assert sorted(parser.get_decisions()) == ["dish", "season", "triage"]
    with pytest.raises(DmnParseError, match="'triage' is in both"):
        parser.add_dmn_str(TRIAGE, "again.dmn")


def test_spiffworkflow_dmn_engine_is_never_built() -> None:
    with pytest.raises(ValidationException, match="disabled"):
        P().get_engine("triage", None)
