"""Database engine creation, with the SQLite settings a multi-process service needs.

SQLite is the embedded default: WAL lets readers run beside the one writer, and
a busy timeout makes a second writer wait instead of failing at once.
`BEGIN IMMEDIATE` takes the write lock at the start of each writing transaction
so a read-then-write step cannot fail against another writer (pysqlite's default
deferred transactions would get SQLITE_BUSY on upgrade); read-only sessions
begin deferred and never wait for the writer.

PostgreSQL: a pooled connection that sat idle is tested (`SELECT 1`) before it is
handed out, so a connection the server or a firewall closed meanwhile is replaced
instead of failing a request. SQLAlchemy's `pool_pre_ping` tests at every checkout,
one more round trip each time: a request authenticates then steps, two checkouts,
and the second one gets the connection the first returned a millisecond earlier.
So only a connection idle for longer than `PING_AFTER_SECONDS` is tested; one that
has just answered is as proven as a tested one (a test is a proof at one instant
too: a server dying after it fails the transaction all the same).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Settings


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    settings = Settings.from_env()
    url = url or settings.database_url
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", settings.sqlite_busy_timeout_ms / 1000)
        connect_args.setdefault("check_same_thread", False)
        db = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(db, settings.sqlite_busy_timeout_ms)
        return db
    ping_after = kwargs.pop("ping_after", PING_AFTER_SECONDS)
    db = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(db, ping_after)
    return db


#: a pooled PostgreSQL connection unused for longer than this is tested before use
PING_AFTER_SECONDS = 1.0
_LAST_USED = "ciiflow_last_used"


def _ping_when_idle(db: Engine, after: float) -> None:
    """Test a connection at checkout when it was last used more than `after` seconds ago;
    a dead one is replaced (the pool retries on `DisconnectionError`)."""

    @event.listens_for(db, "connect")
    @event.listens_for(db, "checkin")
    def _used(_dbapi_conn: Any, record: Any) -> None:
        record.info[_LAST_USED] = time.monotonic()

    @event.listens_for(db, "checkout")
    def _test_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USED)
        if last is not None and time.monotonic() - last < after:
            return
        try:
            db.dialect.do_ping(dbapi_conn)
        except Exception as error:  # any failure: the pool takes another connection
            raise exc.DisconnectionError(type(error).__name__) from error


def _configure_sqlite(db: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(db, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(db, "begin")
    def _on_begin(conn: Any) -> None:
        # Readers (see `make_readers`) never write: a deferred BEGIN lets them run in
        # WAL mode beside the one writer instead of queueing for its lock.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


READ_ONLY = "ciiflow_read_only"


def make_sessionmaker(db: Engine) -> sessionmaker[Session]:
    return sessionmaker(db, expire_on_commit=False)


def make_readers(db: Engine) -> sessionmaker[Session]:
    """Sessions for reads only: on SQLite they do not take the write lock."""
    return sessionmaker(db.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
