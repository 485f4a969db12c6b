"""Call activities bound to processes from outside their bundle (`camunda:calledElementBinding`).

Camunda 7 resolves `calledElement` when the call activity is reached, and so does
ciiflow (engine/runtime/called.py): each test deploys the callers and the called
process `shared_review` from their own Modeler files, in the order a test needs.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine as SqlEngine

from engine import Caller, DefinitionRefused, Engine, ManualClock
from engine.camunda.handlers import HandlerRegistry
from engine.errors import Finding
from engine.store.models import Incident
from tests.modeler.conftest import FILES, Case, corpus


def _release(case: Case, release: str) -> None:
    """Deploy `shared_review` from its own bundle, as a separate team would."""
    data = (FILES / f"shared_review_{release}.bpmn").read_bytes()
    case.engine.deploy({"shared_review.bpmn": data})


def _start(case: Case, pid: str, business_key: str) -> str:
    return case.engine.start(pid, business_key, {"caseNumber": business_key}).instance.id


def _called_task(case: Case, pid: str, business_key: str) -> str:
    [task] = case.ready(_start(case, pid, business_key))
    return task.activity_id


def _warnings(case: Case, files: dict[str, bytes]) -> list[Finding]:
    """Deploy `files`; the deploy's warnings about call activities."""
    result = case.engine.deploy(files)
    assert [f for f in result.findings if f.severity == "error"] == []
    return [f for f in result.findings if f.severity == "warning" and "call activity" in f.message]


def _incident(case: Case, pid: str, business_key: str) -> tuple[str, Incident]:
    outcome = case.engine.start(pid, business_key, {"caseNumber": business_key})
    assert outcome.incident is not None
    assert case.engine.instance(outcome.instance.id).status == "incident"
    return outcome.instance.id, outcome.incident


def test_latest_calls_the_latest_deployed_version_and_maps_variables(case: Case) -> None:
    _release(case, "v1")
    _release(case, "v2")
    assert _warnings(case, corpus("call_latest.bpmn")) == []
    iid = _start(case, "call_latest", "C-1")
    review = case.only(iid, "Review_Second")
    assert case.engine.task_data(review.id) == {"number": "C-1"}
    case.complete(review, {"verdict": "granted"})
    assert case.engine.workflow_data(iid)["reviewVerdict"] == "granted"
    case.complete(case.only(iid, "After_Call"))
    assert case.engine.instance(iid).status == "completed"
    # the caller's version holds its own file only: the called one is found at run time
    assert set(case.engine.definition("call_latest").resources) == {"call_latest.bpmn"}


def test_a_caller_deployed_first_opens_an_incident_until_the_called_process_is(
        case: Case) -> None:
    [warning] = _warnings(case, corpus("call_latest.bpmn"))
    assert (warning.file, warning.element_id) == ("call_latest.bpmn", "Call_Review")
    assert warning.message.startswith("no deployed process has key 'shared_review': the "
                                      "call activity will open an incident unless")
    iid, incident = _incident(case, "call_latest", "I")
    assert incident.activity_id == "Call_Review"
    assert "no deployed process has key 'shared_review'" in incident.message
    assert case.ready(iid) == []

    _release(case, "v1")
    assert case.engine.retry_incident(incident.id, actor="coordinator").incident is None

    assert case.engine.instance(iid).status == "running"
    case.complete(case.only(iid, "Review_First"), {"verdict": "granted"})
    case.complete(case.only(iid, "After_Call"))
    assert case.engine.instance(iid).status == "completed"


def test_a_new_version_reaches_new_cases_while_a_case_inside_v1_finishes_on_v1(
        case: Case) -> None:
    _release(case, "v1")
    case.deploy("call_latest.bpmn")
    first = _start(case, "call_latest", "A")
    assert [t.activity_id for t in case.ready(first)] == ["Review_First"]

    _release(case, "v2")

    assert _called_task(case, "call_latest", "B") == "Review_Second"
    case.complete(case.only(first, "Review_First"), {"verdict": "kept"})
    case.complete(case.only(first, "After_Call"))
    assert case.engine.instance(first).status == "completed"
    assert case.engine.workflow_data(first)["reviewVerdict"] == "kept"
    unchanged = case.engine.deploy(corpus("call_latest.bpmn"))
    assert [(d.version, d.created) for d in unchanged.definitions] == [(1, False)]


def test_a_restart_restores_the_called_version_the_case_used(
        case: Case, db: SqlEngine, clock: ManualClock, handlers: HandlerRegistry) -> None:
    _release(case, "v1")
    case.deploy("call_latest.bpmn")
    iid = _start(case, "call_latest", "R")
    _release(case, "v2")

    fresh = Case(Engine(db, clock=clock, handlers=handlers))  # nothing cached

    review = fresh.only(iid, "Review_First")
    assert fresh.engine.task_data(review.id) == {"number": "R"}
    fresh.complete(review, {"verdict": "after restart"})
    fresh.complete(fresh.only(iid, "After_Call"))
    assert fresh.engine.workflow_data(iid)["reviewVerdict"] == "after restart"
    assert fresh.engine.instance(iid).status == "completed"


def test_version_binding_calls_that_version(case: Case) -> None:
    _release(case, "v1")
    _release(case, "v2")
    case.deploy("call_version.bpmn")
    assert _called_task(case, "call_version", "V") == "Review_First"


def test_a_missing_version_warns_and_opens_an_incident_naming_the_deployed_ones(
        case: Case) -> None:
    _release(case, "v2")
    data = corpus("call_version.bpmn")["call_version.bpmn"].replace(
        b'camunda:calledElementVersion="1"', b'camunda:calledElementVersion="2"')
    [warning] = _warnings(case, {"call_version.bpmn": data})
    assert warning.element_id == "Call_Review"
    assert "no deployed version 2" in warning.message and "(deployed: 1)" in warning.message
    _, incident = _incident(case, "call_version", "M")
    assert incident.activity_id == "Call_Review"
    assert "process 'shared_review' has no deployed version 2 (deployed: 1)" in incident.message
    _release(case, "v1")  # version 2 of shared_review
    assert case.engine.retry_incident(incident.id, actor="coordinator").incident is None
    assert [t.activity_id for t in case.ready(incident.instance_id)] == ["Review_First"]


def test_version_tag_binding_calls_the_tagged_version(case: Case) -> None:
    _release(case, "v1")
    _release(case, "v2")
    _release(case, "v1")  # version 3, tagged 1.0 again
    case.deploy("call_version_tag.bpmn")
    assert _called_task(case, "call_version_tag", "T") == "Review_Second"


def test_a_tag_not_deployed_opens_an_incident_naming_it_until_it_is(case: Case) -> None:
    _release(case, "v1")
    [warning] = _warnings(case, corpus("call_version_tag.bpmn"))
    assert (warning.file, warning.element_id) == ("call_version_tag.bpmn", "Call_Review")
    assert "has camunda:versionTag '2.0'" in warning.message
    iid, incident = _incident(case, "call_version_tag", "T")
    assert incident.activity_id == "Call_Review"
    assert "no deployed version of process 'shared_review' has camunda:versionTag '2.0'" \
        in incident.message
    _release(case, "v2")
    assert case.engine.retry_incident(incident.id, actor="coordinator").incident is None
    assert [t.activity_id for t in case.ready(iid)] == ["Review_Second"]


def test_deployment_binding_calls_only_the_same_bundle(case: Case) -> None:
    _release(case, "v1")
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy(corpus("call_deployment.bpmn"))
    [finding] = [f for f in refused.value.findings if f.severity == "error"]
    assert finding.element_id == "Call_Review" and "'deployment'" in finding.message
    both = {**corpus("call_deployment.bpmn"),
            "shared_review.bpmn": (FILES / "shared_review_v2.bpmn").read_bytes()}
    case.engine.deploy(both)
    assert _called_task(case, "call_deployment", "D") == "Review_Second"


def test_an_unknown_called_process_is_a_lint_warning_not_a_refusal(case: Case) -> None:
    linted = [f for f in case.engine.lint(corpus("call_unknown.bpmn"))
              if "no deployed" in f.message]
    assert [(f.severity, f.message) for f in linted] == [(
        "warning", "no deployed process has key 'unknown_review': the call activity will "
        "open an incident unless it is deployed before a case reaches it")]
    _release(case, "v1")
    assert [f for f in case.engine.lint(corpus("call_latest.bpmn"))
            if "no deployed" in f.message or f.severity == "error"] == []


def test_migration_refuses_a_case_inside_a_call_and_moves_one_after_it(case: Case) -> None:
    owner = Caller(name="owner", role="process-owner")
    _release(case, "v1")
    case.deploy("call_latest.bpmn")
    inside = _start(case, "call_latest", "IN")
    after = _start(case, "call_latest", "OUT")
    case.complete(case.only(after, "Review_First"), {"verdict": "done"})
    renamed = corpus("call_latest.bpmn")["call_latest.bpmn"].replace(
        b'name="After call"', b'name="After the call"')
    case.engine.deploy({"call_latest.bpmn": renamed})

    report = case.engine.migrate("call_latest", 1, 2, caller=owner, dry_run=False)

    plans = {plan.instance_id: plan for plan in report.cases}
    assert not plans[inside].migrated
    assert plans[inside].reasons == [
        "subprocess Call_Review (Review in the shared process) runs process "
        "'shared_review', called from outside the bundle when the case reached it: "
        "migrate the case once the call has ended"]
    assert plans[after].migrated, plans[after].reasons
    case.complete(case.only(after, "After_Call"))
    assert case.engine.instance(after).status == "completed"
    assert case.engine.workflow_data(after)["reviewVerdict"] == "done"
    case.complete(case.only(inside, "Review_First"), {"verdict": "stayed"})
    assert [t.activity_id for t in case.ready(inside)] == ["After_Call"]


def test_a_call_built_into_the_callers_version_restores_as_deployed(
        case: Case, db: SqlEngine, clock: ManualClock, handlers: HandlerRegistry) -> None:
    """A same-bundle call, like a caller version stored before calls were resolved at
    run time, carries the called spec in its own version: no run-time lookup."""
    both = {**corpus("call_deployment.bpmn"),
            "shared_review.bpmn": (FILES / "shared_review_v1.bpmn").read_bytes()}
    case.engine.deploy(both)
    iid = _start(case, "call_deployment", "OLD")
    _release(case, "v2")

    fresh = Case(Engine(db, clock=clock, handlers=handlers))

    fresh.complete(fresh.only(iid, "Review_First"), {"verdict": "as deployed"})
    assert [t.activity_id for t in fresh.ready(iid)] == ["After_Call"]
    assert _called_task(fresh, "call_deployment", "NEW") == "Review_First"
