"""Lists of instances and tasks, answered from the indexed read-model tables.

These never deserialize a workflow: everything they filter on is a column
written by the step that changed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from engine.errors import InstanceNotActive, NotFound

from .models import Instance, Task, TaskCandidate


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0

    def apply(self, stmt: Select) -> Select:
        return stmt.limit(max(1, min(self.limit, 500))).offset(max(0, self.offset))


def list_instances(session: Session, *, process_key: str | None = None,
                   status: str | None = None, business_key: str | None = None,
                   started_after: datetime | None = None,
                   started_before: datetime | None = None,
                   waiting_at: str | None = None, page: Page = Page()) -> list[Instance]:
    stmt = select(Instance)
    if process_key:
        stmt = stmt.where(Instance.process_key == process_key)
    if status:
        stmt = stmt.where(Instance.status == status)
    if business_key:
        stmt = stmt.where(Instance.business_key == business_key)
    if started_after:
        stmt = stmt.where(Instance.started_at >= started_after)
    if started_before:
        stmt = stmt.where(Instance.started_at < started_before)
    if waiting_at:
        stmt = stmt.where(exists().where(
            Task.instance_id == Instance.id, Task.state == "ready",
            Task.activity_id == waiting_at))
    return list(session.scalars(page.apply(stmt.order_by(Instance.started_at, Instance.id))))


def list_tasks(session: Session, *, state: str | None = "ready",
               groups: Sequence[str] | None = None, activity: str | None = None,
               due_before: datetime | None = None, business_key: str | None = None,
               instance_id: str | None = None, page: Page = Page()) -> list[Task]:
    """Tasks, optionally only those a holder of `groups` may see (an empty list sees none)."""
    stmt = select(Task)
    if state:
        stmt = stmt.where(Task.state == state)
    if groups is not None:
        stmt = stmt.where(exists().where(TaskCandidate.task_id == Task.id,
                                         TaskCandidate.group_id.in_(list(groups))))
    if activity:
        stmt = stmt.where(Task.activity_id == activity)
    if due_before:
        stmt = stmt.where(Task.due_at < due_before)
    if instance_id:
        stmt = stmt.where(Task.instance_id == instance_id)
    if business_key:
        stmt = stmt.join(Instance, Instance.id == Task.instance_id).where(
            Instance.business_key == business_key)
    return list(session.scalars(page.apply(stmt.order_by(Task.ready_at, Task.id))))


def running_instance(session: Session, instance_id: str) -> Instance:
    """The instance, if it exists and runs; what a step on it starts from."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    if instance.status != "running":
        raise InstanceNotActive(f"instance {instance_id} is {instance.status}")
    return instance
