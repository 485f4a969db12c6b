"""The migrations build exactly the schema the code declares, on every database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from engine.store.db import make_engine
from workflows.migrate import metadata, upgrade


def test_upgrade_creates_the_declared_schema(db_url: str) -> None:
    db = make_engine(db_url)
    try:
        upgrade(db)
        with db.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(context, metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == []
        assert {"definition", "instance", "task", "history", "incident"} <= tables
        upgrade(db)  # a second upgrade is a no-op
    finally:
        db.dispose()
