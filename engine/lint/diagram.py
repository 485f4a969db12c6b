"""Every flow node and sequence flow must be drawn.

An element without a ``BPMNShape``/``BPMNEdge`` still runs, but the Modeler
shows "no diagram to display" or hides it, so the owner reviews a picture
that is not the process that runs. Collapsed subprocesses have their own
plane; all planes of the file count.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import BPMN, BPMNDI, tag
from engine.lint.elements import is_flow_node
from engine.lint.report import Report


def drawn_ids(root: etree._Element) -> set[str]:
    """Ids of the BPMN elements that have a shape or an edge in any diagram of the file."""
    drawn: set[str] = set()
    for name in ("BPMNShape", "BPMNEdge"):
        for shape in root.iter(tag(BPMNDI, name)):
            ref = shape.get("bpmnElement")
            if ref:
                drawn.add(ref)
    return drawn


def check_diagram(root: etree._Element, report: Report) -> None:
    """Report each flow node and sequence flow of every process that has no diagram element."""
    drawn = drawn_ids(root)
    for process in root.iter(tag(BPMN, "process")):
        for element in process.iter():
            if not isinstance(element.tag, str):
                continue
            if not (is_flow_node(element) or element.tag == tag(BPMN, "sequenceFlow")):
                continue
            eid = element.get("id")
            if eid and eid not in drawn:
                kind = "BPMNEdge" if element.tag == tag(BPMN, "sequenceFlow") else "BPMNShape"
                report.error(
                    eid,
                    f"no diagram shape ({kind}): the Modeler would show 'no diagram to "
                    "display'; open the file in the Modeler, draw the element and save",
                )
