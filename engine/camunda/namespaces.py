"""The XML namespaces a Camunda 7 Modeler file uses, named once for every check."""

from __future__ import annotations

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
ACTIVITI = "http://activiti.org/bpmn"
"""The legacy extension namespace Camunda 7 still reads as camunda:; ciiflow does not."""

DMN_11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN_11_ALTERNATIVE = "http://www.omg.org/spec/DMN/20151101/dmn11.xsd"
"""Also DMN 1.1: Camunda 7 reads it (``DmnModelConstants.DMN11_ALTERNATIVE_NS``)."""
DMN_12 = "http://www.omg.org/spec/DMN/20180521/MODEL/"
DMN_13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN_14 = "https://www.omg.org/spec/DMN/20211108/MODEL/"
DMN_15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"
DMN_NAMESPACES = (DMN_11, DMN_11_ALTERNATIVE, DMN_12, DMN_13, DMN_14, DMN_15)
"""Camunda 7 reads DMN 1.1 to 1.3; 1.4 and 1.5 files hold nothing ciiflow reads differently."""


def tag(namespace: str, local: str) -> str:
    """Clark notation, the form lxml compares tags in."""
    return f"{{{namespace}}}{local}"


def split(qualified: str) -> tuple[str | None, str]:
    """Split a Clark-notation tag or attribute name into (namespace, local name)."""
    if qualified.startswith("{"):
        namespace, _, local = qualified[1:].partition("}")
        return namespace, local
    return None, qualified
