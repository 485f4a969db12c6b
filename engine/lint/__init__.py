"""Deploy-time lint: every uploaded BPMN/DMN file is checked whole before it is deployed.

No file may run code on the server and no construct may be dropped silently:
an ``error`` finding refuses the whole bundle, a ``warning`` is shown to the
process owner. ``engine.runtime.definitions`` calls :func:`lint` with the
engine's handler registry, before it stores anything (``Engine.deploy``) or
instead of storing (``Engine.lint``, behind ``ciiflow lint``).

Beside the per-file checks, ``engine.lint.knowledge`` checks what needs the
whole bundle and what the engine knows (variables read and written, forms,
literal dates, candidate groups, topics); every finding is then given the name
the Modeler shows for its element (``engine.lint.names``). See docs/lint.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from engine.camunda.namespaces import split
from engine.camunda.xml import MAX_FILE_BYTES, UnsafeFile, kind_of, load_xml
from engine.errors import Finding
from engine.lint.behaviour import check_called_event_subprocesses, check_message_starts
from engine.lint.bindings import Bindings
from engine.lint.bpmn import check_bpmn
from engine.lint.bundle import Bundle
from engine.lint.delegates import read_bindings
from engine.lint.dmn import check_dmn
from engine.lint.knowledge import Known, check_knowledge
from engine.lint.names import with_names
from engine.lint.report import Report

__all__ = ["MAX_FILE_BYTES", "Bindings", "Finding", "Known", "UnsafeFile", "lint", "load_xml"]


def lint(files: Mapping[str, bytes], handlers: Bindings | None = None,
         known: Known | None = None) -> list[Finding]:
    """Check a bundle; references resolve across all its files.

    Service tasks bound by class, delegate or expression must be bound in
    `handlers` (the engine's registry) or by the bundle's bindings file
    (`engine.lint.delegates`); without either, only topics are bound.
    Candidate groups and topics are checked against `known` (the directory,
    principals, handlers) when the caller gives it.

    Files that cannot be loaded safely become one error each and the others
    are still checked, so the owner sees every problem in one upload. A crash
    of a check refuses the file (fail closed) rather than letting it through.
    """
    files, handlers, findings = read_bindings(files, handlers)
    loaded: list[tuple[str, str]] = []
    bundle = Bundle()
    for filename, data in files.items():
        try:
            root = load_xml(data, filename)
        except UnsafeFile as exc:
            findings.append(Finding("error", filename, None, str(exc)))
            continue
        kind = kind_of(root)
        if kind == "BPMN":
            bundle.add_bpmn(filename, root)
        else:
            namespace, _ = split(root.tag)
            bundle.add_dmn(filename, root, namespace or "")
        loaded.append((filename, kind))
    findings.extend(_duplicates(bundle))
    findings.extend(check_message_starts(bundle, [f for f, k in loaded if k == "BPMN"]))
    findings.extend(check_called_event_subprocesses(
        bundle, [f for f, k in loaded if k == "BPMN"]))
    for filename, kind in loaded:
        root = bundle.roots[filename]
        try:
            if kind == "BPMN":
                report = check_bpmn(filename, root, bundle, handlers)
                report.findings += _knowledge(filename, root, bundle, known)
            else:
                report = check_dmn(filename, root, bundle)
        except Exception as exc:  # noqa: BLE001 - fail closed, name the reason
            report = Report(filename)
            report.error(None, f"lint could not check the file ({type(exc).__name__}: {exc})")
        findings.extend(report.findings)
    return with_names(findings, bundle.roots)


def _knowledge(filename: str, root: etree._Element, bundle: Bundle,
               known: Known | None) -> list[Finding]:
    """The bundle-wide checks of one file; a crash refuses it without hiding the others."""
    try:
        return check_knowledge(filename, root, bundle, known).findings
    except Exception as exc:  # noqa: BLE001 - fail closed, name the reason
        report = Report(filename)
        report.error(None, f"lint could not check the file's variables, forms and names "
                     f"({type(exc).__name__}: {exc})")
        return report.findings


def _duplicates(bundle: Bundle) -> list[Finding]:
    """A process or decision id defined twice in a bundle makes every reference ambiguous."""
    found: list[Finding] = []
    for what, table in (("process", bundle.processes), ("decision", bundle.decisions)):
        for ident, filenames in table.items():
            if len(filenames) > 1:
                for filename in filenames[1:]:
                    found.append(
                        Finding(
                            "error",
                            filename,
                            ident,
                            f"{what} id {ident!r} is also defined in {filenames[0]}; "
                            "ids must be unique in a bundle",
                        )
                    )
    return found
