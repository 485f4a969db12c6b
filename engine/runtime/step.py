"""One advance of one instance: the only place where workflow state is written.

A step loads the instance, lets SpiffWorkflow run, brings the read models in
line, and saves state, task rows, history and events in the caller's
transaction. The save is a compare-and-set on the instance's version: the loser
of a race raises `ConcurrentUpdate` before it has written anything. If the
workflow raises while running, nothing of the step is written (what a
service-task handler wrote is rolled back with its savepoint), the instance
keeps its last good state and an incident is opened instead.

While a step advances its workflow, the workflow's script engine is the step's
`StepHost`: SpiffWorkflow hands it to every task spec, and the Camunda specs
ask it to run service-task handlers (with the step's session, clock and case)
and to record uncaught throws in the step's history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine import calendar as calendar_module
from engine import clock as clock_module
from engine.calendar import Calendars
from engine.camunda.async_boundaries import take_new_holds
from engine.camunda.handlers import HandlerContext, HandlerRegistry
from engine.camunda.host import Host
from engine.camunda.serializer import SpecCache, dump_state, load_state
from engine.camunda.throws import SIGNAL_THROWN
from engine.clock import Clock
from engine.errors import ConcurrentUpdate, EngineError
from engine.expressions import SafeScriptEngine
from engine.store.jobs import add_jobs
from engine.store.models import Definition, History, Incident, Instance, Task
from engine.store.prepared import Prepared, pipelined

from . import audit, state_cache
from . import called as called_store
from . import decisions as decision_store
from .casedata import clean
from .domain_events import DomainEvent, EventBus, IncidentOpened, InstanceStateChanged
from .engine_loop import run_engine as run_engine  # where the runtime imports it from
from .failures import describe_failure
from .readmodel import PendingWrites, Snapshot, next_timer_at, sync
from .retention import CLOSED
from .state_cache import StateCache

log = logging.getLogger(__name__)

Action = Callable[[BpmnWorkflow], None]
OnFailure = Callable[[Exception, dict[str, Any], str | None], "Incident | None"]

INSTANCE = Instance.__table__
#: set by every compare-and-set, changed or not: the step moved the case
_ALWAYS_SET = frozenset({"updated_at", "history_seq", "history_head"})
#: the compare-and-set statements by the columns they set, built once each: building a
#: statement per step costs more than running it (SQLAlchemy derives its cache key anew)
_SAVES: dict[frozenset[str], Prepared] = {}
_INSERT_HISTORY = Prepared(insert(History.__table__))
_READ_STATE = select(INSTANCE.c.state).where(INSTANCE.c.id == bindparam("b_id"))
_MOVE_HEAD = Prepared(
    update(INSTANCE).where(INSTANCE.c.id == bindparam("b_id"))
    .values(history_seq=bindparam("history_seq"), history_head=bindparam("history_head"))
)


def _save_statement(columns: frozenset[str]) -> Prepared:
    statement = _SAVES.get(columns)
    if statement is None:  # a few variants: the columns the engine's operations set
        statement = _SAVES[columns] = Prepared(
            update(INSTANCE)
            .where(INSTANCE.c.id == bindparam("b_id"),
                   INSTANCE.c.version == bindparam("b_version"))
            .values({c: bindparam(c) for c in (*sorted(columns), "version")})
        )
    return statement


@dataclass
class Runtime:
    """What every step needs: the clock, the event bus, the handlers, the spec cache."""

    clock: Clock
    bus: EventBus
    handlers: HandlerRegistry = field(default_factory=HandlerRegistry)
    specs: SpecCache = field(default_factory=SpecCache)
    #: the working-day calendars `workingDays()` counts in (the canton's, institutions')
    calendars: Calendars = field(default_factory=Calendars)
    #: takes the signals a step threw to the other cases (`engine.runtime.signals`)
    broadcast: Callable[[Step, list[str]], None] | None = None
    #: the workflows committed steps left, by case and version (`state_cache`)
    states: StateCache = field(default_factory=StateCache)

    def script_engine(self) -> SafeScriptEngine:
        """For a workflow built outside a step; `Step.advance` gives it the step's host."""
        return SafeScriptEngine()


@dataclass
class StepOutcome:
    instance: Instance
    incident: Incident | None = None
    ready_tasks: list[Task] | None = None


class StepHost(Host):
    """The script engine of a workflow a step advances: handlers run in the step."""

    def __init__(self, handlers: HandlerRegistry, step: Step) -> None:
        super().__init__(handlers)
        self.step = step

    def handler_context(self, task: Any, name: str) -> HandlerContext:
        step = self.step
        return HandlerContext(
            instance_id=step.instance.id, business_key=step.instance.business_key,
            process_key=step.instance.process_key, activity_id=task.task_spec.bpmn_id,
            name=name, variables=deepcopy(task.data), now=step.now,
            _session_factory=step.handler_session)

    def record_uncaught(self, task: Any, kind: str, detail: dict[str, Any]) -> None:
        self.step.record(kind, activity_id=task.task_spec.bpmn_id, detail=detail)

    def record(self, task: Any, kind: str, detail: dict[str, Any]) -> None:
        # kept aside until the read models are in line, so the completed task's row
        # comes before the decisions and branches that followed it (`Step.record_decided`)
        self.step.decided.append((kind, task.task_spec.bpmn_id, detail))
        if kind == SIGNAL_THROWN:  # to the other cases once this one is written
            self.step.signals.append(detail["signal"])

    def decisions_for(self, decision_ref: str, binding: str, version: str | None) -> Any:
        return decision_store.resolve(self.step.session, decision_ref, binding, version)

    def called_process(self, task: Any) -> None:
        """A call activity reached a process from outside its bundle (`call_runtime`)."""
        called_store.bring(self.step, task)


class Step:
    def __init__(self, runtime: Runtime, session: Session, instance: Instance) -> None:
        self.runtime = runtime
        self.session = session
        self.instance = instance
        self.now = runtime.clock.now()
        self.events: list[DomainEvent] = []
        self.history: list[dict[str, Any]] = []
        self.writes = PendingWrites()
        self.known_tasks: dict[str, Task] = {}
        #: the form data the completed task was given, after validation (its history row)
        self.submitted: dict[str, Any] | None = None
        #: what decisions and gateways decided while the workflow ran: (kind, element, detail)
        self.decided: list[tuple[str, str, dict[str, Any]]] = []
        self._seq = instance.history_seq
        # the audit chain: its head so far and how many of `history` are chained to it
        self._head = instance.history_head
        self._chained = 0
        self.retrying: Incident | None = None
        self.savepoint: Any = None
        self.host = StepHost(runtime.handlers, self)
        #: what a failure of `advance` does instead of opening an incident (a job's retries)
        self.on_failure: OnFailure | None = None
        #: the signals the step's events threw (`engine.runtime.signals`)
        self.signals: list[str] = []

    # -- loading -------------------------------------------------------------
    def load(self) -> BpmnWorkflow:
        """The case's workflow at the version read, now this step's alone: the object its
        last step left on this process when there is one (`state_cache`), else restored."""
        instance = self.instance
        wf = self.runtime.states.take(instance.id, instance.version)
        if wf is not None and state_cache.checking():
            state_cache.check(wf, instance.id, instance.version, self._stored_state())
        if wf is None:
            def text() -> str:
                return self.session.get(Definition, instance.definition_id).spec

            specs = self.runtime.specs.get(instance.definition_id, text)
            wf = load_state(self._stored_state(), specs,
                            lambda versions: called_store.called_specs(self, versions))
        wf.script_engine = self.host
        return wf

    def _stored_state(self) -> str:
        """The state as stored at the version read: a completion reads its case without
        it (the kept workflow makes it unneeded), so it is read here when it is."""
        if self.instance.state is None:
            text = self.session.connection().execute(
                _READ_STATE, {"b_id": self.instance.id}).scalar_one()
            set_committed_value(self.instance, "state", text)
        return self.instance.state

    @contextmanager
    def reading(self) -> Iterator[BpmnWorkflow]:
        """The case's workflow for a read that changes nothing; given back afterwards."""
        wf = self.load()
        yield wf
        self.runtime.states.give_back(self.instance.id, self.instance.version, wf)

    # -- history and events --------------------------------------------------
    def record(self, kind: str, *, actor: str | None = None, activity_id: str | None = None,
               task_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
        self._seq += 1
        self.history.append(dict(
            instance_id=self.instance.id, seq=self._seq, at=self.now, kind=kind, actor=actor,
            activity_id=activity_id, task_id=task_id, detail=detail,
        ))

    def emit(self, event_class: type, **kwargs: Any) -> None:
        self.events.append(event_class(
            instance_id=self.instance.id, process_key=self.instance.process_key,
            business_key=self.instance.business_key, at=self.now, **kwargs,
        ))

    def record_decided(self) -> None:
        """Record what decisions and gateways decided while the workflow ran."""
        for kind, activity_id, detail in self.decided:
            self.record(kind, activity_id=activity_id, detail=detail)
        self.decided = []

    # -- advancing -----------------------------------------------------------
    def advance(self, wf: BpmnWorkflow, action: Action, *, actor: str | None,
                operation: dict[str, Any], before: Snapshot | None = None,
                completing: str | None = None) -> StepOutcome:
        """Run `action` on the workflow and save the result, or open an incident."""
        before = before or Snapshot.of(wf)
        memory = self._remember()
        self.savepoint = None
        self.decided, self.signals = [], []
        wf.script_engine = self.host  # a workflow built before the step had none
        try:
            with (clock_module.using(self.runtime.clock),
                  calendar_module.using(self.runtime.calendars), self.session.no_autoflush):
                action(wf)
                after = Snapshot.of(wf)
                timer_at = next_timer_at(wf)
                status = "completed" if wf.is_completed() else self.instance.status
                if status == "incident":
                    status = "running"
                sync(self, wf, before, after, actor=actor, completing=completing)
                holds = take_new_holds(wf)  # transaction boundaries reached: their jobs
                # the compare-and-set is the step's first write: a loser writes nothing
                self.save(wf, status=status,
                          next_timer=None if status == "completed" else timer_at)
            self.flush_records()
            if holds:
                add_jobs(self.session.connection(), self.instance.id, self.now, holds)
        except EngineError:
            self._rollback_handlers()
            self._restore(memory)
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the model becomes an incident
            self._rollback_handlers()
            self._restore(memory)
            fail = self.on_failure or self.open_incident
            return StepOutcome(self.instance, fail(exc, operation, actor))
        if self.savepoint is not None:
            self.savepoint.commit()
            self.savepoint = None
        if self.instance.status not in CLOSED:  # a closed case takes no more steps
            self.runtime.states.keep_after_commit(self.session, self.instance.id,
                                                  self.instance.version, wf)
        if self.signals and self.runtime.broadcast is not None:
            self.runtime.broadcast(self, self.signals)
        return StepOutcome(self.instance)

    def handler_session(self) -> Session:
        """The session a service-task handler may write with, inside a savepoint of the step.

        Until a handler asks for it, a step writes nothing before its compare-and-set,
        so a failure has nothing to undo and the savepoint is not paid for.
        """
        if self.savepoint is None:
            self.savepoint = self.session.begin_nested()
        return self.session

    def _rollback_handlers(self) -> None:
        if self.savepoint is not None:
            self.savepoint.rollback()
            self.savepoint = None

    def _remember(self) -> tuple[Any, ...]:
        fields = {k: getattr(self.instance, k) for k in self._INSTANCE_FIELDS}
        return fields, self._seq, self._head, self._chained, len(self.history), len(self.events)

    def _restore(self, memory: tuple[Any, ...]) -> None:
        fields, self._seq, self._head, self._chained, n_history, n_events = memory
        for key, value in fields.items():
            set_committed_value(self.instance, key, value)
        del self.history[n_history:]
        del self.events[n_events:]
        self.writes = PendingWrites()

    _INSTANCE_FIELDS = ("version", "status", "state", "next_timer_at", "updated_at",
                        "ended_at", "history_seq", "history_head")

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
        self._chain()
        values["history_seq"], values["history_head"] = self._seq, self._head
        # A column whose value did not change is not set: the row as read is the row the
        # compare-and-set matches, so its value stays right, and the database leaves the
        # indexes on it alone (status, next timer, end: three of the instance's indexes).
        # (A session's instance with unsaved attribute changes sets every value given.)
        instance = self.instance
        state = inspect(instance)
        pending = state.persistent and state.modified
        changed = {k: v for k, v in values.items()
                   if pending or k in _ALWAYS_SET or getattr(instance, k) != v}
        matched = _save_statement(frozenset(changed)).execute(
            self.session.connection(),
            {"b_id": instance.id, "b_version": old_version, "version": old_version + 1,
             **changed})
        if matched != 1:
            raise ConcurrentUpdate(f"instance {self.instance.id} was advanced by someone else")
        set_committed_value(self.instance, "version", old_version + 1)
        for key, value in values.items():
            set_committed_value(self.instance, key, value)

    def save(self, wf: BpmnWorkflow, *, status: str, next_timer: datetime | None) -> None:
        ended = self.now if status in ("completed", "terminated") else self.instance.ended_at
        self.cas_update(state=dump_state(wf), status=status, next_timer_at=next_timer,
                        ended_at=ended, updated_at=self.now)

    def flush_records(self) -> None:
        """Write what the step recorded, after the compare-and-set, and publish its events."""
        conn = self.session.connection()
        self._chain()
        self.writes.read_before(conn, self.instance.id)
        with pipelined(conn):  # on PostgreSQL, one round trip for all of them
            if (self.instance.history_seq, self.instance.history_head) != (self._seq,
                                                                           self._head):
                _MOVE_HEAD.execute(conn, {"b_id": self.instance.id, "history_seq": self._seq,
                                          "history_head": self._head})
            self.writes.execute(conn, self.instance.id)
            if self.history:
                _INSERT_HISTORY.execute(conn, self.history)
        set_committed_value(self.instance, "history_seq", self._seq)
        set_committed_value(self.instance, "history_head", self._head)
        self.runtime.bus.publish_all(self.session, self.events)
        self.history, self.events, self._chained = [], [], 0

    def _chain(self) -> None:
        """Hash the rows recorded since the last call onto the chain head, so the head the
        compare-and-set writes covers them (engine.runtime.audit)."""
        if self._chained < len(self.history):
            self._head = audit.chain(self.history[self._chained:], self._head,
                                     self.instance.history_salt or "")
            self._chained = len(self.history)


def merged(data: dict[str, Any] | None) -> dict[str, Any]:
    """Checked, deep-copied input: see `engine.runtime.casedata`."""
    return clean(data)
