"""Message and timer start events: instances that start themselves.

SpiffWorkflow only runs a workflow someone created; who creates it when a
message arrives or a timer start is due is ours to decide, without loading
any instance:

* **Message start**: the top-level start events of the latest version of each
  process are read from the cached specs (deserialized once per definition
  version, kept in `engine.runtime.specs`), and the names they catch are
  memoized per definition id (a definition never changes). A message no
  instance waits for starts a new instance of the one process whose start
  event catches it, with the given business key; the payload entries become
  process variables (`engine.runtime.messages.start_by_message`).
* **Timer start**: the `start_timer` table holds, per latest definition and
  timer start event, the next due time and the cycles left. Rows are created
  the first time the timer worker sees a new definition, counted from the
  definition's `deployed_at` (so a worker that starts late fires what was due),
  one per start event (a unique constraint: two workers seeing a new definition
  at once on PostgreSQL used to write two schedules, and every occurrence then
  started twice), and a new version replaces the old version's rows, as in Camunda. A due row
  is claimed by compare-and-set on its `next_at`, and the instance is started
  in the same transaction, so two workers never start the same occurrence.
  Cycles start one instance per occurrence (`R3/PT10H`: three instances, 10 h
  apart); a date or a duration starts one.
"""

from __future__ import annotations

import uuid
import weakref
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock as clock_module
from engine.camunda.serializer import dump_state
from engine.expressions import timer_value
from engine.store.models import Definition, Instance, StartTimer

from .definitions import list_latest
from .step import Step, run_engine

if TYPE_CHECKING:
    from .parts import EngineParts as Engine


# -- what the specs say -------------------------------------------------------
def top_start_events(specs: tuple[Any, Any]) -> list[Any]:
    spec = specs[0]
    return [t for t in spec.task_specs.values() if isinstance(t, StartEvent)]


def _specs(engine: Engine, session: Session, definition: Definition) -> tuple[Any, Any]:
    return engine.runtime.specs.get(definition.id, lambda: definition.spec)


# memos keyed by the cached spec object itself: one per engine and definition version
_message_starts: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()
_event_subprocess_messages: weakref.WeakKeyDictionary[Any, frozenset[str]] = (
    weakref.WeakKeyDictionary())


def message_start_names(engine: Engine, session: Session, definition: Definition
                        ) -> frozenset[str]:
    specs = _specs(engine, session, definition)
    names = _message_starts.get(specs[0])
    if names is None:
        names = frozenset(
            t.event_definition.name for t in top_start_events(specs)
            if type(t.event_definition).__name__ == "MessageEventDefinition")
        _message_starts[specs[0]] = names
    return names


def event_subprocess_message_names(engine: Engine, session: Session, definition_id: int
                                   ) -> frozenset[str]:
    """Messages the top-level event subprocesses of a definition start on.

    Their start events only wait inside SpiffWorkflow once triggered, so the
    subscription table cannot list them; the spec can.
    """
    spec, subs = engine.runtime.specs.get(
        definition_id, lambda: session.get(Definition, definition_id).spec)
    names = _event_subprocess_messages.get(spec)
    if names is None:
        found = set()
        for name in getattr(spec.start, "trigger_specs", ()):
            sub = subs.get(name)
            for start in getattr(sub, "bpmn_start_events", ()) if sub else ():
                if type(start.event_definition).__name__ == "MessageEventDefinition":
                    found.add(start.event_definition.name)
        names = _event_subprocess_messages[spec] = frozenset(found)
    return names


def instances_with_event_subprocess(engine: Engine, session: Session, name: str,
                                    business_key: str) -> list[str]:
    """Running instances of that business key whose event subprocess catches `name`."""
    rows = session.execute(select(Instance.id, Instance.definition_id).where(
        Instance.business_key == business_key, Instance.status == "running")).all()
    return [row.id for row in rows
            if name in event_subprocess_message_names(engine, session, row.definition_id)]


def definitions_started_by(engine: Engine, session: Session, name: str) -> list[Definition]:
    return [d for d in list_latest(session) if name in message_start_names(engine, session, d)]


# -- creating an instance ------------------------------------------------------
def new_instance(engine: Engine, session: Session, definition: Definition,
                 business_key: str | None, actor: str | None, how: dict[str, Any]
                 ) -> tuple[Step, BpmnWorkflow]:
    """An instance row and its workflow, before anything ran (as `Engine.start` makes one)."""
    spec, subs = _specs(engine, session, definition)
    wf = BpmnWorkflow(spec, dict(subs), script_engine=engine.runtime.script_engine())
    now = engine.clock.now()
    instance = Instance(
        id=str(uuid.uuid4()), definition_id=definition.id, process_key=definition.key,
        definition_version=definition.version, business_key=business_key, status="running",
        state=dump_state(wf), version=1, history_seq=0, next_timer_at=None, started_at=now,
        started_by=actor, updated_at=now, ended_at=None,
    )
    session.add(instance)
    session.flush()
    step = Step(engine.runtime, session, instance)
    step.record("started", actor=actor, detail={"version": definition.version, **how})
    step.flush_records()
    return step, wf


# -- timer start events ----------------------------------------------------------
def fire_start_timer(activity_id: str) -> Any:
    """An action that fires one timer start event exactly once, whatever its schedule.

    A cycle start event in SpiffWorkflow repeats *inside* one workflow (a token
    per occurrence); Camunda starts an instance per occurrence. So the event is
    given a cycle of one occurrence, already due: it fires once, then is done.
    """

    def action(wf: BpmnWorkflow) -> None:
        wf.do_engine_steps()
        for task in list(wf.event_manager.tasks.values()):
            if task.task_spec.bpmn_id != activity_id or not task.has_state(TaskState.WAITING):
                continue
            if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
                past = (clock_module.current_now() - timedelta(seconds=1)).isoformat()
                task._set_internal_data(event_value={"cycles": 1, "next": past, "duration": 1})
            else:
                task.internal_data.pop("event_value", None)
                task._set_internal_data(event_fired=True)
            task.task_spec._update(task)
        run_engine(wf)

    return action


def _schedule(definition: TimerEventDefinition, deployed_at: datetime
              ) -> tuple[datetime | None, int | None, int | None]:
    """First due time, cycles left after it, interval; from the deployment time."""
    fixed = _FixedClock(deployed_at)
    with clock_module.using(fixed):
        if isinstance(definition, CycleTimerEventDefinition):
            text = timer_value(definition.expression, {}, "cycle")
            cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
            if cycles == 0:
                return None, 0, None
            left = None if cycles < 0 else cycles - 1
            return start, left, int(duration.total_seconds())
        if isinstance(definition, TimeDateEventDefinition):
            text = timer_value(definition.expression, {}, "date")
            return TimerEventDefinition.get_datetime(text), 0, None
        text = timer_value(definition.expression, {}, "duration")
        parts = TimerEventDefinition.parse_iso_duration(text)
        return (deployed_at + TimerEventDefinition.get_timedelta_from_start(parts, deployed_at),
                0, None)


class _FixedClock:
    def __init__(self, when: datetime) -> None:
        self.when = when

    def now(self) -> datetime:
        return self.when


_scanned: set[tuple[str, int]] = set()


def sync_start_timers(engine: Engine, session: Session) -> None:
    """Rows for new latest definitions; none for superseded versions."""
    url = engine.db.url.render_as_string(hide_password=True)
    latest = list_latest(session)
    if all((url, d.id) in _scanned for d in latest):
        return
    table = StartTimer.__table__
    ids = [d.id for d in latest]
    session.execute(delete(table).where(table.c.definition_id.not_in(ids)))
    have = set(session.scalars(select(StartTimer.definition_id).distinct()))
    for definition in latest:
        _scanned.add((url, definition.id))
        if definition.id in have:
            continue
        rows = []
        for start in top_start_events(_specs(engine, session, definition)):
            if not isinstance(start.event_definition, TimerEventDefinition):
                continue
            first, left, interval = _schedule(start.event_definition, definition.deployed_at)
            rows.append(StartTimer(definition_id=definition.id, process_key=definition.key,
                                   activity_id=start.bpmn_id, next_at=first, remaining=left,
                                   interval_seconds=interval))
        if not rows:
            continue
        try:  # on PostgreSQL another worker may be writing the same schedule right now
            with session.begin_nested():
                session.add_all(rows)
        except IntegrityError:
            pass  # it did first: its rows are the schedule (unique per start event)
    session.flush()


def run_due_start_timers(engine: Engine, now: datetime, *, limit: int = 100) -> int:
    """Start one instance per due occurrence; returns how many were started."""
    with engine.sessions.begin() as session:
        sync_start_timers(engine, session)
    started = 0
    while started < limit:
        with engine.sessions.begin() as session:
            row = session.scalars(select(StartTimer).where(StartTimer.next_at <= now)
                                  .order_by(StartTimer.next_at).limit(1)).first()
            if row is None:
                return started
            follows: datetime | None = None
            if row.remaining is None or row.remaining > 0:
                follows = row.next_at + timedelta(seconds=row.interval_seconds or 0)
                if not row.interval_seconds:
                    follows = None
            claimed = session.execute(
                update(StartTimer.__table__)
                .where(StartTimer.id == row.id, StartTimer.next_at == row.next_at)
                .values(next_at=follows,
                        remaining=None if row.remaining is None else max(row.remaining - 1, 0))
            ).rowcount
            if claimed != 1:
                continue  # another worker took this occurrence
            definition = session.get(Definition, row.definition_id)
            step, wf = new_instance(engine, session, definition, None, None,
                                    {"timer": row.activity_id})
            step.advance(wf, fire_start_timer(row.activity_id), actor=None,
                         operation={"op": "timer_start", "activity_id": row.activity_id})
            started += 1
    return started
