"""Retention: a closed case older than its process's `camunda:historyTimeToLive` is erased.

Why erase rather than delete: nFADP/LPD limits how long personal data is kept,
but the case's trace (who acted, when, on which element) is what lets an
institution account for its processing, and the audit chain must still verify.
So erasure removes the values about the person and keeps the skeleton:

- erased: the workflow's variables (every `data` of the serialized state, event
  payloads and correlations), the value keys of each history row's detail
  (everything outside `audit.STRUCTURAL_KEYS`: submitted form data, decision
  inputs and outputs, free-text reasons, incident messages), the payloads and
  messages of incidents, the error texts of external tasks, the business key
  and the case's digest key;
- kept: ids, timestamps, statuses, actors, elements, task rows (they hold no
  values), the access log and the hash chain.

Camunda 7 counts the TTL in days from the end of the case (an integer, or
`P<n>D`); so do we. A process without one is kept forever, which the lint says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.camunda.ttl import history_ttl, parse_ttl
from engine.store.models import Definition, ExternalTask, History, Incident, Instance

from .audit import erased_detail

__all__ = ["CLOSED", "Expired", "erase", "expired", "history_ttl", "parse_ttl"]

CLOSED = ("completed", "terminated")
_STATE_VALUES = {"data": dict, "internal_data": dict, "correlations": dict, "bpmn_events": list}


@dataclass(frozen=True)
class Expired:
    """A closed case past its retention."""

    instance_id: str
    process_key: str
    status: str
    ended_at: datetime
    ttl_days: int
    history_rows: int


def expired(session: Session, now: datetime, *, limit: int = 500) -> list[Expired]:
    """Closed cases older than their definition's TTL, not yet erased, oldest first.

    One indexed query per definition with a TTL (few: one per version), so the
    worker can ask often; the cut-off is computed here, not in SQL, to stay the
    same on SQLite and PostgreSQL.
    """
    found: list[Expired] = []
    ttls = session.execute(select(Definition.id, Definition.history_ttl_days)
                           .where(Definition.history_ttl_days.is_not(None))).all()
    for definition_id, ttl in ttls:
        cutoff = now - timedelta(days=ttl)
        rows = session.execute(
            select(Instance.id, Instance.process_key, Instance.status, Instance.ended_at,
                   Instance.history_seq)
            .where(Instance.definition_id == definition_id, Instance.ended_at < cutoff,
                   Instance.status.in_(CLOSED), Instance.purged_at.is_(None))
            .order_by(Instance.ended_at).limit(limit - len(found))).all()
        found += [Expired(r.id, r.process_key, r.status, r.ended_at, ttl, r.history_seq)
                  for r in rows]
        if len(found) >= limit:
            break
    return sorted(found, key=lambda e: e.ended_at)


def erase(session: Session, instance_id: str, now: datetime) -> bool:
    """Erase one closed case's values in the caller's transaction; False if it was not due
    any more (erased meanwhile by another worker, or reopened)."""
    claimed = session.execute(
        update(Instance).where(Instance.id == instance_id, Instance.purged_at.is_(None),
                               Instance.status.in_(CLOSED))
        # a new version: the erased state is not the one kept in memory (`state_cache`)
        .values(purged_at=now, history_salt=None, business_key=None,
                version=Instance.version + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    instance = session.get(Instance, instance_id)
    session.refresh(instance)
    instance.state = erased_state(instance.state)
    for row in session.scalars(select(History).where(History.instance_id == instance_id,
                                                     History.erased_at.is_(None))):
        row.detail, row.erased_at = erased_detail(row.detail), now
    for incident in session.scalars(select(Incident).where(
            Incident.instance_id == instance_id)):
        incident.operation = {"op": (incident.operation or {}).get("op")}
        incident.message = "(erased)"
    session.execute(update(ExternalTask).where(ExternalTask.instance_id == instance_id)
                    .values(error_message=None).execution_options(synchronize_session=False))
    session.flush()
    return True


def erased_state(text: str) -> str:
    """The serialized workflow without its variables: every task and (sub)workflow keeps
    its place, so the case still loads and shows where it ended. SpiffWorkflow keeps a
    task's variables as `data` and as the `delta` it made to its parent's; both go."""
    state = json.loads(text)
    _clear(state)
    return json.dumps(state, separators=(",", ":"))


def _clear(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _STATE_VALUES and isinstance(value, _STATE_VALUES[key]):
                node[key] = _STATE_VALUES[key]()
            elif key == "delta" and isinstance(value, dict):  # a task's changes to its data
                node[key] = {"updates": {}, "deletions": []}
            else:
                _clear(value)
    elif isinstance(node, list):
        for item in node:
            _clear(item)
