"""Camunda 7 `asyncAfter` on message and timer start events, in Modeler files.

The message (or the timer) starts the case and the start commits: the caller gets
the case, a job runs it on from its start event.
"""

from __future__ import annotations

from sqlalchemy import select

from engine import ManualClock
from engine.store.models import Instance
from tests.modeler.conftest import Case, corpus
from tests.modeler.test_async_boundaries import jobs, waiting


def test_lint_accepts_async_after_on_message_and_timer_starts(case: Case) -> None:
    for name in ("async_message_start.bpmn", "async_timer_start.bpmn"):
        assert [f.message for f in case.engine.lint(corpus(name))
                if f.severity == "error"] == [], name


def test_async_before_on_a_message_start_and_a_cycle_timer_start_are_refused_by_name(
        case: Case) -> None:
    text = corpus("async_message_start.bpmn")["async_message_start.bpmn"].replace(
        b"camunda:asyncAfter=", b"camunda:asyncBefore=")
    cycle = corpus("async_timer_start.bpmn")["async_timer_start.bpmn"].replace(
        b"timeDuration", b"timeCycle").replace(b">PT10H<", b">R2/PT10H<")
    errors = {f.element_id: f.message for name, body in (("m.bpmn", text), ("t.bpmn", cycle))
              for f in case.engine.lint({name: body}) if f.severity == "error"}
    assert errors["Event_Appeal"].startswith(
        'camunda:asyncBefore="true" on a bpmn:startEvent refused: ')
    assert errors["Event_Daily"].startswith(
        'camunda:asyncAfter="true" on a bpmn:startEvent refused: ')


def test_a_message_start_with_async_after_commits_the_start_then_a_job_runs_the_case(
        case: Case) -> None:
    case.deploy("async_message_start.bpmn")

    outcome = case.engine.correlate("appeal-filed", business_key="AP-1",
                                    payload={"canton": "VS"})

    iid = outcome.instance.id
    assert outcome.incident is None and case.engine.instance(iid).status == "running"
    assert case.engine.workflow_data(iid)["canton"] == "VS"
    assert case.ready(iid) == [] and waiting(case, iid) == [("Event_Appeal", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Event_Appeal", "after")

    assert case.engine.run_due_jobs() == 1

    assert [t.activity_id for t in case.ready(iid)] == ["Triage"]
    assert jobs(case.engine, iid) == []


def test_a_timer_start_with_async_after_starts_the_case_and_a_job_runs_it(
        case: Case, clock: ManualClock) -> None:
    case.deploy("async_timer_start.bpmn")
    clock.advance(hours=10, seconds=1)

    case.engine.run_due_timers()

    with case.engine.sessions() as s:
        [iid] = s.scalars(select(Instance.id).where(
            Instance.process_key == "async_timer_start")).all()
    assert case.ready(iid) == [] and waiting(case, iid) == [("Event_Daily", "job")]
    assert case.engine.run_due_jobs() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Daily_Check"]
    assert jobs(case.engine, iid) == []
