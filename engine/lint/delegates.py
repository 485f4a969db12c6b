"""The bundle's bindings file, as the lint sees it: Java delegate names bound or not.

A Camunda 7 file deploys unchanged when each `camunda:class`,
`camunda:delegateExpression` and `camunda:expression` it names is bound, in the
bindings file deployed with it (`engine.camunda.bindings`) or directly in the
engine's handler registry. This module reads the file (an unreadable one is an
error naming it), checks that every handler it names is registered, and gives
the BPMN checks one `Bindings` that answers for both.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.camunda.bindings import BindingsError, DelegateBindings, bindings_of, split_bundle
from engine.errors import Finding
from engine.lint.bindings import Bindings, _is_bound


class BundleDelegates:
    """The engine's handler registry and the bundle's bindings file, asked as one."""

    def __init__(self, registry: Bindings | None, bound: DelegateBindings) -> None:
        self.registry = registry
        self.bound = bound

    @property
    def filename(self) -> str:
        return self.bound.shown_name

    def is_bound(self, kind: str, name: str) -> bool:
        target = self.bound.delegate(kind, name) if kind != "topic" else None
        if target is not None:
            return target.kind == "topic" or _is_bound(self.registry, "handler", target.name)
        return _is_bound(self.registry, kind, name)

    def unbound_message(self, kind: str, name: str) -> str:
        """Why a task's delegate is not bound, and what the owner adds to bind it."""
        target = self.bound.delegate(kind, name)
        if target is not None:
            return (f"camunda:{kind} {name!r} is bound in {self.filename} to handler "
                    f"{target.name!r}, which the engine has not registered; register it or "
                    "bind a topic instead")
        return (f"no handler registered for camunda:{kind} {name!r}: add it to "
                f"{self.filename} deployed with this file (delegates: {name}: {{handler: "
                "NAME}} or {topic: NAME}), or use camunda:type='external' with a "
                "camunda:topic")

    def listener_bound(self, kind: str, name: str) -> bool:
        """A listener runs only a handler the bindings file names and the engine has."""
        target = self.bound.listener(kind, name)
        return target is not None and _is_bound(self.registry, "handler", target.name)


def read_bindings(files: Mapping[str, bytes], registry: Bindings | None
                  ) -> tuple[dict[str, bytes], BundleDelegates, list[Finding]]:
    """The BPMN/DMN files, the bindings to lint them with, and the bindings file's findings."""
    models, filename = split_bundle(files)
    findings: list[Finding] = []
    try:
        bound = bindings_of(files)
    except BindingsError as exc:
        findings.append(Finding("error", filename or "bindings.yaml", exc.key, str(exc)))
        bound = DelegateBindings(filename)
    for section, table in (("delegates", bound.delegates), ("listeners", bound.listeners)):
        for key, target in table.items():
            if target.kind == "handler" and not _is_bound(registry, "handler", target.name):
                # an error where a file uses it (the element is named there)
                findings.append(Finding(
                    "warning", bound.shown_name, key,
                    f"{section} entry {key!r} is bound to handler {target.name!r}, which the "
                    "engine has not registered; a file that uses it is refused"))
    return models, BundleDelegates(registry, bound), findings
