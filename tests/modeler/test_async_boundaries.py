"""Camunda 7 transaction boundaries in Modeler files: the step commits there, a job goes on.

`async_boundaries.bpmn`: Review_Case, then Notify_Office with asyncBefore and
`R3/PT5M`, then Archive_Case with asyncAfter. As in Camunda 7, the review's
completion commits whatever the service task does after it; the job is tried
three times five minutes apart (the clock is injected), then an incident opens
at the service task, and retrying it runs the case on.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import Engine, ManualClock
from engine.camunda.handlers import HandlerContext, HandlerRegistry
from engine.errors import DefinitionRefused
from engine.service.caller import Caller
from engine.store.models import Incident, Job
from tests.modeler.conftest import Case, corpus


def jobs(engine: Engine, instance_id: str) -> list[Job]:
    with engine.sessions() as s:
        return list(s.scalars(select(Job).where(Job.instance_id == instance_id)))


def waiting(case: Case, instance_id: str) -> list[tuple[str, str]]:
    detail = case.engine.case(instance_id, Caller("coordinator", "coordinator"))
    return [(w.activity_id, w.kind) for w in detail.waiting_at]


def failures(case: Case, instance_id: str) -> list[dict]:
    return [dict(h.detail, activity_id=h.activity_id) for h in case.history(instance_id)
            if h.kind == "job_failed"]


def test_lint_accepts_the_boundaries_it_runs_and_refuses_the_others_by_name(case: Case) -> None:
    for name in ("async_boundaries.bpmn", "async_boundary_timer.bpmn", "async_multi.bpmn",
                 "async_boundary_service.bpmn"):
        findings = case.engine.lint(corpus(name))
        assert [f for f in findings if "asyncBefore" in f.message or "asyncAfter" in f.message
                or "failedJobRetryTimeCycle" in f.message] == [], name

    refused = case.engine.lint(corpus("async_refused.bpmn"))
    errors = {f.element_id: f.message for f in refused if f.severity == "error"}
    assert "Consult" not in errors  # asyncBefore on the loop characteristics runs
    assert "Wait_Answer" not in errors  # asyncAfter beside a boundary event runs
    assert "bpmn:inclusiveGateway refused: this inclusive gateway joins" in errors["Gateway_Join"]
    assert "camunda:failedJobRetryTimeCycle 'R3/5 minutes'" in errors["Send_Letter"]
    with pytest.raises(DefinitionRefused) as refusal:
        case.engine.deploy(corpus("async_refused.bpmn"))
    assert {f.element_id for f in refusal.value.findings} >= set(errors)


def test_a_failing_job_after_async_before_keeps_the_completion_retries_then_opens_an_incident(
        case: Case, handlers: HandlerRegistry, clock: ManualClock) -> None:
    calls: list[str] = []
    broken = [True]

    def notify(ctx: HandlerContext) -> dict[str, bool]:
        calls.append(ctx.activity_id)
        if broken[0]:
            raise RuntimeError("office unreachable for case A-1")
        return {"notified": True}

    handlers.topic("notify-office")(notify)
    case.deploy("async_boundaries.bpmn")
    iid = case.engine.start("async_boundaries", "A-1").instance.id
    review = case.only(iid, "Review_Case")

    outcome = case.engine.complete_task(review.id, {"verdict": "ok"}, actor="tester")

    # the completion committed at the boundary: no handler ran yet, a job waits there
    assert outcome.incident is None and calls == []
    assert case.engine.workflow_data(iid)["verdict"] == "ok"
    assert case.ready(iid) == [] and case.engine.instance(iid).status == "running"
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind, job.attempts) == ("Notify_Office", "before", 0)
    assert waiting(case, iid) == [
        ("Notify_Office", "job")]

    assert case.engine.run_due_jobs() == 1  # first try fails: due again in five minutes
    assert calls == ["Notify_Office"]
    assert case.engine.instance(iid).status == "running"
    assert case.engine.workflow_data(iid)["verdict"] == "ok"  # the review stays done
    [job] = jobs(case.engine, iid)
    assert job.attempts == 1 and job.due_at == clock.now() + timedelta(minutes=5)
    assert case.engine.run_due_jobs() == 0  # not due yet
    clock.advance(minutes=4)
    assert case.engine.run_due_jobs() == 0
    clock.advance(minutes=1)
    assert case.engine.run_due_jobs() == 1  # second try
    clock.advance(minutes=5)
    assert case.engine.run_due_jobs() == 1  # third and last try: the incident
    assert len(calls) == 3
    assert case.engine.run_due_jobs() == 0

    assert [(f["attempt"], f["error"], f["activity_id"]) for f in failures(case, iid)] == [
        (1, "RuntimeError", "Notify_Office"), (2, "RuntimeError", "Notify_Office"),
        (3, "RuntimeError", "Notify_Office")]
    assert all("A-1" not in str(f) for f in failures(case, iid))  # no message, no data
    assert case.engine.instance(iid).status == "incident"
    with case.engine.sessions() as s:
        [incident] = s.scalars(select(Incident).where(Incident.instance_id == iid)).all()
    assert incident.activity_id == "Notify_Office" and incident.status == "open"
    [job] = jobs(case.engine, iid)
    assert job.status == "incident" and job.incident_id == incident.id
    assert case.ready(iid) == []
    assert case.engine.workflow_data(iid)["verdict"] == "ok"

    broken[0] = False
    retried = case.engine.retry_incident(incident.id, actor="coordinator")

    assert retried.incident is None
    data = case.engine.workflow_data(iid)
    assert data["verdict"] == "ok" and data["notified"] is True
    assert [t.activity_id for t in case.ready(iid)] == ["Archive_Case"]
    assert jobs(case.engine, iid) == [] and case.engine.instance(iid).status == "running"


def test_async_after_on_a_user_task_commits_the_completion_then_the_job_moves_on(
        case: Case, handlers: HandlerRegistry) -> None:
    handlers.topic("notify-office")(lambda ctx: {"notified": True})
    case.deploy("async_boundaries.bpmn")
    iid = case.engine.start("async_boundaries", "A-2").instance.id
    case.complete(case.only(iid, "Review_Case"))
    assert case.engine.run_due_jobs() == 1  # Notify_Office's job: on to Archive_Case
    archive = case.only(iid, "Archive_Case")

    case.complete(archive, {"archived": True})

    assert case.engine.instance(iid).status == "running"  # not ended: the job waits
    assert ("Archive_Case", "completed") in case.rows(iid)
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Archive_Case", "after")
    assert waiting(case, iid) == [
        ("Archive_Case", "job")]

    assert case.engine.run_due_jobs() == 1

    assert case.engine.instance(iid).status == "completed"
    assert jobs(case.engine, iid) == []
    assert case.engine.workflow_data(iid)["archived"] is True


def test_without_a_cycle_a_job_runs_three_times_in_all_without_waiting(
        case: Case, handlers: HandlerRegistry, clock: ManualClock) -> None:
    calls: list[str] = []

    def stamp(ctx: HandlerContext) -> dict[str, bool]:
        calls.append(ctx.instance_id)
        raise ValueError("stamp machine jammed")

    handlers.topic("stamp-case")(stamp)
    case.deploy("async_default_retries.bpmn")
    started = case.engine.start("async_default_retries", "D-1")
    iid = started.instance.id
    assert started.incident is None and case.engine.instance(iid).status == "running"

    clock.advance(hours=1)  # no worker ran for an hour: the case waits on its job
    [row] = case.engine.stuck(timedelta(minutes=30), reason="waiting").items
    assert (row.instance_id, row.activity_id, row.wait) == (iid, "Stamp_Case", "job")
    assert "for a worker to run its job" in row.message

    assert case.engine.run_due_jobs() == 1  # failed once: shown as failing, before the incident
    [row] = case.engine.stuck(timedelta(minutes=30), reason="incident").items
    assert (row.activity_id, row.wait, row.detail) == ("Stamp_Case", "job", "ValueError")
    assert "jammed" not in row.message
    assert [case.engine.run_due_jobs() for _ in range(3)] == [1, 1, 0]

    assert len(calls) == 3
    assert [f["attempt"] for f in failures(case, iid)] == [1, 2, 3]
    assert {f["error"] for f in failures(case, iid)} == {"ValueError"}
    assert case.engine.instance(iid).status == "incident"
    [row] = case.engine.stuck(timedelta(minutes=30), reason="incident").items
    assert (row.activity_id, row.wait) == ("Stamp_Case", "incident") and row.incident_id


def test_a_case_waiting_on_a_job_is_refused_by_name_in_a_migration_plan(
        case: Case, handlers: HandlerRegistry) -> None:
    handlers.topic("stamp-case")(lambda ctx: {"stamped": True})
    case.deploy("async_default_retries.bpmn")
    ran = case.engine.start("async_default_retries", "M-1").instance.id
    assert case.engine.run_due_jobs() == 1  # M-1 went on to Check_Stamp
    held = case.engine.start("async_default_retries", "M-2").instance.id  # its job waits
    v2 = corpus("async_default_retries.bpmn")["async_default_retries.bpmn"].replace(
        b'name="Check stamp"', b'name="Check the stamp"')
    case.engine.deploy({"async_default_retries.bpmn": v2})

    report = case.engine.migrate("async_default_retries", 1, 2,
                                 caller=Caller("owner", "process-owner"))

    plans = {c.instance_id: c for c in report.cases}
    assert plans[ran].can_move and plans[ran].reasons == []
    assert not plans[held].can_move
    assert plans[held].reasons == [
        "the case waits on a job at 'Stamp_Case' (camunda:asyncBefore/asyncAfter): "
        "migrate it once a worker has run the job"]


def test_async_after_on_the_start_event_commits_the_start_and_a_job_runs_the_case(
        case: Case) -> None:
    case.deploy("async_start.bpmn")

    started = case.engine.start("async_start", "S-1")

    iid = started.instance.id
    assert started.incident is None and case.engine.instance(iid).status == "running"
    assert case.ready(iid) == [] and waiting(case, iid) == [("StartEvent_1", "job")]
    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("StartEvent_1", "after")

    assert case.engine.run_due_jobs() == 1

    assert [t.activity_id for t in case.ready(iid)] == ["Register_Case"]
    assert jobs(case.engine, iid) == []


def test_async_before_on_a_user_task_and_a_failure_after_async_after_on_a_service_task(
        case: Case, handlers: HandlerRegistry, clock: ManualClock) -> None:
    """The gateway after Compute_Score reads `limit`, which the case lacks: the job after
    the service task fails (its result stays committed), twice (R2/PT1M), then an incident;
    a retry with the corrected data goes on along the flow the gateway now takes."""
    handlers.topic("compute-score")(lambda ctx: {"score": 12})
    case.deploy("async_paths.bpmn")
    iid = case.engine.start("async_paths", "P-1").instance.id
    assert case.ready(iid) == [] and waiting(case, iid) == [("Intake", "job")]
    assert case.engine.run_due_jobs() == 1
    intake = case.only(iid, "Intake")  # the job made the user task, with its row

    case.complete(intake, {"applicant": "ok"})

    assert case.engine.workflow_data(iid)["score"] == 12  # committed before the boundary
    assert waiting(case, iid) == [("Compute_Score", "job")]
    assert case.engine.run_due_jobs() == 1
    [job] = jobs(case.engine, iid)
    assert (job.kind, job.attempts, job.error) == ("after", 1, "WorkflowTaskException")
    assert case.engine.instance(iid).status == "running"
    clock.advance(minutes=1)
    assert case.engine.run_due_jobs() == 1
    assert case.engine.instance(iid).status == "incident"
    assert case.engine.workflow_data(iid)["score"] == 12
    with case.engine.sessions() as s:
        [incident] = s.scalars(select(Incident).where(Incident.instance_id == iid)).all()
    assert incident.activity_id == "Gateway_Score"  # the element at fault, as any incident

    retried = case.engine.retry_incident(incident.id, data={"limit": 10}, actor="coordinator")

    assert retried.incident is None
    assert [t.activity_id for t in case.ready(iid)] == ["Review_High"]
    assert jobs(case.engine, iid) == []
