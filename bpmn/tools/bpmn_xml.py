"""A laid-out :class:`~bpmn.tools.builder.Process` as a Camunda Modeler 5 BPMN file.

Why the process is one pool in a collaboration: the lanes are the institutions
of the case, and a participant is what lets the Modeler draw and edit lanes.
Only the Camunda 7 extensions the engine reads are written (candidate groups,
due dates, forms, external topics, DMN result mapping, ``ciiflow.expose``), so
nothing in a file hints at a feature ciiflow would ignore.
"""

from __future__ import annotations

from bpmn.tools import geometry, writer
from bpmn.tools.builder import (
    POOL_LABEL_W,
    POOL_X,
    POOL_Y,
    Field,
    Node,
    Process,
)
from bpmn.tools.german import ENUM_NAMES, FIELD_LABELS, TASK_NAMES, german
from bpmn.tools.writer import Attrs, Tag


def process_xml(p: Process) -> str:
    """Lay the process out and write the whole file."""
    p.layout()
    root = writer.bpmn_definitions(f"Definitions_{p.pid}")
    collab = root.sub("bpmn:collaboration", [("id", f"Collaboration_{p.pid}")])
    participant = [("id", f"Participant_{p.pid}"), ("name", p.name), ("processRef", p.pid)]
    collab.sub("bpmn:participant", participant)
    root.add(_process(p))
    root.add(_diagram(p))
    return writer.document(root)


def _process(p: Process) -> Tag:
    proc = Tag("bpmn:process", [("id", p.pid), ("name", p.name), ("isExecutable", "true")])
    proc.set("camunda:historyTimeToLive", p.history_ttl)
    if p.doc:
        proc.sub("bpmn:documentation", text=p.doc)
    lane_set = proc.sub("bpmn:laneSet", [("id", f"LaneSet_{p.pid}")])
    for lane in p.lanes:
        lane_tag = lane_set.sub("bpmn:lane", [("id", lane.id), ("name", lane.name)])
        if lane.doc:
            lane_tag.sub("bpmn:documentation", text=lane.doc)
        for n in p.nodes.values():
            if n.lane == lane.id:
                lane_tag.sub("bpmn:flowNodeRef", text=n.id)
    for n in p.nodes.values():
        proc.add(_node(n))
    for f in p.flows:
        proc.add(writer.sequence_flow(f.id, f.src, f.tgt, f.name, f.cond or None))
    return proc


def _camunda_attrs(n: Node) -> Attrs:
    """The Camunda 7 attributes of a node, in the order the Modeler writes them."""
    attrs: Attrs = []
    if n.kind == "userTask":
        for name, value in (
            ("assignee", n.assignee),
            ("candidateGroups", n.groups),
            ("dueDate", n.due),
        ):
            if value:
                attrs.append((f"camunda:{name}", value))
        if n.priority is not None:
            attrs.append(("camunda:priority", str(n.priority)))
    if n.kind == "serviceTask":
        attrs += [("camunda:type", "external"), ("camunda:topic", n.topic or "")]
    if n.kind == "businessRuleTask":
        attrs += [
            ("camunda:resultVariable", n.result_variable or ""),
            ("camunda:decisionRef", n.decision or ""),
            ("camunda:mapDecisionResult", "singleResult"),
        ]
    return attrs


def _node(n: Node) -> Tag:
    tag = Tag(f"bpmn:{n.kind}", [("id", n.id)])
    if n.name:
        tag.set("name", n.name)
    if n.kind == "boundaryEvent":
        tag.set("cancelActivity", "true" if n.cancel else "false")
        tag.set("attachedToRef", n.attached or "")
    tag.attrs += _camunda_attrs(n)
    if n.default_flow:
        tag.set("default", n.default_flow)
    if n.doc:
        tag.sub("bpmn:documentation", text=n.doc)
    if n.form or n.expose or n.outputs or n.kind == "userTask":
        tag.add(_extensions(n))
    for fid in n.incoming:
        tag.sub("bpmn:incoming", text=fid)
    for fid in n.outgoing:
        tag.sub("bpmn:outgoing", text=fid)
    if n.timer:
        timer = tag.sub("bpmn:timerEventDefinition", [("id", f"TimerEventDefinition_{n.id}")])
        timer.add(writer.formal_expression(f"bpmn:{n.timer[0]}", n.timer[1]))
    if n.terminate:
        tag.sub("bpmn:terminateEventDefinition", [("id", f"TerminateEventDefinition_{n.id}")])
    return tag


def _extensions(n: Node) -> Tag:
    ext = Tag("bpmn:extensionElements")
    if n.form:
        form = ext.sub("camunda:formData")
        for fld in n.form:
            form.add(_form_field(fld))
    if n.expose or n.outputs or n.kind == "userTask":
        props = ext.sub("camunda:properties")
        for name, value in (("ciiflow.expose", n.expose), ("ciiflow.outputs", n.outputs)):
            if value:
                props.sub("camunda:property", [("name", name), ("value", value)])
        if n.kind == "userTask":  # its German name (docs/translations.md)
            props.sub("camunda:property",
                      [("name", "name.de"), ("value", german(TASK_NAMES, n.name, "task name"))])
    return ext


def _form_field(fld: Field) -> Tag:
    tag = Tag("camunda:formField", [("id", fld.id), ("label", fld.label), ("type", fld.type)])
    if fld.default is not None:
        tag.set("defaultValue", fld.default)
    tag.add(_field_translations(fld))
    constraints: list[tuple[str, str | None]] = []
    if fld.required:
        constraints.append(("required", None))
    for name in ("min", "max", "minlength", "maxlength"):
        value = getattr(fld, name)
        if value is not None:
            constraints.append((name, str(value)))
    if constraints:
        validation = tag.sub("camunda:validation")
        for name, config in constraints:
            attrs = [("name", name), *([("config", config)] if config is not None else [])]
            validation.sub("camunda:constraint", attrs)
    for vid, vname in fld.values or []:
        tag.sub("camunda:value", [("id", vid), ("name", vname)])
    return tag


def _field_translations(fld: Field) -> Tag:
    """`label.de` and `value.<id>.de`: the form field's German texts (docs/translations.md)."""
    props = Tag("camunda:properties")
    props.sub("camunda:property",
              [("id", "label.de"), ("value", german(FIELD_LABELS, fld.label, "field label"))])
    for vid, vname in fld.values or []:
        props.sub("camunda:property",
                  [("id", f"value.{vid}.de"), ("value", german(ENUM_NAMES, vname, "enum name"))])
    return props


def _diagram(p: Process) -> Tag:
    """Pool, lanes, nodes (boundary events after their hosts, as the Modeler does), edges."""
    dia, plane = writer.diagram(p.pid, f"Collaboration_{p.pid}")
    horizontal = [("isHorizontal", "true")]
    pool = (POOL_X, POOL_Y, p.pool_w, p.pool_h)
    plane.add(writer.shape(f"Participant_{p.pid}", pool, flags=horizontal))
    for lane in p.lanes:
        b = (POOL_X + POOL_LABEL_W, p.lane_top[lane.id], p.pool_w - POOL_LABEL_W, lane.height)
        plane.add(writer.shape(lane.id, b, flags=horizontal))
    hosts = [n for n in p.nodes.values() if not n.attached]
    attached = [n for n in p.nodes.values() if n.attached]
    for n in hosts + attached:
        marker = [("isMarkerVisible", "true")] if n.kind == "exclusiveGateway" else []
        plane.add(writer.shape(n.id, n.bounds, geometry.node_label(n), marker))
    for f in p.flows:
        plane.add(writer.edge(f.id, f.waypoints, geometry.flow_label(f)))
    return dia
