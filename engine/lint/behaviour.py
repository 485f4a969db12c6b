"""Constructs SpiffWorkflow 3.2 parses without complaint but ciiflow runs differently.

The element checks (``engine.lint.elements``) refuse what the parser cannot
read; this module catches what it *can* read but would run otherwise than the
Modeler draws it, so the difference is a finding at deploy, never a surprise in
a running case:

* ``engine.camunda.event_subprocess`` runs interrupting event subprocesses with a
  message, timer, error, escalation or conditional start in a process and with a
  message, timer, error, escalation or conditional start in an embedded subprocess
  (``engine.camunda.event_subprocess_scope``); any other interrupting one is refused
  by name.
* ``engine.camunda.multiinstance`` reads only ``loopCardinality`` or
  ``camunda:collection``/``camunda:elementVariable``; BPMN data references are
  refused and so is a loop with neither source or with both.
* ``engine.camunda.mappings`` applies ``camunda:inputOutput`` on activities, intermediate
  events and end events only (``engine.camunda.event_mappings``), and
  ``camunda:in``/``camunda:out`` on call activities only (``local`` included).
* SpiffWorkflow connects every start event of a process to one workflow start,
  so a none start beside a message/timer start fires as well.
* ``engine.runtime.start_triggers`` starts one instance per message name and evaluates
  timer start events with no case data.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, split, tag
from engine.errors import Finding
from engine.lint.bundle import Bundle
from engine.lint.event_definitions import definitions_of
from engine.lint.report import Report, one_line, owner_id

EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
     "boundaryEvent"}
)
MULTI_INSTANCE_DATA = frozenset(
    {"loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem"}
)
"""BPMN's own multi-instance data wiring: SpiffWorkflow's Camunda flavour ignores it."""

_PROCESS = tag(BPMN, "process")
_SUBPROCESS = tag(BPMN, "subProcess")
_START = tag(BPMN, "startEvent")


def _has_expression(text: str) -> bool:
    return "${" in text or "#{" in text


def _top_start_events(process: etree._Element) -> list[etree._Element]:
    """Start events of the process itself: those ciiflow starts an instance with."""
    return [child for child in process if child.tag == _START]


def check_behaviour(root: etree._Element, report: Report) -> None:
    """Report each construct of one file that would run differently than drawn."""
    _event_subprocesses(root, report)
    _conditional_events(root, report)
    _multi_instance(root, report)
    _mappings(root, report)
    for process in root.iter(_PROCESS):
        _start_events(process, report)


# Start-event triggers an event subprocess may wait for (engine.camunda.event_subprocess
# reads error and escalation besides SpiffWorkflow's own); any other one is dropped.
_START_TRIGGERS = {"messageEventDefinition", "signalEventDefinition", "timerEventDefinition",
                   "conditionalEventDefinition", "errorEventDefinition",
                   "escalationEventDefinition"}
# Interrupting start events ciiflow runs as Camunda 7 does, by the scope they interrupt:
# SpiffWorkflow starts a triggered (message, signal, error, escalation) event subprocess only
# from the process's own start, so inside an embedded subprocess only a timer can fire.
_INTERRUPTING = {
    "process": ("messageEventDefinition", "timerEventDefinition", "errorEventDefinition",
                "escalationEventDefinition", "conditionalEventDefinition",
                "signalEventDefinition"),
    "subProcess": ("messageEventDefinition", "timerEventDefinition", "errorEventDefinition",
                   "escalationEventDefinition", "conditionalEventDefinition"),
    "event subprocess": ("timerEventDefinition", "conditionalEventDefinition"),
}
# Start events that wait in an embedded subprocess from its start (timers by the library,
# conditions by engine.camunda.conditional_start, message, error and escalation by
# engine.camunda.event_subprocess_scope)
_SCOPE_STARTS = ("timerEventDefinition", "conditionalEventDefinition",
                 "messageEventDefinition", "escalationEventDefinition", "errorEventDefinition")


def _event_subprocesses(root: etree._Element, report: Report) -> None:
    for sub in root.iter(_SUBPROCESS):
        if sub.get("triggeredByEvent") != "true":
            continue
        for start in sub:
            if start.tag != _START:
                continue
            kinds = definitions_of(start)
            if "compensateEventDefinition" in kinds:
                continue  # a compensation event subprocess: engine.lint.compensation
            unread = [k for k in kinds if k not in _START_TRIGGERS]
            if unread:
                report.error(
                    start.get("id"),
                    f"event subprocess {sub.get('id')!r} starts with bpmn:{unread[0]}, which "
                    "SpiffWorkflow 3.2 reads as a none start (the event subprocess would run "
                    "at once, caught or not); catch it with a boundary event on the "
                    "enclosing activity instead",
                )
                continue
            error_start = "errorEventDefinition" in kinds
            scope = sub.getparent()
            where = split(scope.tag)[1] if scope is not None else "process"
            if scope is not None and scope.get("triggeredByEvent") == "true":
                where = "event subprocess"  # nested: its scope is itself triggered
            if not (error_start or start.get("isInterrupting", "true") == "true"):
                _non_interrupting(sub, start, kinds, where, report)
                continue
            supported = _INTERRUPTING.get(where, ())
            if kinds and all(k in supported for k in kinds):
                continue
            kind = kinds[0].removesuffix("EventDefinition") if kinds else "none"
            what = ("an error start event (always interrupting)" if error_start
                    else f"an interrupting {kind} start event")
            names = [k.removesuffix("EventDefinition") for k in supported]
            ran = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            report.error(
                start.get("id"),
                f"event subprocess {sub.get('id')!r} starts with {what}: interrupting "
                f"event subprocesses in a {where} are supported with a {ran} start only "
                "(SpiffWorkflow 3.2 would run this one as non-interrupting or never); "
                + ("set isInterrupting=false or use a boundary event" if where == "process"
                   else "move the event subprocess to the process, or use a boundary event "
                   "on the subprocess"),
            )


def _non_interrupting(sub: etree._Element, start: etree._Element, kinds: list[str],
                      where: str, report: Report) -> None:
    """Inside an embedded subprocess a timer, conditional, message or escalation start
    waits from the subprocess's start; a signal start there would wait for ever, silently."""
    starts = _SCOPE_STARTS if where == "subProcess" else _INTERRUPTING["event subprocess"]
    if where not in ("subProcess", "event subprocess") or all(k in starts for k in kinds):
        return
    kind = next(k for k in kinds if k not in starts).removesuffix("EventDefinition")
    report.error(
        start.get("id"),
        f"event subprocess {sub.get('id')!r} starts with a non-interrupting {kind} start "
        "event inside an embedded subprocess, where only a timer, conditional, message or "
        "escalation start fires (SpiffWorkflow 3.2 starts signal event subprocesses from "
        "the process level only): move the "
        "event subprocess to the process, or use a non-interrupting boundary event on the "
        "subprocess",
    )


_VARIABLE_EVENTS = ("create", "update", "delete")


def _conditional_events(root: etree._Element, report: Report) -> None:
    """``engine.camunda.conditional`` runs conditional intermediate catch and boundary
    events, ``engine.camunda.conditional_start`` conditional start events (a process's, and
    an event subprocess's, interrupting or not); a wrong filter word is named."""
    for definition in root.iter(tag(BPMN, "conditionalEventDefinition")):
        event = definition.getparent()
        if event is None:
            continue
        events = [e.strip() for e in (definition.get(tag(CAMUNDA, "variableEvents")) or "")
                  .split(",") if e.strip()]
        unknown = [e for e in events if e not in _VARIABLE_EVENTS]
        if unknown:
            report.error(
                event.get("id"),
                f"camunda:variableEvents {unknown[0]!r} is not a variable event; use "
                "create, update and/or delete, comma separated",
            )
        if event.tag == tag(BPMN, "boundaryEvent") and event.get("cancelActivity") == "false":
            report.warning(
                event.get("id"),
                "this non-interrupting conditional boundary event fires once per run of "
                f"{event.get('attachedToRef')!r} (Camunda 7 fires it again at each variable "
                "change that satisfies the condition)",
            )


def _multi_instance(root: etree._Element, report: Report) -> None:
    for loop in root.iter(tag(BPMN, "multiInstanceLoopCharacteristics")):
        where = owner_id(loop)
        for child in loop:
            if not isinstance(child.tag, str):
                continue
            namespace, local = split(child.tag)
            if namespace == BPMN and local in MULTI_INSTANCE_DATA:
                report.error(
                    where,
                    f"multi-instance bpmn:{local} is not supported (SpiffWorkflow's Camunda "
                    "flavour ignores it): use camunda:collection/camunda:elementVariable "
                    "or loopCardinality",
                )
        cardinality = loop.find(tag(BPMN, "loopCardinality"))
        has_cardinality = cardinality is not None and bool((cardinality.text or "").strip())
        has_collection = bool((loop.get(tag(CAMUNDA, "collection")) or "").strip())
        if has_cardinality and has_collection:
            report.error(
                where,
                "multi-instance has both loopCardinality and camunda:collection; "
                "give exactly one of them",
            )
        elif not has_cardinality and not has_collection:
            report.error(
                where,
                "multi-instance has neither loopCardinality nor camunda:collection; "
                "give the number of instances or the collection to loop over",
            )


MAPPED_EVENTS = frozenset({"intermediateThrowEvent", "intermediateCatchEvent", "endEvent"})
"""Events whose camunda:inputOutput ciiflow applies, as Camunda 7 does."""


def _activity(extension: etree._Element) -> etree._Element | None:
    """The BPMN element whose extensionElements hold a camunda: element directly."""
    holder = extension.getparent()
    if holder is None or holder.tag != tag(BPMN, "extensionElements"):
        return None
    return holder.getparent()


def _mappings(root: etree._Element, report: Report) -> None:
    for io in root.iter(tag(CAMUNDA, "inputOutput")):
        element = _activity(io)
        if element is None or not isinstance(element.tag, str):
            continue
        _, local = split(element.tag)
        if local in MAPPED_EVENTS:
            continue  # applied as Camunda does (engine.camunda.event_mappings)
        if local in EVENTS or local == "receiveTask":
            label = local
        elif element.tag == _SUBPROCESS and element.get("triggeredByEvent") == "true":
            label = "event subprocess"
        else:
            continue
        report.warning(
            element.get("id"),
            f"camunda:inputOutput is not applied on this element (a {label}); ciiflow "
            "applies input/output parameters on tasks, subprocesses, call activities, "
            "intermediate events and end events only; remove it or move it to an activity",
        )
    for kind in ("in", "out"):
        for mapping in root.iter(tag(CAMUNDA, kind)):
            element = _activity(mapping)
            if element is not None and element.tag != tag(BPMN, "callActivity"):
                report.warning(
                    owner_id(mapping),
                    f"camunda:{kind} is not applied on this element; ciiflow maps "
                    "variables with camunda:in/out on call activities only; remove it",
                )
                continue


def _start_events(process: etree._Element, report: Report) -> None:
    """Rules for the start events ciiflow itself fires (not those of subprocesses)."""
    starts = _top_start_events(process)
    none_starts = [s for s in starts if not definitions_of(s)]
    # a conditional start beside a none start runs only when conditions are evaluated
    # (engine.camunda.conditional_start): a plain start takes the none start alone
    triggered = [
        (s, d) for s in starts for d in definitions_of(s)
        if d in ("messageEventDefinition", "timerEventDefinition", "signalEventDefinition")
    ]
    if none_starts:
        for start, definition in triggered:
            kind = definition.removesuffix("EventDefinition")
            report.error(
                start.get("id"),
                f"process {process.get('id')!r} has the none start event "
                f"{none_starts[0].get('id')!r} beside this {kind} start event: "
                "SpiffWorkflow also fires the none start event (and this one waits in "
                "every case started by hand); draw them as separate processes",
            )
    for start in starts:
        timer = start.find(tag(BPMN, "timerEventDefinition"))
        if timer is None:
            continue
        for node in timer:
            text = (node.text or "") if isinstance(node.tag, str) else ""
            if _has_expression(text):
                report.error(
                    start.get("id"),
                    f"timer start event {one_line(text.strip())!r} is an expression: "
                    "a timer start event is evaluated with no case data; write a fixed "
                    "ISO 8601 date, duration or cycle",
                )


def message_start_names(root: etree._Element) -> dict[str, list[tuple[str, str]]]:
    """Message name -> (process id, start event id) for the top-level message starts.

    The name is the one SpiffWorkflow's Camunda parser correlates on: the
    referenced bpmn:message's name, or the event's own name without a ref.
    """
    messages = {m.get("id"): m.get("name") for m in root.iter(tag(BPMN, "message"))}
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for process in root.iter(_PROCESS):
        for start in _top_start_events(process):
            definition = start.find(tag(BPMN, "messageEventDefinition"))
            if definition is None:
                continue
            ref = definition.get("messageRef")
            name = messages.get(ref) if ref else start.get("name")
            if name:
                found[name].append((process.get("id") or "?", start.get("id") or "?"))
    return found


def check_message_starts(bundle: Bundle, bpmn_files: list[str]) -> list[Finding]:
    """One message name may start one process of a bundle: the runtime refuses the message
    at delivery time otherwise, so the conflict is reported when it is deployed."""
    seen: dict[str, tuple[str, str]] = {}  # name -> (file, process id) of the first
    found: list[Finding] = []
    for filename in bpmn_files:
        for name, starts in message_start_names(bundle.roots[filename]).items():
            for process_id, start_id in starts:
                first = seen.setdefault(name, (filename, process_id))
                if first[1] == process_id:
                    continue
                found.append(
                    Finding(
                        "error",
                        filename,
                        start_id,
                        f"message {name!r} starts both process {first[1]!r} ({first[0]}) and "
                        f"process {process_id!r}; a message name may start one process of a "
                        "bundle only, rename one of the messages",
                    )
                )
    return found


# (timer, conditional, message, error and escalation event subprocesses wait from the called
# process's start: engine.camunda.conditional_start, engine.camunda.event_subprocess_scope)
_TRIGGERED = ("signalEventDefinition",)


def check_called_event_subprocesses(bundle: Bundle, bpmn_files: list[str]) -> list[Finding]:
    """A process a call activity of the bundle starts runs inside the caller's case, where
    SpiffWorkflow starts no signal event subprocess of it (only the case's own process is
    looked at): refused, since it would never run."""
    called = {call.get("calledElement") for filename in bpmn_files
              for call in bundle.roots[filename].iter(tag(BPMN, "callActivity"))}
    found: list[Finding] = []
    for filename in bpmn_files:
        for process in bundle.roots[filename].iter(_PROCESS):
            if process.get("id") not in called:
                continue
            for sub in process.findall(_SUBPROCESS):
                if sub.get("triggeredByEvent") != "true":
                    continue
                for start in sub.findall(_START):
                    kinds = [k for k in definitions_of(start) if k in _TRIGGERED]
                    if kinds:
                        found.append(Finding(
                            "error", filename, start.get("id"),
                            f"event subprocess {sub.get('id')!r} of process "
                            f"{process.get('id')!r} starts with bpmn:{kinds[0]}, but a call "
                            "activity of this bundle calls that process, and there such an "
                            "event subprocess never starts; catch the event with a boundary "
                            "event on the call activity, or use a message start"))
    return found
