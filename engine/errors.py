"""The engine's errors: each one is an answer a caller can act on, not a crash."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class NotFound(EngineError):
    pass


class NotAllowed(EngineError):
    """The caller sees the object but may not do this to it (HTTP 403), e.g. release a
    claim that another principal holds."""


class Conflict(EngineError):
    """The request is valid but the state of the case does not allow it now (HTTP 409)."""


class ConcurrentUpdate(Conflict):
    """Someone else advanced the instance first; nothing of this request was saved."""


class TaskNotReady(Conflict):
    """The task is completed or cancelled; another completion may have won."""


class InstanceNotActive(Conflict):
    """The instance is suspended, in incident, completed or terminated."""


class NoSubscriber(Conflict):
    """A message that no instance waits for: an error, never silence."""


class InvalidInput(EngineError):
    """Data that the process cannot take, naming the field (or every field) at fault."""

    def __init__(self, message: str, field: str | None = None,
                 errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors = errors or {field or "_schema": [message]}


@dataclass(frozen=True)
class Finding:
    """One remark on a deployed file: an error refuses the bundle, a warning is shown."""

    severity: str  # "error" | "warning"
    file: str
    element_id: str | None
    message: str
    #: the element's name as the Modeler shows it (its label), when it has one
    element_name: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}#{self.element_id}" if self.element_id else self.file
        if self.element_name:
            where += f" {self.element_name!r}"
        return f"{self.severity}: {where}: {self.message}"


class DefinitionRefused(EngineError):
    """A bundle refused at deploy: nothing of it was stored."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        errors = [f for f in findings if f.severity == "error"]
        super().__init__("; ".join(str(f) for f in errors[:5]) or "definition refused")
