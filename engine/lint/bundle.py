"""What a bundle defines, so references are resolved across all its files.

ciiflow deploys bundles: a call activity or a business rule task may only
point at a process or decision that is deployed together with it, because
nothing else is guaranteed to exist at run time in the same version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lxml import etree

from engine.camunda.namespaces import BPMN, tag


@dataclass
class Bundle:
    """Ids defined per file: processes and decisions (bundle-wide) and ids per file."""

    processes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    decisions: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    roots: dict[str, etree._Element] = field(default_factory=dict)

    def add_bpmn(self, filename: str, root: etree._Element) -> None:
        self.roots[filename] = root
        for process in root.iter(tag(BPMN, "process")):
            pid = process.get("id")
            if pid:
                self.processes[pid].append(filename)

    def add_dmn(self, filename: str, root: etree._Element, namespace: str) -> None:
        self.roots[filename] = root
        for decision in root.iter(tag(namespace, "decision")):
            did = decision.get("id")
            if did:
                self.decisions[did].append(filename)
