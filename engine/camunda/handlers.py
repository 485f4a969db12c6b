"""Service work bound by name to Python code the project registers, never code in a file.

A process owner writes `camunda:type="external" camunda:topic="pai-quota"` (or
`camunda:delegateExpression="${quotaCheck}"`, `camunda:class="…"`,
`camunda:expression="${…}"`) in the Modeler; ciiflow looks the name up here.
A topic without a Python handler is done by an external worker that fetches and
locks it over the API (Camunda's external-task pattern); a class, delegate or
expression without a handler is refused at deploy.

    from . import handlers

    @handlers.topic("pai-quota")
    def pai_quota(ctx: handlers.HandlerContext) -> dict | None:
        ...                      # read ctx.variables, write with ctx.session
        return {"pai_place_granted": True}

A handler returns the variables to set (or None), raises `BpmnError(code)` to
reach an error boundary event, and any other exception opens an incident.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

KINDS = ("topic", "class", "delegateExpression", "expression")
BUILTIN_MODULES = ("workflows.cii.quota", "workflows.cii.partners")


class BpmnError(Exception):
    """A business error a handler or worker reports; caught by an error boundary event."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message


@dataclass
class HandlerContext:
    instance_id: str
    business_key: str | None
    process_key: str
    activity_id: str
    name: str
    variables: Mapping[str, Any]
    now: datetime
    _session_factory: Callable[[], Session]

    @property
    def session(self) -> Session:
        """The step's session, inside a savepoint: writes commit or roll back with the step."""
        return self._session_factory()


Handler = Callable[[HandlerContext], Mapping[str, Any] | None]
_registry: dict[tuple[str, str], Handler] = {}
_loaded = False


def normalize(kind: str, name: str) -> str:
    """`${quotaCheck}` and `quotaCheck` name the same delegate."""
    name = name.strip()
    if kind in ("delegateExpression", "expression") and name[:2] in ("${", "#{"):
        name = name[2:-1].strip() if name.endswith("}") else name
    return name


def register(kind: str, name: str, handler: Handler) -> Handler:
    if kind not in KINDS:
        raise ValueError(f"unknown handler kind {kind!r}")
    _registry[(kind, normalize(kind, name))] = handler
    return handler


def topic(name: str) -> Callable[[Handler], Handler]:
    return lambda fn: register("topic", name, fn)


def delegate(name: str) -> Callable[[Handler], Handler]:
    return lambda fn: register("delegateExpression", name, fn)


def unregister(kind: str, name: str) -> None:
    _registry.pop((kind, normalize(kind, name)), None)


def load() -> None:
    """Import the modules that register handlers: ours and `CIIFLOW_HANDLER_MODULES`."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    extra = [m.strip() for m in os.environ.get("CIIFLOW_HANDLER_MODULES", "").split(",")]
    for module in (*BUILTIN_MODULES, *[m for m in extra if m]):
        importlib.import_module(module)


def lookup(kind: str, name: str) -> Handler | None:
    load()
    return _registry.get((kind, normalize(kind, name)))


def is_bound(kind: str, name: str) -> bool:
    """For the deploy-time lint: topics may be done by external workers."""
    return kind == "topic" or lookup(kind, name) is not None
