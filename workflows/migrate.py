"""All tables of the service in one metadata: the engine's, the webhooks' and CII's.

Alembic and the tests build the schema from here, so a table added in any
package is migrated and tested the same way.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import webhooks.models  # noqa: F401  (tables)
import workflows.cii.quota  # noqa: F401  (tables)
from engine.store import Base

metadata = Base.metadata
MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def schema_heads() -> frozenset[str]:
    """The migration heads this code expects the database at (what health compares to)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade(db: Engine) -> None:
    """Bring the database to the newest migration.

    On SQLite a batch migration rebuilds a table (copy, drop, rename), and dropping
    a table that others reference fails while foreign keys are enforced; the
    pragma only changes outside a transaction, so it is turned off around the
    migration's transaction and the keys are checked before it commits.
    """
    config = alembic_config()
    with db.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if raw is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
