"""Call activities bound to processes deployed before (`camunda:calledElementBinding`).

Camunda 7 resolves `calledElement` when the call activity runs; ciiflow resolves it
when the caller is deployed and keeps the called version with the caller's version
(engine/camunda/call_binding.py says why), so each test deploys the called process
first, then the caller from its own Modeler file.
"""

from __future__ import annotations

import pytest

from engine import DefinitionRefused
from engine.errors import Finding
from tests.modeler.conftest import FILES, Case, corpus


def _release(case: Case, release: str) -> None:
    """Deploy `shared_review` from its own bundle, as a separate team would."""
    data = (FILES / f"shared_review_{release}.bpmn").read_bytes()
    case.engine.deploy({"shared_review.bpmn": data})


def _called_task(case: Case, pid: str, business_key: str) -> str:
    iid = case.engine.start(pid, business_key, {"caseNumber": business_key}).instance.id
    [task] = case.ready(iid)
    return task.activity_id


def _refused(case: Case, name: str) -> list[Finding]:
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy(corpus(name))
    return [f for f in refused.value.findings if f.severity == "error"]


def test_latest_calls_the_latest_deployed_version_and_maps_variables(case: Case) -> None:
    _release(case, "v1")
    _release(case, "v2")
    case.deploy("call_latest.bpmn")
    iid = case.engine.start("call_latest", "C-1", {"caseNumber": "C-1"}).instance.id
    review = case.only(iid, "Review_Second")
    assert case.engine.task_data(review.id) == {"number": "C-1"}
    case.complete(review, {"verdict": "granted"})
    assert case.engine.workflow_data(iid)["reviewVerdict"] == "granted"
    case.complete(case.only(iid, "After_Call"))
    assert case.engine.instance(iid).status == "completed"
    stored = case.engine.definition("call_latest").resources
    assert "deployed/shared_review/v2/shared_review.bpmn" in stored


def test_a_new_called_version_reaches_new_cases_once_the_caller_is_redeployed(
        case: Case) -> None:
    _release(case, "v1")
    case.deploy("call_latest.bpmn")
    assert _called_task(case, "call_latest", "A") == "Review_First"
    _release(case, "v2")
    assert _called_task(case, "call_latest", "B") == "Review_First"  # caller v1 keeps v1

    again = case.engine.deploy(corpus("call_latest.bpmn"))

    assert [(d.key, d.version, d.created) for d in again.definitions] == [
        ("call_latest", 2, True)]
    assert _called_task(case, "call_latest", "C") == "Review_Second"
    unchanged = case.engine.deploy(corpus("call_latest.bpmn"))
    assert [(d.version, d.created) for d in unchanged.definitions] == [(2, False)]


def test_version_binding_calls_that_version(case: Case) -> None:
    _release(case, "v1")
    _release(case, "v2")
    case.deploy("call_version.bpmn")
    assert _called_task(case, "call_version", "V") == "Review_First"


def test_version_tag_binding_calls_the_tagged_version(case: Case) -> None:
    _release(case, "v1")
    _release(case, "v2")
    _release(case, "v1")  # version 3, tagged 1.0 again
    case.deploy("call_version_tag.bpmn")
    assert _called_task(case, "call_version_tag", "T") == "Review_Second"


def test_a_tag_not_deployed_is_refused_by_name_until_it_is(case: Case) -> None:
    _release(case, "v1")
    [finding] = _refused(case, "call_version_tag.bpmn")
    assert (finding.file, finding.element_id) == ("call_version_tag.bpmn", "Call_Review")
    assert "has camunda:versionTag '2.0'" in finding.message
    _release(case, "v2")
    case.deploy("call_version_tag.bpmn")
    assert _called_task(case, "call_version_tag", "T") == "Review_Second"


def test_a_missing_version_names_the_deployed_ones(case: Case) -> None:
    _release(case, "v2")
    data = corpus("call_version.bpmn")["call_version.bpmn"].replace(
        b'camunda:calledElementVersion="1"', b'camunda:calledElementVersion="4"')
    with pytest.raises(DefinitionRefused) as refused:
        case.engine.deploy({"call_version.bpmn": data})
    [finding] = [f for f in refused.value.findings if f.severity == "error"]
    assert finding.element_id == "Call_Review"
    assert "no deployed version 4" in finding.message and "(deployed: 1)" in finding.message


def test_deployment_binding_calls_only_the_same_bundle(case: Case) -> None:
    _release(case, "v1")
    [finding] = _refused(case, "call_deployment.bpmn")
    assert finding.element_id == "Call_Review" and "'deployment'" in finding.message
    both = {**corpus("call_deployment.bpmn"),
            "shared_review.bpmn": (FILES / "shared_review_v2.bpmn").read_bytes()}
    case.engine.deploy(both)
    assert _called_task(case, "call_deployment", "D") == "Review_Second"


def test_an_unknown_called_process_is_named_by_lint_and_refused(case: Case) -> None:
    [finding] = _refused(case, "call_unknown.bpmn")
    assert finding.element_id == "Call_Review"
    assert "no deployed process has key 'unknown_review'" in finding.message
    linted = [f for f in case.engine.lint(corpus("call_unknown.bpmn")) if f.severity == "error"]
    assert [(f.element_id, f.message) for f in linted] == [
        (finding.element_id, finding.message)]
    _release(case, "v1")
    assert [f for f in case.engine.lint(corpus("call_latest.bpmn"))
            if f.severity == "error"] == []
