"""Deploying bundles of BPMN and DMN files as versioned definitions.

A process is versioned on the bytes it is built from: its own BPMN file, the
files of the processes it calls and the DMN files its business rule tasks bind
with `camunda:decisionRefBinding="deployment"`. Deploying the same bytes again
keeps the existing version (a no-op, like Camunda's duplicate filtering); a
change to any of them makes version N+1. A DMN file nothing binds by deployment
changes no process: its decisions get versions of their own
(`engine.runtime.decisions`), which tasks bound `latest`, `version` or
`versionTag` resolve when they run. A bundle of DMN files alone is a deployment
of decisions. Running instances keep the version they started on (until a
migration moves them, `engine.runtime.migration`).

`deploy(..., dry_run=True)` answers the same plan without writing anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.camunda.bindings import BindingsError, DelegateBindings, bindings_of, split_bundle
from engine.camunda.namespaces import BPMN as BPMN_NS
from engine.camunda.parser import CiiflowParser
from engine.camunda.serializer import dump_spec
from engine.camunda.xml import safe_parser
from engine.dmn import DecisionTaskSpec
from engine.dmn.errors import DmnError
from engine.dmn.parser import parse_dmn_cached
from engine.errors import DefinitionRefused, Finding, NotFound
from engine.lint import Known, lint
from engine.lint.bindings import Bindings
from engine.runtime.retention import history_ttl
from engine.store.models import Definition

from . import called as called_store
from . import decisions as decision_store
from .decisions import DecisionPlan


@dataclass(frozen=True)
class Deployed:
    key: str
    version: int
    #: None on a dry run of a new version (nothing was stored)
    definition_id: int | None
    created: bool


@dataclass(frozen=True)
class DeployResult:
    definitions: list[Deployed]
    findings: list[Finding]
    decisions: list[DecisionPlan] = field(default_factory=list)
    #: True when nothing was stored: `created` then means "would be created"
    dry_run: bool = False


def lint_bundle(files: Mapping[str, bytes], handlers: Bindings | None = None,
                known: Known | None = None) -> list[Finding]:
    """The deploy-time lint; service tasks are checked against the engine's `handlers`,
    candidate groups and topics against what is `known` (directory, principals)."""
    return lint(files, handlers, known)


def _with_called(session: Session | None, files: Mapping[str, bytes],
                 handlers: Bindings | None, known: Known | None
                 ) -> tuple[dict[str, bytes], set[str], list[Finding]]:
    """The lint findings on the bundle, and a warning for each call activity whose process
    from outside the bundle nothing deployed satisfies yet (`engine.runtime.called`: such
    a call is resolved when a case reaches it)."""
    return dict(files), set(), [*lint_bundle(files, handlers, known),
                                *called_store.findings(session, files)]


def _parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=safe_parser())


def _is_bpmn(root: etree._Element) -> bool:
    return etree.QName(root).namespace == BPMN_NS


def build_specs(files: Mapping[str, bytes]) -> tuple[CiiflowParser, dict[str, str]]:
    """Parse the bundle; return the parser and, per executable process, its file name."""
    parser = CiiflowParser()
    parser.delegate_bindings = _delegate_bindings(files)
    process_files: dict[str, str] = {}
    for name, data in sorted(split_bundle(files)[0].items()):
        try:
            root = _parse_xml(data)
            if _is_bpmn(root):
                _name_anonymous_flows(root)
                _condition_bare_choices(root)
                parser.add_bpmn_xml(root, filename=name)
                for proc in root.findall(f"{{{BPMN_NS}}}process"):
                    if (proc.get("isExecutable") or "true").strip().lower() == "true":
                        process_files[proc.get("id")] = name
            else:
                parser.add_dmn_xml(root, filename=name)
        except Exception as exc:  # noqa: BLE001 - every parser failure is a refusal
            raise DefinitionRefused([_parser_finding(exc, name, "reading")]) from exc
    return parser, process_files


def _delegate_bindings(files: Mapping[str, bytes]) -> DelegateBindings:
    """The bundle's bindings file (`engine.camunda.bindings`); unreadable, a refusal."""
    try:
        return bindings_of(files)
    except BindingsError as exc:
        _, name = split_bundle(files)
        raise DefinitionRefused([Finding("error", name or "bindings.yaml", exc.key,
                                         str(exc))]) from exc


def _name_anonymous_flows(root: etree._Element) -> None:
    """Give every ``sequenceFlow`` without an ``id`` a generated one.

    Camunda 7 runs flows without an id (its engine test resources are full of
    them); SpiffWorkflow keys flows by id, so several anonymous flows collapse
    into one and the process silently takes the wrong path (or ends at once).
    """
    taken = {el.get("id") for el in root.iter() if el.get("id")}
    for index, flow in enumerate(root.iter(f"{{{BPMN_NS}}}sequenceFlow"), start=1):
        if flow.get("id"):
            continue
        base = f"Flow_{flow.get('sourceRef') or 'x'}_{flow.get('targetRef') or 'x'}"
        candidate, n = base, index
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        flow.set("id", candidate)
        taken.add(candidate)


_CHOICE_GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
_ALWAYS = "${true}"


def _condition_bare_choices(root: etree._Element) -> None:
    """Give a gateway's unconditioned, non-default outgoing flow the condition `${true}`.

    Camunda 7 takes such a flow whenever the gateway reaches it (in file order);
    SpiffWorkflow refuses the whole file instead. The stored source is untouched:
    only the parsed copy gets the explicit condition.
    """
    outgoing: dict[str | None, list[etree._Element]] = {}
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        outgoing.setdefault(flow.get("sourceRef"), []).append(flow)
    for kind in _CHOICE_GATEWAYS:
        for gateway in root.iter(f"{{{BPMN_NS}}}{kind}"):
            flows = outgoing.get(gateway.get("id"), [])
            if len(flows) < 2:
                continue
            for flow in flows:
                if (flow.get("id") == gateway.get("default")
                        or flow.find(f"{{{BPMN_NS}}}conditionExpression") is not None):
                    continue
                condition = etree.SubElement(flow, f"{{{BPMN_NS}}}conditionExpression")
                condition.text = _ALWAYS


def _parser_finding(exc: Exception, filename: str, stage: str) -> Finding:
    """Turn any parser exception into a finding naming the file and, when known, the element.

    The lint refuses what it knows the parser cannot take; this is the net under
    it. SpiffWorkflow raises ``ValidationException`` for the cases it anticipates,
    our DMN parser ``DmnError``; anything else is a parser bug met by a file the
    lint did not foresee, and must still be a refusal rather than a 500.
    """
    if isinstance(exc, ValidationException):
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Finding("error", getattr(exc, "file_name", "") or filename,
                       getattr(exc, "id", None), first)
    if isinstance(exc, DmnError):
        return Finding("error", filename, None, str(exc).splitlines()[0])
    return Finding(
        "error", filename, None,
        f"the BPMN/DMN parser could not read this file while {stage} "
        f"({type(exc).__name__}: {str(exc)[:200]}); a construct in it is not supported, "
        "please report the file to the ciiflow maintainers")


def _checksum(files: Mapping[str, bytes], names: list[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(set(names)):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def check(files: Mapping[str, bytes], handlers: Bindings | None = None,
          known: Known | None = None, session: Session | None = None) -> list[Finding]:
    """Every finding deploy would give the bundle, without storing anything.

    The lint first, then what only the parser and the serializer find: a file
    `ciiflow lint` passes is a file deploy takes. With a `session`, call activities
    resolve against the processes already deployed, as at deploy.
    """
    files, extras, findings = _with_called(session, files, handlers, known)
    if any(f.severity == "error" for f in findings):
        return findings
    try:
        parser, process_files = build_specs(files)
        process_files = {k: f for k, f in process_files.items() if f not in extras}
        if not process_files and not parser.get_decisions():
            raise DefinitionRefused([_no_process(files)])
        for key, filename in sorted(process_files.items()):
            spec, subprocess_specs = _built(parser, key, filename)
            _dump(spec, subprocess_specs, filename, key)
    except DefinitionRefused as refused:
        return [*findings, *refused.findings]
    return findings


def _no_process(files: Mapping[str, bytes]) -> Finding:
    return Finding(
        "error", ",".join(sorted(files)), None,
        "no executable process and no decision in the bundle: tick 'Executable' on a "
        "process, or deploy a DMN file with at least one decision")


def _built(parser: CiiflowParser, key: str, filename: str) -> tuple[Any, Mapping[str, Any]]:
    """The spec of process `key` and of the processes it calls; a parser failure refuses."""
    try:
        return parser.get_spec(key), called_store.bundle_subprocess_specs(parser, key)
    except Exception as exc:  # noqa: BLE001 - every parser failure is a refusal
        raise DefinitionRefused(
            [_parser_finding(exc, filename, f"building process {key!r}")]) from exc


def deploy(
    session: Session,
    files: Mapping[str, bytes],
    *,
    actor: str | None,
    now: datetime,
    handlers: Bindings | None = None,
    dry_run: bool = False,
    known: Known | None = None,
) -> DeployResult:
    """Lint (service tasks against `handlers`, the engine's registry), then store versions.

    With `dry_run`, the same plan (which processes and decisions would get a new
    version, which are unchanged) and nothing written.
    """
    files, extras, findings = _with_called(session, files, handlers, known)
    if any(f.severity == "error" for f in findings):
        raise DefinitionRefused(findings)
    parser, every_file = build_specs(files)
    process_files = {k: f for k, f in every_file.items() if f not in extras}
    if not process_files and not parser.get_decisions():
        raise DefinitionRefused([_no_process(files)])
    dmn_files = {n: data for n, data in files.items() if n not in extras
                 and n not in process_files.values() and n.endswith(".dmn")}
    parsed = {n: parse_dmn_cached(data.decode("utf-8"), n) for n, data in dmn_files.items()}
    roots = {n: _parse_xml(data) for n, data in dmn_files.items()}
    decisions = decision_store.plan(session, dmn_files, parsed, roots, store=not dry_run,
                                    actor=actor, now=now)
    results = []
    for key, filename in sorted(process_files.items()):
        spec, subprocess_specs = _built(parser, key, filename)
        called = [every_file[s] for s in subprocess_specs if s in every_file]
        bound, used = _decision_files(spec, subprocess_specs)
        # the bindings file decides what the process's delegates run: summed and kept too
        bindings_file = [n for n in [split_bundle(files)[1]] if n is not None]
        checksum = _checksum(files, [filename, *called, *bound, *bindings_file])
        latest = _latest(session, key)
        if latest is not None and _same(latest, checksum, files,
                                        [filename, *called, *bound, *bindings_file]):
            results.append(Deployed(key, latest.version, latest.id, created=False))
            continue
        version = (latest.version + 1) if latest else 1
        stored = _dump(spec, subprocess_specs, filename, key)
        if dry_run:
            results.append(Deployed(key, version, None, created=True))
            continue
        resources = sorted({filename, *called, *(n for n in used if n in files),
                            *bindings_file})
        row = Definition(
            key=key,
            version=version,
            name=spec.description if spec.description != key else None,
            checksum=checksum,
            resources={n: files[n].decode("utf-8") for n in resources},
            bpmn_resource=filename,
            spec=stored,
            deployed_at=now,
            deployed_by=actor,
            history_ttl_days=history_ttl(files[filename], key),
        )
        session.add(row)
        session.flush()
        results.append(Deployed(key, row.version, row.id, created=True))
    return DeployResult(results, findings, decisions, dry_run=dry_run)


def _same(latest: Definition, checksum: str, files: Mapping[str, bytes],
          names: list[str]) -> bool:
    """Whether the latest version was built from these same files.

    The checksum says it; a version stored before decisions were versioned on their
    own was summed with every DMN file of its bundle, so its stored files are compared
    instead: upgrading ciiflow gives no process a new version.
    """
    if latest.checksum == checksum:
        return True
    stored = latest.resources or {}
    return all(n in stored and stored[n].encode("utf-8") == files[n] for n in set(names))


def _decision_files(spec: Any, subprocess_specs: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """The DMN files the process's business rule tasks bind by deployment, and all they use.

    Only the first decide the process's version: a task bound `latest`, `version` or
    `versionTag` finds its decision in the store when it runs.
    """
    bound: set[str] = set()
    used: set[str] = set()
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            if not isinstance(task_spec, DecisionTaskSpec):
                continue
            names = {d.filename for d in task_spec.decisions.values() if d.filename}
            used |= names
            if task_spec.binding == "deployment":
                bound |= names
    return bound, used


def _dump(spec: Any, subprocess_specs: Mapping[str, Any], filename: str, key: str) -> str:
    """Serialize the specs; a spec the serializer cannot store is refused, not a 500."""
    try:
        return dump_spec(spec, subprocess_specs)
    except Exception as exc:  # noqa: BLE001 - every parser failure is a refusal
        raise DefinitionRefused(
            [_parser_finding(exc, filename, f"storing process {key!r}")]) from exc


def _latest(session: Session, key: str) -> Definition | None:
    return session.scalars(
        select(Definition).where(Definition.key == key).order_by(Definition.version.desc()).limit(1)
    ).first()


def get(session: Session, key: str, version: int | None = None) -> Definition:
    if version is None:
        row = _latest(session, key)
    else:
        row = session.scalars(
            select(Definition).where(Definition.key == key, Definition.version == version)
        ).first()
    if row is None:
        what = f"{key} version {version}" if version else key
        raise NotFound(f"no definition {what}")
    return row


def list_latest(session: Session) -> list[Definition]:
    latest = (
        select(Definition.key, func.max(Definition.version).label("v"))
        .group_by(Definition.key)
        .subquery()
    )
    stmt = (
        select(Definition)
        .join(latest, (Definition.key == latest.c.key) & (Definition.version == latest.c.v))
        .order_by(Definition.key)
    )
    return list(session.scalars(stmt))


def list_versions(session: Session, key: str) -> list[Definition]:
    return list(
        session.scalars(
            select(Definition).where(Definition.key == key).order_by(Definition.version)
        )
    )
