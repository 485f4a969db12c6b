"""The API's blueprints, registered from this one list.

Another package adds its resource with one line here; the webhooks API
(`workflows.api.webhooks`) joins automatically when its module exists.
"""

from __future__ import annotations

import importlib

from flask_smorest import Blueprint

from . import (
    definitions,
    external_tasks,
    health,
    incidents,
    instances,
    messages,
    stuck,
    tasks,
)

BLUEPRINTS: list[Blueprint] = [
    health.blp,
    definitions.blp,
    instances.blp,
    messages.blp,
    tasks.blp,
    stuck.blp,
    incidents.blp,
    external_tasks.blp,
]

try:
    BLUEPRINTS.append(importlib.import_module("workflows.api.webhooks").blp)
except ModuleNotFoundError as exc:  # not written yet in this build
    if exc.name != "workflows.api.webhooks":
        raise
