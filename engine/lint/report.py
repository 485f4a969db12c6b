"""Collecting findings for one file, so every check speaks in the same shape.

A finding names the BPMN/DMN element at fault: for a nested element (an
``extensionElements`` child, a ``conditionExpression``) that is the closest
ancestor with an ``id``, because that is what the process owner can click in
the Modeler.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import CAMUNDA
from engine.errors import Finding

_CAMUNDA = f"{{{CAMUNDA}}}"


def owner_id(element: etree._Element) -> str | None:
    """The id of the element itself or of the closest ancestor that has one.

    Event definitions are skipped: the Modeler shows (and selects) the event,
    not its definition, so a timer's fault is reported on the timer event.
    Camunda extension elements are skipped too: a ``camunda:formField`` id is
    a variable name scoped to its form, not an element the Modeler can select.
    """
    node: etree._Element | None = element
    while node is not None:
        value = node.get("id")
        tag = node.tag if isinstance(node.tag, str) else ""
        if value and not tag.endswith("EventDefinition") and not tag.startswith(_CAMUNDA):
            return value
        node = node.getparent()
    return None


def one_line(text: str, limit: int = 80) -> str:
    """Quote user text in a message without letting it break the one-line format."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Report:
    """Findings of one file, in document order."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.findings: list[Finding] = []

    def error(self, element_id: str | None, message: str) -> None:
        """A finding that refuses the whole bundle."""
        self.findings.append(Finding("error", self.filename, element_id, _clean(message)))

    def warning(self, element_id: str | None, message: str) -> None:
        """A finding shown to the owner so that nothing is dropped silently."""
        self.findings.append(Finding("warning", self.filename, element_id, _clean(message)))


def _clean(message: str) -> str:
    """Findings are printed one per line: fold any whitespace the file put in the text."""
    return " ".join(message.split())
