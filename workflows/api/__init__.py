"""The API's blueprints, registered from this one list.

A resource joins the API with one line here; every resource is a plain import,
so a module that fails to import stops the app instead of silently dropping
its endpoints.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from . import (
    batches,
    conditions,
    definitions,
    diagrams,
    external_tasks,
    health,
    history,
    incidents,
    instances,
    messages,
    migrations,
    signals,
    stuck,
    tasks,
    tokens,
    webhooks,
)

BLUEPRINTS: list[Blueprint] = [
    health.blp,
    definitions.blp,
    instances.blp,
    history.blp,
    messages.blp,
    conditions.blp,
    signals.blp,
    migrations.blp,
    tasks.blp,
    stuck.blp,
    incidents.blp,
    external_tasks.blp,
    webhooks.blp,
    tokens.blp,
    diagrams.blp,
    batches.blp,
]
