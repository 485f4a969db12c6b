"""Process-level conditional start events: which processes some variables start, and starting
them, as Camunda 7's `RuntimeService.createConditionEvaluation().evaluateStartConditions()`.

A conditional start event of a process never fires inside a running workflow: Camunda 7
evaluates start conditions only when asked, for the variables given, over the latest
version of every process (or of the one named). Each conditional start event whose
condition holds starts one case, with the variables as its start data and the business key
given; none holding is an empty answer. As in Camunda (`tryEvaluate`), a condition reading
a variable that was not given does not hold; any other failure of a condition refuses the
whole request, naming the start event, before anything is written.

The specs are the cached ones of `engine.runtime.specs` (no instance is loaded), and the
start events found are memoized per spec object, as the message start names are.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.camunda.conditional_start import choose_start
from engine.camunda.form_input import check_form, start_form
from engine.errors import InvalidInput
from engine.expressions import ExpressionError, MissingVariable, evaluate_condition
from engine.store.models import Definition

from . import definitions
from .start_triggers import new_instance, top_start_events
from .step import StepOutcome, merged, run_engine

if TYPE_CHECKING:
    from .parts import EngineParts as Engine


@dataclass(frozen=True)
class ConditionalStart:
    activity_id: str
    condition: str


_starts: weakref.WeakKeyDictionary[Any, tuple[ConditionalStart, ...]] = (
    weakref.WeakKeyDictionary())


def conditional_starts(engine: Engine, definition: Definition) -> tuple[ConditionalStart, ...]:
    """The top-level conditional start events of one definition version."""
    specs = engine.runtime.specs.get(definition.id, lambda: definition.spec)
    found = _starts.get(specs[0])
    if found is None:
        found = tuple(ConditionalStart(t.bpmn_id, t.event_definition.expression)
                      for t in top_start_events(specs)
                      if isinstance(t.event_definition, ConditionalEventDefinition))
        _starts[specs[0]] = found
    return found


def _holds(definition: Definition, start: ConditionalStart, data: dict[str, Any]) -> bool:
    try:
        return bool(evaluate_condition(start.condition, data))
    except MissingVariable:
        return False  # Camunda: an unknown property makes the condition false
    except ExpressionError as error:
        raise InvalidInput(
            f"the condition of start event '{start.activity_id}' of process "
            f"'{definition.key}' failed on these variables: {error}",
            field="variables") from None


def matching(engine: Engine, session: Session, data: dict[str, Any],
             process_key: str | None) -> list[tuple[Definition, ConditionalStart]]:
    """(latest definition, conditional start event) for every condition that holds."""
    if process_key is not None:
        chosen = [definitions.get(session, process_key)]
        if not conditional_starts(engine, chosen[0]):
            raise InvalidInput(f"process '{process_key}' has no conditional start event",
                               field="process_key")
    else:
        chosen = sorted(definitions.list_latest(session), key=lambda d: d.key)
    return [(definition, start) for definition in chosen
            for start in conditional_starts(engine, definition)
            if _holds(definition, start, data)]


def start_by_conditions(engine: Engine, session: Session, variables: dict[str, Any], *,
                        business_key: str | None, process_key: str | None,
                        actor: str | None) -> list[StepOutcome]:
    """Start one case per conditional start event whose condition holds for `variables`."""
    data = merged(variables)
    started = []
    for definition, start in matching(engine, session, data, process_key):
        form = start_form(definition)
        initial = check_form(form, data, what="the start form") if form else data
        step, wf = new_instance(engine, session, definition, business_key, actor,
                                {"condition": start.activity_id})
        choose_start(wf, start.activity_id)
        for task in wf.get_tasks(state=TaskState.READY):
            task.data.update(merged(initial))
        started.append(step.advance(wf, run_engine, actor=actor, operation={"op": "run"}))
    return started
