"""One advance of one instance: the only place where workflow state is written.

A step loads the instance, lets SpiffWorkflow run, brings the read models in
line, and saves state, task rows, history and events in the caller's
transaction. The save is a compare-and-set on the instance's version: the loser
of a race raises `ConcurrentUpdate` before it has written anything. If the
workflow raises while running, the savepoint is rolled back, the instance keeps
its last good state and an incident is opened instead.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import clock as clock_module
from .clock import Clock
from .errors import ConcurrentUpdate, EngineError
from .events import (
    DomainEvent,
    EventBus,
    IncidentOpened,
    InstanceStateChanged,
    TaskCancelled,
    TaskCompleted,
    TaskReady,
)
from .models import History, Incident, Instance, MessageSubscription, Task, TaskCandidate
from .readmodel import Snapshot, next_timer_at
from .serializer import SpecCache, dump_state, load_state
from .taskattrs import evaluate_attributes

log = logging.getLogger(__name__)

Action = Callable[[BpmnWorkflow], None]


@dataclass
class Runtime:
    """What every step needs: the clock, the event bus, the spec cache, the script engine."""

    clock: Clock
    bus: EventBus
    specs: SpecCache = field(default_factory=SpecCache)
    script_engine_factory: Callable[[], Any] | None = None

    def script_engine(self) -> Any:
        if self.script_engine_factory is not None:
            return self.script_engine_factory()
        from .expressions import SafeScriptEngine

        return SafeScriptEngine()


@dataclass
class StepOutcome:
    instance: Instance
    incident: Incident | None = None


def run_engine(wf: BpmnWorkflow) -> None:
    """Run every automatic task and every due timer until the workflow waits."""
    wf.do_engine_steps()
    wf.refresh_timers()
    wf.do_engine_steps()


class Step:
    def __init__(self, runtime: Runtime, session: Session, instance: Instance) -> None:
        self.runtime = runtime
        self.session = session
        self.instance = instance
        self.now = runtime.clock.now()
        self.events: list[DomainEvent] = []
        self.history: list[History] = []
        self._seq = instance.history_seq
        self.retrying: Incident | None = None

    # -- loading -------------------------------------------------------------
    def load(self) -> BpmnWorkflow:
        from .models import Definition

        def text() -> str:
            return self.session.get(Definition, self.instance.definition_id).spec

        specs = self.runtime.specs.get(self.instance.definition_id, text)
        wf = load_state(self.instance.state, specs)
        wf.script_engine = self.runtime.script_engine()
        return wf

    # -- history and events --------------------------------------------------
    def record(self, kind: str, *, actor: str | None = None, activity_id: str | None = None,
               task_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
        self._seq += 1
        self.history.append(History(
            instance_id=self.instance.id, seq=self._seq, at=self.now, kind=kind, actor=actor,
            activity_id=activity_id, task_id=task_id, detail=detail,
        ))

    def emit(self, event_class: type, **kwargs: Any) -> None:
        self.events.append(event_class(
            instance_id=self.instance.id, process_key=self.instance.process_key,
            business_key=self.instance.business_key, at=self.now, **kwargs,
        ))

    # -- advancing -----------------------------------------------------------
    def advance(self, wf: BpmnWorkflow, action: Action, *, actor: str | None,
                operation: dict[str, Any], before: Snapshot | None = None,
                completing: str | None = None) -> StepOutcome:
        """Run `action` on the workflow and save the result, or open an incident."""
        before = before or Snapshot.of(wf)
        memory = self._remember()
        savepoint = self.session.begin_nested()
        try:
            with clock_module.using(self.runtime.clock), self.session.no_autoflush:
                action(wf)
                after = Snapshot.of(wf)
                timer_at = next_timer_at(wf)
                status = "completed" if wf.is_completed() else self.instance.status
                if status == "incident":
                    status = "running"
                self.sync(wf, before, after, actor=actor, completing=completing)
                # the compare-and-set is the step's first write: a loser writes nothing
                self.save(wf, status=status,
                          next_timer=None if status == "completed" else timer_at)
            self.flush_records()
        except EngineError:
            savepoint.rollback()
            self._restore(memory)
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the model becomes an incident
            savepoint.rollback()
            self._restore(memory)
            return StepOutcome(self.instance, self.open_incident(exc, operation, actor))
        savepoint.commit()
        return StepOutcome(self.instance)

    def _remember(self) -> tuple[Any, ...]:
        fields = {k: getattr(self.instance, k) for k in self._INSTANCE_FIELDS}
        return fields, self._seq, len(self.history), len(self.events)

    def _restore(self, memory: tuple[Any, ...]) -> None:
        fields, self._seq, n_history, n_events = memory
        for key, value in fields.items():
            set_committed_value(self.instance, key, value)
        del self.history[n_history:]
        del self.events[n_events:]

    _INSTANCE_FIELDS = ("version", "status", "state", "next_timer_at", "updated_at",
                        "ended_at", "history_seq")

    def open_incident(self, exc: Exception, operation: dict[str, Any],
                      actor: str | None) -> Incident:
        activity_id, message = describe_failure(exc)
        log.info("incident on instance %s at %s", self.instance.id, activity_id)
        self.cas_update(status="incident")
        incident = self.retrying
        if incident is not None:  # a retry that failed again updates its incident
            incident.activity_id, incident.message = activity_id, message
            incident.operation = operation
            self.session.flush()
            self.record("incident_retry_failed", actor=actor, activity_id=activity_id,
                        detail={"incident_id": incident.id, "message": message})
            self.flush_records()
            return incident
        incident = Incident(
            instance_id=self.instance.id, activity_id=activity_id, message=message,
            operation=operation, status="open", opened_at=self.now,
        )
        self.session.add(incident)
        self.session.flush()
        self.record("incident_opened", actor=actor, activity_id=activity_id,
                    detail={"incident_id": incident.id, "message": message})
        self.emit(IncidentOpened, incident_id=incident.id, activity_id=activity_id,
                  message=message)
        self.flush_records()
        return incident

    # -- saving --------------------------------------------------------------
    def cas_update(self, **values: Any) -> None:
        """Compare-and-set on the version; first write of the step, so a loser writes nothing."""
        old_status = self.instance.status
        old_version = self.instance.version
        values.setdefault("updated_at", self.now)
        new_status = values.get("status", old_status)
        if new_status != old_status:
            self.record("state_changed", detail={"from": old_status, "to": new_status})
            self.emit(InstanceStateChanged, old_status=old_status, new_status=new_status)
            if new_status == "completed":
                self.record("completed")
        values["history_seq"] = self._seq
        result = self.session.execute(
            update(Instance)
            .where(Instance.id == self.instance.id, Instance.version == old_version)
            .values(version=old_version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"instance {self.instance.id} was advanced by someone else")
        set_committed_value(self.instance, "version", old_version + 1)
        for key, value in values.items():
            set_committed_value(self.instance, key, value)

    def save(self, wf: BpmnWorkflow, *, status: str, next_timer: datetime | None) -> None:
        values: dict[str, Any] = {"state": dump_state(wf), "status": status,
                                  "next_timer_at": next_timer}
        if status in ("completed", "terminated"):
            values["ended_at"] = self.now
        self.cas_update(**values)

    def flush_records(self) -> None:
        if self.instance.history_seq != self._seq:
            self.session.execute(
                update(Instance).where(Instance.id == self.instance.id)
                .values(history_seq=self._seq).execution_options(synchronize_session=False)
            )
            set_committed_value(self.instance, "history_seq", self._seq)
        self.session.add_all(self.history)
        self.session.flush()
        self.runtime.bus.publish_all(self.session, self.events)
        self.history, self.events = [], []

    # -- read models ---------------------------------------------------------
    def sync(self, wf: BpmnWorkflow, before: Snapshot, after: Snapshot, *,
             actor: str | None, completing: str | None) -> None:
        gone = [tid for tid in before.ready if tid not in after.ready]
        if gone:
            rows = {r.id: r for r in self.session.scalars(
                select(Task).where(Task.id.in_([str(t) for t in gone])))}
            for tid in gone:
                row = rows.get(str(tid))
                if row is None:
                    continue
                spiff_task = wf.get_task_from_id(tid)
                done = spiff_task is not None and spiff_task.has_state(TaskState.COMPLETED)
                groups = tuple(row.candidate_groups or ())
                if done:
                    by = actor if completing == row.id else None
                    row.state, row.completed_at, row.completed_by = "completed", self.now, by
                    self.record("task_completed", actor=by, activity_id=row.activity_id,
                                task_id=row.id)
                    self.emit(TaskCompleted, task_id=row.id, activity_id=row.activity_id,
                              actor=by, candidate_groups=groups)
                else:
                    row.state, row.completed_at = "cancelled", self.now
                    self.record("task_cancelled", activity_id=row.activity_id, task_id=row.id)
                    self.emit(TaskCancelled, task_id=row.id, activity_id=row.activity_id,
                              candidate_groups=groups)
        for tid, spiff_task in after.ready.items():
            if tid not in before.ready:
                self.add_task_row(spiff_task)
        for tid in before.timers - after.timers:
            spiff_task = wf.get_task_from_id(tid)
            if spiff_task is not None and spiff_task.has_state(
                    TaskState.COMPLETED | TaskState.READY):
                self.record("timer_fired", activity_id=spiff_task.task_spec.bpmn_id)
        if before.messages != after.messages:
            self.session.execute(delete(MessageSubscription).where(
                MessageSubscription.instance_id == self.instance.id))
            self.session.add_all(MessageSubscription(
                instance_id=self.instance.id, message_name=name,
                business_key=self.instance.business_key, activity_id=activity)
                for name, activity in sorted(after.messages))

    def add_task_row(self, spiff_task: Any) -> None:
        spec = spiff_task.task_spec
        attrs = evaluate_attributes(spec, spiff_task.data, self.now)
        row = Task(
            id=str(spiff_task.id), instance_id=self.instance.id,
            process_key=self.instance.process_key, activity_id=spec.bpmn_id,
            name=spec.bpmn_name, lane=spec.lane, candidate_groups=attrs.candidate_groups,
            candidate_users=attrs.candidate_users, assignee=attrs.assignee,
            priority=attrs.priority, form_key=attrs.form_key, due_at=attrs.due_at,
            follow_up_at=attrs.follow_up_at, ready_at=self.now, state="ready",
        )
        self.session.add(row)
        self.session.add_all(TaskCandidate(task_id=row.id, group_id=g)
                             for g in dict.fromkeys(attrs.candidate_groups))
        self.record("task_ready", activity_id=spec.bpmn_id, task_id=row.id)
        self.emit(TaskReady, task_id=row.id, activity_id=spec.bpmn_id,
                  candidate_groups=tuple(attrs.candidate_groups), assignee=attrs.assignee,
                  due_at=attrs.due_at)


def describe_failure(exc: Exception) -> tuple[str | None, str]:
    """The BPMN element at fault and a one-line message, from whatever SpiffWorkflow raised."""
    activity_id = None
    task = getattr(exc, "task", None)
    if task is not None:
        activity_id = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
    elif getattr(exc, "task_spec", None) is not None:
        activity_id = getattr(exc.task_spec, "bpmn_id", None) or exc.task_spec.name
    parts = [str(exc).strip() or type(exc).__name__]
    inner = getattr(exc, "exception", None)
    if inner is not None and str(inner) and str(inner) not in parts[0]:
        parts.append(str(inner))
    parts.extend(getattr(exc, "__notes__", []) or [])
    message = ": ".join(p for p in parts if p)
    return activity_id, message[:2000]


def merged(data: dict[str, Any] | None) -> dict[str, Any]:
    """A deep copy, so nested input never aliases data of other tasks (a SpiffWorkflow pitfall)."""
    return copy.deepcopy(dict(data or {}))
