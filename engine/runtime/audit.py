"""The audit chain: each case's history rows are hash-chained, so a change shows.

Why a chain and a salted digest: the history is the record of who decided what in
a case about a vulnerable person (nFADP/LPD asks for traceable processing), yet
it is an ordinary table anyone with SQL access could edit. Each row's hash
covers the previous row's hash and the row itself; the hash of the last row,
the chain head, lives on the instance row and moves with the step's
compare-and-set, so an edited, inserted or deleted row breaks the chain where
it happened.

Retention (`engine.runtime.retention`) must erase the values a row recorded
(submitted form data, decision inputs, free text) and still leave a chain that
verifies. So the row hash covers the row's columns and a digest of its whole
detail, salted with the case's own random key (`Instance.history_salt`).
Erasure keeps the digest, drops the values (every key outside
`STRUCTURAL_KEYS`) and forgets the key: the chain still verifies, and an erased
value cannot be confirmed by guessing it against the digest. The hash does not
depend on `STRUCTURAL_KEYS`, so new kinds of rows with new keys never disturb
the rows already chained; after erasure, the kept keys of a row are checked to
be structural ones, its columns stay covered by the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.store.models import History, Instance

GENESIS = "0" * 64
"""The "previous hash" of a case's first row."""

STRUCTURAL_KEYS = frozenset({
    # what a row is about: versions, state changes, incidents, topics, codes
    "version", "from", "to", "incident_id", "topic", "code", "timer",
    # task lifecycle and migrations (who holds a task, which version a case moved to)
    "groups", "old_groups", "new_groups", "added_groups", "removed_groups",
    "from_version", "to_version", "activity_map", "task_id", "activity_id",
    # decisions and branches: which table, which rules, which flow, never the values
    "decision", "decision_id", "decision_key", "decision_version", "matched_rules",
    "rules", "hit_policy", "gateway_id", "flow_id", "flow_ids",
    # external tasks: which worker, which attempt; retention: after how many days
    "worker_id", "retries", "ttl_days",
    # notices, reassignment and migration counts: dates and numbers about the task
    "due_at", "released", "kept", "cancelled", "created",
})
"""Detail keys kept by erasure: identifiers and codes, never a value about the person.

Every other key (`data`, `inputs`, `outputs`, `reason`, `message`, `note`, ...) is a
value: erased when the case's retention ends. Free text (a reason, an incident
message quoting a value) is treated as a value, since it may name the person.
"""


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str)
"""`json.dumps` with these options, built once (dumps builds an encoder per call, twice per
history row of every step); encoding keeps no state between calls."""


def canonical(value: Any) -> bytes:
    """One byte form per JSON value, whatever the database gave back (key order, spacing)."""
    return _CANONICAL.encode(value).encode()


def split_detail(detail: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(structural keys, value keys) of a history row's detail."""
    structural: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        (structural if key in STRUCTURAL_KEYS else values)[key] = value
    return structural, values


def value_digest(salt: str, values: Mapping[str, Any]) -> str:
    """The digest of a row's detail, salted with its case's key."""
    return hashlib.sha256(salt.encode() + b"\0" + canonical(values)).hexdigest()


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def row_hash(previous: str, row: Mapping[str, Any], digest: str) -> str:
    """The hash of one row given the previous row's hash and the digest of its detail."""
    return hashlib.sha256(canonical([
        previous, row["instance_id"], row["seq"], _moment(row["at"]), row["kind"],
        row.get("actor"), row.get("activity_id"), row.get("task_id"), digest,
    ])).hexdigest()


def chain(rows: Sequence[MutableMapping[str, Any]], head: str | None, salt: str) -> str:
    """Give each new row (dicts, in seq order) its digest and hash; returns the new head."""
    previous = head or GENESIS
    for row in rows:
        row["digest"] = value_digest(salt, row.get("detail") or {})
        previous = row["row_hash"] = row_hash(previous, row, row["digest"])
    return previous


def erased_detail(detail: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What erasure leaves of a detail: its structural keys only (None when nothing)."""
    structural, _ = split_detail(detail)
    return structural or None


# -- verifying ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """One break in a case's chain, naming the row at fault."""

    instance_id: str
    seq: int | None
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"seq {self.seq}" if self.seq is not None else "head"
        row = f" (history row {self.row_id})" if self.row_id is not None else ""
        return f"{self.instance_id} {where}{row}: {self.problem}"


@dataclass(frozen=True)
class Stored:
    """A history row as read back for verification."""

    id: int
    instance_id: str
    seq: int
    at: datetime
    kind: str
    actor: str | None
    activity_id: str | None
    task_id: str | None
    detail: dict[str, Any] | None
    digest: str | None
    row_hash: str | None
    erased_at: datetime | None

    def as_row(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "seq": self.seq, "at": self.at,
                "kind": self.kind, "actor": self.actor, "activity_id": self.activity_id,
                "task_id": self.task_id, "detail": self.detail}


def verify_chain(instance_id: str, head: str | None, last_seq: int, salt: str | None,
                 rows: Iterable[Stored]) -> list[Fault]:
    """Every fault of one case's chain: edited, inserted, deleted or wrongly erased rows.

    `head` and `last_seq` are what the instance row says the chain ends with; `salt`
    is None once the case was erased (then the values' digests are taken as stored).
    """
    faults: list[Fault] = []
    previous, expected_seq = GENESIS, 1

    def fault(row: Stored | None, problem: str, seq: int | None = None) -> None:
        faults.append(Fault(instance_id, row.seq if row else seq,
                            row.id if row else None, problem))

    for row in rows:
        if row.seq > last_seq:
            fault(row, f"{row.kind}: inserted after the chain head (the case recorded up to "
                  f"seq {last_seq})")
            continue
        after_gap = row.seq > expected_seq
        if after_gap:
            missing = (f"seq {expected_seq}" if row.seq == expected_seq + 1
                       else f"seqs {expected_seq}-{row.seq - 1}")
            fault(None, f"{missing} deleted (the chain jumps to seq {row.seq})", expected_seq)
        expected_seq = row.seq + 1
        _, values = split_detail(row.detail)
        digest = row.digest or ""
        if row.erased_at is not None or salt is None:
            if values:
                fault(row, f"{row.kind}: values present in an erased row (inserted or edited)")
            if salt is not None:
                fault(row, f"{row.kind}: erased while its case was not")
        elif value_digest(salt, row.detail or {}) != digest:
            fault(row, f"{row.kind}: recorded values edited")
        expected = row_hash(previous, row.as_row(), digest)
        # after a deleted row the previous hash is gone: the gap is the fault, not this row
        if row.row_hash != expected and not after_gap:
            fault(row, f"{row.kind}: row edited or inserted (its hash does not chain)")
        previous = row.row_hash or expected
    if expected_seq - 1 < last_seq:
        fault(None, f"rows after seq {expected_seq - 1} deleted (the case recorded up to "
              f"seq {last_seq})", expected_seq)
    elif (head or GENESIS) != previous and not faults:
        fault(None, "the last row does not match the chain head (edited or replaced)")
    return faults


def verify_instance(session: Session, instance_id: str) -> list[Fault]:
    """Read one case's rows and verify its chain against the instance row."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    columns = [getattr(History, f.name) for f in fields(Stored)]
    rows = (Stored(*r) for r in session.execute(
        select(*columns).where(History.instance_id == instance_id)
        .order_by(History.seq, History.id)))
    return verify_chain(instance_id, instance.history_head, instance.history_seq,
                        instance.history_salt, rows)
