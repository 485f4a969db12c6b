"""Compensation: what runs (`engine.camunda.compensation`) and what is refused by name.

Camunda 7 refuses at deploy, and so does ciiflow, each naming the element:

* a compensation boundary event without an association to its handler, or associated
  with an activity not marked *for compensation*, or with a handler in another scope;
  two compensation boundary events on one activity;
* a compensation boundary event with an outgoing sequence flow (it is no trigger: it
  only names the handler);
* a handler (`isForCompensation="true"`) with an incoming or outgoing sequence flow, or
  that no compensation boundary event is associated with;
* an `activityRef` that is no activity of the throw's scope.

Runs (no finding): a throw reaching into a completed embedded subprocess without a
handler of its own (`engine.camunda.compensation_reach`).

Runs too: a compensation event subprocess in an embedded subprocess. Refused as Camunda
7 refuses it: one outside an embedded subprocess, a second one in the same subprocess,
or one in a subprocess that also has a compensation boundary event.

Refused: compensation on any other event than a boundary, an intermediate throw, an end
event or the start event of a compensation event subprocess.

Warned: `waitForCompletion="false"` (Camunda 7 ignores it and waits, as ciiflow does),
and a throw that can undo nothing (no activity of its scope has a handler).
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.compensation_reach import (
    ASSOCIATION,
    BOUNDARY,
    COMPENSATE,
    compensation_esp,
    is_compensation,
    is_compensation_esp,
    reach,
    throw_scope,
)
from engine.camunda.namespaces import BPMN, split, tag
from engine.lint.report import Report

_SUBPROCESS_TAG = tag(BPMN, "subProcess")
_THROWS = (tag(BPMN, "intermediateThrowEvent"), tag(BPMN, "endEvent"))
_FLOW = tag(BPMN, "sequenceFlow")
_ACTIVITIES = frozenset(
    "task userTask manualTask serviceTask sendTask receiveTask businessRuleTask scriptTask "
    "subProcess transaction adHocSubProcess callActivity".split())


def _is_activity(element: etree._Element) -> bool:
    namespace, local = split(element.tag) if isinstance(element.tag, str) else (None, "")
    return namespace == BPMN and local in _ACTIVITIES


def _is_handler(element: etree._Element) -> bool:
    return _is_activity(element) and (element.get("isForCompensation") or "").lower() == "true"


def check_compensation(root: etree._Element, report: Report) -> None:
    """Refuse compensation that would not run as Camunda 7 runs it, naming the element."""
    ids = {e.get("id"): e for e in root.iter(f"{{{BPMN}}}*") if e.get("id")}
    sources = {f.get("sourceRef") for f in root.iter(_FLOW)}
    targets = {f.get("targetRef") for f in root.iter(_FLOW)}
    linked: dict[str, set[str]] = {}
    for association in root.iter(ASSOCIATION):
        a, b = association.get("sourceRef") or "", association.get("targetRef") or ""
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    handled: set[str] = set()
    for definition in root.iter(COMPENSATE):
        event = definition.getparent()
        if event.tag == BOUNDARY:
            handled |= _check_boundary(event, ids, linked, sources, report)
        elif event.tag in _THROWS:
            _check_throw(event, definition, ids, report)
        else:
            _refuse_other(event, report)
    for handler in filter(_is_handler, ids.values()):
        hid = handler.get("id") or ""
        if hid in sources or hid in targets:
            report.error(hid, "compensation handler with a sequence flow: a handler is "
                         "started by compensation only (Camunda 7 refuses this); remove "
                         "its incoming and outgoing flows")
        if hid not in handled:
            report.error(hid, "compensation handler without an association from a "
                         "compensation boundary event: nothing would ever start it; draw "
                         "the association from the boundary event of the activity it undoes")


def _check_boundary(event: etree._Element, ids: dict[str, etree._Element],
                    linked: dict[str, set[str]], sources: set[str | None],
                    report: Report) -> set[str]:
    eid = event.get("id") or ""
    if eid in sources:
        report.error(eid, "compensation boundary event with an outgoing sequence flow: it "
                     "only names the handler of its activity (Camunda 7 refuses this); "
                     "remove the flow and associate the handler")
    activity = event.get("attachedToRef")
    twins = [e for e in event.getparent().iterchildren(BOUNDARY)
             if e.get("attachedToRef") == activity and is_compensation(e)]
    if len(twins) > 1 and twins[0] is not event:
        report.error(eid, f"second compensation boundary event on {activity!r}: an activity "
                     "has one compensation handler; remove all but one")
    handlers = [ids[i] for i in sorted(linked.get(eid, set())) if i in ids]
    handlers = [h for h in handlers if _is_activity(h)]
    if not handlers:
        report.error(eid, "compensation boundary event without an association to its "
                     "handler: draw an association to an activity marked 'for compensation'")
        return set()
    found = set()
    for handler in handlers:
        hid = handler.get("id") or ""
        if not _is_handler(handler):
            report.error(eid, f"compensation boundary event associated with {hid!r}, which "
                         "is not marked for compensation (isForCompensation=\"true\")")
        elif handler.getparent() is not event.getparent():
            report.error(eid, f"compensation handler {hid!r} is not in the same process or "
                         "subprocess as the activity it undoes; move it there")
        else:
            found.add(hid)
    return found


def _undoable(scope: etree._Element) -> dict[str, etree._Element]:
    """The activities of `scope` that have a compensation handler, by id."""
    attached = {e.get("attachedToRef") for e in scope.iterchildren(BOUNDARY)
                if is_compensation(e)}
    return {a.get("id") or "": a for a in scope if _is_activity(a) and a.get("id") in attached}


def _check_throw(event: etree._Element, definition: etree._Element,
                 ids: dict[str, etree._Element], report: Report) -> None:
    eid = event.get("id") or ""
    scope, _ = throw_scope(event)
    if (definition.get("waitForCompletion") or "").strip().lower() == "false":
        report.warning(eid, "waitForCompletion=\"false\" is not run: Camunda 7 ignores it "
                       "and the throw waits until every handler has ended, as ciiflow does")
    ref = definition.get("activityRef")
    if ref and (ref not in ids or ids[ref].getparent() is not scope
                or not _is_activity(ids[ref])):
        report.error(eid, f"compensation activityRef {ref!r} is not an activity of this "
                     "throw's process or subprocess (Camunda 7 refuses it); choose one of "
                     "its activities")
        return
    undoable = {**_undoable(scope), **{k: ids[k] for k in reach(scope) if k in ids}}
    if ref and ref not in undoable:
        report.warning(eid, f"compensation activityRef {ref!r} has no compensation handler: "
                       "the throw undoes nothing")
    elif not ref and not undoable:
        report.warning(eid, "no activity of this throw's process or subprocess has a "
                       "compensation handler: the throw undoes nothing")


def _refuse_other(event: etree._Element, report: Report) -> None:
    kind = split(event.tag)[1]
    parent = event.getparent()
    if kind == "startEvent" and is_compensation_esp(parent):
        _check_event_subprocess(event, parent, report)
        return
    report.error(event.get("id"), f"bpmn:compensateEventDefinition on this {kind} is not "
                 "run (BPMN compensation is caught by a boundary event or a compensation "
                 "event subprocess and thrown by an intermediate throw or end event); redraw it")


def _check_event_subprocess(start: etree._Element, esp: etree._Element,
                            report: Report) -> None:
    """What Camunda 7 refuses at deploy for a compensation event subprocess."""
    scope = esp.getparent()
    sid = start.get("id")
    if scope is None or scope.tag != _SUBPROCESS_TAG:
        report.error(sid, "compensation event subprocess outside an embedded subprocess: "
                     "Camunda 7 runs one only inside an embedded subprocess (refused at "
                     "deploy); move it into the subprocess it undoes, or attach a "
                     "compensation boundary event and a handler")
        return
    if compensation_esp(scope) is not esp:
        report.error(sid, f"second compensation event subprocess in {scope.get('id')!r}: a "
                     "subprocess has one (Camunda 7 refuses more); merge them")
    owner = scope.getparent()
    if owner is not None and any(
            e.get("attachedToRef") == scope.get("id") and is_compensation(e)
            for e in owner.iterchildren(BOUNDARY)):
        report.error(sid, f"subprocess {scope.get('id')!r} has both a compensation event "
                     "subprocess and a compensation boundary event (Camunda 7 refuses "
                     "this); keep one of them")
