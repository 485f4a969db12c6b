"""What the history keeps of what was decided: decisions, branches, external reports, data.

Each test runs a real process on the real engine and reads the history back
through the facade (`Engine.history`), as the API and the CLI do.
"""

from __future__ import annotations

from pathlib import Path

from engine import Caller, Engine
from engine.service.history import HistoryEntry
from tests.engine import processes
from tests.engine.test_service_tasks import EXTERNAL, service_process
from tests.support.bpmn import Flow, Node, document, user_task
from tests.workflows import processes as api_processes

DMN_FILES = Path(__file__).parent / "dmn_files"
COORDINATOR = Caller("coord", "coordinator", principal_id=1)


def rows(engine: Engine, instance_id: str, *kinds: str) -> list[HistoryEntry]:
    return engine.history(instance_id, COORDINATOR, kinds=kinds or None, limit=500).items


def start(engine: Engine, key: str, business_key: str) -> tuple[str, str]:
    """A new case and its first ready task."""
    started = engine.start(key, business_key, {}, caller=Caller.operator("starter"))
    return started.instance.id, started.ready_tasks[0].id


def test_a_decision_records_its_inputs_matched_rules_and_outputs(engine: Engine) -> None:
    engine.deploy({"case.bpmn": (DMN_FILES / "triage_case.bpmn").read_bytes(),
                   "triage.dmn": (DMN_FILES / "triage_dmn13.dmn").read_bytes()})
    instance_id, task_id = start(engine, "triage_case", "D-1")
    engine.complete_task(task_id, {"typology": "A", "person": {"age": 30}}, actor="intake")
    (decided,) = rows(engine, instance_id, "decision_evaluated")
    assert (decided.activity_id, decided.activity_name) == ("Activity_triage", "Propose lead")
    assert decided.detail == {
        "decision_id": "triage", "matched_rules": ["DecisionRule_adultA"], "rules": [2],
        "inputs": {"Typology": "A", "Age": 30}, "outputs": [{"lead": "AI"}]}
    assert engine.workflow_data(instance_id)["proposal"] == "AI"


def named_gateway(kind: str) -> bytes:
    """A decision task, then a gateway whose flows are named as a process owner draws them."""
    form = api_processes.extensions(api_processes.form_field("accept", "boolean"),
                                    api_processes.form_field("inform", "boolean"))
    nodes = [Node("start_event", "startEvent"), user_task("decide_task", "sas", inner=form),
             Node("route_gateway", kind, "Préavis given?", {"default": "Flow_other"}),
             user_task("accepted_task", "commune-sion"), user_task("informed_task", "oai"),
             Node("other_end", "endEvent")]
    flows = [Flow("start_event", "decide_task"), Flow("decide_task", "route_gateway"),
             Flow("route_gateway", "accepted_task", "${accept}", id="Flow_accept"),
             Flow("route_gateway", "informed_task", "${inform}", id="Flow_inform"),
             Flow("route_gateway", "other_end", id="Flow_other")]
    text = document(f"{kind}_case", nodes, flows)
    for flow, name in (("Flow_accept", "Favourable"), ("Flow_inform", "Inform the OAI"),
                       ("Flow_other", "Otherwise")):
        text = text.replace(f'id="{flow}"'.encode(), f'id="{flow}" name="{name}"'.encode(), 1)
    return text


def test_an_exclusive_gateway_records_the_flow_it_took_by_its_drawn_name(
        engine: Engine) -> None:
    engine.deploy({"x.bpmn": named_gateway("exclusiveGateway")})
    taken = {}
    for key, data in (("G-1", {"accept": True, "inform": True}),
                      ("G-2", {"accept": False, "inform": False})):
        instance_id, task_id = start(engine, "exclusiveGateway_case", key)
        engine.complete_task(task_id, data, actor="sas")
        (row,) = rows(engine, instance_id, "gateway_taken")
        assert (row.activity_id, row.activity_name) == ("route_gateway", "Préavis given?")
        taken[key] = (row.detail, row.flows)
    assert taken == {
        "G-1": ({"flow_id": "Flow_accept"}, [("Flow_accept", "Favourable")]),  # first that holds
        "G-2": ({"flow_id": "Flow_other"}, [("Flow_other", "Otherwise")]),  # the default
    }


def test_an_inclusive_gateway_records_every_flow_it_took(engine: Engine) -> None:
    engine.deploy({"i.bpmn": named_gateway("inclusiveGateway")})
    instance_id, task_id = start(engine, "inclusiveGateway_case", "G-3")
    engine.complete_task(task_id, {"accept": True, "inform": True}, actor="sas")
    (row,) = rows(engine, instance_id, "gateway_taken")
    assert row.detail == {"flow_ids": ["Flow_accept", "Flow_inform"]}
    assert row.flows == [("Flow_accept", "Favourable"), ("Flow_inform", "Inform the OAI")]


def test_a_joining_gateway_and_a_plain_sequence_record_no_branch(engine: Engine) -> None:
    engine.deploy({"p.bpmn": processes.three_tasks()})
    started = engine.start("three_tasks", "S-1", {"region": "bas-valais"}, caller=COORDINATOR)
    engine.complete_task(started.ready_tasks[0].id, {}, actor="team")
    assert rows(engine, started.instance.id, "gateway_taken", "decision_evaluated") == []


def test_a_completion_that_fails_records_neither_its_data_nor_its_branch(
        engine: Engine) -> None:
    engine.deploy({"g.bpmn": processes.gateway()})
    instance_id, task_id = start(engine, "gateway", "F-1")
    failed = engine.complete_task(task_id, {"decision": "neither"}, actor="sas")
    assert failed.incident is not None  # no condition holds and no default
    kinds = [r.kind for r in rows(engine, instance_id)]
    assert "task_completed" not in kinds and "gateway_taken" not in kinds
    assert kinds[-1] == "incident_opened"
    engine.retry_incident(failed.incident.id, data={"decision": "accept"}, actor="coord",
                          reason="the SAS confirmed by phone")
    repaired = rows(engine, instance_id, "task_completed", "gateway_taken", "incident_resolved")
    assert [(r.kind, r.actor, r.detail) for r in repaired] == [
        ("task_completed", "coord", {"data": {"decision": "accept"}}),
        ("gateway_taken", None, {"flow_id": "Flow_3"}),
        ("incident_resolved", "coord", {"incident_id": failed.incident.id,
                                        "reason": "the SAS confirmed by phone",
                                        "data": {"decision": "accept"}})]


def test_an_external_task_records_its_completion_and_outputs(engine: Engine) -> None:
    engine.deploy({"e.bpmn": api_processes.external()})
    started = engine.start("external_case", "E-1", {})
    worker = Caller("registry", "worker", topics=("register-case",))
    (locked,) = engine.fetch_and_lock(worker, "w1", [("register-case", 60_000)])
    engine.complete_external_task(worker, locked["id"], "w1", {"register_ref": "R-7"})
    (row,) = rows(engine, started.instance.id, "external_task_completed")
    assert (row.actor, row.activity_id, row.activity_name, row.task_id) == (
        "worker:w1", "register_service", "register", locked["id"])
    assert row.detail == {"topic": "register-case", "worker_id": "w1",
                          "outputs": {"register_ref": "R-7"}}


def test_an_external_bpmn_error_records_its_code(engine: Engine) -> None:
    engine.deploy({"s.bpmn": service_process(EXTERNAL, with_boundary=True)})
    started = engine.start("service_process", "E-2", {})
    worker = Caller("registry", "worker", topics=("register-case",))
    (locked,) = engine.fetch_and_lock(worker, "w1", [("register-case", 60_000)])
    engine.throw_external_bpmn_error(worker, locked["id"], "w1", "QUOTA_FULL", "no place left")
    (row,) = rows(engine, started.instance.id, "external_task_error")
    assert row.detail == {"topic": "register-case", "worker_id": "w1", "code": "QUOTA_FULL"}
    assert "no place left" not in str(row.detail)  # a worker's free text is not kept
