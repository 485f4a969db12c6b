"""The CII application's service-task handlers, and the registry the service runs with.

The engine names no application module: the service builds one
`HandlerRegistry` when it starts (`workflows.app.create_app`,
`workflows.cli.root.make_engine`) from the CII handlers here and the modules
named in `CIIFLOW_HANDLER_MODULES` (each exposes `register(registry)`, as
`quota` and `partners` do), and gives it to the `Engine`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from engine.camunda.handlers import HandlerRegistry

from . import partners, quota

HANDLER_MODULES_VARIABLE = "CIIFLOW_HANDLER_MODULES"


def register(registry: HandlerRegistry) -> HandlerRegistry:
    """Register the CII topics: `pai-quota`, `pai-quota-release`, `notify-partners`."""
    quota.register(registry)
    partners.register(registry)
    return registry


def service_handlers(environ: Mapping[str, str] | None = None) -> HandlerRegistry:
    """The service's registry: the CII handlers, then those of `CIIFLOW_HANDLER_MODULES`
    (comma-separated module names; a later registration of a name wins)."""
    environ = os.environ if environ is None else environ
    registry = register(HandlerRegistry())
    extra = environ.get(HANDLER_MODULES_VARIABLE, "")
    registry.register_modules(m.strip() for m in extra.split(",") if m.strip())
    return registry
