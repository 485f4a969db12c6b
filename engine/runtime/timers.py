"""Firing due timers, found through the indexed `next_timer_at` column.

A worker asks the database which running instances have a timer due now and
advances only those; no instance is loaded to find out. Several workers may run:
the compare-and-set on the instance version lets exactly one of them advance a
given instance, the others skip it. Timer start events are in
`engine.runtime.start_triggers` (their own `start_timer` table) and run first.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select

from engine.errors import ConcurrentUpdate
from engine.store.models import Instance

from .start_triggers import run_due_start_timers
from .step import Step

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


def run_due_timers(engine: Engine, now: datetime, *, limit: int = 100) -> int:
    """Start instances whose timer start event is due, then fire due timers of running ones."""
    started = run_due_start_timers(engine, now, limit=limit)
    runtime = replace(engine.runtime, clock=FixedClock(now))
    with engine.readers() as session:
        due = list(session.scalars(
            select(Instance.id)
            # strictly past due: SpiffWorkflow fires a timer only once its time has passed
            .where(Instance.status == "running", Instance.next_timer_at < now)
            .order_by(Instance.next_timer_at)
            .limit(limit)
        ))
    moved = 0
    for instance_id in due:
        try:
            with engine.sessions.begin() as session:
                instance = session.get(Instance, instance_id)
                if (instance is None or instance.status != "running"
                        or instance.next_timer_at is None or instance.next_timer_at >= now):
                    continue
                step = Step(runtime, session, instance)
                wf = step.load()
                step.advance(wf, fire_timers, actor=None, operation={"op": "timers"})
                moved += 1
        except ConcurrentUpdate:
            log.debug("instance %s advanced by another worker", instance_id)
    return started + moved
