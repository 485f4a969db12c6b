"""Migrating running cases in the engine: what follows a moved case, what refuses one.

The end-to-end acceptance over HTTP is `tests/workflows/test_migrations_api.py`;
these tests look at what a move keeps (task ids, claims, due timers, message
subscriptions), what it refuses (a multi-instance in progress, a role) and how a
case in incident comes through.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import Caller, Engine, ManualClock
from engine.errors import InvalidInput, NotAllowed
from engine.store.models import History, Incident, MessageSubscription, Task
from tests.engine import migration_processes as versions

OWNER = Caller(name="owner", role="process-owner")


def ready_tasks(engine: Engine, instance_id: str) -> list[Task]:
    with engine.sessions() as s:
        return list(s.scalars(select(Task).where(Task.instance_id == instance_id,
                                                 Task.state == "ready")))


def kinds(engine: Engine, instance_id: str) -> list[str]:
    with engine.sessions() as s:
        return list(s.scalars(select(History.kind).where(History.instance_id == instance_id)
                              .order_by(History.seq)))


def test_a_kept_task_keeps_its_id_claim_and_timer(engine: Engine, clock: ManualClock) -> None:
    engine.deploy({"intake.bpmn": versions.v1_timer()})
    case = engine.start("intake", "T-1", {}).instance.id
    (review,) = ready_tasks(engine, case)
    engine.claim(review.id, "sas-clerk")
    due = engine.instance(case).next_timer_at
    clock.advance(days=3)
    engine.deploy({"intake.bpmn": versions.v2_timer()})
    report = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False)
    assert [(c.migrated, c.kept) for c in report.cases] == [
        (True, [{"task_id": review.id, "from": "review_task", "to": "review_task"}])]
    (kept,) = ready_tasks(engine, case)
    assert (kept.id, kept.assignee, kept.activity_id) == (review.id, "sas-clerk", "review_task")
    moved = engine.instance(case)
    assert (moved.definition_version, moved.next_timer_at) == (2, due)  # not 3 days later
    clock.advance(days=7, seconds=1)
    engine.run_due_timers()
    assert "late_task" in {t.activity_id for t in ready_tasks(engine, case)}
    assert kinds(engine, case).count("migrated") == 1


def test_a_kept_task_routed_to_another_group_reaches_that_group_s_list(engine: Engine) -> None:
    """review_task (SAS) mapped to assess_task (OAI): the OAI's work list has it, the SAS's not."""
    engine.deploy({"intake.bpmn": versions.v1()})
    case = engine.start("intake", "R-1", {}).instance.id
    (review,) = ready_tasks(engine, case)
    engine.deploy({"intake.bpmn": versions.v2()})
    report = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False,
                            activity_map={"review_task": "assess_task"})
    assert [c.migrated for c in report.cases] == [True], report.cases
    oai = Caller(name="oai-clerk", role="institution", groups=("oai",))
    sas = Caller(name="sas-clerk", role="institution", groups=("sas",))
    assert [t.id for t in engine.tasks(caller=oai)] == [review.id]
    assert [t.id for t in engine.tasks(caller=sas)] == []


def test_v2_path_after_the_move(engine: Engine) -> None:
    engine.deploy({"intake.bpmn": versions.v1_timer()})
    case = engine.start("intake", "T-1", {}).instance.id
    engine.deploy({"intake.bpmn": versions.v2_timer()})
    engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False)
    (review,) = ready_tasks(engine, case)
    engine.complete_task(review.id, {}, actor="sas")
    assert [t.activity_id for t in ready_tasks(engine, case)] == ["approve_task"]


def test_a_multi_instance_in_progress_does_not_move(engine: Engine) -> None:
    engine.deploy({"intake.bpmn": versions.multi()})
    case = engine.start("intake", "MI-1", {}).instance.id
    engine.deploy({"intake.bpmn": versions.multi("assess_task")})
    plan = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False,
                          activity_map={"review_task": "assess_task"})
    (only,) = plan.cases
    assert not only.can_move and not only.migrated
    assert "multi-instance review_task" in only.reasons[0]
    assert engine.instance(case).definition_version == 1
    assert len(ready_tasks(engine, case)) == 2


def test_a_subscription_follows_its_mapped_event(engine: Engine) -> None:
    engine.deploy({"intake.bpmn": versions.message_wait("decision_received")})
    case = engine.start("intake", "MSG-1", {}).instance.id
    engine.deploy({"intake.bpmn": versions.message_wait("decision_arrived")})
    engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False,
                   activity_map={"decision_received": "decision_arrived"})
    with engine.sessions() as s:
        subscription = s.scalars(select(MessageSubscription).where(
            MessageSubscription.instance_id == case)).one()
    assert subscription.activity_id == "decision_arrived"
    engine.correlate("decision", instance_id=case, payload={}, actor="oai")
    assert [t.activity_id for t in ready_tasks(engine, case)] == ["after_task"]


def incident_case(engine: Engine) -> tuple[str, Incident]:
    engine.deploy({"intake.bpmn": versions.gateway("decision_gateway")})
    case = engine.start("intake", "I-1", {}).instance.id
    (review,) = ready_tasks(engine, case)
    outcome = engine.complete_task(review.id, {"decision": "maybe"}, actor="sas")
    assert outcome.incident is not None
    engine.deploy({"intake.bpmn": versions.gateway("choice_gateway", default=True)})
    return case, outcome.incident


def test_a_case_in_incident_stays_in_incident_unless_the_failure_is_mapped_away(
        engine: Engine) -> None:
    case, incident = incident_case(engine)
    assert incident.activity_id == "decision_gateway"
    stays = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False)
    # the gateway the case failed at is gone and not mapped: the case does not wait there,
    # so it moves, still in incident
    assert [(c.migrated, c.incident) for c in stays.cases] == [
        (True, {"activity_id": "decision_gateway", "outcome": "stays-open"})]
    assert engine.instance(case).status == "incident"


def test_an_incident_mapped_away_is_retried_on_the_new_version(engine: Engine) -> None:
    case, _ = incident_case(engine)
    mapping = {"decision_gateway": "choice_gateway"}
    plan = engine.migrate("intake", 1, 2, caller=OWNER, activity_map=mapping)
    assert plan.cases[0].incident == {"activity_id": "decision_gateway", "outcome": "retried"}
    assert engine.instance(case).status == "incident"  # a dry run
    done = engine.migrate("intake", 1, 2, caller=OWNER, activity_map=mapping, dry_run=False)
    assert done.cases[0].incident == {"activity_id": "decision_gateway", "outcome": "resolved"}
    assert engine.instance(case).status == "completed"
    with engine.sessions() as s:
        assert s.scalars(select(Incident.status)).all() == ["resolved"]


def test_who_may_migrate_and_what_a_request_must_name(engine: Engine) -> None:
    engine.deploy({"intake.bpmn": versions.v1()})
    engine.deploy({"intake.bpmn": versions.v2()})
    with pytest.raises(NotAllowed):
        engine.migrate("intake", 1, 2, caller=Caller(name="c", role="coordinator"))
    with pytest.raises(InvalidInput) as same:
        engine.migrate("intake", 2, 2, caller=OWNER)
    assert same.value.field == "to_version"
    with pytest.raises(InvalidInput) as unknown:
        engine.migrate("intake", 1, 2, caller=OWNER, activity_map={"nope": "assess_task"})
    assert "activity_map.nope" in unknown.value.errors
    assert engine.migrate("intake", 1, 2, caller=OWNER,
                          instance_ids=["missing"]).cases[0].reasons == ["no case with this id"]


def test_a_batch_reports_progress(engine: Engine) -> None:
    engine.deploy({"intake.bpmn": versions.v1_timer()})
    for n in range(5):
        engine.start("intake", f"B-{n}", {})
    engine.deploy({"intake.bpmn": versions.v2_timer()})
    seen: list[tuple[int, int]] = []
    report = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False,
                            progress=lambda done, total: seen.append((done, total)))
    assert seen == [(n, 5) for n in range(1, 6)]
    assert report.counts == {"cases": 5, "can_move": 5, "cannot_move": 0, "migrated": 5}



def test_a_step_the_case_already_passed_may_be_removed(engine: Engine) -> None:
    engine.deploy({"intake.bpmn": versions.with_intake()})
    case = engine.start("intake", "P-1", {}).instance.id
    (intake,) = ready_tasks(engine, case)
    engine.complete_task(intake.id, {}, actor="orp")
    (review,) = ready_tasks(engine, case)
    engine.deploy({"intake.bpmn": versions.v1()})  # the intake is gone
    report = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False)
    assert [(c.migrated, c.reasons) for c in report.cases] == [(True, [])]
    engine.complete_task(review.id, {}, actor="sas")
    (check,) = ready_tasks(engine, case)
    engine.complete_task(check.id, {}, actor="commune")
    assert engine.instance(case).status == "completed"
    assert "task_completed" in kinds(engine, case)  # the intake's record stays


def test_an_external_task_follows_its_mapped_element(engine: Engine) -> None:
    from engine.store.models import ExternalTask
    from tests.workflows import processes as api_processes

    v1 = api_processes.external("intake")
    engine.deploy({"intake.bpmn": v1})
    case = engine.start("intake", "X-1", {}).instance.id
    engine.deploy({"intake.bpmn": v1.replace(b"register_service", b"enrol_service")})
    engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False,
                   activity_map={"register_service": "enrol_service"})
    with engine.sessions() as s:
        row = s.scalars(select(ExternalTask).where(ExternalTask.instance_id == case)).one()
    assert (row.activity_id, row.state) == ("enrol_service", "available")
    admin = Caller(name="worker", role="admin")
    (locked,) = engine.fetch_and_lock(admin, "w1", [("register-case", 60_000)])
    assert locked["activity_id"] == "enrol_service"
    engine.complete_external_task(admin, row.id, "w1", {"done": True})
    assert [t.activity_id for t in ready_tasks(engine, case)] == ["after_task"]


def test_a_task_mapped_onto_automatic_work_is_cancelled_and_the_work_runs(
        engine: Engine) -> None:
    from engine.runtime.domain_events import DomainEvent, TaskCancelled
    from engine.store.models import ExternalTask
    from tests.workflows import processes as api_processes

    engine.deploy({"intake.bpmn": versions.v1()})
    case = engine.start("intake", "A-1", {}).instance.id
    (review,) = ready_tasks(engine, case)
    engine.deploy({"intake.bpmn": api_processes.external("intake")})
    seen: list[DomainEvent] = []
    engine.subscribe(lambda session, event: seen.append(event))
    report = engine.migrate("intake", 1, 2, caller=OWNER, dry_run=False,
                            activity_map={"review_task": "register_service"})
    assert report.cases[0].cancelled == [{"task_id": review.id, "activity_id": "review_task"}]
    assert [(e.task_id, e.reason) for e in seen if isinstance(e, TaskCancelled)] == [
        (review.id, "migrated")]
    assert ready_tasks(engine, case) == []
    with engine.sessions() as s:
        external = s.scalars(select(ExternalTask).where(ExternalTask.instance_id == case)).one()
    assert (external.activity_id, external.state) == ("register_service", "available")
