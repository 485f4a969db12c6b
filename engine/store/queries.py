"""Lists and look-ups of instances and tasks, answered from the indexed read-model tables.

These never deserialize a workflow: everything they filter on is a column
written by the step that changed it. Each list reads `limit + 1` rows so that
the caller learns whether more follow without a count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session, aliased

from engine.errors import InstanceNotActive, NotFound

from .access_log import AccessLog
from .models import (
    ExternalTask,
    History,
    Incident,
    Instance,
    MessageSubscription,
    Task,
    TaskCandidate,
)
from .plan_hints import Unindexed, one_worker


def list_instances(session: Session, *, process_key: str | None = None,
                   status: str | None = None, business_key: str | None = None,
                   started_after: datetime | None = None,
                   started_before: datetime | None = None,
                   waiting_at: str | None = None, limit: int = 50,
                   offset: int = 0) -> list[Instance]:
    """Newest first (what a coordinator looks for is usually recent)."""
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
    stmt = stmt.order_by(Instance.started_at.desc(), Instance.id)
    return list(session.scalars(stmt.limit(limit + 1).offset(offset)))


def list_tasks(session: Session, *, state: str | None = "ready",
               groups: Sequence[str] | None = None, group: str | None = None,
               activity: str | None = None, due_before: datetime | None = None,
               business_key: str | None = None, instance_id: str | None = None,
               limit: int = 50, offset: int = 0) -> list[tuple[Task, str | None]]:
    """Tasks with their case's business key, oldest first.

    `groups` restricts to the tasks a holder of those groups may see (an empty
    list sees none); `group` filters on one candidate group. The ready tasks of some
    groups (an institution's list) are read from those groups' ready candidate rows
    (`ix_task_candidate_ready`), oldest first: a page reads about a page of rows,
    however many tasks the groups had before.
    """
    if state == "ready" and (groups is not None or group):
        return _ready_of_groups(session, [group] if group else list(groups or ()),
                                groups=groups if group else None, activity=activity,
                                due_before=due_before, business_key=business_key,
                                instance_id=instance_id, limit=limit, offset=offset)
    stmt = select(Task, Instance.business_key).join(Instance, Instance.id == Task.instance_id)
    if state:
        stmt = stmt.where(Task.state == state)
    if groups is not None:
        stmt = stmt.where(exists().where(TaskCandidate.task_id == Task.id,
                                         TaskCandidate.group_id.in_(list(groups))))
    if group:
        stmt = stmt.where(exists().where(TaskCandidate.task_id == Task.id,
                                         TaskCandidate.group_id == group))
    if activity:
        stmt = stmt.where(Task.activity_id == activity)
    if due_before:
        stmt = stmt.where(Task.due_at < due_before)
    if instance_id:
        stmt = stmt.where(Task.instance_id == instance_id)
    if business_key:
        stmt = stmt.where(Instance.business_key == business_key)
    stmt = stmt.order_by(Task.ready_at, Task.id).limit(limit + 1).offset(offset)
    return [(task, key) for task, key in session.execute(stmt)]


def _ready_of_groups(session: Session, wanted: list[str], *, groups: Sequence[str] | None,
                     activity: str | None, due_before: datetime | None,
                     business_key: str | None, instance_id: str | None, limit: int,
                     offset: int) -> list[tuple[Task, str | None]]:
    """`list_tasks` of ready tasks driven from the candidate rows of `wanted` groups.

    A candidate's `ready_at` is its task's while the task is ready; the task's own
    state is tested as well, so a row not yet cleared never shows a closed task. A
    task of several of the groups comes once, by its first group (not DISTINCT: that
    would read every row before the first could be returned).
    """
    ready = aliased(TaskCandidate)
    stmt = (select(Task, Instance.business_key).select_from(ready)
            .join(Task, Task.id == ready.task_id)
            .join(Instance, Instance.id == Task.instance_id)
            .where(ready.group_id.in_(wanted), ready.ready_at.is_not(None),
                   # SQLite would otherwise walk every ready task by its state
                   Unindexed(Task.state) == "ready"))
    if len(wanted) > 1:
        earlier = aliased(TaskCandidate)
        stmt = stmt.where(~exists().where(earlier.task_id == ready.task_id,
                                          earlier.group_id.in_(wanted),
                                          earlier.group_id < ready.group_id))
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
        stmt = stmt.where(Instance.business_key == business_key)
    stmt = stmt.order_by(ready.ready_at, ready.task_id).limit(limit + 1).offset(offset)
    one_worker(session)
    return [(task, key) for task, key in session.execute(stmt)]


def task_with_case(session: Session, task_id: str) -> tuple[Task, Instance]:
    found = session.execute(select(Task, Instance).join(
        Instance, Instance.id == Task.instance_id).where(Task.id == task_id)).first()
    if found is None:
        raise NotFound(f"no task {task_id}")
    return found[0], found[1]


# Built once: a completion's answer lists the case's next tasks with it, on every request
# (building the statement took as long as running it).
_READY_OF_INSTANCE = (select(Task).where(Task.instance_id == bindparam("instance_id"),
                                         Task.state == "ready")
                      .order_by(Task.ready_at, Task.id))


def ready_tasks(session: Session, instance_id: str) -> list[Task]:
    return list(session.scalars(_READY_OF_INSTANCE, {"instance_id": instance_id}))


def took_part(session: Session, instance_id: str, groups: Sequence[str]) -> bool:
    """Whether any of `groups` was a candidate of any task of the instance, in any state."""
    if not groups:
        return False
    return bool(session.scalar(select(exists().where(
        Task.instance_id == instance_id, TaskCandidate.task_id == Task.id,
        TaskCandidate.group_id.in_(list(groups))))))


def case_record(session: Session, instance_id: str, groups: Sequence[str] | None = None,
                ) -> tuple[list[History], list[Incident]]:
    """What happened to a case: its history in order, and its incidents.

    `groups` (an institution's) keeps the history rows about tasks one of those
    groups was a candidate for, as the history endpoint shows them.
    """
    stmt = select(History).where(History.instance_id == instance_id)
    if groups is not None:
        stmt = stmt.where(exists().where(TaskCandidate.task_id == History.task_id,
                                         TaskCandidate.group_id.in_(list(groups))))
    history = list(session.scalars(stmt.order_by(History.seq)))
    incidents = list(session.scalars(select(Incident).where(
        Incident.instance_id == instance_id).order_by(Incident.id)))
    return history, incidents


def access_entries(session: Session, instance_id: str, *, limit: int,
                   offset: int) -> list[AccessLog]:
    """Reads of a case and its tasks, newest first."""
    return list(session.scalars(
        select(AccessLog).where(AccessLog.instance_id == instance_id)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit + 1).offset(offset)))


def running_instance(session: Session, instance_id: str) -> Instance:
    """The instance, if it exists and runs; what a step on it starts from."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    if instance.status != "running":
        raise InstanceNotActive(f"instance {instance_id} is {instance.status}")
    return instance


def existing(session: Session, model: Any, key: Any, what: str) -> Any:
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"no {what} {key}")
    return row


def list_incidents(session: Session, *, status: str | None = "open",
                   instance_id: str | None = None, activity: str | None = None,
                   limit: int = 50, offset: int = 0) -> list[Incident]:
    """Incidents, oldest first; `status=None` means open and resolved alike."""
    stmt = select(Incident)
    if status:
        stmt = stmt.where(Incident.status == status)
    if instance_id:
        stmt = stmt.where(Incident.instance_id == instance_id)
    if activity:
        stmt = stmt.where(Incident.activity_id == activity)
    stmt = stmt.order_by(Incident.opened_at, Incident.id).limit(limit + 1).offset(offset)
    return list(session.scalars(stmt))


def message_targets(session: Session, name: str, *, business_key: str | None = None,
                    instance_id: str | None = None) -> set[str]:
    """The instances subscribed to message `name`, by instance id or else business key."""
    stmt = select(MessageSubscription.instance_id).where(MessageSubscription.message_name == name)
    if instance_id:
        stmt = stmt.where(MessageSubscription.instance_id == instance_id)
    else:
        stmt = stmt.where(MessageSubscription.business_key == business_key)
    return set(session.scalars(stmt))


def external_task_state(session: Session, task_id: str) -> tuple[str | None, str | None]:
    """(task state, instance status) of an external task; (None, None) when there is none."""
    row = session.execute(
        select(ExternalTask.state, Instance.status)
        .join(Instance, Instance.id == ExternalTask.instance_id)
        .where(ExternalTask.id == task_id)).first()
    return (row.state, row.status) if row else (None, None)
