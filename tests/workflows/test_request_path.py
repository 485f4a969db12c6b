"""What the request path keeps cheap: one pooled connection per gunicorn thread, and
authentication as one statement (workflows/app.py, workflows/gunicorn_conf.py,
engine/service/principals.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from engine import Engine
from tests.support.principals import add_principal
from workflows.app import POOL_SIZE_SETTING, create_app
from workflows.runtime import engine as app_engine


def test_the_served_app_pools_as_many_connections_as_gunicorn_has_threads(
        db: SqlEngine, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # importing the config
    monkeypatch.delenv(POOL_SIZE_SETTING, raising=False)
    from workflows import gunicorn_conf

    gunicorn_conf.post_fork(None, SimpleNamespace(cfg=SimpleNamespace(threads=12)))

    app = create_app({"DATABASE_URL": db_url})
    with app.app_context():
        assert app_engine().db.pool.size() == 12
        app_engine().db.dispose()


def test_authentication_is_one_statement(engine: Engine) -> None:
    token = add_principal(engine, "oai", "institution", ["oai"]).token
    engine.authenticate(token)  # the first use writes last_used_at (once a minute)
    sent: list[str] = []
    autocommit: list[bool] = []

    def listener(conn, _cursor, statement, *_rest) -> None:  # noqa: ANN001
        sent.append(statement)
        autocommit.append(bool(getattr(conn.connection.dbapi_connection, "autocommit", False)))

    event.listen(engine.db, "before_cursor_execute", listener)
    try:
        caller = engine.authenticate(token)
    finally:
        event.remove(engine.db, "before_cursor_execute", listener)

    assert caller is not None and caller.groups == ("oai",)
    control = [s for s in sent if s.strip().upper() in ("BEGIN", "COMMIT", "ROLLBACK")]
    queries = [s for s in sent if s not in control]
    assert len(queries) == 1 and queries[0].lstrip().upper().startswith("SELECT")
    # PostgreSQL: outside a transaction, no BEGIN and ROLLBACK round trips around it;
    # SQLite's deferred BEGIN takes no lock and no round trip
    if engine.db.dialect.name == "postgresql":
        assert control == [] and autocommit == [True]
    else:
        assert control == ["BEGIN"]
