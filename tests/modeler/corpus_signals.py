"""Modeler corpus files with signal events (Camunda 7 User Guide: Events > Signal Events).

Written by `python -m tests.modeler.corpus` with the rest of the corpus. One signal,
`rules_changed`, drawn in four processes as Camunda broadcasts it: a case that throws
it, cases that wait for it at a catch event, at an interrupting boundary event of a
user task and in a non-interrupting event subprocess, and a process that it starts.
A receive task without a message waits for its trigger, and a due date naming an
unknown variable is an incident at its user task.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, user
from tests.modeler.modeler import El, Fl, definitions

SIGNALS = """
<bpmn:signal id="Signal_0rules1" name="rules_changed" />
"""


def signal(n: int) -> str:
    return (f'<bpmn:signalEventDefinition id="SignalEventDefinition_{n}" '
            'signalRef="Signal_0rules1" />')


def signal_throw() -> str:
    """A decision on the rules, then the signal thrown, then the decision is published."""
    nodes = [start(), user("Decide_Rules", "Decide new rules", candidateGroups="lead"),
             El("intermediateThrowEvent", "Throw_Rules", "Rules changed", tail=signal(1)),
             user("Publish", "Publish rules", candidateGroups="lead"), end("Event_Done")]
    return definitions("signal_throw", nodes,
                       chain("StartEvent_1", "Decide_Rules", "Throw_Rules", "Publish",
                             "Event_Done"), roots=SIGNALS)


def signal_catch() -> str:
    """The case waits for the new rules, then reassesses."""
    nodes = [start(), El("intermediateCatchEvent", "Wait_Rules", "Rules changed",
                         tail=signal(1)),
             user("Reassess", "Reassess", candidateGroups="oai"), end("Event_Done")]
    return definitions("signal_catch", nodes,
                       chain("StartEvent_1", "Wait_Rules", "Reassess", "Event_Done"),
                       roots=SIGNALS)


def signal_boundary() -> str:
    """An assessment under the old rules is cancelled when the rules change; a note runs
    beside the work each time (a non-interrupting event subprocess)."""
    boundary = El("boundaryEvent", "Rules_Changed", "Rules changed",
                  {"attachedToRef": "Assess"}, tail=signal(1))
    note = El("subProcess", "Note_Rules", "Note the change", {"triggeredByEvent": "true"},
              children=[El("startEvent", "Event_NoteStart", "Rules changed",
                           {"isInterrupting": "false"}, tail=signal(2)),
                        user("Read_Rules", "Read new rules", candidateGroups="sas"),
                        end("Event_NoteEnd")],
              flows=chain("Event_NoteStart", "Read_Rules", "Event_NoteEnd", prefix="Flow_N"))
    nodes = [start(), user("Assess", "Assess", candidateGroups="oai"), end("Event_Done"),
             boundary, user("Reassess", "Reassess under new rules", candidateGroups="oai"),
             end("Event_Reassessed"), note]
    flows = [*chain("StartEvent_1", "Assess", "Event_Done"),
             *chain("Rules_Changed", "Reassess", "Event_Reassessed", prefix="Flow_B")]
    return definitions("signal_boundary", nodes, flows, roots=SIGNALS)


def signal_esp_interrupting() -> str:
    """When the rules change, the case under the old rules stops: both tasks are
    cancelled and the case is closed under the new rules (an interrupting event
    subprocess)."""
    stop = El("subProcess", "Stop_Old_Rules", "Stop under old rules",
              {"triggeredByEvent": "true"},
              children=[El("startEvent", "Event_StopStart", "Rules changed", tail=signal(2)),
                        user("Close_Case", "Close under new rules", candidateGroups="lead"),
                        end("Event_StopEnd")],
              flows=chain("Event_StopStart", "Close_Case", "Event_StopEnd", prefix="Flow_S"))
    nodes = [start(), El("parallelGateway", "Gateway_Split"),
             user("Assess", "Assess", candidateGroups="oai"),
             user("Check", "Check documents", candidateGroups="sas"),
             El("parallelGateway", "Gateway_Join"), end("Event_Done"), stop]
    flows = [*chain("StartEvent_1", "Gateway_Split", "Assess", "Gateway_Join", "Event_Done"),
             Fl("Flow_05", "Gateway_Split", "Check"), Fl("Flow_06", "Check", "Gateway_Join")]
    return definitions("signal_esp_interrupting", nodes, flows, roots=SIGNALS)


def signal_start() -> str:
    """Each change of the rules starts a review of the rules."""
    nodes = [start("Event_RulesChanged", signal(1), "Rules changed"),
             user("Review_Rules", "Review rules", candidateGroups="lead"), end("Event_Done")]
    return definitions("signal_start", nodes,
                       chain("Event_RulesChanged", "Review_Rules", "Event_Done"),
                       roots=SIGNALS)


def receive_without_message() -> str:
    """A receive task drawn without a message: Camunda waits for a trigger."""
    nodes = [start(), El("receiveTask", "Wait_Trigger", "Wait for the file"),
             user("Assess", "Assess", candidateGroups="oai"), end("Event_Done")]
    return definitions("receive_without_message", nodes,
                       chain("StartEvent_1", "Wait_Trigger", "Assess", "Event_Done"))


def due_date_unknown() -> str:
    """A due date computed from a variable the case never got (Camunda: an incident at
    the user task)."""
    nodes = [start(), user("Assess", "Assess", candidateGroups="oai",
                           dueDate="${assessmentDue}"), end("Event_Done")]
    return definitions("due_date_unknown", nodes, chain("StartEvent_1", "Assess", "Event_Done"))


CORPUS: dict[str, Callable[[], str]] = {
    "signal_throw.bpmn": signal_throw,
    "signal_catch.bpmn": signal_catch,
    "signal_boundary.bpmn": signal_boundary,
    "signal_start.bpmn": signal_start,
    "signal_esp_interrupting.bpmn": signal_esp_interrupting,
    "receive_without_message.bpmn": receive_without_message,
    "due_date_unknown.bpmn": due_date_unknown,
}
