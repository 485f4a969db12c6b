"""SpiffWorkflow integration: every expression the library evaluates goes through JUEL.

Install with `BpmnWorkflow(spec, script_engine=SafeScriptEngine())` (or set
`workflow.script_engine`); the library then routes gateway conditions, timer
fields, multi-instance cardinality/completion, conditional events, process
completion conditions and message correlation through `SafeEnvironment`.
Script tasks are refused outright: ciiflow never runs code from a file.

Dispatch of a text (the same for every caller, because the library does not
say which BPMN field a text comes from):

1. contains `${` or `#{` → JUEL field (lone `${…}` gives a typed value,
   anything else a string);
2. plain ISO 8601 duration/date-time/cycle → returned unchanged (a timer);
3. otherwise → a bare JUEL expression (lenient form of a condition).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException

from . import juel
from . import text as fields
from .errors import ExpressionError, ExpressionRuntimeError, ExpressionSyntaxError, MissingVariable
from .juel import Evaluator
from .timer import TimerKind, timer_kind, timer_value

SCRIPTS_REFUSED = (
    "script tasks are refused: ciiflow does not run code from process files "
    "(bind a service task to a registered handler instead)"
)


class ScriptRefused(ExpressionError):
    """Raised for any attempt to execute a script body."""


@functools.lru_cache(maxsize=4096)
def compile_for_spiff(text: str) -> Evaluator:
    """One cached closure per distinct text, following the dispatch rules above."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("the expression is empty", "", 0)
    if fields.has_expression(text):
        return fields.compile_text(text)
    if timer_kind(text) is not None:
        value = text.strip()
        return lambda ctx: value
    return juel.compile_expression(text).fn


_COMPILED = fields.BoundedCache()


def validate_text(text: str) -> None:
    """Raise ExpressionSyntaxError if `compile_for_spiff` would refuse the text."""
    compile_for_spiff(text)


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates with the JUEL subset; `execute` and `call_service` never run anything."""

    def evaluate(
        self,
        expression: str,
        context: Mapping[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        data = {**context, **external_context} if external_context else context
        fn = _COMPILED.get(expression)
        if fn is None:
            fn = _COMPILED.remember(expression, compile_for_spiff(expression))
        try:
            return fn(data)
        except ExpressionRuntimeError as error:
            fields.name_error(error, expression)
            raise

    def execute(
        self,
        script: str,
        context: Mapping[str, Any],
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        raise ScriptRefused(SCRIPTS_REFUSED)

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        raise ScriptRefused(
            "service calls through the script engine are refused: "
            "ciiflow binds service tasks to registered handlers"
        )


class SafeScriptEngine(PythonScriptEngine):
    """The script engine ciiflow gives every workflow; errors name the expression."""

    def __init__(self, environment: SafeEnvironment | None = None) -> None:
        super().__init__(environment=environment or SafeEnvironment())

    def validate(self, expression: str) -> None:
        validate_text(expression)

    def evaluate(
        self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            kind = _timer_kind_of(task, expression)
            if kind is not None:
                data = {**task.data, **external_context} if external_context else task.data
                return timer_value(expression, data, kind)
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as error:
            error.add_note(f"Error evaluating expression '{expression}'")
            raise
        except ExpressionError as error:
            raise _wrap(task, expression, error) from error

    def execute(
        self, task: Any, script: str, external_context: Mapping[str, Any] | None = None
    ) -> bool:
        raise WorkflowTaskException(SCRIPTS_REFUSED, task=task, exception=ScriptRefused())

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        error = ScriptRefused("service calls through the script engine are refused")
        raise WorkflowTaskException(str(error), task=task, exception=error)


_TIMER_KINDS: dict[type, TimerKind] = {
    TimeDateEventDefinition: "date",
    DurationTimerEventDefinition: "duration",
    CycleTimerEventDefinition: "cycle",
}


def _timer_kind_of(task: Any, expression: str) -> TimerKind | None:
    """The timer type when `expression` is the task's own timer field, else None.

    The library passes timer fields through `evaluate` and then parses the
    result itself; checking it here turns a bad `${…}` result into an error
    naming the expression instead of an AttributeError deep in the library.
    """
    definition = getattr(task.task_spec, "event_definition", None)
    if definition is None or getattr(definition, "expression", None) != expression:
        return None
    return _TIMER_KINDS.get(type(definition))


def _wrap(task: Any, expression: str, error: ExpressionError) -> WorkflowTaskException:
    """Spiff's exception type with the task (for the element id) and a readable cause."""
    if isinstance(error, MissingVariable):
        message = f"variable '{error.name}' is not defined in expression '{expression}'"
    else:
        detail = getattr(error, "message", str(error))
        message = f"error evaluating expression '{expression}': {detail}"
    wrapped = WorkflowTaskException(message, task=task, exception=error)
    wrapped.expression = expression  # type: ignore[attr-defined]
    wrapped.cause = error  # type: ignore[attr-defined]
    return wrapped
