"""Hints to the two query planners, each compiled for the one that needs it.

SQLite plans without statistics on a fresh file and likes an equality on an indexed
column (`task.state = ?`, `instance.status = ?`) even where that walks every ready
task or running case; its idiom to say "do not drive from this index" is a unary
`+`. PostgreSQL estimates a materialized CTE of a few groups at all groups, and an
array computed before the scan (`= ANY(ARRAY(...))`) is what lets it read the index
for those groups only. Elsewhere each hint is the plain SQL. And a page of a few
dozen rows is better read by one process (`one_worker`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal


class Unindexed(ColumnElement[Any]):
    """A column SQLite must not choose an index for (`+column` there)."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = column
        self.type = column.type


class OneOf(ColumnElement[bool]):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("subquery", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, subquery: Any) -> None:
        self.column, self.subquery = column, subquery


@compiles(Unindexed)
def _unindexed(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _unindexed_sqlite(element: Unindexed, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.column, **kw)}"


@compiles(OneOf)
def _one_of(element: OneOf, compiler: Any, **kw: Any) -> str:
    return (f"{compiler.process(element.column, **kw)} IN "
            f"{compiler.process(element.subquery, **kw)}")


@compiles(OneOf, "postgresql")
def _one_of_pg(element: OneOf, compiler: Any, **kw: Any) -> str:
    return (f"{compiler.process(element.column, **kw)} = ANY(ARRAY"
            f"{compiler.process(element.subquery, **kw)})")


def one_worker(session: Session) -> None:
    """Plan the rest of this transaction as a few dozen rows read by index, on PostgreSQL.

    A page reads a few dozen rows through an index. When PostgreSQL overestimates them
    (a partial index, a CTE of a few groups) it starts two parallel workers, whose start
    alone costs 5 to 10 ms, several times the query; and at the default random page
    cost it prefers hashing a whole table (every case) to a few hundred look-ups by key
    in a database that sits in memory (bench/stuck.py, EXPLAIN ANALYZE: `waiting` 62 ms
    before, 8 ms after). `set_config(..., true)` lasts until the transaction ends.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PAGE_PLANNING)


_PAGE_PLANNING = text("SELECT set_config('max_parallel_workers_per_gather', '0', true),"
                      " set_config('random_page_cost', '1.1', true)")
