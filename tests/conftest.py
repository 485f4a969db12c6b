"""The database fixture: every test runs on SQLite and, when configured, PostgreSQL.

Each test gets a clean database: a fresh SQLite file, or a fresh PostgreSQL
schema selected through the connection's search_path (so subprocesses given
the same URL see the same schema).

`engine` runs the handlers of the `handlers` fixture (none until a test
registers some); `cii_engine` (or `make_cii_engine`) runs the CII application's
handlers, as the service does, for tests that run the CII processes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, text

from engine import Engine, ManualClock
from engine.camunda.handlers import HandlerRegistry
from engine.store.db import make_engine
from workflows import cii
from workflows.migrate import metadata

# every workflow a step takes from the state cache is checked against the stored state
# (engine.runtime.state_cache); subprocesses the tests start inherit it
os.environ.setdefault("CIIFLOW_STATE_CACHE_CHECK", "1")
PG_URL = os.environ.get("CIIFLOW_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ciiflow.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[SqlEngine]:
    engine = make_engine(db_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def handlers() -> HandlerRegistry:
    """The registry of the `engine` fixture: a test registers what its process binds."""
    return HandlerRegistry()


@pytest.fixture
def engine(db: SqlEngine, clock: ManualClock, handlers: HandlerRegistry) -> Engine:
    return Engine(db, clock=clock, handlers=handlers)


def cii_handlers() -> HandlerRegistry:
    """The CII application's handlers, registered as the service registers them."""
    return cii.register(HandlerRegistry())


def make_cii_engine(db: SqlEngine, clock: ManualClock) -> Engine:
    """An engine running the CII handlers: for the CII processes (`pai-quota`, …)."""
    return Engine(db, clock=clock, handlers=cii_handlers())


@pytest.fixture
def cii_engine(db: SqlEngine, clock: ManualClock) -> Engine:
    return make_cii_engine(db, clock)
