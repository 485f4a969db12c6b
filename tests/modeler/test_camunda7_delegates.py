"""Camunda 7 files deployed unchanged: Java delegates bound in the bundle's bindings file.

Camunda 7 calls the delegate when the service task is reached and leaves the task
when it returns; ciiflow runs the handler or topic the bindings file names for it.
"""

from __future__ import annotations

import pytest

from engine import DefinitionRefused, Engine, ManualClock
from engine.camunda.handlers import BpmnError, HandlerContext, HandlerRegistry
from engine.runtime.external import complete, fetch_and_lock
from tests.modeler.conftest import FILES, Case, corpus

BINDINGS = (FILES / "camunda7_bindings.yaml").read_bytes()


def bundle(*names: str, bindings: bytes | None = BINDINGS) -> dict[str, bytes]:
    files = corpus(*names)
    if bindings is not None:
        files["bindings.yaml"] = bindings
    return files


def test_a_class_bound_to_a_handler_runs_it(case: Case, handlers: HandlerRegistry) -> None:
    seen: list[str] = []

    def send_letter(ctx: HandlerContext) -> dict[str, str]:
        seen.append(ctx.activity_id)
        return {"letter": f"sent to {ctx.variables['city']}"}

    handlers.topic("send-letter")(send_letter)
    result = case.engine.deploy(bundle("delegate_class.bpmn"))
    assert not [f for f in result.findings if f.severity == "error"]
    iid = case.engine.start("delegate_class", "D-1", {"city": "Sion"}).instance.id
    assert seen == ["Do_Work"]
    assert case.engine.workflow_data(iid)["letter"] == "sent to Sion"
    assert [t.activity_id for t in case.ready(iid)] == ["Check_Work"]


def test_a_delegate_expression_bound_to_a_topic_waits_for_a_worker(case: Case) -> None:
    case.engine.deploy(bundle("delegate_expression.bpmn"))
    iid = case.engine.start("delegate_expression", "D-2", {"city": "Sion"}).instance.id
    assert case.ready(iid) == []  # the service task waits as an external task
    [locked] = fetch_and_lock(case.engine, "printer", [("letters", 60_000)])
    assert locked["variables"]["city"] == "Sion"
    complete(case.engine, locked["id"], "printer", {"printed": True})
    assert case.engine.workflow_data(iid)["printed"] is True
    assert [t.activity_id for t in case.ready(iid)] == ["Check_Work"]


def test_a_method_expression_bound_to_a_handler_runs_it(case: Case,
                                                       handlers: HandlerRegistry) -> None:
    handlers.delegate("log-case")(lambda ctx: {"logged": True})
    case.engine.deploy(bundle("delegate_method_expression.bpmn"))
    iid = case.engine.start("delegate_method_expression", "D-3").instance.id
    assert case.engine.workflow_data(iid)["logged"] is True


@pytest.mark.parametrize("name, delegate", [
    ("delegate_class.bpmn", "org.acme.SendLetterDelegate"),
    ("delegate_expression.bpmn", "${letterService}"),
    ("delegate_method_expression.bpmn", "#{logger.log(execution)}"),
])
def test_an_unbound_delegate_is_refused_naming_the_element(engine: Engine, name: str,
                                                           delegate: str) -> None:
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(bundle(name, bindings=None))
    [finding] = [f for f in refused.value.findings if f.severity == "error"]
    assert finding.element_id == "Do_Work" and finding.file == name
    assert repr(delegate) in finding.message and "bindings.yaml" in finding.message


def test_a_binding_to_an_unregistered_handler_is_refused_in_the_bindings_file(
        engine: Engine) -> None:
    findings = engine.lint(bundle("delegate_class.bpmn"))
    [error] = [f for f in findings if f.severity == "error"]
    assert (error.file, error.element_id) == ("delegate_class.bpmn", "Do_Work")
    assert "'send-letter'" in error.message and "bindings.yaml" in error.message
    warned = {(f.file, f.element_id) for f in findings if f.severity == "warning"}
    assert ("bindings.yaml", "org.acme.SendLetterDelegate") in warned


def test_an_unreadable_bindings_file_is_refused_by_name(engine: Engine) -> None:
    findings = engine.lint(bundle("delegate_expression.bpmn",
                                  bindings=b"delegates:\n  x: {worker: y}\n"))
    [bad] = [f for f in findings if f.file == "bindings.yaml"]
    assert bad.severity == "error" and bad.element_id == "x"


def test_a_changed_bindings_file_makes_a_new_version(case: Case,
                                                     handlers: HandlerRegistry) -> None:
    handlers.topic("send-letter")(lambda ctx: None)
    first = case.engine.deploy(bundle("delegate_class.bpmn")).definitions[0]
    same = case.engine.deploy(bundle("delegate_class.bpmn")).definitions[0]
    moved = case.engine.deploy(bundle(
        "delegate_class.bpmn",
        bindings=b"delegates:\n  org.acme.SendLetterDelegate: {topic: letters}\n"))
    assert (first.version, same.created, moved.definitions[0].version) == (1, False, 2)
    assert "bindings.yaml" in case.engine.definition("delegate_class").resources


def test_error_code_and_message_variables_are_set_on_catch(case: Case,
                                                          handlers: HandlerRegistry) -> None:
    def check_documents(ctx: HandlerContext) -> None:
        if not ctx.variables["complete"]:
            raise BpmnError("INCOMPLETE", "the AVS certificate is missing")

    handlers.delegate("check-documents")(check_documents)
    case.engine.deploy(bundle("error_variables.bpmn"))
    bad = case.engine.start("error_variables", "E-1", {"complete": False}).instance.id
    assert [t.activity_id for t in case.ready(bad)] == ["Ask_Docs"]
    data = case.engine.workflow_data(bad)
    assert (data["errorCode"], data["errorMessage"]) == (
        "INCOMPLETE", "the AVS certificate is missing")
    good = case.engine.start("error_variables", "E-2", {"complete": True}).instance.id
    assert [t.activity_id for t in case.ready(good)] == ["Proceed"]
    assert "errorCode" not in case.engine.workflow_data(good)


def test_bound_listeners_run_at_their_events_in_camunda_order(case: Case,
                                                              handlers: HandlerRegistry) -> None:
    calls: list[tuple[str, bool]] = []

    def audit(ctx: HandlerContext) -> dict[str, int]:
        calls.append(("audit", "verdict" in ctx.variables))
        return {"audits": int(ctx.variables.get("audits", 0)) + 1}

    def notify(ctx: HandlerContext) -> None:
        calls.append(("notify", "verdict" in ctx.variables))

    handlers.delegate("audit")(audit)
    handlers.delegate("notify")(notify)
    case.engine.deploy(bundle("listeners.bpmn"))
    iid = case.engine.start("listeners", "L-1").instance.id
    # execution listener start, then task listener create, before anyone works on it
    assert calls == [("audit", False), ("notify", False)]
    task = case.only(iid, "Review")
    assert case.engine.task_data(task.id)["audits"] == 1
    case.complete(task, {"verdict": "ok"})
    # task listener complete, then execution listener end, with the submitted values
    assert calls[2:] == [("notify", True), ("audit", True)]
    assert case.engine.workflow_data(iid)["audits"] == 2
    assert case.engine.instance(iid).status == "completed"


def test_an_unbound_listener_is_refused_naming_the_element(engine: Engine) -> None:
    findings = engine.lint(bundle("listeners.bpmn", bindings=None))
    errors = [f for f in findings if f.severity == "error"]
    assert {f.element_id for f in errors} == {"Review"} and len(errors) == 4
    assert any("'org.acme.AuditListener'" in f.message and "bindings.yaml" in f.message
               for f in errors)


def test_a_listener_on_an_event_is_refused_even_when_bound(engine: Engine,
                                                           handlers: HandlerRegistry) -> None:
    handlers.delegate("audit")(lambda ctx: None)
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(bundle("listener_on_event.bpmn"))
    [error] = [f for f in refused.value.findings if f.severity == "error"]
    assert error.element_id == "Event_Done" and "bpmn:endEvent" in error.message


def test_in_local_passes_only_the_call_activitys_own_variables(case: Case) -> None:
    case.deploy("call_local.bpmn", "call_called.bpmn")
    iid = case.engine.start("call_local", "C-1", {"caseNumber": "C1", "canton": "VS",
                                                  "secret": "x"}).instance.id
    called = case.only(iid, "Called_Task")
    # variables="all" local="true": the input parameter only; the plain in: as usual
    assert case.engine.task_data(called.id) == {"region": "office-VS", "number": "C1"}


def test_error_variables_are_set_on_an_event_subprocess_error_start(case: Case) -> None:
    case.deploy("error_variables_event_subprocess.bpmn")
    iid = case.engine.start("error_variables_event_subprocess", "E-3",
                            {"complete": False}).instance.id
    ask = case.only(iid, "Ask_Docs")
    data = case.engine.task_data(ask.id)
    # an error end event carries its bpmn:error's code and camunda:errorMessage
    assert (data["errorCode"], data["errorMessage"]) == ("INCOMPLETE",
                                                         "Documents are incomplete")


def test_event_io_mappings_apply_on_throw_catch_and_end_events(case: Case,
                                                              clock: ManualClock) -> None:
    case.deploy("event_io.bpmn")
    iid = case.engine.start("event_io", "IO-1", {"caseNumber": 7}).instance.id
    check = case.only(iid, "Check")
    data = case.engine.task_data(check.id)
    # the throw event's input was local to it; its output flows on
    assert data["announced"] == "Case 7" and "label" not in data
    case.complete(check)
    clock.advance(hours=1, seconds=1)
    case.engine.run_due_timers()
    assert case.engine.instance(iid).status == "completed"
    after = case.engine.workflow_data(iid)
    assert (after["reminded"], after["closedAs"]) == ("7-late", "closed 7")
    assert "waitedFor" not in after and "closing" not in after


def test_an_error_message_on_a_bpmn_error_is_read_without_a_finding(engine: Engine) -> None:
    findings = engine.lint(corpus("error_variables_event_subprocess.bpmn"))
    assert not [f for f in findings if f.element_id == "Error_Incomplete"]
