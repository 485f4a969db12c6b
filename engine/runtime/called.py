"""Called processes from earlier deployments, brought into the bundle that calls them.

A call activity whose `calledElement` is not in its bundle is resolved at deploy
(`engine.camunda.call_binding` says why and how); the called version's stored
resources join the bundle under a name that says where they come from
(`deployed/<key>/v<version>/<file>`), so the parser builds the caller with the
called spec inside, the caller's checksum covers them, and the caller's version
keeps them among its resources. They are never deployed as processes of their own,
and lint findings on them are not the caller's (they were checked when deployed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.camunda.bindings import FILENAMES
from engine.camunda.call_binding import BINDINGS, CallRequest, outside_calls, version_tag
from engine.errors import Finding
from engine.store.models import Definition

PREFIX = "deployed/"
NOT_IN_BUNDLE = "is not a process of this bundle"
"""Lint's words for a call it cannot resolve; dropped where a finding here says more."""


@dataclass
class Resolved:
    """The deployed files the bundle's calls need, and why a call could not be resolved."""

    files: dict[str, bytes] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def is_extra(self, name: str) -> bool:
        return name in self.files


def _versions(session: Session, key: str) -> list[Definition]:
    return list(session.scalars(select(Definition).where(Definition.key == key)
                                .order_by(Definition.version.desc())))


def _pick(call: CallRequest, versions: list[Definition]) -> Definition | str | None:
    """The version the call binds, a reason it binds none, or None (lint names it)."""
    if not versions or call.binding == "deployment" or call.binding not in BINDINGS:
        return None
    if call.binding == "latest":
        return versions[0]
    if call.binding == "version":
        wanted = (call.version or "").strip()
        if not wanted.isdigit():
            return (f"camunda:calledElementVersion {call.version!r} is not a version number; "
                    f"name a deployed version of {call.key!r}")
        for row in versions:
            if row.version == int(wanted):
                return row
        return (f"process {call.key!r} has no deployed version {wanted} (deployed: "
                f"{', '.join(str(r.version) for r in reversed(versions))})")
    tag = (call.version_tag or "").strip()
    for row in versions:
        if tag and version_tag(row.resources.get(row.bpmn_resource, ""), call.key) == tag:
            return row
    return (f"no deployed version of process {call.key!r} has camunda:versionTag {tag!r}")


def resolve(session: Session, files: Mapping[str, bytes]) -> Resolved:
    """The stored resources of every process the bundle calls from outside it."""
    resolved = Resolved()
    chosen: dict[str, int] = {}
    for call in outside_calls(files):
        picked = _pick(call, _versions(session, call.key))
        if isinstance(picked, str):
            resolved.findings.append(Finding("error", call.filename, call.element_id, picked))
            continue
        if picked is None:
            continue
        if chosen.setdefault(call.key, picked.version) != picked.version:
            resolved.findings.append(Finding(
                "error", call.filename, call.element_id,
                f"calls process {call.key!r} at version {picked.version}, another call "
                f"activity of the bundle at version {chosen[call.key]}: ciiflow binds one "
                "version of a called process per bundle"))
            continue
        for name, text in picked.resources.items():
            if name.lower() not in FILENAMES:
                extra = name if name.startswith(PREFIX) else \
                    f"{PREFIX}{picked.key}/v{picked.version}/{name}"
                resolved.files[extra] = text.encode("utf-8")
    return resolved
