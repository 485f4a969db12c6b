"""What the Camunda specs need of the runtime that runs them, asked through the script engine.

SpiffWorkflow hands every task spec the workflow's script engine
(`my_task.workflow.script_engine`), and its own service tasks call
`script_engine.call_service(task, ...)`. ciiflow's specs take the same path
rather than a module global: the runtime gives each workflow it advances a
script engine that is a `Host`, and the specs of this package ask it to run the
handler bound to a service task (`call_service`), to put a throw nobody
caught into the history (`record_uncaught`), and what a decision or a gateway
decided (`record_decision`, `record`).

This package names what it needs and keeps the Camunda rules here (a topic
without a handler waits for an external worker; any other unbound name is an
error); the runtime (`engine.runtime.step`) supplies the step's context and
history. A workflow whose script engine is not a `Host` (a bare
`SafeScriptEngine`, as in expression tests) refuses service calls, so the task
opens an incident, and records nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Final

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from engine.dmn.result import DecisionResult
from engine.expressions import SafeScriptEngine

from .handlers import HandlerContext, HandlerRegistry


class _External:
    def __repr__(self) -> str:
        return "EXTERNAL"


EXTERNAL: Final = _External()
"""What `Host.call_service` returns for a topic no handler is registered for."""

DECISION_EVALUATED: Final = "decision_evaluated"
GATEWAY_TAKEN: Final = "gateway_taken"


class Host(SafeScriptEngine, ABC):
    """A workflow's script engine that can run its service tasks' handlers."""

    def __init__(self, handlers: HandlerRegistry) -> None:
        super().__init__()
        self.handlers = handlers

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        """Run the handler bound to `kind`/`name`: its variables (or None), or `EXTERNAL`.

        A `BpmnError` or any other exception of the handler goes to the caller.
        """
        kind, name = kwargs["kind"], kwargs["name"]
        handler = self.handlers.lookup(kind, name)
        if handler is None:
            if kind == "topic":
                return EXTERNAL  # a worker fetches it over the API
            raise WorkflowTaskException(
                f"no handler registered for camunda:{kind} {name!r}", task=task)
        return handler(self.handler_context(task, name))

    def decisions_for(self, decision_ref: str, binding: str, version: str | None) -> Any:
        """The decisions a business rule task bound `binding` evaluates, or None for the
        ones deployed with its process (`engine.dmn.task`); the runtime's host asks
        the decision store."""
        return None

    @abstractmethod
    def handler_context(self, task: Any, name: str) -> HandlerContext:
        """What a handler of `task` sees: the case, its variables, the step's time and session."""

    @abstractmethod
    def record_uncaught(self, task: Any, kind: str, detail: dict[str, Any]) -> None:
        """Put an error or escalation `task` threw and nobody caught into the history."""

    @abstractmethod
    def record(self, task: Any, kind: str, detail: dict[str, Any]) -> None:
        """Put what `task` decided into the history (a row of `kind` about its element)."""

    def record_decision(self, task: Any, result: DecisionResult) -> None:
        """A business rule task's evaluation: one `decision_evaluated` row per decision,
        the required ones first, each with its inputs, matched rules and outputs."""
        for evaluated in (*result.required, result):
            self.record(task, DECISION_EVALUATED, evaluated.recorded())
