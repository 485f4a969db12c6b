"""Camunda 7 transaction boundaries on throw and end events, in a Modeler file.

`async_events.bpmn`: Review, then Milestone_Reached (an intermediate throw event
with asyncBefore and asyncAfter), Decide, then End_Done with asyncBefore
(`R1/PT1M`: one try) whose input mapping reads `total`.
"""

from __future__ import annotations

from sqlalchemy import select

from engine import ManualClock
from engine.store.models import Incident
from tests.modeler.conftest import Case, corpus
from tests.modeler.test_async_boundaries import failures, jobs, waiting


def test_lint_accepts_the_event_boundaries(case: Case) -> None:
    findings = case.engine.lint(corpus("async_events.bpmn"))
    assert [f.message for f in findings if f.severity == "error"] == []


def test_a_throw_event_holds_before_and_after_it(case: Case) -> None:
    case.deploy("async_events.bpmn")
    iid = case.engine.start("async_events", "E-1").instance.id

    case.complete(case.only(iid, "Review"), {"total": 4})

    assert ("Review", "completed") in case.rows(iid)
    assert case.ready(iid) == [] and waiting(case, iid) == [("Milestone_Reached", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Milestone_Reached", "before")

    assert case.engine.run_due_jobs() == 1  # the event throws; its asyncAfter holds

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Milestone_Reached", "after")
    assert case.ready(iid) == [] and waiting(case, iid) == [("Milestone_Reached", "job")]

    assert case.engine.run_due_jobs() == 1

    assert [t.activity_id for t in case.ready(iid)] == ["Decide"]
    assert jobs(case.engine, iid) == []


def test_a_failure_in_the_job_before_an_end_event_keeps_the_completion_and_opens_an_incident(
        case: Case) -> None:
    case.deploy("async_events.bpmn")
    iid = case.engine.start("async_events", "E-2").instance.id
    case.complete(case.only(iid, "Review"))  # no `total`
    assert [case.engine.run_due_jobs() for _ in range(2)] == [1, 1]

    case.complete(case.only(iid, "Decide"), {"decision": "close"})

    # the case has not ended: the decision committed, the end event's job waits
    assert case.engine.instance(iid).status == "running"
    assert ("Decide", "completed") in case.rows(iid)
    assert waiting(case, iid) == [("End_Done", "job")]
    assert case.engine.run_due_jobs() == 1  # the mapping fails; R1: no second try

    assert [f["attempt"] for f in failures(case, iid)] == [1]
    assert case.engine.instance(iid).status == "incident"
    assert case.engine.workflow_data(iid)["decision"] == "close"
    with case.engine.sessions() as s:
        [incident] = s.scalars(select(Incident).where(Incident.instance_id == iid)).all()
    assert incident.activity_id == "End_Done"

    retried = case.engine.retry_incident(incident.id, data={"total": 3}, actor="coordinator")

    assert retried.incident is None
    assert case.engine.instance(iid).status == "completed"
    assert jobs(case.engine, iid) == []


def test_async_after_on_catch_events_commits_the_caught_event_then_the_job_goes_on(
        case: Case, clock: ManualClock) -> None:
    """`async_catch.bpmn`: Submit, Wait_Reply (message `reply`, asyncAfter), Read_Reply,
    Wait_Hour (PT1H, asyncAfter), Close."""
    assert [f.message for f in case.engine.lint(corpus("async_catch.bpmn"))
            if f.severity == "error"] == []
    case.deploy("async_catch.bpmn")
    iid = case.engine.start("async_catch", "C-1").instance.id
    case.complete(case.only(iid, "Submit"))
    assert jobs(case.engine, iid) == []  # waiting for the message: no job yet

    outcome = case.engine.correlate("reply", business_key="C-1", payload={"answer": "yes"})

    assert outcome.incident is None
    assert case.engine.workflow_data(iid)["answer"] == "yes"  # caught and committed
    assert case.ready(iid) == [] and waiting(case, iid) == [("Wait_Reply", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Wait_Reply", "after")
    assert case.engine.run_due_jobs() == 1
    case.complete(case.only(iid, "Read_Reply"))

    clock.advance(hours=1, minutes=1)
    assert case.engine.run_due_timers() == 1  # the timer fires; its asyncAfter holds

    assert case.ready(iid) == [] and waiting(case, iid) == [("Wait_Hour", "job")]
    assert case.engine.run_due_jobs() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Close"]
    assert jobs(case.engine, iid) == []


def test_async_before_on_a_catch_event_and_async_after_on_an_end_event_are_refused_by_name(
        case: Case) -> None:
    catch = corpus("async_catch.bpmn")["async_catch.bpmn"].replace(
        b'"Reply received" camunda:asyncAfter=', b'"Reply received" camunda:asyncBefore=')
    end = corpus("async_events.bpmn")["async_events.bpmn"].replace(
        b'"Done" camunda:asyncBefore=', b'"Done" camunda:asyncAfter=')

    errors = {f.element_id: f.message for name, text in (("c.bpmn", catch), ("e.bpmn", end))
              for f in case.engine.lint({name: text}) if f.severity == "error"}

    assert errors["Wait_Reply"].startswith(
        'camunda:asyncBefore="true" on a bpmn:intermediateCatchEvent refused: ')
    assert errors["End_Done"].startswith(
        'camunda:asyncAfter="true" on a bpmn:endEvent refused: nothing follows')


def test_async_after_on_a_receive_task_commits_the_message_then_the_job_goes_on(
        case: Case) -> None:
    """`async_receive.bpmn`: Wait_Letter (message `letter`, asyncAfter), Read_Letter."""
    assert [f.message for f in case.engine.lint(corpus("async_receive.bpmn"))
            if f.severity == "error"] == []
    case.deploy("async_receive.bpmn")
    iid = case.engine.start("async_receive", "R-1").instance.id
    assert jobs(case.engine, iid) == []

    case.engine.correlate("letter", business_key="R-1", payload={"pages": 2})

    assert case.engine.workflow_data(iid)["pages"] == 2
    assert case.ready(iid) == [] and waiting(case, iid) == [("Wait_Letter", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Wait_Letter", "after")
    assert case.engine.run_due_jobs() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Read_Letter"]
    assert jobs(case.engine, iid) == []
