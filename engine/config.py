"""Settings read from the environment, so one code base runs on a laptop and in production.

The defaults make `make run` work with nothing set: an SQLite file under `var/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_PATH = Path("var") / "ciiflow.sqlite3"


@dataclass(frozen=True)
class Settings:
    database_url: str
    sqlite_busy_timeout_ms: int = 10_000

    @classmethod
    def from_env(cls) -> Settings:
        url = os.environ.get("CIIFLOW_DATABASE_URL")
        if not url:
            DEFAULT_DB_PATH.parent.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{DEFAULT_DB_PATH.resolve()}"
        return cls(
            database_url=url,
            sqlite_busy_timeout_ms=int(os.environ.get("CIIFLOW_SQLITE_BUSY_TIMEOUT_MS", "10000")),
        )
