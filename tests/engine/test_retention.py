"""Retention: `camunda:historyTimeToLive` is honoured, and erasure keeps a verifiable trace.

The real ORP–BIP file declares 3650 days; a case closed that long ago loses its
variables, the form data recorded in its history, its business key and its
digest key, and keeps its ids, times, actors, elements, task rows and a chain
that `verify_audit` still accepts (and that still names an edited row).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select, text

from engine import Engine, ManualClock
from engine.lint import lint
from engine.runtime.audit import STRUCTURAL_KEYS
from engine.store.models import Definition, History, Instance, Task
from tests.conftest import make_cii_engine
from tests.engine.orp_bip_case import walked_case
from tests.processes.driver import deploy_all
from tests.support.bpmn import Flow, Node, document, user_task

TEN_YEARS = timedelta(days=3650)


@pytest.fixture
def cii(db: SqlEngine, clock: ManualClock) -> Engine:
    engine = make_cii_engine(db, clock)
    deploy_all(engine)
    return engine


def history(engine: Engine, instance_id: str) -> list[History]:
    with engine.sessions() as session:
        return list(session.scalars(select(History).where(History.instance_id == instance_id)
                                    .order_by(History.seq)))


def trace(rows: list[History]) -> list[tuple]:
    """What erasure must keep of each row."""
    return [(h.seq, h.at, h.kind, h.actor, h.activity_id, h.task_id, h.row_hash) for h in rows]


def one_task(ttl: str | None) -> bytes:
    source = document("kept", [Node("start", "startEvent"), user_task("review", "sas"),
                               Node("end", "endEvent")],
                      [Flow("start", "review"), Flow("review", "end")])
    old = b'camunda:historyTimeToLive="180"'
    if ttl is None:
        return source.replace(old + b" ", b"")
    return source.replace(old, f'camunda:historyTimeToLive="{ttl}"'.encode())


def test_a_closed_case_past_its_ttl_is_erased_and_keeps_a_verifiable_trace(
        cii: Engine, clock: ManualClock) -> None:
    case = walked_case(cii)
    instance = cii.instance(case.instance_id)
    assert case.data["person_ref"] == "APR-BIP-0007"
    before = history(cii, case.instance_id)
    submitted = [h.detail["data"] for h in before if h.kind == "task_completed"]
    assert {"registration_date": "2026-01-06", "jobroom_registered": True} in submitted
    with cii.sessions() as session:
        tasks_before = [(t.id, t.activity_id, t.completed_by, t.completed_at) for t in
                        session.scalars(select(Task).where(Task.instance_id == instance.id))]

    clock.set(instance.ended_at + TEN_YEARS)  # exactly the TTL: kept
    assert cii.retention_due() == []
    clock.advance(seconds=1)
    [due] = cii.purge(dry_run=True)
    assert (due.instance_id, due.ttl_days, due.status) == (instance.id, 3650, "completed")
    assert case.data["person_ref"] == "APR-BIP-0007"  # a dry run changes nothing

    [erased] = cii.purge()
    assert erased.instance_id == instance.id
    assert case.data == {}
    after = cii.instance(instance.id)
    assert (after.business_key, after.history_salt) == (None, None)
    assert after.purged_at == clock.now()
    assert (after.started_at, after.started_by, after.ended_at) == (
        instance.started_at, instance.started_by, instance.ended_at)
    rows = history(cii, instance.id)
    assert trace(rows[:len(before)]) == trace(before)
    assert all(h.erased_at == clock.now() for h in rows[:len(before)])
    assert all(set(h.detail or {}) <= STRUCTURAL_KEYS for h in rows[:len(before)])
    assert (rows[-1].kind, rows[-1].actor, rows[-1].detail) == (
        "erased", "retention", {"ttl_days": 3650})
    with cii.sessions() as session:
        assert [(t.id, t.activity_id, t.completed_by, t.completed_at) for t in session.scalars(
            select(Task).where(Task.instance_id == instance.id))] == tasks_before
    assert cii.verify_audit(instance.id).ok
    assert cii.purge() == []  # once only


def test_a_purged_case_still_names_an_edited_row(cii: Engine, clock: ManualClock) -> None:
    case = walked_case(cii)
    clock.set(cii.instance(case.instance_id).ended_at + TEN_YEARS + timedelta(days=1))
    cii.purge()
    target = history(cii, case.instance_id)[2]
    with cii.db.begin() as conn:
        conn.execute(text("UPDATE history SET detail = :d WHERE id = :id"),
                     {"d": '{"data": {"person_ref": "forged"}}', "id": target.id})
    [fault] = cii.verify_audit(case.instance_id).faults
    assert (fault.seq, fault.row_id) == (target.seq, target.id)


def test_open_cases_and_young_cases_are_kept(cii: Engine, clock: ManualClock) -> None:
    closed = walked_case(cii, "BIP-closed")
    running = cii.start("orp_bip", "BIP-running", {
        "region": "haut-valais", "person_ref": "APR-BIP-0008",
        "placement_ability_validated": True, "consent_signed": True}, actor="oasi-bip/bip")
    clock.advance(days=3000)
    assert cii.purge() == []
    clock.advance(days=1000)
    assert [c.instance_id for c in cii.purge()] == [closed.instance_id]
    with cii.sessions() as session:
        kept = session.get(Instance, running.instance.id)
        assert (kept.purged_at, kept.business_key) == (None, "BIP-running")


def test_the_definition_records_its_ttl_in_days_as_camunda_writes_it(engine: Engine) -> None:
    engine.deploy({"a.bpmn": one_task("P30D")})
    engine.deploy({"a.bpmn": one_task("45")})
    engine.deploy({"a.bpmn": one_task(None)})
    with engine.sessions() as session:
        assert list(session.scalars(select(Definition.history_ttl_days).where(
            Definition.key == "kept").order_by(Definition.version))) == [30, 45, None]


def test_lint_warns_of_a_process_without_ttl_and_refuses_an_unreadable_one() -> None:
    [warning] = lint({"a.bpmn": one_task(None)})
    assert (warning.severity, warning.element_id) == ("warning", "kept")
    assert "historyTimeToLive" in warning.message and "forever" in warning.message
    [error] = lint({"a.bpmn": one_task("soon")})
    assert (error.severity, error.element_id) == ("error", "kept")
    assert "'soon'" in error.message
    assert lint({"a.bpmn": one_task("P30D")}) == []
