"""All checks of one BPMN file, in the order a process owner would fix them.

Each idea lives in its own module (elements, camunda vocabulary, expressions,
bindings, run-time behaviour, references, diagram); this module adds the few file-level rules
(executable process, ids SpiffWorkflow mishandles, script tasks) and runs the
rest.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import BPMN, tag
from engine.lint.behaviour import check_behaviour
from engine.lint.bindings import Bindings, check_bindings
from engine.lint.bpmn_expressions import check_bpmn_expressions
from engine.lint.bundle import Bundle
from engine.lint.camunda import check_vocabulary
from engine.lint.compensation import check_compensation
from engine.lint.diagram import check_diagram
from engine.lint.elements import check_elements
from engine.lint.links import check_links
from engine.lint.placement import check_placement
from engine.lint.references import check_references
from engine.lint.report import Report
from engine.lint.retention import check_retention
from engine.lint.translations import check_translations
from engine.lint.working_days import check_working_days

from .event_definitions import check_events

RESERVED_IDS = frozenset({"Start", "End"})
"""Ids that collide with SpiffWorkflow's own task spec names and silently break a workflow."""


def index_ids(root: etree._Element, report: Report) -> dict[str, etree._Element]:
    """Map id -> BPMN element, reporting duplicates (SpiffWorkflow keeps only one of them).

    Only BPMN elements count: ids of camunda: extension elements (form fields,
    enum values) are scoped to their form and legitimately repeat across tasks.
    """
    ids: dict[str, etree._Element] = {}
    for element in root.iter(f"{{{BPMN}}}*"):
        eid = element.get("id")
        if not eid:
            continue
        if eid in ids:
            report.error(eid, f"id {eid!r} is used twice in this file; ids must be unique")
            continue
        ids[eid] = element
    return ids


def check_bpmn(filename: str, root: etree._Element, bundle: Bundle,
               bindings: Bindings | None = None) -> Report:
    """Run every BPMN check on one loaded file; service tasks against `bindings`."""
    report = Report(filename)
    ids = index_ids(root, report)
    _check_executable(root, report)
    _check_reserved_ids(ids, report)
    _check_scripts(root, report)
    _check_default_language(root, report)
    check_elements(root, report)
    check_vocabulary(root, report, bindings)
    check_bindings(root, report, bindings)
    check_bpmn_expressions(root, report)
    check_behaviour(root, report)
    check_placement(root, report)
    check_events(root, report)
    check_links(root, report)
    check_compensation(root, report)
    check_working_days(root, report)
    check_references(root, report, bundle, ids)
    check_diagram(root, report)
    check_retention(root, report)
    check_translations(root, report)
    return report


def is_executable(process: etree._Element) -> bool:
    """Camunda 7 runs a process whose isExecutable is missing (it logs a warning); so do we."""
    return (process.get("isExecutable") or "true").strip().lower() == "true"


def _check_executable(root: etree._Element, report: Report) -> None:
    processes = list(root.iter(tag(BPMN, "process")))
    for process in processes:
        if process.get("isExecutable") is None:
            report.warning(
                process.get("id"),
                "isExecutable is missing: the process is treated as executable, as Camunda 7 "
                "does; tick 'Executable' in the Modeler to say so",
            )
    if not any(is_executable(p) for p in processes):
        report.error(
            processes[0].get("id") if processes else root.get("id"),
            "no process is executable: tick 'Executable' (isExecutable=\"true\") on the process",
        )


def _check_reserved_ids(ids: dict[str, etree._Element], report: Report) -> None:
    for eid in sorted(RESERVED_IDS & ids.keys()):
        report.error(
            eid,
            f"element id {eid!r} is reserved by SpiffWorkflow and silently breaks the "
            f"workflow; rename it (e.g. '{eid}Event_1')",
        )


_DEFAULT_LANGUAGES = frozenset({"http://www.w3.org/1999/XPath", "juel", "JUEL"})


def _check_default_language(root: etree._Element, report: Report) -> None:
    """A file-wide script language would make every condition a script: refuse it."""
    language = root.get("expressionLanguage")
    if language is not None and language.strip() not in _DEFAULT_LANGUAGES:
        report.error(
            root.get("id"),
            f"expressionLanguage {language!r} on the definitions refused: ciiflow evaluates "
            "${…} expressions only; remove the attribute",
        )


def _check_scripts(root: etree._Element, report: Report) -> None:
    for task in root.iter(tag(BPMN, "scriptTask")):
        fmt = task.get("scriptFormat") or "no language"
        report.error(
            task.get("id"),
            f"script task ({fmt}) refused: ciiflow runs no code from a file; use a service "
            "task bound to a registered handler (camunda:topic) instead",
        )
