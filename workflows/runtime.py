"""The engine the running app serves, found through Flask's application context."""

from __future__ import annotations

from flask import current_app

from engine import Engine
from webhooks import outbox
from webhooks import stuck as webhook_stuck

EXTENSION = "ciiflow.engine"
#: the largest id a path may carry (PostgreSQL INTEGER): larger ones cannot exist
MAX_ID = 2**31 - 1


def engine() -> Engine:
    return current_app.extensions[EXTENSION]


def api_link(path: str) -> str:
    """A relative link into the API (clients resolve it against the URL they called)."""
    return f"/api/v1{path}"


def install_webhooks(engine: Engine) -> None:
    """Subscribe the webhook outbox to the engine: every step then writes its deliveries;
    its stuck cases then name the institutions whose webhooks fail."""
    outbox.install(engine)
    webhook_stuck.install(engine)
