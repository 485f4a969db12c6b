"""Events SpiffWorkflow would accept but not run as Camunda 7 does: refused by name.

Each rule here was found by ``bench/corpus.py`` on public Camunda files: the file
deployed, then behaved differently (or failed at run time with a message that did
not name the element) instead of being refused at deploy.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, split, tag
from engine.lint.report import Report

_THROWS = (tag(BPMN, "intermediateThrowEvent"), tag(BPMN, "endEvent"))
_SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")
#: as `engine.runtime.signals.MAX_NAME` (lint reads files, it does not run them)
_MAX_SIGNAL_NAME = 240
_CATCH_REFS = {"signalEventDefinition": "signalRef", "messageEventDefinition": "messageRef"}


def definitions_of(event: etree._Element) -> list[str]:
    """Local names of an event's event definitions (none for a none event)."""
    found = []
    for child in event:
        if isinstance(child.tag, str):
            namespace, local = split(child.tag)
            if namespace == BPMN and local.endswith("EventDefinition"):
                found.append(local)
    return found


def check_events(root: etree._Element, report: Report) -> None:
    """Boundary events without a trigger, unnamed catches, message throws, many none starts."""
    for event in root.iter(tag(BPMN, "boundaryEvent")):
        if not definitions_of(event):
            report.error(event.get("id"), "boundary event has no event definition (timer, "
                         "message, signal, error, …): choose its type in the Modeler")
    for event in root.iter(tag(BPMN, "boundaryEvent"), tag(BPMN, "intermediateCatchEvent"),
                           tag(BPMN, "startEvent")):
        kinds = definitions_of(event)
        if len(kinds) > 1:
            report.error(event.get("id"), f"event with several definitions ({', '.join(kinds)}) "
                         "is a BPMN 'multiple' event, which ciiflow does not run; draw one "
                         "event per trigger")
        for kind in kinds:
            ref = _CATCH_REFS.get(kind)
            definition = event.find(tag(BPMN, kind))
            if ref and definition is not None and not definition.get(ref):
                report.error(event.get("id"), f"bpmn:{kind} without {ref}: the event would "
                             "wait for nothing; choose the signal or message in the Modeler")
    for event in root.iter(*_THROWS):
        if "messageEventDefinition" in definitions_of(event):
            _refuse_message_throw(event, report)
    for scope in root.iter(*(tag(BPMN, s) for s in _SCOPES)):
        _check_none_starts(scope, report)
    _check_expression_names(root, report)
    _check_signals_never_thrown(root, report)
    for signal in root.iter(tag(BPMN, "signal")):
        if len(signal.get("name") or "") > _MAX_SIGNAL_NAME:
            report.error(signal.get("id"), f"signal name longer than {_MAX_SIGNAL_NAME} "
                         "characters: ciiflow keeps a signal wait under its name; shorten it")


def _signal_names(root: etree._Element) -> dict[str, str]:
    return {s.get("id") or "": s.get("name") or s.get("id") or ""
            for s in root.iter(tag(BPMN, "signal"))}


def _check_signals_never_thrown(root: etree._Element, report: Report) -> None:
    """A signal reaches every case of the engine (`engine.runtime.signals`), so a catch
    whose signal no event of the file throws is legitimate; it is named (a warning) so the
    author knows what must send it: another process, or a call of the API."""
    names = _signal_names(root)
    thrown = set()
    for event in root.iter(*_THROWS):
        for definition in event.findall(tag(BPMN, "signalEventDefinition")):
            thrown.add(names.get(definition.get("signalRef") or "", ""))
    catches = [*root.iter(tag(BPMN, "intermediateCatchEvent"), tag(BPMN, "boundaryEvent"))]
    catches += [event for event in root.iter(tag(BPMN, "startEvent"))
                if split(event.getparent().tag)[1] != "process"]
    for event in catches:
        for definition in event.findall(tag(BPMN, "signalEventDefinition")):
            ref = definition.get("signalRef")
            name = names.get(ref or "", "")
            if ref and name not in thrown:
                report.warning(event.get("id"), f"signal {name!r} is caught here but no "
                               "process of this file throws it: it must come from another "
                               "process or from the API (POST /api/v1/signals, "
                               "ciiflow signal)")


_NAMED_BY_REF = {"messageRef": "message", "signalRef": "signal"}


def _check_expression_names(root: etree._Element, report: Report) -> None:
    """Camunda 7 resolves ${…} in a message or signal name per case; ciiflow would wait
    for (or send) the literal text, so such a name is refused where it is used."""
    names = {(split(e.tag)[1], e.get("id")): e.get("name") or ""
             for e in root.iter(tag(BPMN, "message"), tag(BPMN, "signal"))}
    for element in root.iter(f"{{{BPMN}}}*"):
        for attribute, kind in _NAMED_BY_REF.items():
            ref = element.get(attribute)
            name = names.get((kind, ref), "") if ref else ""
            if "${" not in name and "#{" not in name:
                continue
            owner = element if element.get("id") and not split(element.tag)[1].endswith(
                "EventDefinition") else element.getparent()
            report.error(owner.get("id") if owner is not None else ref,
                         f"{kind} {ref!r} has the expression name {name!r}: Camunda 7 "
                         "resolves it per case, ciiflow would correlate on the literal text; "
                         f"give the {kind} a fixed name and correlate by business key or "
                         "case variables")


def _refuse_message_throw(event: etree._Element, report: Report) -> None:
    definition = event.find(tag(BPMN, "messageEventDefinition"))
    bound = [f"camunda:{a}" for a in ("class", "delegateExpression", "expression", "type")
             if (definition is not None and definition.get(tag(CAMUNDA, a)))
             or event.get(tag(CAMUNDA, a))]
    how = f" bound with {', '.join(bound)}" if bound else ""
    kind = "end" if event.tag == tag(BPMN, "endEvent") else "intermediate throw"
    report.error(event.get("id"), f"message {kind} event{how} is not run by ciiflow "
                 "(it would fail when reached); use a send task with camunda:type='external' "
                 "and a camunda:topic, or a none event")


def _check_none_starts(scope: etree._Element, report: Report) -> None:
    """Camunda 7 refuses several none start events in one scope; SpiffWorkflow runs them all."""
    if scope.get("triggeredByEvent") == "true":
        return
    nones = [s.get("id") for s in scope.findall(tag(BPMN, "startEvent")) if not definitions_of(s)]
    for extra in nones[1:]:
        report.error(extra, f"second none start event in {split(scope.tag)[1]} "
                     f"{scope.get('id')!r} (first: {nones[0]!r}): Camunda 7 refuses this and "
                     "SpiffWorkflow would start every one; keep one none start event")
