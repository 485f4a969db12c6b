"""The bindings file: Camunda 7 Java delegate names bound to ciiflow handlers or topics.

A file drawn for Camunda 7 names Java code: `camunda:class="org.acme.SendLetterDelegate"`,
`camunda:delegateExpression="${letterService}"`, `camunda:expression="#{logger.log(execution)}"`,
on service and send tasks and on execution and task listeners. ciiflow runs no
code from a file, but it can run what the name stands for, once the process
owner says what that is. The bindings file is deployed with the BPMN files, in
the same bundle, so the files themselves stay as the Modeler wrote them:

    # bindings.yaml
    delegates:
      org.acme.SendLetterDelegate: {handler: send-letter}   # a registered handler runs it
      ${letterService}: {topic: letters}                    # an external worker does it
    listeners:
      org.acme.AuditListener: {handler: audit}

A delegate is written as in the file; `${…}` and `#{…}` are optional. A
`handler` is the name of a handler the application registered (as a delegate,
a topic, a class or an expression: `HandlerRegistry.named`); a `topic` is done
as a `camunda:topic` of an external task is (a handler registered for the topic
runs in the step, otherwise a worker fetches it). A listener can only be bound
to a handler: Camunda runs listeners inside the step, so no worker can wait for
one.

The binding is resolved when the bundle is parsed, and the task spec stores
the resolved kind and name: a case keeps running what its version was deployed
with, and a changed bindings file makes a new version (its bytes are summed
with the process's files).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from .handlers import normalize

FILENAMES = ("bindings.yaml", "bindings.yml")
"""The names a bundle's bindings file may have (one per bundle)."""

TargetKind = Literal["handler", "topic"]
_SECTIONS = ("delegates", "listeners")


class BindingsError(ValueError):
    """The bindings file cannot be read; `key` names the entry at fault, when one is."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Target:
    """What a delegate name is bound to: a registered handler, or a topic."""

    kind: TargetKind
    name: str


@dataclass(frozen=True)
class DelegateBindings:
    """The delegate and listener bindings of one bundle (empty without a bindings file)."""

    filename: str | None = None
    delegates: Mapping[str, Target] = field(default_factory=dict)
    listeners: Mapping[str, Target] = field(default_factory=dict)

    def delegate(self, kind: str, name: str) -> Target | None:
        """The binding of a service task's `camunda:<kind>="<name>"`, or None."""
        return self.delegates.get(key_of(kind, name))

    def listener(self, kind: str, name: str) -> Target | None:
        """The binding of a listener's `<kind>="<name>"`, or None."""
        return self.listeners.get(key_of(kind, name))

    @property
    def shown_name(self) -> str:
        return self.filename or FILENAMES[0]


NONE = DelegateBindings()


def key_of(kind: str, name: str) -> str:
    """`${letterService}`, `#{letterService}` and `letterService` are one delegate."""
    return normalize("delegateExpression", name)


def split_bundle(files: Mapping[str, bytes]) -> tuple[dict[str, bytes], str | None]:
    """The BPMN/DMN files of a bundle, and the name of its bindings file (if any)."""
    models = {n: data for n, data in files.items() if n.lower() not in FILENAMES}
    named = [n for n in files if n.lower() in FILENAMES]
    return models, (named[0] if named else None)


def bindings_of(files: Mapping[str, bytes]) -> DelegateBindings:
    """The bundle's bindings; `BindingsError` when its file cannot be read."""
    _, filename = split_bundle(files)
    if filename is None:
        return NONE
    if sum(1 for n in files if n.lower() in FILENAMES) > 1:
        raise BindingsError("a bundle has one bindings file; give bindings.yaml only")
    return parse(files[filename], filename)


def parse(data: bytes, filename: str = FILENAMES[0]) -> DelegateBindings:
    """Read a bindings file (YAML, safe loader: it is data, never code)."""
    try:
        document = yaml.safe_load(data.decode("utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BindingsError(f"not readable as UTF-8 YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(document, dict):
        raise BindingsError("the file must be a mapping with 'delegates' and/or 'listeners'")
    unknown = sorted(str(k) for k in document if k not in _SECTIONS)
    if unknown:
        raise BindingsError(f"unknown section {unknown[0]!r}; use 'delegates' and 'listeners'",
                            unknown[0])
    delegates = _section(document.get("delegates"), "delegates")
    listeners = _section(document.get("listeners"), "listeners")
    for key, target in listeners.items():
        if target.kind != "handler":
            raise BindingsError(
                f"listener {key!r} is bound to a topic; a listener runs inside the step, "
                "so bind it to a registered handler", key)
    return DelegateBindings(filename, delegates, listeners)


def _section(raw: Any, section: str) -> dict[str, Target]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BindingsError(f"'{section}' must map delegate names to {{handler: …}} "
                            "or {topic: …}")
    bound: dict[str, Target] = {}
    for raw_key, value in raw.items():
        key = key_of("delegateExpression", str(raw_key))
        if not isinstance(value, dict) or len(value) != 1:
            raise BindingsError(f"{section} entry {raw_key!r} must be {{handler: NAME}} or "
                                "{topic: NAME}", str(raw_key))
        ((kind, name),) = value.items()
        if kind not in ("handler", "topic") or not isinstance(name, str) or not name.strip():
            raise BindingsError(f"{section} entry {raw_key!r} must be {{handler: NAME}} or "
                                "{topic: NAME}, with a name", str(raw_key))
        if key in bound:
            raise BindingsError(f"{section} entry {raw_key!r} is given twice", str(raw_key))
        bound[key] = Target(kind, name.strip())
    return bound
