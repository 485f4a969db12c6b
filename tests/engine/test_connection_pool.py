"""The pool's test of idle PostgreSQL connections (engine/store/db.py).

A connection the server closed while it sat in the pool must not fail a
request: it is tested before use and replaced. One used a moment ago is not
tested (a round trip saved on every request); these tests pin both sides.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from engine.store.db import make_engine
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite has no server")


def _backend(db: SqlEngine) -> int:
    with db.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = create_engine(str(PG_URL))
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.fixture
def one_connection_pool(request: pytest.FixtureRequest) -> Iterator[SqlEngine]:
    db = make_engine(str(PG_URL), pool_size=1, max_overflow=0, ping_after=request.param)
    yield db
    db.dispose()


@pytest.mark.parametrize("one_connection_pool", [0.0], indirect=True)
def test_a_connection_closed_while_idle_is_replaced_before_use(
        one_connection_pool: SqlEngine) -> None:
    first = _backend(one_connection_pool)
    _terminate(first)

    second = _backend(one_connection_pool)  # no error: tested, found dead, replaced

    assert second != first


@pytest.mark.parametrize("one_connection_pool", [3600.0], indirect=True)
def test_a_connection_used_within_the_window_is_not_tested(
        one_connection_pool: SqlEngine) -> None:
    first = _backend(one_connection_pool)
    _terminate(first)

    # untested, the dead connection fails its statement once (as a server dying
    # mid-transaction would) and is dropped; the next checkout connects anew
    with pytest.raises(OperationalError) as failed:
        _backend(one_connection_pool)
    assert failed.value.connection_invalidated
    assert _backend(one_connection_pool) != first
