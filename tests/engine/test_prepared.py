"""A step's writes sent on the driver's cursor (engine.store.prepared) store what
SQLAlchemy would have stored, count what it would have counted and fail as it would
have failed, on every configured database."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, bindparam, event, select
from sqlalchemy import Engine as SqlEngine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.store.models import UTCDateTime
from engine.store.prepared import Prepared, PreparedQuery, pipelined

SERIALS = itertools.count(1)
META = MetaData()
ROW = Table("prepared_row", META,
            Column("id", String(36), primary_key=True),
            Column("at", UTCDateTime),
            Column("groups", JSON, default=list),
            Column("note", String(50)),
            Column("n", Integer, default=7),
            Column("serial", Integer, default=lambda: next(SERIALS)))
INSERT = Prepared(ROW.insert())
UPDATE = Prepared(ROW.update().where(ROW.c.id == bindparam("b_id"))
                  .values(note=bindparam("note"), at=None))


@pytest.fixture()
def table(db: SqlEngine) -> Iterator[SqlEngine]:
    META.create_all(db)
    yield db
    META.drop_all(db)


def rows(db: SqlEngine) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(ROW.c.id, ROW.c.at, ROW.c.groups, ROW.c.note, ROW.c.n).order_by(ROW.c.id))]


ZURICH = timezone(timedelta(hours=1))


def test_rows_are_stored_as_sqlalchemy_stores_them(table: SqlEngine) -> None:
    at = datetime(2026, 12, 3, 9, 30, tzinfo=ZURICH)
    with Session(table) as session, session.begin():
        conn = session.connection()
        assert INSERT.execute(conn, {"id": "a", "at": at, "groups": ["oai", "orp"],
                                     "note": "é"}) == 1
        assert INSERT.execute(conn, [{"id": "b", "at": at, "note": None},
                                     {"id": "c", "at": at, "note": "x"}]) == 2
    with table.begin() as conn:  # the same rows through SQLAlchemy Core, for comparison
        conn.execute(ROW.insert(), {"id": "d", "at": at, "groups": ["oai", "orp"], "note": "é"})
    stored = rows(table)
    assert stored[0][1:] == stored[3][1:] == (at.astimezone(UTC), ["oai", "orp"], "é", 7)
    assert stored[1][1:] == (at.astimezone(UTC), [], None, 7)  # the columns' defaults
    with table.connect() as conn:  # a callable default is called for each row
        serials = conn.execute(select(ROW.c.serial).order_by(ROW.c.id)).scalars().all()
    assert len(set(serials)) == 4


def test_an_update_counts_the_rows_it_matched(table: SqlEngine) -> None:
    with table.begin() as conn:
        INSERT.execute(conn, {"id": "a", "at": datetime(2026, 1, 1, tzinfo=UTC), "note": "x"})
    with Session(table) as session, session.begin():
        conn = session.connection()
        assert UPDATE.execute(conn, {"b_id": "a", "note": "y"}) == 1
        assert UPDATE.execute(conn, {"b_id": "nobody", "note": "y"}) == 0
    assert rows(table) == [("a", None, [], "y", 7)]  # `at=None` written in the statement


def test_a_failure_is_sqlalchemys_and_rolls_back(table: SqlEngine) -> None:
    with pytest.raises(IntegrityError):
        with Session(table) as session, session.begin():
            conn = session.connection()
            INSERT.execute(conn, {"id": "a", "at": None, "note": "first"})
            INSERT.execute(conn, {"id": "a", "at": None, "note": "again"})
    assert rows(table) == []


def test_cursor_listeners_see_every_statement(table: SqlEngine) -> None:
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001
        seen.append(statement)

    event.listen(table, "before_cursor_execute", listener)
    try:
        with table.begin() as conn:
            INSERT.execute(conn, {"id": "a", "at": None, "note": "x"})
            UPDATE.execute(conn, {"b_id": "a", "note": "y"})
    finally:
        event.remove(table, "before_cursor_execute", listener)
    assert [s.split()[0] for s in seen if s.split()[0] in ("INSERT", "UPDATE")] == [
        "INSERT", "UPDATE"]
    assert rows(table) == [("a", None, [], "y", 7)]


def test_pipelined_writes_fail_as_sqlalchemy_would_and_leave_nothing(table: SqlEngine) -> None:
    with pytest.raises(IntegrityError):
        with Session(table) as session, session.begin():
            conn = session.connection()
            with pipelined(conn):  # PostgreSQL: sent together, the error raised here
                INSERT.execute(conn, {"id": "a", "at": None, "note": "first"})
                INSERT.execute(conn, {"id": "a", "at": None, "note": "again"})
                INSERT.execute(conn, {"id": "b", "at": None, "note": "after"})
    assert rows(table) == []
    with Session(table) as session, session.begin():
        conn = session.connection()
        with pipelined(conn):
            INSERT.execute(conn, [{"id": "a", "at": None, "note": "x"},
                                  {"id": "b", "at": None, "note": "y"}])
            UPDATE.execute(conn, {"b_id": "b", "note": "z"})
    assert [(r[0], r[3]) for r in rows(table)] == [("a", "x"), ("b", "z")]


def test_a_query_on_the_driver_reads_what_sqlalchemy_reads(table: SqlEngine) -> None:
    at = datetime(2026, 12, 3, 9, 30, tzinfo=ZURICH)
    with table.begin() as conn:
        conn.execute(ROW.insert(), {"id": "a", "at": at, "groups": ["oai"], "note": "é"})
        conn.execute(ROW.insert(), {"id": "b", "at": None, "note": None})
    query = PreparedQuery(select(ROW.c.id, ROW.c.at.label("when"), ROW.c.groups, ROW.c.n)
                          .where(ROW.c.id >= "a", ROW.c.n == bindparam("n"))
                          .order_by(ROW.c.id))
    with table.connect() as conn:
        expected = [tuple(r) for r in conn.execute(query.statement, {"n": 7})]
        first = query.all(conn, {"n": 7})
        again = query.all(conn, {"n": 7})  # compiled and typed once, then reused
        none = query.all(conn, {"n": 8})
    assert expected == [("a", at.astimezone(UTC), ["oai"], 7), ("b", None, [], 7)]
    assert [tuple(r) for r in first] == [tuple(r) for r in again] == expected
    assert first[0].when == at and first[0].when.tzinfo is not None and none == []
