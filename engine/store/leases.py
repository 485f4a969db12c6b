"""Leases on due timers, so N workers share the due instances instead of repeating them.

Without a lease every worker selected the same first due instances and all
but one threw their work away at the compare-and-set: N workers did N times
the work (deserialize, fire, serialize) for the progress of one. A claim sets
`timer_lease_until`/`timer_lease_by` on a batch of due instances whose lease
is empty or run out, in one statement:

    UPDATE instance SET timer_lease_until = :until, timer_lease_by = :owner
    WHERE id IN (SELECT id FROM instance WHERE <due, lease free>
                 ORDER BY next_timer_at LIMIT :n [FOR UPDATE SKIP LOCKED])
    RETURNING id

On PostgreSQL the `FOR UPDATE SKIP LOCKED` of the sub-select passes over rows
another claimer (or a step) holds, and a row leased meanwhile is re-checked
against the lease condition, so two claims never return the same instance.
SQLite renders `skip_locked` as nothing, but the statement is one write under
the database's single write lock (`BEGIN IMMEDIATE`), which is as exclusive.
A worker that dies leaves its lease to run out; another worker then takes the
timer. The compare-and-set on the instance version stays the last guard. The jobs
left at async boundaries are leased the same way, on their own rows
(`engine.store.jobs`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import Instance


def claim_due_timers(session: Session, *, owner: str, now: datetime, lease: timedelta,
                     limit: int) -> list[str]:
    """Lease up to `limit` instances with a timer due before `now` to `owner`; their ids.

    Runs in the caller's transaction: commit it before working on the instances,
    so other workers see the lease while this one works.
    """
    due = (
        select(Instance.id)
        # strictly past due: SpiffWorkflow fires a timer only once its time has passed
        .where(Instance.next_timer_at < now, Instance.status == "running",
               or_(Instance.timer_lease_until.is_(None), Instance.timer_lease_until < now))
        .order_by(Instance.next_timer_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(
        update(Instance).where(Instance.id.in_(due))
        .values(timer_lease_until=now + lease, timer_lease_by=owner)
        .returning(Instance.id)
        .execution_options(synchronize_session=False)))
    return ids


def release_timers(session: Session, *, owner: str, ids: Collection[str]) -> int:
    """Drop `owner`'s leases on `ids` (those another worker took after expiry stay theirs)."""
    if not ids:
        return 0
    result = session.execute(
        update(Instance).where(Instance.id.in_(list(ids)), Instance.timer_lease_by == owner)
        .values(timer_lease_until=None, timer_lease_by=None)
        .execution_options(synchronize_session=False))
    return result.rowcount
