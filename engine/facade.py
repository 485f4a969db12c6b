"""The engine's public face: one object, one transaction per call.

Every method opens its own transaction and commits it before returning, so a
caller (the Flask service, the CLI, a worker) never holds a half-done step.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from engine.camunda.serializer import dump_state
from engine.runtime.domain_events import EventBus, Subscriber
from engine.runtime.readmodel import Snapshot
from engine.runtime.step import Runtime, Step, StepOutcome, merged, run_engine
from engine.store.db import make_engine, make_readers, make_sessionmaker
from engine.store.models import Incident, Instance, Task

from . import clock as clock_module
from .clock import Clock, SystemClock
from .errors import (
    InstanceNotActive,
    InvalidInput,
    NotFound,
    TaskNotReady,
)
from .runtime import definitions

clock_module.install_in_spiffworkflow()

_INSTANCE_COLUMNS = [c.key for c in Instance.__table__.columns]
_TASK_AND_INSTANCE = (
    select(Task.__table__.c.id, Task.__table__.c.state, Task.__table__.c.activity_id,
           Task.__table__.c.candidate_groups,
           *[c.label(f"i_{c.key}") for c in Instance.__table__.columns])
    .join(Instance.__table__, Task.__table__.c.instance_id == Instance.__table__.c.id)
    .where(Task.__table__.c.id == bindparam("task_id"))
)


class Engine:
    def __init__(
        self,
        db: SqlEngine | str | None = None,
        *,
        clock: Clock | None = None,
        script_engine_factory: Any = None,
    ) -> None:
        self.db = db if isinstance(db, SqlEngine) else make_engine(db)
        self.sessions: sessionmaker[Session] = make_sessionmaker(self.db)
        self.readers: sessionmaker[Session] = make_readers(self.db)
        self.bus = EventBus()
        self.runtime = Runtime(clock or SystemClock(), self.bus,
                               script_engine_factory=script_engine_factory)

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    def subscribe(self, subscriber: Subscriber) -> None:
        self.bus.subscribe(subscriber)

    # -- definitions ---------------------------------------------------------
    def deploy(self, files: Mapping[str, bytes], *, actor: str | None = None
               ) -> definitions.DeployResult:
        with self.sessions.begin() as session:
            return definitions.deploy(session, files, actor=actor, now=self.clock.now())

    def definition(self, key: str, version: int | None = None) -> Any:
        with self.readers() as session:
            return definitions.get(session, key, version)

    def definitions(self) -> list[Any]:
        with self.readers() as session:
            return definitions.list_latest(session)

    # -- instances -----------------------------------------------------------
    def start(self, process_key: str, business_key: str | None = None,
              data: Mapping[str, Any] | None = None, *, actor: str | None = None,
              version: int | None = None) -> StepOutcome:
        with self.sessions.begin() as session:
            definition = definitions.get(session, process_key, version)
            specs = self.runtime.specs.get(definition.id, lambda: definition.spec)
            wf = BpmnWorkflow(specs[0], dict(specs[1]),
                              script_engine=self.runtime.script_engine())
            initial = merged(data)
            for task in wf.get_tasks(state=TaskState.READY):
                task.data.update(merged(initial))
            now = self.clock.now()
            instance = Instance(
                id=str(uuid.uuid4()), definition_id=definition.id, process_key=process_key,
                definition_version=definition.version, business_key=business_key,
                status="running", state=dump_state(wf), version=1, history_seq=0,
                next_timer_at=None, started_at=now, started_by=actor, updated_at=now,
            )
            session.add(instance)
            session.flush()
            step = Step(self.runtime, session, instance)
            step.record("started", actor=actor, detail={"version": definition.version})
            step.flush_records()
            return step.advance(wf, run_engine, actor=actor, operation={"op": "run"})

    def complete_task(self, task_id: str, data: Mapping[str, Any] | None = None, *,
                      actor: str | None = None, with_ready: bool = False) -> StepOutcome:
        """Complete a ready task; `with_ready` also returns the case's ready tasks after it,
        read in the same transaction (what an API answers with, without a second one)."""
        with self.sessions.begin() as session:
            # One Core query on the hot path; the ORM identity map adds nothing here.
            found = session.connection().execute(_TASK_AND_INSTANCE, {"task_id": task_id}).first()
            if found is None:
                raise NotFound(f"no task {task_id}")
            row = found
            instance = Instance(**{c: getattr(found, f"i_{c}") for c in _INSTANCE_COLUMNS})
            if row.state != "ready":
                raise TaskNotReady(f"task {task_id} is {row.state}")
            if instance.status != "running":
                raise InstanceNotActive(f"instance {instance.id} is {instance.status}")
            outcome = self._complete(session, instance, row, merged(data), actor)
            if with_ready:
                outcome.ready_tasks = list(session.scalars(
                    select(Task).where(Task.instance_id == instance.id, Task.state == "ready")
                    .order_by(Task.ready_at, Task.id)))
            return outcome

    def _complete(self, session: Session, instance: Instance, row: Any,
                  data: dict[str, Any], actor: str | None) -> StepOutcome:
        step = Step(self.runtime, session, instance)
        step.known_tasks[row.id] = row
        wf = step.load()
        spiff_task = wf.get_task_from_id(uuid.UUID(row.id))
        if spiff_task is None or not spiff_task.has_state(TaskState.READY):
            raise TaskNotReady(f"task {row.id} is no longer ready")
        before = Snapshot.of(wf)

        def action(w: BpmnWorkflow) -> None:
            spiff_task.data.update(data)
            spiff_task.run()
            run_engine(w)

        return step.advance(wf, action, actor=actor, before=before, completing=row.id,
                            operation={"op": "complete_task", "task_id": row.id, "data": data})

    def _active(self, session: Session, instance_id: str) -> Instance:
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound(f"no instance {instance_id}")
        if instance.status != "running":
            raise InstanceNotActive(f"instance {instance_id} is {instance.status}")
        return instance

    def claim(self, task_id: str, who: str) -> Task:
        """Take a ready task (its assignee becomes `who`); `ClaimedByAnother` if held."""
        from engine.runtime.claims import claim

        return claim(self, task_id, who)

    # -- reading -------------------------------------------------------------
    def instance(self, instance_id: str) -> Instance:
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"no instance {instance_id}")
            return instance

    def task(self, task_id: str) -> Task:
        with self.readers() as session:
            row = session.get(Task, task_id)
            if row is None:
                raise NotFound(f"no task {task_id}")
            return row

    def instances(self, **filters: Any) -> list[Instance]:
        """Instances by process, status, business key, start time or waiting activity."""
        from engine.store.queries import list_instances

        with self.readers() as session:
            return list_instances(session, **filters)

    def tasks(self, **filters: Any) -> list[Task]:
        """Tasks by state, groups, activity, due date, business key or instance."""
        from engine.store.queries import list_tasks

        with self.readers() as session:
            return list_tasks(session, **filters)

    def task_spec(self, task: Task) -> Any:
        """The spec of a task row's activity, from the cached definition (no instance load)."""
        from engine.camunda.forms import find_task_spec
        from engine.store.models import Definition

        with self.readers() as session:
            instance = session.get(Instance, task.instance_id)
            specs = self.runtime.specs.get(
                instance.definition_id,
                lambda: session.get(Definition, instance.definition_id).spec)
        return find_task_spec(specs, task.activity_id)

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data a task sees now (its own data when ready, else the case's)."""
        with self.readers() as session:
            row = session.get(Task, task_id)
            if row is None:
                raise NotFound(f"no task {task_id}")
            instance = session.get(Instance, row.instance_id)
            wf = Step(self.runtime, session, instance).load()
            spiff_task = wf.get_task_from_id(uuid.UUID(task_id))
            if spiff_task is not None and spiff_task.has_state(TaskState.READY):
                return dict(spiff_task.data)
            return current_data(wf)

    def workflow_data(self, instance_id: str) -> dict[str, Any]:
        """The case variables as the workflow holds them now (for coordinators and forms)."""
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"no instance {instance_id}")
            wf = Step(self.runtime, session, instance).load()
            return current_data(wf)

    # -- time ----------------------------------------------------------------
    def run_due_timers(self, now: datetime | None = None, *, limit: int = 100) -> int:
        """Advance every running instance whose next timer is due; returns how many moved."""
        from engine.runtime.timers import run_due_timers

        return run_due_timers(self, now or self.clock.now(), limit=limit)

    # -- messages ------------------------------------------------------------
    def correlate(self, message_name: str, *, business_key: str | None = None,
                  instance_id: str | None = None, payload: Mapping[str, Any] | None = None,
                  actor: str | None = None) -> StepOutcome:
        from engine.runtime.messages import correlate

        return correlate(self, message_name, business_key=business_key,
                         instance_id=instance_id, payload=merged(payload), actor=actor)

    # -- incidents and administration -----------------------------------------
    def retry_incident(self, incident_id: int, *, data: Mapping[str, Any] | None = None,
                       actor: str | None = None) -> StepOutcome:
        from engine.runtime.incidents import retry

        return retry(self, incident_id, data=merged(data), actor=actor)

    def incidents(self, *, status: str | None = "open") -> list[Incident]:
        with self.readers() as session:
            stmt = select(Incident).order_by(Incident.opened_at)
            if status:
                stmt = stmt.where(Incident.status == status)
            return list(session.scalars(stmt))

    def set_status(self, instance_id: str, action: str, *, reason: str,
                   actor: str | None = None) -> Instance:
        from engine.runtime.administration import set_status

        if not reason or not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        return set_status(self, instance_id, action, reason=reason.strip(), actor=actor)


def current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """Case data as of now: the data of the newest waiting tasks, merged over the workflow's."""
    data: dict[str, Any] = dict(wf.data)
    waiting = wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
    if not waiting and wf.last_task is not None:
        waiting = [wf.last_task]
    for task in sorted(waiting, key=lambda t: t.last_state_change):
        data.update(task.data)
    return data


