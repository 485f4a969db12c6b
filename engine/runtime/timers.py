"""Firing due timers, found through the indexed `next_timer_at` column.

A worker asks the database which running instances have a timer due now and
advances only those; no instance is loaded to find out. Several workers may run,
and they share the due timers through a lease (`engine.store.leases`): a worker
claims a batch of due instances whose lease is empty or run out, commits the
claim, advances each one, then drops its leases. Before the lease every worker
selected the same first due instances and all but one threw their work away at
the compare-and-set: N workers did up to N times the work for the progress of
one (measured, three worker processes over 500 due timers on PostgreSQL: 1,001
to 1,308 steps run, 501 to 808 of them thrown away; with the lease 500 steps,
none lost; on SQLite the single write lock turned the race into reloads).
The compare-and-set on the instance version stays the last guard (a lease run
out under a slow worker, or a person completing a task meanwhile).

Timer start events are in `engine.runtime.start_triggers` (their own
`start_timer` table) and run first. They need no lease: an occurrence is claimed
by compare-and-set on its `next_at` in the transaction that starts the instance,
before any instance is built, so a competing worker loses one small UPDATE
(PostgreSQL: it waits for the row, then matches nothing; SQLite: `BEGIN
IMMEDIATE` makes the select-and-update one writer's), never a started instance.

The lease lasts `CIIFLOW_TIMER_LEASE_SECONDS` (60 by default): long enough for
a batch, short enough that the timers of a worker that died fire a minute late.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.camunda.conditional import refresh_conditions
from engine.errors import ConcurrentUpdate
from engine.store.leases import claim_due_timers, release_timers
from engine.store.models import Instance

from .start_triggers import run_due_start_timers
from .step import Runtime, Step

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

log = logging.getLogger(__name__)


class FixedClock:
    def __init__(self, when: datetime) -> None:
        self.when = when

    def now(self) -> datetime:
        return self.when


def fire_timers(wf: BpmnWorkflow) -> None:
    wf.refresh_timers()
    wf.do_engine_steps()
    while refresh_conditions(wf):  # what the timer's path set may satisfy a condition
        wf.do_engine_steps()


def timer_lease() -> timedelta:
    """How long a claim on due timers holds before another worker may take them."""
    return timedelta(seconds=float(os.environ.get("CIIFLOW_TIMER_LEASE_SECONDS", "60")))


def run_due_timers(engine: Engine, now: datetime, *, limit: int = 100,
                   owner: str | None = None, lease: timedelta | None = None) -> int:
    """Start instances whose timer start event is due, then fire due timers of running ones.

    Fires at most `limit` instance timers, those this worker claimed; returns how
    many instances were started or advanced.
    """
    started = run_due_start_timers(engine, now, limit=limit)
    owner = owner or uuid.uuid4().hex
    with engine.sessions.begin() as session:
        due = claim_due_timers(session, owner=owner, now=now, lease=lease or timer_lease(),
                               limit=limit)
    if not due:
        return started
    runtime = replace(engine.runtime, clock=FixedClock(now))
    moved = 0
    try:
        for instance_id in due:
            moved += _fire(engine, runtime, instance_id, now)
    finally:
        with engine.sessions.begin() as session:
            release_timers(session, owner=owner, ids=due)
    return started + moved


def _fire(engine: Engine, runtime: Runtime, instance_id: str, now: datetime) -> int:
    """Advance one claimed instance past its due timers; 1 if it moved."""
    try:
        with engine.sessions.begin() as session:
            instance = session.get(Instance, instance_id)
            if (instance is None or instance.status != "running"
                    or instance.next_timer_at is None or instance.next_timer_at >= now):
                return 0
            step = Step(runtime, session, instance)
            wf = step.load()
            step.advance(wf, fire_timers, actor=None, operation={"op": "timers"})
            return 1
    except ConcurrentUpdate:
        log.debug("instance %s advanced by another worker", instance_id)
        return 0
