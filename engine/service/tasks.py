"""Tasks: read, list, claim and complete user tasks."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.camunda.forms import find_task_spec
from engine.errors import InstanceNotActive, NotFound, TaskNotReady
from engine.runtime.claims import claim
from engine.runtime.readmodel import Snapshot
from engine.runtime.step import Step, StepOutcome, merged, run_engine
from engine.service.base import ServiceBase
from engine.service.instances import current_data
from engine.store.models import Definition, Instance, Task
from engine.store.queries import list_tasks

_INSTANCE_COLUMNS = [c.key for c in Instance.__table__.columns]
_TASK_AND_INSTANCE = (
    select(Task.__table__.c.id, Task.__table__.c.state, Task.__table__.c.activity_id,
           Task.__table__.c.candidate_groups,
           *[c.label(f"i_{c.key}") for c in Instance.__table__.columns])
    .join(Instance.__table__, Task.__table__.c.instance_id == Instance.__table__.c.id)
    .where(Task.__table__.c.id == bindparam("task_id"))
)


class TaskService(ServiceBase):
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

    def claim(self, task_id: str, who: str) -> Task:
        """Take a ready task (its assignee becomes `who`); `ClaimedByAnother` if held."""
        return claim(self, task_id, who)  # type: ignore[arg-type]

    def task(self, task_id: str) -> Task:
        with self.readers() as session:
            row = session.get(Task, task_id)
            if row is None:
                raise NotFound(f"no task {task_id}")
            return row

    def tasks(self, **filters: Any) -> list[Task]:
        """Tasks by state, groups, activity, due date, business key or instance."""
        with self.readers() as session:
            return list_tasks(session, **filters)

    def task_spec(self, task: Task) -> Any:
        """The spec of a task row's activity, from the cached definition (no instance load)."""
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
