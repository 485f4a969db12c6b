"""Camunda 7 transaction boundaries on activities SpiffWorkflow wraps, in Modeler files.

`async_boundary_timer.bpmn`, `async_boundary_service.bpmn`: activities with boundary
events (timer, error) and asyncBefore/asyncAfter; the events are armed only when the
job runs the activity, and gone once it completed. `async_multi.bpmn`: boundaries on a
multi-instance activity (one job around the whole body) and on its loop
characteristics (one job per instance). See engine/camunda/async_wrapped.py.
"""

from __future__ import annotations

from sqlalchemy import select

from engine import ManualClock
from engine.camunda.handlers import BpmnError, HandlerContext, HandlerRegistry
from engine.store.models import Incident
from tests.modeler.conftest import Case
from tests.modeler.test_async_boundaries import failures, jobs, waiting


def test_async_before_on_an_activity_with_a_timer_arms_it_when_the_job_runs_the_activity(
        case: Case, clock: ManualClock) -> None:
    """Camunda 7: the asyncBefore job sits before the activity's scope, so its boundary
    timer is not armed while the job waits; its PT1H counts from when the job ran."""
    case.deploy("async_boundary_timer.bpmn")
    iid = case.engine.start("async_boundary_timer", "T-1").instance.id
    case.complete(case.only(iid, "Intake"))

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Assess", "before")
    assert waiting(case, iid) == [("Assess", "job")]  # no timer waits yet
    clock.advance(hours=2)  # the job waits two hours for a worker
    assert case.engine.run_due_timers() == 0
    assert case.engine.run_due_jobs() == 1
    assess = case.only(iid, "Assess")
    assert sorted(waiting(case, iid)) == [("Assess", "user_task")]

    clock.advance(minutes=59)
    assert case.engine.run_due_timers() == 0
    assert [t.activity_id for t in case.ready(iid)] == ["Assess"]
    clock.advance(minutes=1, seconds=1)  # just past one hour after the job ran the activity
    assert case.engine.run_due_timers() == 1

    assert [t.activity_id for t in case.ready(iid)] == ["Escalate"]
    assert ("Assess", "cancelled") in case.rows(iid) and assess.id
    assert jobs(case.engine, iid) == []


def test_async_after_on_an_activity_with_a_timer_removes_it_when_the_activity_completes(
        case: Case, clock: ManualClock) -> None:
    """Camunda 7: the boundary events end with the activity, before its asyncAfter job:
    the job waiting past the timer's due time does not fire it."""
    case.deploy("async_boundary_timer.bpmn")
    iid = case.engine.start("async_boundary_timer", "T-2").instance.id
    case.complete(case.only(iid, "Intake"))
    assert case.engine.run_due_jobs() == 1
    case.complete(case.only(iid, "Assess"))
    archive = case.only(iid, "Archive")
    clock.advance(minutes=10)

    case.complete(archive, {"archived": True})

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Archive", "after")
    assert waiting(case, iid) == [("Archive", "job")]  # the PT30M timer is gone
    clock.advance(hours=1)
    assert case.engine.run_due_timers() == 0
    assert case.engine.run_due_jobs() == 1
    assert case.engine.instance(iid).status == "completed"
    rows = case.rows(iid)
    assert ("Archive", "completed") in rows
    assert not any(activity == "Chase" for activity, _ in rows)


def test_async_boundaries_on_a_multi_instance_activity_hold_the_whole_body(
        case: Case) -> None:
    """Camunda 7: asyncBefore on the activity is one job before the multi-instance body,
    asyncAfter one job after its last instance, not one per instance."""
    case.deploy("async_multi.bpmn")
    iid = case.engine.start("async_multi", "M-1").instance.id
    case.complete(case.only(iid, "Prepare"), {"institutions": ["oai-ge", "oai-vd", "oai-be"]})

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Consult", "before")
    assert case.ready(iid) == [] and waiting(case, iid) == [("Consult", "job")]
    assert case.engine.run_due_jobs() == 1
    consults = [t for t in case.ready(iid) if t.activity_id == "Consult"]
    assert len(consults) == 3 and jobs(case.engine, iid) == []

    for n, task in enumerate(consults[:2]):
        case.complete(task, {f"answer_{n}": True})
        assert jobs(case.engine, iid) == []  # no job after each instance
    case.complete(consults[2], {"answer_2": True})

    [job] = jobs(case.engine, iid)
    assert (job.activity_id, job.kind) == ("Consult", "after")
    assert case.ready(iid) == [] and waiting(case, iid) == [("Consult", "job")]
    assert case.engine.run_due_jobs() == 1

    # Sign: asyncBefore on its loop characteristics, one job per instance
    sign_jobs = jobs(case.engine, iid)
    assert [(j.activity_id, j.kind) for j in sign_jobs] == [("Sign", "before")] * 2
    assert case.ready(iid) == []
    assert case.engine.run_due_jobs() == 2
    signs = [t for t in case.ready(iid) if t.activity_id == "Sign"]
    assert len(signs) == 2 and jobs(case.engine, iid) == []
    data = case.engine.workflow_data(iid)
    assert all(data[f"answer_{n}"] for n in range(3))
    case.complete(signs[0], {"signed_0": True})
    case.complete(signs[1], {"signed_1": True})
    assert [(j.activity_id, j.kind) for j in jobs(case.engine, iid)] == [("Sign", "after")] * 2
    assert case.ready(iid) == [] and waiting(case, iid) == [("Sign", "job")]
    assert case.engine.run_due_jobs(limit=1) == 1  # one instance ended: the loop waits
    assert case.ready(iid) == [] and len(jobs(case.engine, iid)) == 1
    assert case.engine.run_due_jobs() == 1  # the last one: the loop ends
    data = case.engine.workflow_data(iid)
    assert data["signed_0"] is True and data["signed_1"] is True

    # File_Copy: asyncAfter on its sequential loop, one job after each instance; the
    # next instance starts only when the job ended the one before
    for n in range(2):
        [copy] = [t for t in case.ready(iid) if t.activity_id == "File_Copy"]
        case.complete(copy, {f"copy_{n}": True})
        [job] = jobs(case.engine, iid)
        assert (job.activity_id, job.kind) == ("File_Copy", "after")
        assert case.ready(iid) == [] and waiting(case, iid) == [("File_Copy", "job")]
        assert case.engine.run_due_jobs() == 1
    assert case.engine.instance(iid).status == "completed"
    data = case.engine.workflow_data(iid)
    assert data["copy_0"] is True and data["copy_1"] is True


def test_a_failing_job_before_a_service_task_with_boundary_events_arms_nothing_until_it_runs(
        case: Case, handlers: HandlerRegistry, clock: ManualClock) -> None:
    """The tries of the job before Send_Letter fail: its PT1H timer is never armed, the
    incident opens at the service task; the retry's BPMN error is caught by its boundary."""
    outcome: list[Exception] = [RuntimeError("post office down")]

    def send(ctx: HandlerContext) -> dict[str, bool]:
        raise outcome[0]

    handlers.topic("send-letter")(send)
    case.deploy("async_boundary_service.bpmn")
    iid = case.engine.start("async_boundary_service", "L-1").instance.id
    assert waiting(case, iid) == [("Send_Letter", "job")]

    assert case.engine.run_due_jobs() == 1  # first of two tries (R2/PT10M) fails
    assert waiting(case, iid) == [("Send_Letter", "job")]  # still no timer waits
    clock.advance(hours=2)
    assert case.engine.run_due_timers() == 0
    assert case.engine.run_due_jobs() == 1  # second and last try: the incident

    assert case.engine.instance(iid).status == "incident"
    with case.engine.sessions() as s:
        [incident] = s.scalars(select(Incident).where(Incident.instance_id == iid)).all()
    assert incident.activity_id == "Send_Letter"
    assert [(f["attempt"], f["activity_id"]) for f in failures(case, iid)] == [
        (1, "Send_Letter"), (2, "Send_Letter")]

    outcome[0] = BpmnError("BAD_ADDRESS")
    retried = case.engine.retry_incident(incident.id, actor="coordinator")

    assert retried.incident is None
    assert [t.activity_id for t in case.ready(iid)] == ["Fix_Address"]
    assert jobs(case.engine, iid) == [] and case.engine.instance(iid).status == "running"


def test_an_external_task_after_async_before_has_its_timer_counted_from_the_job(
        case: Case, clock: ManualClock) -> None:
    """No handler bound to the topic: the job makes the external task, whose boundary
    timer then counts from the job's run."""
    case.deploy("async_boundary_service.bpmn")
    iid = case.engine.start("async_boundary_service", "L-2").instance.id
    clock.advance(hours=3)
    assert case.engine.run_due_timers() == 0

    assert case.engine.run_due_jobs() == 1

    assert waiting(case, iid) == [("Send_Letter", "external_task")]
    clock.advance(minutes=59)
    assert case.engine.run_due_timers() == 0
    clock.advance(minutes=1, seconds=1)
    assert case.engine.run_due_timers() == 1
    assert [t.activity_id for t in case.ready(iid)] == ["Call_Office"]


def test_an_incident_retry_corrects_a_variable_the_job_before_the_activity_reads(
        case: Case, handlers: HandlerRegistry, clock: ManualClock) -> None:
    """The corrections of the retry win over the case's value they replace (the job
    before Send_Letter, held at the split before its boundary events)."""
    seen: list[str] = []

    def send(ctx: HandlerContext) -> dict[str, bool]:
        seen.append(ctx.variables["address"])
        if ctx.variables["address"] != "Rue du Lac 2":
            raise RuntimeError("no such street")
        return {"sent": True}

    handlers.topic("send-letter")(send)
    case.deploy("async_boundary_service.bpmn")
    iid = case.engine.start("async_boundary_service", "L-3",
                            {"address": "Rue du Lac 1"}).instance.id
    assert case.engine.run_due_jobs() == 1
    clock.advance(minutes=10)
    assert case.engine.run_due_jobs() == 1  # R2/PT10M: the second try opens the incident
    with case.engine.sessions() as s:
        [incident] = s.scalars(select(Incident).where(Incident.instance_id == iid)).all()

    retried = case.engine.retry_incident(incident.id, data={"address": "Rue du Lac 2"},
                                         actor="coordinator")

    assert retried.incident is None
    assert seen == ["Rue du Lac 1", "Rue du Lac 1", "Rue du Lac 2"]
    assert [t.activity_id for t in case.ready(iid)] == ["Confirm"]
    assert case.engine.workflow_data(iid)["address"] == "Rue du Lac 2"
