"""Camunda 7 transaction boundaries on gateways, in a Modeler file.

`async_gateways.bpmn`: Review, then Gateway_Route (asyncBefore, R2/PT1M) on
`amount > limit`; high amounts go through Fork_Checks (a parallel fork with
asyncAfter) to two checks joined by Join_Checks; the others to Standard; both
meet at Gateway_Merge (an exclusive merge with asyncAfter), then Sign.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import ManualClock
from engine.store.models import Incident
from tests.modeler.conftest import Case, corpus
from tests.modeler.test_async_boundaries import failures, jobs, waiting


def test_lint_accepts_gateway_boundaries_and_refuses_an_inclusive_join_by_name(case: Case) -> None:
    findings = case.engine.lint(corpus("async_gateways.bpmn"))
    assert [f.message for f in findings if f.severity == "error"] == []

    refused = {f.element_id: f.message for f in case.engine.lint(corpus("async_refused.bpmn"))
               if f.severity == "error"}
    assert refused["Gateway_Join"].startswith(
        'camunda:asyncBefore="true" on a bpmn:inclusiveGateway refused: '
        "this inclusive gateway joins")


def test_a_failing_condition_after_async_before_keeps_the_completion_then_an_incident(
        case: Case, clock: ManualClock) -> None:
    case.deploy("async_gateways.bpmn")
    iid = case.engine.start("async_gateways", "G-1").instance.id

    case.complete(case.only(iid, "Review"), {"amount": 900})  # `limit` is missing

    # the review committed; the gateway has not evaluated yet: its job waits
    assert ("Review", "completed") in case.rows(iid)
    assert case.engine.workflow_data(iid)["amount"] == 900
    assert case.ready(iid) == [] and waiting(case, iid) == [("Gateway_Route", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind, job.retry_cycle) == ("Gateway_Route", "before", "R2/PT1M")

    assert case.engine.run_due_jobs() == 1  # the condition fails: tried again in a minute
    [job] = jobs(case.engine, iid)
    assert job.attempts == 1 and job.due_at == clock.now() + timedelta(minutes=1)
    assert case.engine.instance(iid).status == "running"
    clock.advance(minutes=1)
    assert case.engine.run_due_jobs() == 1  # second and last try: the incident

    assert [(f["attempt"], f["activity_id"]) for f in failures(case, iid)] == [
        (1, "Gateway_Route"), (2, "Gateway_Route")]
    assert case.engine.instance(iid).status == "incident"
    assert ("Review", "completed") in case.rows(iid)
    with case.engine.sessions() as s:
        [incident] = s.scalars(select(Incident).where(Incident.instance_id == iid)).all()
    assert incident.activity_id == "Gateway_Route"

    retried = case.engine.retry_incident(incident.id, data={"limit": 500}, actor="coordinator")

    # high amount: the fork ran, its asyncAfter job takes the two flows
    assert retried.incident is None and case.ready(iid) == []
    assert waiting(case, iid) == [("Fork_Checks", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Fork_Checks", "after")
    assert case.engine.run_due_jobs() == 1
    assert sorted(t.activity_id for t in case.ready(iid)) == ["Check_Bank", "Check_Office"]

    case.complete(case.only(iid, "Check_Office"))
    case.complete(case.only(iid, "Check_Bank"))  # the join, then the merge's asyncAfter

    assert case.ready(iid) == [] and waiting(case, iid) == [("Gateway_Merge", "job")]
    assert case.engine.run_due_jobs() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Sign"]
    case.complete(case.only(iid, "Sign"))
    assert case.engine.instance(iid).status == "completed" and jobs(case.engine, iid) == []


def test_the_job_before_a_gateway_takes_the_default_flow_and_the_merge_holds_after(
        case: Case) -> None:
    case.deploy("async_gateways.bpmn")
    iid = case.engine.start("async_gateways", "G-2").instance.id
    case.complete(case.only(iid, "Review"), {"amount": 100, "limit": 500})
    assert waiting(case, iid) == [("Gateway_Route", "job")]

    assert case.engine.run_due_jobs() == 1

    assert [t.activity_id for t in case.ready(iid)] == ["Standard"]
    assert jobs(case.engine, iid) == []
    case.complete(case.only(iid, "Standard"))
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Gateway_Merge", "after")
    assert case.ready(iid) == []
    assert case.engine.run_due_jobs() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Sign"]


def test_a_parallel_join_with_async_before_has_a_job_per_token_and_the_last_one_fires_it(
        case: Case) -> None:
    """`async_join.bpmn`: Draft and Check in parallel, Join_Work with asyncBefore, Sign."""
    assert [f.message for f in case.engine.lint(corpus("async_join.bpmn"))
            if f.severity == "error"] == []
    case.deploy("async_join.bpmn")
    iid = case.engine.start("async_join", "J-1").instance.id

    case.complete(case.only(iid, "Draft"), {"draft": 1})

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Join_Work", "before")
    assert case.engine.run_due_jobs() == 1  # the draft's token arrives: the join waits
    assert [t.activity_id for t in case.ready(iid)] == ["Check"]
    assert jobs(case.engine, iid) == []

    case.complete(case.only(iid, "Check"), {"checked": 1})

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Join_Work", "before")
    assert case.ready(iid) == []
    assert case.engine.run_due_jobs() == 1  # the last token: the join fires

    assert [t.activity_id for t in case.ready(iid)] == ["Sign"]
    data = case.engine.workflow_data(iid)
    assert (data["draft"], data["checked"]) == (1, 1)
    assert jobs(case.engine, iid) == []


def test_both_tokens_waiting_in_their_jobs_join_once(case: Case) -> None:
    case.deploy("async_join.bpmn")
    iid = case.engine.start("async_join", "J-2").instance.id
    case.complete(case.only(iid, "Draft"))
    case.complete(case.only(iid, "Check"))
    assert [(j.activity_id, j.kind) for j in jobs(case.engine, iid)] == [
        ("Join_Work", "before"), ("Join_Work", "before")]

    assert case.engine.run_due_jobs() == 2

    assert [t.activity_id for t in case.ready(iid)] == ["Sign"]
    assert jobs(case.engine, iid) == []
    case.complete(case.only(iid, "Sign"))
    assert case.engine.instance(iid).status == "completed"


def test_async_after_on_a_parallel_join_is_one_job_after_it_fired(case: Case) -> None:
    text = corpus("async_join.bpmn")["async_join.bpmn"].replace(
        b'"Join_Work" camunda:asyncBefore=', b'"Join_Work" camunda:asyncAfter=')
    assert b'"Join_Work" camunda:asyncAfter="true"' in text
    case.engine.deploy({"async_join.bpmn": text})
    iid = case.engine.start("async_join", "J-3").instance.id
    case.complete(case.only(iid, "Draft"))
    assert jobs(case.engine, iid) == []  # the join waits for the other branch, no job

    case.complete(case.only(iid, "Check"))

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Join_Work", "after")
    assert case.ready(iid) == []
    assert case.engine.run_due_jobs() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Sign"]
