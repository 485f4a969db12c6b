"""Signals: one name, broadcast to every case and process that listens for it.

Camunda 7 delivers a signal to every subscription of the engine, not only to the case
whose event throws it (User Guide, "Signal Events"): the signal catch events, signal
boundary events and signal event subprocesses of every running case, and the signal
start events of the latest version of every process, each of which starts a new case.
`RuntimeService.signalEventReceived(name, variables)` (REST `POST /signal`) does the
same from outside.

SpiffWorkflow delivers a thrown signal inside its own workflow only. What lies beyond
is ours, found without loading any case:

* **Waiting catches and boundaries** are rows of the message-subscription table, their
  name behind `SIGNAL_PREFIX` (`engine.runtime.readmodel`): each step keeps them.
* **Event subprocesses** only wait inside SpiffWorkflow once their scope started, so
  they are read from the cached specs (memoized per spec object), as for messages.
* **Signal start events** are the top-level start events of the latest versions.

Each case reached is one step of its own (its compare-and-set, its history row
`signal_received`). A signal thrown inside a step reaches the other cases in the same
transaction, after that step's own rows are written (`broadcast_thrown`): the throw and
its effects commit together or not at all, and a case advanced meanwhile by someone
else refuses the whole step as a conflict, as any race does. A signal thrown in a case
a signal reached goes on the same way; a chain deeper than `MAX_DEPTH` is refused (two
processes answering each other's signal would never stop).

Variables sent with a signal become case variables of each case reached (for a start,
its start data). A signal thrown by an event carries no variables, as in Camunda
without `camunda:in` on the signal definition.

Camunda also calls "signal" the trigger of one waiting execution
(`RuntimeService.signal(executionId)`): here `trigger`, which moves on a receive task
drawn without a message (`engine.camunda.triggers`), kept in the same table behind
`TRIGGER_PREFIX`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions import SignalEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.camunda.triggers import TriggerEventDefinition
from engine.errors import Conflict, EngineError, InvalidInput
from engine.store.models import Definition, Instance, MessageSubscription
from engine.store.queries import running_instance

from .definitions import list_latest
from .readmodel import SIGNAL_PREFIX, TRIGGER_PREFIX
from .start_triggers import new_instance, top_start_events
from .step import Step, StepOutcome, run_engine

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

#: the history kind of a delivery (a throw is `engine.camunda.throws.SIGNAL_THROWN`)
SIGNAL_RECEIVED = "signal_received"
#: how many cases deep a signal thrown by a case a signal reached may go on
MAX_DEPTH = 16
#: the longest signal name: a wait is kept as `signal:NAME` in a 255-character column
MAX_NAME = 240


@dataclass
class Reached:
    """One case a signal reached: caught in a running case, or a case it started."""

    outcome: StepOutcome
    started: bool


class NotListening(EngineError):
    """The case was a candidate (its process has a signal event subprocess) but nothing
    of it listens now (the subprocess's scope has not started or has ended): the step is
    dropped, nothing of it written."""


def signal_action(name: str, variables: dict[str, Any]) -> Callable[[BpmnWorkflow], None]:
    def action(wf: BpmnWorkflow) -> None:
        event = BpmnEvent(SignalEventDefinition(name), dict(variables))
        if not wf.event_manager.catch(event, internal=False):
            raise NotListening(name)
        run_engine(wf)

    return action


def check_name(name: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("a signal name is required", field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"a signal name has at most {MAX_NAME} characters", field="name")


# -- who listens --------------------------------------------------------------------
_esp_signals: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()
_start_signals: weakref.WeakKeyDictionary[Any, tuple[tuple[str, str], ...]] = (
    weakref.WeakKeyDictionary())


def _specs(engine: Engine, session: Session, definition_id: int) -> tuple[Any, Any]:
    return engine.runtime.specs.get(
        definition_id, lambda: session.get(Definition, definition_id).spec)


def _is_signal(definition: Any) -> bool:
    return isinstance(definition, SignalEventDefinition)


def event_subprocess_signals(engine: Engine, session: Session, definition_id: int
                             ) -> frozenset[str]:
    """Signals the event subprocesses of a definition start on (the process's and those of
    its embedded subprocesses: SpiffWorkflow lists each scope's triggers on its start)."""
    spec, subs = _specs(engine, session, definition_id)
    names = _esp_signals.get(spec)
    if names is None:
        found = set()
        for scope in (spec, *subs.values()):
            for task_spec in scope.task_specs.values():
                for name in getattr(task_spec, "trigger_specs", ()) or ():
                    sub = subs.get(name)
                    for start in getattr(sub, "bpmn_start_events", ()) if sub else ():
                        if _is_signal(start.event_definition):
                            found.add(start.event_definition.name)
        names = _esp_signals[spec] = frozenset(found)
    return names


def signal_starts(engine: Engine, session: Session, definition: Definition
                  ) -> tuple[tuple[str, str], ...]:
    """(start event id, signal name) of the top-level signal start events of a definition."""
    specs = _specs(engine, session, definition.id)
    found = _start_signals.get(specs[0])
    if found is None:
        found = tuple((t.bpmn_id, t.event_definition.name) for t in top_start_events(specs)
                      if _is_signal(t.event_definition))
        _start_signals[specs[0]] = found
    return found


def waiting_cases(engine: Engine, session: Session, name: str,
                  exclude: Iterable[str] = ()) -> list[str]:
    """Running cases that listen for `name`, oldest first, without those in `exclude`:
    those with a waiting catch or boundary (an index lookup), and those whose process has
    a signal event subprocess (only the definitions of running cases are looked at)."""
    running = Instance.status == "running"
    waiting = select(Instance.id, Instance.started_at).join(
        MessageSubscription, MessageSubscription.instance_id == Instance.id).where(
        MessageSubscription.message_name == SIGNAL_PREFIX + name, running)
    found = dict(session.execute(waiting).all())
    definitions = session.scalars(select(Instance.definition_id).where(running).distinct())
    listening = [d for d in definitions if name in event_subprocess_signals(engine, session, d)]
    if listening:
        found.update(session.execute(select(Instance.id, Instance.started_at).where(
            running, Instance.definition_id.in_(listening))).all())
    skip = set(exclude)
    return [case for case, _ in sorted(found.items(), key=lambda item: (item[1], item[0]))
            if case not in skip]


def starting_definitions(engine: Engine, session: Session, name: str
                         ) -> list[tuple[Definition, str]]:
    """(latest definition, start event id) for every signal start event of `name`."""
    return [(d, activity) for d in sorted(list_latest(session), key=lambda d: d.key)
            for activity, signal in signal_starts(engine, session, d) if signal == name]


# -- delivering -----------------------------------------------------------------------
def deliver(engine: Engine, session: Session, instance_id: str, name: str,
            variables: dict[str, Any], actor: str | None) -> StepOutcome | None:
    """One step of one case: the signal caught there. None when the case stopped running."""
    instance = session.get(Instance, instance_id)
    if instance is None or instance.status != "running":
        return None
    step = Step(engine.runtime, session, instance)
    wf = step.load()
    step.record(SIGNAL_RECEIVED, actor=actor, detail={"signal": name})
    try:
        return step.advance(wf, signal_action(name, variables), actor=actor,
                            operation={"op": "signal", "name": name, "variables": variables})
    except NotListening:
        return None


def start(engine: Engine, session: Session, definition: Definition, activity_id: str,
          name: str, variables: dict[str, Any], actor: str | None) -> StepOutcome:
    """A new case of `definition`, started by its signal start event `activity_id`."""
    step, wf = new_instance(engine, session, definition, None, actor,
                            {"signal": name, "start_event": activity_id})
    send = signal_action(name, variables)

    def action(w: BpmnWorkflow) -> None:
        w.do_engine_steps()  # the start event now waits for its signal
        send(w)

    return step.advance(wf, action, actor=actor,
                        operation={"op": "signal_start", "name": name, "variables": variables})


_depth = threading.local()


class _Parts:
    """What a broadcast needs of the engine, from inside a step (which knows no facade)."""

    def __init__(self, step: Step) -> None:
        self.runtime = step.runtime

    @property
    def clock(self) -> Any:
        return self.runtime.clock


def broadcast_thrown(step: Step, names: list[str]) -> None:
    """The signals a step's events threw, to every other case and signal start event, in
    the step's transaction (the thrower's own case already caught them)."""
    depth = getattr(_depth, "value", 0)
    if depth >= MAX_DEPTH:
        raise Conflict(f"signal '{names[0]}' was thrown on by {MAX_DEPTH} cases in a row; "
                       "processes that answer each other's signal would never stop")
    _depth.value = depth + 1
    try:
        parts: Any = _Parts(step)
        for name in dict.fromkeys(names):
            for case in waiting_cases(parts, step.session, name, exclude=[step.instance.id]):
                deliver(parts, step.session, case, name, {}, None)
            for definition, activity in starting_definitions(parts, step.session, name):
                start(parts, step.session, definition, activity, name, {}, None)
    finally:
        _depth.value = depth


# -- triggering one receive task ----------------------------------------------------------
def trigger(engine: Engine, session: Session, instance_id: str, activity_id: str,
            variables: dict[str, Any], actor: str | None) -> StepOutcome:
    """Move on the receive task `activity_id` (drawn without a message) of one case, as
    Camunda's `RuntimeService.signal(executionId, variables)`: the variables are set in
    the case, then it goes on. Refused, naming `activity_id`, when nothing waits there."""
    if not activity_id:
        raise InvalidInput("the receive task's activity_id is required", field="activity_id")
    instance = running_instance(session, instance_id)
    waits = session.scalar(select(exists().where(
        MessageSubscription.instance_id == instance_id,
        MessageSubscription.message_name == TRIGGER_PREFIX + activity_id)))
    if not waits:
        raise InvalidInput(f"no receive task '{activity_id}' waits for a trigger in instance "
                           f"{instance_id}", field="activity_id")
    step = Step(engine.runtime, session, instance)
    wf = step.load()
    step.record("triggered", actor=actor, activity_id=activity_id)

    def action(w: BpmnWorkflow) -> None:
        for task in list(w.event_manager.tasks.values()):
            if task.task_spec.bpmn_id == activity_id:
                task.data.update(variables)
        w.event_manager.catch(BpmnEvent(TriggerEventDefinition(activity_id)), internal=False)
        run_engine(w)

    return step.advance(wf, action, actor=actor, operation={
        "op": "trigger", "activity_id": activity_id, "variables": variables})
