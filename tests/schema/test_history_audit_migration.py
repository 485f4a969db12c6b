"""Migration 0004 chains what was recorded before it and reads the TTL already deployed.

A database at 0003 with a deployed process and a case with history (written as
the code of that time wrote them: no hashes, no key) is upgraded to the head; the
case's chain then verifies, the definition knows its TTL, and a new step on the
old case extends the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from engine import Engine, ManualClock
from engine.store.db import make_engine
from tests.support.bpmn import Flow, Node, document, user_task
from workflows.migrate import alembic_config, upgrade

AT = datetime(2025, 3, 1, 8, 0)  # naive: the column holds UTC


def test_existing_history_is_chained_and_existing_definitions_get_their_ttl(
        db_url: str) -> None:
    db = make_engine(db_url)
    try:
        config = alembic_config()
        with db.connect() as connection, connection.begin():
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
        source = document("old", [Node("start", "startEvent"), user_task("review", "sas"),
                                  Node("end", "endEvent")],
                          [Flow("start", "review"), Flow("review", "end")]).replace(
            b'historyTimeToLive="180"', b'historyTimeToLive="P90D"')
        meta = sa.MetaData()
        with db.begin() as conn:
            tables = {n: sa.Table(n, meta, autoload_with=conn)
                      for n in ("definition", "instance", "history")}
            conn.execute(tables["definition"].insert().values(
                id=1, key="old", version=1, name=None, checksum="x" * 64,
                resources={"old.bpmn": source.decode()}, bpmn_resource="old.bpmn", spec="{}",
                deployed_at=AT, deployed_by="owner"))
            conn.execute(tables["instance"].insert().values(
                id="case-1", definition_id=1, process_key="old", definition_version=1,
                business_key="B-1", status="completed", state="{}", version=3,
                history_seq=3, started_at=AT, started_by="orp", updated_at=AT, ended_at=AT))
            conn.execute(tables["history"].insert(), [
                {"instance_id": "case-1", "seq": 1, "at": AT, "kind": "started",
                 "actor": "orp", "activity_id": None, "task_id": None,
                 "detail": {"version": 1}},
                {"instance_id": "case-1", "seq": 2, "at": AT, "kind": "task_completed",
                 "actor": "sas", "activity_id": "review", "task_id": "t-1",
                 "detail": {"data": {"opinion": "favourable"}}},
                {"instance_id": "case-1", "seq": 3, "at": AT, "kind": "completed",
                 "actor": None, "activity_id": None, "task_id": None, "detail": None},
            ])
        upgrade(db)
        engine = Engine(db, clock=ManualClock(datetime(2025, 6, 1, tzinfo=UTC)))
        report = engine.verify_audit()
        assert (report.checked, report.faults) == (1, [])
        with db.connect() as conn:
            assert conn.execute(sa.text("SELECT history_ttl_days FROM definition")).scalar() == 90
            salt, head = conn.execute(sa.text(
                "SELECT history_salt, history_head FROM instance")).one()
            last = conn.execute(sa.text("SELECT row_hash FROM history WHERE seq = 3")).scalar()
        assert len(salt) == 32 and head == last
        # 90 days after its end the old case is past its retention, and erased
        [erased] = engine.purge()
        assert erased.instance_id == "case-1"
        assert engine.verify_audit("case-1").ok
    finally:
        db.dispose()
