"""Service tasks: Python handlers, external workers with locks and retries, BPMN errors,
and business rule tasks on our DMN engine, all through real deployments."""

from __future__ import annotations

import sys
import types
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import Conflict, DefinitionRefused, Engine, ManualClock
from engine.camunda.handlers import BpmnError, HandlerContext, HandlerRegistry
from engine.runtime.external import bpmn_error, complete, failure, fetch_and_lock
from engine.store.models import ExternalTask, Task
from tests.support.bpmn import Flow, Node, document, user_task
from workflows.cii import service_handlers

ERROR_DEFS = '  <bpmn:error id="quota_error" name="Quota full" errorCode="QUOTA_FULL" />\n'


def service_process(binding: dict[str, str], with_boundary: bool = False) -> bytes:
    nodes = [
        Node("start_event", "startEvent"),
        Node("check_service", "serviceTask", "check", attrs=binding),
    ]
    flows = [Flow("start_event", "check_service"), Flow("check_service", "after_task")]
    if with_boundary:
        nodes.append(Node("quota_full", "boundaryEvent",
                          attrs={"attachedToRef": "check_service"},
                          inner='<bpmn:errorEventDefinition errorRef="quota_error" />'))
        nodes.append(user_task("refused_task", "cii-cantonal"))
        nodes.append(Node("refused_end", "endEvent"))
        flows += [Flow("quota_full", "refused_task"), Flow("refused_task", "refused_end")]
    nodes += [user_task("after_task", "oai"), Node("done_end", "endEvent")]
    flows.append(Flow("after_task", "done_end"))
    return document("service_process", nodes, flows, extra=ERROR_DEFS)


EXTERNAL = {"camunda:type": "external", "camunda:topic": "register-case"}


def ready(engine: Engine, instance_id: str) -> list[str]:
    with engine.sessions() as s:
        return list(s.scalars(select(Task.activity_id).where(
            Task.instance_id == instance_id, Task.state == "ready")))


@pytest.fixture
def registered(handlers: HandlerRegistry) -> list[dict]:
    """`${quotaCheck}` bound in the engine's registry; the calls it saw."""
    calls: list[dict] = []

    @handlers.delegate("quotaCheck")
    def check(ctx: HandlerContext) -> dict:
        calls.append(dict(ctx.variables))
        if ctx.variables.get("full"):
            raise BpmnError("QUOTA_FULL")
        if ctx.variables.get("crash"):
            raise RuntimeError("registry unreachable")
        return {"checked": True}

    return calls


def test_registered_handler_runs_in_the_step(engine: Engine, registered: list[dict]) -> None:
    engine.deploy({"s.bpmn": service_process(
        {"camunda:delegateExpression": "${quotaCheck}"}, with_boundary=True)})
    started = engine.start("service_process", "c1", {"full": False})
    assert registered == [{"full": False}]
    assert ready(engine, started.instance.id) == ["after_task"]
    assert engine.workflow_data(started.instance.id)["checked"] is True


def test_handler_bpmn_error_reaches_the_error_boundary(engine: Engine,
                                                      registered: list[dict]) -> None:
    engine.deploy({"s.bpmn": service_process(
        {"camunda:delegateExpression": "${quotaCheck}"}, with_boundary=True)})
    started = engine.start("service_process", "c1", {"full": True})
    assert ready(engine, started.instance.id) == ["refused_task"]


def test_uncaught_bpmn_error_and_crash_become_incidents(engine: Engine,
                                                       registered: list[dict]) -> None:
    engine.deploy({"s.bpmn": service_process({"camunda:delegateExpression": "${quotaCheck}"})})
    uncaught = engine.start("service_process", "c1", {"full": True})
    assert uncaught.incident is not None and "QUOTA_FULL" in uncaught.incident.message
    assert uncaught.incident.activity_id == "check_service"
    crashed = engine.start("service_process", "c2", {"crash": True})
    assert crashed.incident is not None and "registry unreachable" in crashed.incident.message
    retried = engine.retry_incident(crashed.incident.id, data={"crash": False})
    assert retried.incident is None
    assert ready(engine, crashed.instance.id) == ["after_task"]


def test_external_task_fetch_lock_expire_complete(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"s.bpmn": service_process(EXTERNAL)})
    started = engine.start("service_process", "c1", {"region": "sion"})
    assert ready(engine, started.instance.id) == []

    assert fetch_and_lock(engine, "w1", [("other-topic", 1000)]) == []
    locked = fetch_and_lock(engine, "w1", [("register-case", 60_000)], max_tasks=5)
    assert [(t["topic"], t["variables"]["region"]) for t in locked] == [("register-case", "sion")]
    assert fetch_and_lock(engine, "w2", [("register-case", 60_000)]) == []  # locked

    clock.advance(seconds=61)  # the lock expired: another worker gets it
    relocked = fetch_and_lock(engine, "w2", [("register-case", 60_000)])
    assert [t["id"] for t in relocked] == [locked[0]["id"]]
    with pytest.raises(Conflict):
        complete(engine, locked[0]["id"], "w1", {"orp_id": "x"})

    complete(engine, locked[0]["id"], "w2", {"orp_registration": "R-1"})
    assert ready(engine, started.instance.id) == ["after_task"]
    assert engine.workflow_data(started.instance.id)["orp_registration"] == "R-1"
    with engine.sessions() as s:
        assert s.get(ExternalTask, locked[0]["id"]).state == "completed"


def test_external_failure_retries_then_incident(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"s.bpmn": service_process(EXTERNAL)})
    started = engine.start("service_process", "c1", {})
    task_id = fetch_and_lock(engine, "w", [("register-case", 10_000)])[0]["id"]

    assert failure(engine, task_id, "w", error_message="ORP system down", retries=1,
                   retry_timeout_ms=60_000) is None  # retries left: no incident
    assert fetch_and_lock(engine, "w", [("register-case", 10_000)]) == []  # not yet
    clock.advance(minutes=1, seconds=1)
    again = fetch_and_lock(engine, "w", [("register-case", 10_000)])
    assert [t["id"] for t in again] == [task_id] and again[0]["retries"] == 1

    incident_id = failure(engine, task_id, "w", error_message="still down", retries=0)
    instance = engine.instance(started.instance.id)
    assert instance.status == "incident"
    incident = engine.incidents()[0]
    assert incident_id == incident.id  # the answer names the incident it opened
    assert incident.activity_id == "check_service" and "still down" in incident.message
    assert fetch_and_lock(engine, "w", [("register-case", 10_000)]) == []

    engine.retry_incident(incident.id, actor="coordinator")
    assert engine.instance(started.instance.id).status == "running"
    task = fetch_and_lock(engine, "w", [("register-case", 10_000)])[0]
    complete(engine, task["id"], "w", {})
    assert ready(engine, started.instance.id) == ["after_task"]


def test_external_bpmn_error_is_caught_by_the_boundary(engine: Engine) -> None:
    engine.deploy({"s.bpmn": service_process(EXTERNAL, with_boundary=True)})
    started = engine.start("service_process", "c1", {})
    task_id = fetch_and_lock(engine, "w", [("register-case", 10_000)])[0]["id"]
    bpmn_error(engine, task_id, "w", "QUOTA_FULL")
    assert ready(engine, started.instance.id) == ["refused_task"]
    with engine.sessions() as s:
        assert s.get(ExternalTask, task_id).state == "cancelled"


def test_lock_durations_from_the_clock(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"s.bpmn": service_process(EXTERNAL)})
    engine.start("service_process", "c1", {})
    task = fetch_and_lock(engine, "w", [("register-case", 5_000)])[0]
    assert task["lock_expires_at"] == clock.now() + timedelta(seconds=5)
    assert fetch_and_lock(engine, "w", [("register-case", 5_000)],
                          allowed_topics=["nothing"]) == []


def test_a_topic_handler_runs_in_the_step_with_the_case(
        engine: Engine, handlers: HandlerRegistry, clock: ManualClock) -> None:
    seen = []

    @handlers.topic("register-case")
    def register_case(ctx: HandlerContext) -> dict:
        seen.append((ctx.business_key, ctx.process_key, ctx.activity_id, ctx.now))
        return {"orp_registration": "R-9"}

    engine.deploy({"s.bpmn": service_process(EXTERNAL)})
    started = engine.start("service_process", "c1", {})
    assert seen == [("c1", "service_process", "check_service", clock.now())]
    assert ready(engine, started.instance.id) == ["after_task"]
    with engine.sessions() as s:
        assert list(s.scalars(select(ExternalTask.id))) == []


def test_a_waiting_external_task_stays_external_when_its_topic_gets_a_handler(
        engine: Engine, handlers: HandlerRegistry) -> None:
    engine.deploy({"s.bpmn": service_process(EXTERNAL)})
    waiting = engine.start("service_process", "c1", {})
    handlers.register("topic", "register-case", lambda ctx: {"orp_registration": "R-2"})
    done = engine.start("service_process", "c2", {})  # runs in its step now
    assert ready(engine, done.instance.id) == ["after_task"]
    locked = fetch_and_lock(engine, "w", [("register-case", 10_000)])
    assert [t["instance_id"] for t in locked] == [waiting.instance.id]
    complete(engine, locked[0]["id"], "w", {"orp_registration": "R-1"})
    assert ready(engine, waiting.instance.id) == ["after_task"]


def test_a_named_binding_deploys_only_when_the_engine_registers_it(
        engine: Engine, handlers: HandlerRegistry) -> None:
    files = {"s.bpmn": service_process({"camunda:class": "org.cii.Check"})}
    with pytest.raises(DefinitionRefused, match="org.cii.Check"):
        engine.deploy(files)
    handlers.register("class", "org.cii.Check", lambda ctx: {"checked": True})
    assert engine.lint(files) == []
    engine.deploy(files)
    started = engine.start("service_process", "c1", {})
    assert engine.workflow_data(started.instance.id)["checked"] is True


def test_handler_modules_register_through_their_register_function(
        monkeypatch: pytest.MonkeyPatch) -> None:
    extra = types.ModuleType("ciiflow_test_handlers")
    extra.register = lambda registry: registry.register(  # type: ignore[attr-defined]
        "delegateExpression", "extra", lambda ctx: None)
    monkeypatch.setitem(sys.modules, "ciiflow_test_handlers", extra)
    registry = service_handlers({"CIIFLOW_HANDLER_MODULES": " ciiflow_test_handlers ,"})
    assert registry.lookup("topic", "pai-quota") is not None  # the CII handlers
    assert registry.is_bound("delegateExpression", "${extra}")
    assert not service_handlers({}).is_bound("delegateExpression", "extra")
    monkeypatch.setitem(sys.modules, "ciiflow_bare", types.ModuleType("ciiflow_bare"))
    with pytest.raises(TypeError, match="register"):
        HandlerRegistry().register_modules(["ciiflow_bare"])
