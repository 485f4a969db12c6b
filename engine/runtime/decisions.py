"""Decisions versioned on their own, as Camunda 7 versions decision definitions.

Each `<decision>` of a deployed DMN file is a row of `decision_definition`; it gets
version N+1 only when its own element (or a decision it requires) changed, so
touching one table of a file leaves the others' versions alone. A business rule
task resolves its decision here when it runs (`resolve`), following
`camunda:decisionRefBinding`:

* `latest` (the default): the newest version of the key;
* `version`: the version `camunda:decisionRefVersion` names;
* `versionTag`: the newest version whose `camunda:versionTag` is
  `camunda:decisionRefVersionTag`;
* `deployment`: the decision deployed with the process, embedded in its spec
  (never looked up here).

So a corrected triage table reaches running cases at their next evaluation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.dmn.errors import DmnEvaluationError
from engine.dmn.evaluate import requirement_order
from engine.dmn.model import Decision
from engine.dmn.parser import parse_dmn_cached
from engine.store.models import DecisionDefinition


@dataclass(frozen=True)
class DecisionPlan:
    """One decision of a bundle: the version it has or would get."""

    key: str
    version: int
    resource: str
    version_tag: str | None
    created: bool
    decision_id: int | None = None


def _element_digest(root: etree._Element, decision_id: str) -> bytes:
    for element in root.iter():
        if (isinstance(element.tag, str) and etree.QName(element).localname == "decision"
                and element.get("id") == decision_id):
            return hashlib.sha256(etree.tostring(element, method="c14n")).digest()
    return b""


def checksums(decisions: Mapping[str, Decision], root: etree._Element) -> dict[str, str]:
    """Per decision of one file: the digest of its element and of those it requires."""
    digests = {key: _element_digest(root, key) for key in decisions}
    result = {}
    for key in decisions:
        digest = hashlib.sha256()
        for needed in requirement_order(decisions, key):
            digest.update(needed.encode() + b"\0" + digests.get(needed, b""))
        result[key] = digest.hexdigest()
    return result


def latest(session: Session, key: str) -> DecisionDefinition | None:
    return session.scalars(
        select(DecisionDefinition).where(DecisionDefinition.key == key)
        .order_by(DecisionDefinition.version.desc()).limit(1)).first()


def plan(
    session: Session,
    dmn_files: Mapping[str, bytes],
    parsed: Mapping[str, Mapping[str, Decision]],
    roots: Mapping[str, etree._Element],
    *,
    store: bool,
    actor: str | None,
    now: datetime,
) -> list[DecisionPlan]:
    """Which decisions of the bundle get a new version; with `store`, write them."""
    plans = []
    for filename in sorted(dmn_files):
        decisions = parsed[filename]
        sums = checksums(decisions, roots[filename])
        for key in sorted(decisions):
            decision = decisions[key]
            known = latest(session, key)
            if known is not None and known.checksum == sums[key]:
                plans.append(DecisionPlan(key, known.version, known.resource,
                                          known.version_tag, False, known.id))
                continue
            version = known.version + 1 if known else 1
            row_id = None
            if store:
                row = DecisionDefinition(
                    key=key, version=version, version_tag=decision.version_tag,
                    name=decision.name, checksum=sums[key], resource=filename,
                    source=dmn_files[filename].decode("utf-8"), deployed_at=now,
                    deployed_by=actor)
                session.add(row)
                session.flush()
                row_id = row.id
            plans.append(DecisionPlan(key, version, filename, decision.version_tag, True, row_id))
    return plans


def _row(session: Session, key: str, binding: str, version: str | None
         ) -> DecisionDefinition | None:
    stmt = select(DecisionDefinition).where(DecisionDefinition.key == key)
    if binding == "version":
        try:
            number = int(str(version))
        except ValueError:
            raise DmnEvaluationError(
                f"camunda:decisionRefVersion {version!r} of decision {key!r} is not a number"
            ) from None
        stmt = stmt.where(DecisionDefinition.version == number)
    elif binding == "versionTag":
        stmt = stmt.where(DecisionDefinition.version_tag == version)
    return session.scalars(stmt.order_by(DecisionDefinition.version.desc()).limit(1)).first()


def resolve(session: Session, key: str, binding: str, version: str | None
            ) -> Mapping[str, Decision] | None:
    """The decisions to evaluate `key` with under `binding`, required ones included.

    None for `latest` when the key has no row (a process deployed before decisions
    were versioned: its embedded decision is the one); a `version` or `versionTag`
    that names nothing deployed is an evaluation error, so the task opens an incident.
    """
    if binding == "deployment":
        return None
    row = _row(session, key, binding, version)
    if row is None:
        if binding == "latest":
            return None
        what = f"version {version}" if binding == "version" else f"versionTag {version!r}"
        raise DmnEvaluationError(f"no {what} of decision {key!r} is deployed")
    available = parse_dmn_cached(row.source, row.resource)
    return {i: available[i] for i in requirement_order(available, key)}


def versions(session: Session, key: str | None = None) -> list[DecisionDefinition]:
    """Every stored version, of one key or of all, by key and version."""
    stmt = select(DecisionDefinition)
    if key is not None:
        stmt = stmt.where(DecisionDefinition.key == key)
    return list(session.scalars(stmt.order_by(DecisionDefinition.key,
                                              DecisionDefinition.version)))
