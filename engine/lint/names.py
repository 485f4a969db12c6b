"""The name the Modeler shows for an element, so a finding reads like the diagram.

A process owner finds `Activity_0x1y2z3` in the XML only; on the canvas the
task is "Check the announcement". Every finding therefore carries the element's
`name` (its label, whitespace folded: the Modeler allows line breaks in labels)
next to its id, filled in here once for all checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from lxml import etree

from engine.errors import Finding


def element_names(root: etree._Element) -> dict[str, str]:
    """id -> label of every element of a BPMN or DMN file that has both."""
    names: dict[str, str] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        ident, name = element.get("id"), element.get("name")
        if ident and name and name.strip() and ident not in names:
            names[ident] = " ".join(name.split())
    return names


def with_names(findings: Iterable[Finding], roots: Mapping[str, etree._Element]) -> list[Finding]:
    """The findings, each with the name of its element when the file gives one."""
    tables: dict[str, dict[str, str]] = {}
    named: list[Finding] = []
    for finding in findings:
        root = roots.get(finding.file)
        if finding.element_id is None or finding.element_name or root is None:
            named.append(finding)
            continue
        if finding.file not in tables:
            tables[finding.file] = element_names(root)
        name = tables[finding.file].get(finding.element_id)
        named.append(replace(finding, element_name=name) if name else finding)
    return named
