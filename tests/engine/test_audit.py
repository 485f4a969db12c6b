"""The history is tamper-evident: each case's rows are hash-chained and `verify_audit` names
any edited, inserted or deleted row, on both databases, with plain SQL as the tamperer.

A real case (ORP–BIP, the real file) is walked to its end so the chain holds the
rows every kind of step writes: start, task ready, completion, state changes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select, text

from engine import Engine, ManualClock
from engine.store.models import History, Instance
from tests.conftest import make_cii_engine
from tests.engine.orp_bip_case import walked_case
from tests.processes.driver import deploy_all


@pytest.fixture
def cii(db: SqlEngine, clock: ManualClock) -> Engine:
    engine = make_cii_engine(db, clock)
    deploy_all(engine)
    return engine


def rows(engine: Engine, instance_id: str) -> list[History]:
    with engine.sessions() as session:
        return list(session.scalars(select(History).where(History.instance_id == instance_id)
                                    .order_by(History.seq)))


def sql(engine: Engine, statement: str, **params: object) -> None:
    with engine.db.begin() as conn:
        conn.execute(text(statement), params)


def test_every_row_chains_to_the_previous_and_the_last_is_the_head(cii: Engine) -> None:
    case = walked_case(cii)
    history = rows(cii, case.instance_id)
    assert [h.seq for h in history] == list(range(1, len(history) + 1))
    assert len({h.row_hash for h in history}) == len(history)
    assert all(h.digest and h.row_hash for h in history)
    assert cii.instance(case.instance_id).history_head == history[-1].row_hash
    report = cii.verify_audit(case.instance_id)
    assert (report.ok, report.checked) == (True, 1)


def test_editing_one_row_in_sql_names_that_row(cii: Engine) -> None:
    case = walked_case(cii)
    other = walked_case(cii, "BIP-2")
    target = [h for h in rows(cii, case.instance_id) if h.kind == "task_completed"][1]
    sql(cii, "UPDATE history SET actor = 'someone-else' WHERE id = :id", id=target.id)
    report = cii.verify_audit()
    assert report.checked == 2
    [fault] = report.faults
    assert (fault.instance_id, fault.seq, fault.row_id) == (case.instance_id, target.seq,
                                                            target.id)
    assert f"seq {target.seq} (history row {target.id})" in str(fault)
    assert "edited" in fault.problem
    assert cii.verify_audit(other.instance_id).ok


def test_editing_a_recorded_value_is_named(cii: Engine) -> None:
    case = walked_case(cii)
    target = [h for h in rows(cii, case.instance_id) if h.kind == "state_changed"][0]
    sql(cii, "UPDATE history SET detail = :d WHERE id = :id",
        d='{"from": "running", "to": "suspended"}', id=target.id)
    [fault] = cii.verify_audit(case.instance_id).faults
    assert (fault.seq, fault.row_id) == (target.seq, target.id)


def test_a_deleted_row_and_an_inserted_row_are_named(cii: Engine) -> None:
    case = walked_case(cii)
    history = rows(cii, case.instance_id)
    middle, last = history[3], history[-1]
    sql(cii, "DELETE FROM history WHERE id = :id", id=middle.id)
    [fault] = cii.verify_audit(case.instance_id).faults
    assert fault.seq == middle.seq and "deleted" in fault.problem
    sql(cii, "INSERT INTO history (instance_id, seq, at, kind, actor, row_hash) "
        "SELECT instance_id, seq + 1, at, 'task_completed', 'forger', row_hash "
        "FROM history WHERE id = :id", id=last.id)
    faults = cii.verify_audit(case.instance_id).faults
    inserted = [f for f in faults if f.seq == last.seq + 1]
    assert len(faults) == 2 and inserted and "inserted" in inserted[0].problem


def test_deleting_the_last_rows_is_seen_against_the_head(cii: Engine) -> None:
    case = walked_case(cii)
    last = rows(cii, case.instance_id)[-1]
    sql(cii, "DELETE FROM history WHERE id = :id", id=last.id)
    [fault] = cii.verify_audit(case.instance_id).faults
    assert fault.seq == last.seq and "deleted" in fault.problem


def test_a_forged_chain_head_is_seen(cii: Engine) -> None:
    case = walked_case(cii)
    sql(cii, "UPDATE instance SET history_head = :h WHERE id = :id", h="f" * 64,
        id=case.instance_id)
    [fault] = cii.verify_audit(case.instance_id).faults
    assert fault.seq is None and "head" in fault.problem
    with cii.sessions() as session:
        assert session.get(Instance, case.instance_id).history_head == "f" * 64
