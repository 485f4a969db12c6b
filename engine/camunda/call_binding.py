"""Which call activities call a process from outside their bundle, and how they bind it.

Camunda 7 resolves `calledElement` when the call activity runs (`camunda:
calledElementBinding`: `latest` by default, `deployment`, `version` with
`camunda:calledElementVersion`, `versionTag` with `camunda:calledElementVersionTag`,
the `camunda:versionTag` of the called `bpmn:process`). ciiflow does the same for a
process that is not in the caller's bundle: a process of the same bundle is built into
the caller's version, whatever the binding, and `deployment` calls only those.

This module only reads the XML; the store is asked by `engine.runtime.called` when a
case reaches the call (and at deploy, to warn about a binding nothing satisfies yet).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from engine.camunda.bindings import split_bundle
from engine.camunda.namespaces import BPMN, CAMUNDA
from engine.camunda.xml import safe_parser

BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class CallRequest:
    """A call activity whose calledElement is not a process of its bundle."""

    filename: str
    element_id: str | None
    key: str
    binding: str
    version: str | None
    version_tag: str | None


def _root(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError:
        return None  # the lint names the file


def _is_expression(value: str) -> bool:
    return "${" in value or "#{" in value


def bundle_processes(files: Mapping[str, bytes]) -> set[str]:
    """The ids of every bpmn:process the bundle defines."""
    found: set[str] = set()
    for data in split_bundle(files)[0].values():
        root = _root(data)
        if root is not None:
            found |= {p.get("id") for p in root.iter(f"{{{BPMN}}}process") if p.get("id")}
    return found


def outside_calls(files: Mapping[str, bytes]) -> Iterator[CallRequest]:
    """The call activities of the bundle that call a process it does not define."""
    own = bundle_processes(files)
    for filename, data in sorted(split_bundle(files)[0].items()):
        root = _root(data)
        if root is None:
            continue
        for call in root.iter(f"{{{BPMN}}}callActivity"):
            key = (call.get("calledElement") or "").strip()
            if not key or key in own or _is_expression(key):
                continue  # the lint refuses an empty or expression calledElement
            yield CallRequest(
                filename, call.get("id"), key,
                (call.get(f"{{{CAMUNDA}}}calledElementBinding") or "latest").strip(),
                call.get(f"{{{CAMUNDA}}}calledElementVersion"),
                call.get(f"{{{CAMUNDA}}}calledElementVersionTag"))


def version_tag(xml: str, key: str) -> str | None:
    """The `camunda:versionTag` of process `key` in a stored BPMN resource."""
    root = _root(xml.encode("utf-8"))
    if root is None:
        return None
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") == key:
            return process.get(f"{{{CAMUNDA}}}versionTag")
    return None
