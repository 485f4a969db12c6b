"""A fresh database for one benchmark run: a SQLite file, or a schema of its own on PostgreSQL.

Every benchmark measures on an empty database of the backend it is asked for, the
way the tests do (`tests/conftest.py`): on PostgreSQL a new schema selected through
the connection's `search_path`, so that subprocesses given the URL (gunicorn, workers)
see the same tables, dropped at the end whatever happened.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from sqlalchemy import create_engine, text


def backend_asked() -> str:
    """PostgreSQL when `CIIFLOW_TEST_DATABASE_URL` is set, else SQLite."""
    return "postgresql" if os.environ.get("CIIFLOW_TEST_DATABASE_URL") else "sqlite"


@contextmanager
def database(backend: str | None = None) -> Iterator[str]:
    """The URL of a fresh database of `backend` ("sqlite", "postgresql"; None: as asked)."""
    if (backend or backend_asked()) == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ciiflow-bench-") as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    base = os.environ["CIIFLOW_TEST_DATABASE_URL"]
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
