"""Service work bound by name to Python code the application registers, never code in a file.

A process owner writes `camunda:type="external" camunda:topic="pai-quota"` (or
`camunda:delegateExpression="${quotaCheck}"`, `camunda:class="…"`,
`camunda:expression="${…}"`) in the Modeler; ciiflow looks the name up in the
engine's `HandlerRegistry`. A topic without a Python handler is done by an
external worker that fetches and locks it over the API (Camunda's
external-task pattern); a class, delegate or expression without a handler is
refused at deploy.

The registry is an object the application builds when it starts and gives the
engine (`Engine(db, handlers=registry)`): nothing is registered by being
imported, and the engine names no application module.

    registry = HandlerRegistry()

    @registry.topic("pai-quota")
    def pai_quota(ctx: HandlerContext) -> dict | None:
        ...                      # read ctx.variables, write with ctx.session
        return {"pai_place_granted": True}

A handler returns the variables to set (or None), raises `BpmnError(code)` to
reach an error boundary event, and any other exception opens an incident.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

KINDS = ("topic", "class", "delegateExpression", "expression")


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


def normalize(kind: str, name: str) -> str:
    """`${quotaCheck}` and `quotaCheck` name the same delegate."""
    name = name.strip()
    if kind in ("delegateExpression", "expression") and name[:2] in ("${", "#{"):
        name = name[2:-1].strip() if name.endswith("}") else name
    return name


class HandlerRegistry:
    """The handlers one engine runs, by binding kind and name."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}

    def register(self, kind: str, name: str, handler: Handler) -> Handler:
        if kind not in KINDS:
            raise ValueError(f"unknown handler kind {kind!r}")
        self._handlers[(kind, normalize(kind, name))] = handler
        return handler

    def unregister(self, kind: str, name: str) -> None:
        self._handlers.pop((kind, normalize(kind, name)), None)

    def topic(self, name: str) -> Callable[[Handler], Handler]:
        """Decorator: the handler of `camunda:topic` `name` (run in the step, no worker)."""
        return lambda fn: self.register("topic", name, fn)

    def delegate(self, name: str) -> Callable[[Handler], Handler]:
        """Decorator: the handler of `camunda:delegateExpression` `${name}`."""
        return lambda fn: self.register("delegateExpression", name, fn)

    def lookup(self, kind: str, name: str) -> Handler | None:
        """The handler of a binding; kind `handler` is a name from the bindings file."""
        if kind == "handler":
            return self.named(name)
        return self._handlers.get((kind, normalize(kind, name)))

    def named(self, name: str) -> Handler | None:
        """The handler registered under `name` as a delegate, topic, class or expression.

        The bindings file (`engine.camunda.bindings`) names handlers without a kind:
        the application registered them for its own files, and a Camunda 7 file
        reaches the same code by its Java name.
        """
        for kind in ("delegateExpression", "topic", "class", "expression"):
            handler = self._handlers.get((kind, normalize(kind, name)))
            if handler is not None:
                return handler
        return None

    def is_bound(self, kind: str, name: str) -> bool:
        """For the deploy-time lint: topics may be done by external workers."""
        return kind == "topic" or self.lookup(kind, name) is not None

    def register_modules(self, modules: Iterable[str]) -> None:
        """Let each named module register its handlers: it exposes `register(registry)`."""
        for name in modules:
            module = importlib.import_module(name)
            register = getattr(module, "register", None)
            if not callable(register):
                raise TypeError(f"handler module {name!r} has no register(registry) function")
            register(self)
