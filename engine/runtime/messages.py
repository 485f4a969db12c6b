"""Delivering a message to the one instance that waits for it.

SpiffWorkflow only knows about the workflow in memory; which instance waits
for which message is our own indexed table, kept by every step. A message no
instance waits for starts a new instance when the latest version of exactly one
process has a message start event for it (`engine.runtime.start_triggers`), as Camunda's
correlation does; otherwise it is an error the sender sees, never silence, as
is a message several instances could take.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NoSubscriber
from engine.store.models import MessageSubscription
from engine.store.queries import running_instance

from .readmodel import RESERVED_PREFIXES
from .start_triggers import definitions_started_by, instances_with_event_subprocess, new_instance
from .step import Step, StepOutcome, run_engine

if TYPE_CHECKING:
    from .parts import EngineParts as Engine


# SpiffWorkflow's Camunda flavour stores a payload under one variable; Camunda 7
# sets each payload entry as a process variable. We pass a reserved variable
# name and spread it afterwards.
_PAYLOAD_KEY = "__ciiflow_message__"


def message_action(name: str, payload: dict[str, Any]) -> Callable[[BpmnWorkflow], None]:
    def action(wf: BpmnWorkflow) -> None:
        event = BpmnEvent(MessageEventDefinition(name),
                          {"payload": payload, "result_var": _PAYLOAD_KEY})
        wf.send_event(event)
        spread_payload(wf)
        run_engine(wf)
        spread_payload(wf)

    return action


def spread_payload(wf: BpmnWorkflow) -> None:
    for task in wf.get_tasks():
        stash = task.data.pop(_PAYLOAD_KEY, None)
        if isinstance(stash, dict):
            task.data.update(stash)


def correlate(engine: Engine, name: str, *, business_key: str | None,
              instance_id: str | None, payload: dict[str, Any],
              actor: str | None) -> StepOutcome:
    if not name:
        raise InvalidInput("a message name is required", field="name")
    if name.startswith(RESERVED_PREFIXES):  # signal and trigger waits share the table
        raise InvalidInput(f"a message name may not start with {' or '.join(RESERVED_PREFIXES)}",
                           field="name")
    if not business_key and not instance_id:
        raise InvalidInput("give a business_key or an instance_id", field="business_key")
    with engine.sessions.begin() as session:
        stmt = select(MessageSubscription.instance_id).where(
            MessageSubscription.message_name == name)
        if instance_id:
            stmt = stmt.where(MessageSubscription.instance_id == instance_id)
        else:
            stmt = stmt.where(MessageSubscription.business_key == business_key)
        targets = sorted(set(session.scalars(stmt)))
        if not targets and not instance_id:
            targets = instances_with_event_subprocess(engine, session, name, business_key)
        if not targets and not instance_id:
            started = start_by_message(engine, session, name, business_key=business_key,
                                       payload=payload, actor=actor)
            if started is not None:
                return started
        if not targets:
            who = instance_id or f"business key {business_key}"
            raise NoSubscriber(f"no instance waits for message '{name}' ({who})")
        if len(targets) > 1:
            raise Conflict(f"{len(targets)} instances wait for message '{name}'; "
                           "give the instance_id")
        instance = running_instance(session, targets[0])
        step = Step(engine.runtime, session, instance)
        wf = step.load()
        step.record("message_received", actor=actor, detail={"message": name})
        return step.advance(wf, message_action(name, payload), actor=actor,
                            operation={"op": "message", "name": name, "payload": payload})


def start_by_message(engine: Engine, session: Session, name: str, *,
                     business_key: str | None, payload: dict[str, Any],
                     actor: str | None) -> StepOutcome | None:
    """Start the process whose start event catches `name`; None if there is none."""
    found = definitions_started_by(engine, session, name)
    if not found:
        return None
    if len(found) > 1:
        raise Conflict(f"message '{name}' starts {len(found)} processes: "
                       f"{', '.join(d.key for d in found)}")
    step, wf = new_instance(engine, session, found[0], business_key, actor,
                            {"message": name})
    send = message_action(name, payload)

    def action(w: BpmnWorkflow) -> None:
        w.do_engine_steps()  # the start event now waits for its message
        send(w)

    return step.advance(wf, action, actor=actor,
                        operation={"op": "message_start", "name": name, "payload": payload})
