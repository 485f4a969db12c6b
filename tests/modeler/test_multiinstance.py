"""Multi-instance user tasks and subprocesses, Camunda semantics, many instances per spec."""

from __future__ import annotations

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.util.task import TaskState

from engine.expressions import SafeScriptEngine
from tests.modeler.conftest import Case
from tests.modeler.modeler import El, Fl, definitions


def test_parallel_collection_one_row_per_element_until_the_completion_condition(
        case: Case) -> None:
    case.deploy("mi_parallel_user.bpmn")
    iid = case.engine.start("mi_parallel_user", "c-1", {
        "institutions": ["oai-vs", "orp-sion", "sas"], "institution": "outer",
        "veto": False}).instance.id
    rows = case.ready(iid)
    assert sorted(t.candidate_groups[0] for t in rows) == ["oai-vs", "orp-sion", "sas"]
    assert {t.activity_id for t in rows} == {"Consult"}
    by_group = {t.candidate_groups[0]: t for t in rows}
    assert case.engine.task_data(by_group["sas"].id)["institution"] == "sas"
    assert case.engine.task_data(by_group["sas"].id)["loopCounter"] == 2
    case.complete(by_group["sas"], {"opinion_sas": "yes"})
    case.complete(by_group["oai-vs"], {"opinion_oai": "no"})
    # two of three: the condition holds, the third instance is cancelled
    assert case.rows(iid) == [("Consult", "cancelled"), ("Consult", "completed"),
                              ("Consult", "completed"), ("Decide", "ready")]
    data = case.engine.workflow_data(iid)
    assert data["opinion_sas"] == "yes" and data["opinion_oai"] == "no"
    assert data["institution"] == "outer" and "loopCounter" not in data


def test_sequential_cardinality_subprocess(case: Case) -> None:
    case.deploy("mi_sequential_sub.bpmn")
    iid = case.engine.start("mi_sequential_sub", "c-1", {"rounds": 3}).instance.id
    for expected in range(3):
        [task] = case.ready(iid)
        assert task.activity_id == "Round_Task"
        assert case.engine.task_data(task.id)["loopCounter"] == expected
        case.complete(task, {"last_round": expected})
    assert case.engine.instance(iid).status == "completed"
    assert case.engine.workflow_data(iid)["last_round"] == 2


def test_two_instances_on_one_cached_spec(case: Case) -> None:
    """SpiffWorkflow's Camunda MI rewrote the shared spec, so a second instance failed."""
    case.deploy("mi_sequential_sub.bpmn", "mi_parallel_user.bpmn")
    first = case.engine.start("mi_sequential_sub", "a", {"rounds": 2}).instance.id
    second = case.engine.start("mi_sequential_sub", "b", {"rounds": 1}).instance.id
    for iid, rounds in ((first, 2), (second, 1)):
        for _ in range(rounds):
            [task] = case.ready(iid)
            case.complete(task)
        assert case.engine.instance(iid).status == "completed"
    one = case.engine.start("mi_parallel_user", "c", {"institutions": ["x"], "veto": True})
    two = case.engine.start("mi_parallel_user", "d", {"institutions": ["y", "z"],
                                                       "veto": False})
    assert len(case.ready(one.instance.id)) == 1 and len(case.ready(two.instance.id)) == 2


def _stock_run(spec, subs, data: dict) -> None:  # noqa: ANN001
    wf = BpmnWorkflow(spec, subs, script_engine=SafeScriptEngine())
    for task in wf.get_tasks(state=TaskState.READY):
        task.data.update(data)
    wf.do_engine_steps()


def test_stock_camunda_multiinstance_breaks_on_a_shared_spec() -> None:
    """Why engine.camunda.multiinstance exists (a canary: if this passes, the library changed).

    SpiffWorkflow's Camunda class treats a loopCardinality that gives a list as the
    collection and writes `cardinality = None` into the spec: the next instance on
    the same spec object fails."""
    loop = ('<bpmn:multiInstanceLoopCharacteristics camunda:collection="out" '
            'camunda:elementVariable="item"><bpmn:loopCardinality '
            'xsi:type="bpmn:tFormalExpression">items</bpmn:loopCardinality>'
            "</bpmn:multiInstanceLoopCharacteristics>")
    xml = definitions("stock_mi", [El("startEvent", "StartEvent_1"),
                                   El("userTask", "Each", "Each", tail=loop),
                                   El("endEvent", "Event_Done")],
                      [Fl("Flow_1", "StartEvent_1", "Each"), Fl("Flow_2", "Each", "Event_Done")])
    stock = CamundaParser()
    stock.add_bpmn_xml(etree.fromstring(xml.encode()), filename="x.bpmn")
    spec, subs = stock.get_spec("stock_mi"), stock.get_subprocess_specs("stock_mi")
    _stock_run(spec, subs, {"items": [1, 2]})
    assert spec.task_specs["Each"].cardinality is None  # the shared spec was rewritten
    with pytest.raises(Exception):  # noqa: B017 - whatever the library raises
        _stock_run(spec, subs, {"items": [1, 2]})
