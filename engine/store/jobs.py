"""The `job` rows of cases held at a transaction boundary, and the workers' leases on them.

A step that reaches a boundary writes the job in its own transaction, after its
compare-and-set (`add_jobs`), so a job exists exactly when the committed state
holds the task. Workers claim due jobs as they claim due timers
(`engine.store.leases`): one statement sets the lease on a batch whose lease is
empty or run out,

    UPDATE job SET lease_until = :until, lease_by = :owner
    WHERE id IN (SELECT id FROM job WHERE <due, lease free, case running>
                 ORDER BY due_at, id LIMIT :n [FOR UPDATE SKIP LOCKED])
    RETURNING id

`FOR UPDATE SKIP LOCKED` on PostgreSQL, one write under the single write lock on
SQLite: two claims never return the same job. The compare-and-set of the step that
runs the job stays the last guard (a lease run out under a slow worker).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from .models import Instance, Job

DUE = "due"
INCIDENT = "incident"


def add_jobs(conn: Connection, instance_id: str, now: datetime,
             holds: Sequence[Any]) -> None:
    """One due job per hold (`engine.camunda.async_boundaries.Hold`) of a step."""
    if holds:
        conn.execute(insert(Job.__table__), [
            dict(instance_id=instance_id, task_id=h.task_id, activity_id=h.activity_id,
                 kind=h.kind, status=DUE, retry_cycle=h.retry_cycle, attempts=0, due_at=now,
                 created_at=now) for h in holds])


def claim_due_jobs(session: Session, *, owner: str, now: datetime, lease: timedelta,
                   limit: int) -> list[int]:
    """Lease up to `limit` due jobs of running cases to `owner`; their ids, soonest first.

    Runs in the caller's transaction: commit it before running the jobs.
    """
    running = exists().where(Instance.id == Job.instance_id, Instance.status == "running")
    due = (
        select(Job.id)
        .where(Job.status == DUE, Job.due_at <= now,
               or_(Job.lease_until.is_(None), Job.lease_until < now), running)
        .order_by(Job.due_at, Job.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(
        update(Job).where(Job.id.in_(due))
        .values(lease_until=now + lease, lease_by=owner)
        .returning(Job.id)
        .execution_options(synchronize_session=False)).all())
    return ids


def release_jobs(session: Session, *, owner: str, ids: Collection[int]) -> int:
    """Drop `owner`'s leases on `ids` (jobs run to their end are gone already)."""
    if not ids:
        return 0
    result = session.execute(
        update(Job).where(Job.id.in_(list(ids)), Job.lease_by == owner)
        .values(lease_until=None, lease_by=None)
        .execution_options(synchronize_session=False))
    return result.rowcount


def jobs_of(session: Session, instance_id: str) -> list[Job]:
    """A case's jobs, oldest first (its position, case migration, tests)."""
    return list(session.scalars(select(Job).where(Job.instance_id == instance_id)
                                .order_by(Job.created_at, Job.id)))
