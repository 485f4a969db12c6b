"""The writes of a step, compiled once per dialect and sent through the driver's cursor.

Why: a completion sends six writes (the compare-and-set, the closed task and its
candidate rows, the new task and its candidate rows, the history). Replayed through
the driver with nothing around them they cost about 0.18 ms with the COMMIT on
SQLite (`bench/engine_step.py --floor`); through SQLAlchemy Core each one also spends
20–40 µs of Python on an execution context, parameter processing and a result
object, even for a statement whose compiled form is cached. So these statements are
still written with SQLAlchemy Core and compiled by it, with its type processing
(`UTCDateTime`, JSON) and its SQL for each dialect, once per dialect and set of
parameter names; only the execution goes to the DBAPI cursor of the session's own
connection, inside the same transaction. Written here because SQLAlchemy has no
public "execute this compiled statement on the driver" call.

When anyone listens for SQLAlchemy's cursor events on the engine (a statement
counter, tracing, the tests that count what a request sends), the statement goes
through `Connection.execute` as any other, so what is observed is what is sent.

On PostgreSQL each statement is a round trip; `pipelined` sends the rows a step
writes after its compare-and-set together (psycopg's pipeline mode): one wait
instead of four to six. The compare-and-set itself stays a round trip of its own,
because its answer decides whether anything else is written.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase

Params = dict[str, Any]
_Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement's SQL for one dialect and set of parameter names."""

    def __init__(self, statement: UpdateBase | Select[Any], dialect: Dialect,
                 keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        if compiled.escaped_bind_names:  # not our statements' names; kept simple
            raise ValueError(f"bind names that need escaping: {compiled.escaped_bind_names}")
        if compiled.post_compile_params:  # IN lists: their SQL depends on each call
            raise ValueError("parameters expanded at each call (IN lists) are not prepared")
        self.sql = compiled.string
        given = set(keys)
        #: columns whose value SQLAlchemy computes in Python when it is not given (defaults)
        defaults = {c.key: c.default for c in (*compiled.insert_prefetch,
                                               *compiled.update_prefetch)}
        #: per bound parameter: its name, its processor, and what gives its value when the
        #: caller does not (a literal in `.values()`, a column's default, called per row)
        self.binds: list[tuple[str, _Processor, Callable[[], Any] | None]] = []
        if compiled.positional:
            names = list(compiled.positiontup or [])
        else:  # each name once, in the order the SQL names them
            names = list(dict.fromkeys(compiled.bind_names.values()))
        for name in names:
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            fixed = None if name in given else _fixed_value(statement, bind, defaults)
            self.binds.append((name, processor, fixed))
        self.positional = compiled.positional

    def parameters(self, params: Params) -> Any:
        values = []
        for name, processor, fixed in self.binds:
            value = params[name] if fixed is None else fixed()
            values.append(processor(value) if processor is not None else value)
        if self.positional:
            return tuple(values)
        return {name: v for (name, _p, _f), v in zip(self.binds, values, strict=True)}


def _fixed_value(statement: UpdateBase | Select[Any], bind: Any,
                 defaults: dict[str, Any]) -> Callable[[], Any]:
    default = defaults.get(bind.key)
    if default is not None and default.is_scalar:
        value = default.arg
        return lambda: value
    if default is not None and default.is_callable:
        make = default.arg  # SQLAlchemy's wrapper of a no-argument callable
        return lambda: make(None)
    if not bind.required:  # a value written in the statement (`.values(ready_at=None)`)
        value = bind.effective_value
        return lambda: value
    raise ValueError(f"no value for the parameter {bind.key!r} of {statement}")


class Prepared:
    """A Core INSERT/UPDATE/DELETE run on the driver's cursor (see the module's why)."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}

    def execute(self, conn: Connection, params: Params | list[Params]) -> int:
        """Run once, or once per row for a list; returns the rows the database matched."""
        rows = params if isinstance(params, list) else [params]
        if not rows:
            return 0
        if _observed(conn):
            return conn.execute(self.statement, params).rowcount
        dialect = conn.dialect
        keys = frozenset(rows[0])
        compiled = self._compiled.get((dialect.name, keys))
        if compiled is None:
            compiled = self._compiled[(dialect.name, keys)] = _Compiled(
                self.statement, dialect, sorted(keys))
        cursor = conn.connection.cursor()
        try:
            if len(rows) == 1:
                cursor.execute(compiled.sql, compiled.parameters(rows[0]))
            else:
                cursor.executemany(compiled.sql, [compiled.parameters(r) for r in rows])
            return cursor.rowcount
        except Exception as error:
            # as SQLAlchemy would raise it (IntegrityError, OperationalError, …)
            raise _wrapped(conn, error, compiled.sql) from error
        finally:
            cursor.close()


class PreparedQuery:
    """A Core SELECT run on the driver's cursor, its rows typed as SQLAlchemy types them
    (its result processors: `UTCDateTime`, JSON): for the token lookup every request
    makes, where SQLAlchemy's execution and result cost more than PostgreSQL's answer."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self.row = namedtuple("Row", [c.key for c in statement.selected_columns],  # type: ignore[misc]
                              rename=True)
        self._compiled: dict[tuple[str, frozenset[str]], tuple[_Compiled, list[Any]]] = {}

    def all(self, conn: Connection, params: Params) -> list[Any]:
        if _observed(conn):
            return [self.row(*r) for r in conn.execute(self.statement, params)]
        dialect = conn.dialect
        key = (dialect.name, frozenset(params))
        found = self._compiled.get(key)
        compiled = found[0] if found else _Compiled(self.statement, dialect, sorted(params))
        cursor = conn.connection.cursor()
        try:
            cursor.execute(compiled.sql, compiled.parameters(params))
            if found is None:  # the processors need the driver's type codes: known now
                processors = [
                    column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                    for column, described in zip(self.statement.selected_columns,
                                                 cursor.description, strict=True)]
                found = self._compiled[key] = (compiled, processors)
            processors = found[1]
            return [self.row(*(p(v) if p is not None else v
                               for p, v in zip(processors, r, strict=True)))
                    for r in cursor.fetchall()]
        except Exception as error:
            raise _wrapped(conn, error, compiled.sql) from error
        finally:
            cursor.close()


def _observed(conn: Connection) -> bool:
    """Someone listens for SQLAlchemy's cursor events: statements then go through it."""
    return bool(conn.dispatch.before_cursor_execute or conn.dispatch.after_cursor_execute)


def _wrapped(conn: Connection, error: Exception, sql: str) -> Exception:
    if isinstance(error, conn.dialect.loaded_dbapi.Error):
        return DBAPIError.instance(sql, None, error, conn.dialect.loaded_dbapi.Error,
                                   dialect=conn.dialect)
    return error


@contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """The statements run inside are sent together on PostgreSQL and their first error
    is raised at the end, as SQLAlchemy would raise it; elsewhere they run one by one.

    Only for writes whose answers nobody reads (a read inside waits for the ones before
    it, which is still right). Not when cursor events are observed: they then go
    through SQLAlchemy one by one, as `Prepared` does."""
    pipeline = getattr(conn.connection.driver_connection, "pipeline", None)
    if pipeline is None or _observed(conn):
        yield
        return
    try:
        with pipeline():
            yield
    except conn.dialect.loaded_dbapi.Error as error:
        raise _wrapped(conn, error, "(the step's writes, pipelined)") from error
