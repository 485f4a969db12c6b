"""Each stuck reason as a select over the read-model tables, for `engine.store.stuck`.

Every select yields the columns of `stuck_columns` and reads its rows longest
waiting first through an index; the values it compares with (`NOW`, `GROUP`, …)
are bound parameters, so each select is built once per `StuckShape` (which
filters are given) and the page (engine.store.stuck) only binds and executes.
Other packages add reasons the same way (`ReasonSource`): the webhooks'
``notification_failing`` is one, without the engine knowing their tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    false,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import aliased

from .models import (
    EXTERNAL_WAITING_SQL,
    ExternalTask,
    Incident,
    Instance,
    Job,
    MessageSubscription,
    Task,
    TaskCandidate,
    UTCDateTime,
)
from .plan_hints import Unindexed
from .principals import Principal, PrincipalGroup

BUILT_IN = ("waiting", "overdue", "incident", "no_holder", "idle")


#: the bound values every statement reads (`StuckQuery.params` gives them)
WAITING_BEFORE = bindparam("waiting_before")
IDLE_BEFORE = bindparam("idle_before")
NOW = bindparam("now")
GROUP = bindparam("group")
INSTITUTION = bindparam("institution")
PROCESS = bindparam("process")
ACTIVITIES = bindparam("activities", expanding=True)


@dataclass(frozen=True)
class StuckShape:
    """Which filters a statement has; their values are bound when it runs."""

    group: bool = False
    activity: bool = False
    institution: bool = False
    process: bool = False


#: one more reason: a select of `stuck_columns` for a shape of query, reading the bound
#: values (`NOW`, `GROUP`, …); the page is cut by the caller
ReasonSource = Callable[[StuckShape], Select[Any]]


def stuck_columns(reason: str, wait: str, *, instance_id: Any, business_key: Any,
                  process_key: Any, definition_id: Any, since: Any, activity_id: Any = None,
                  task_id: Any = None, task_name: Any = None, groups: Any = None,
                  incident_id: Any = None, external_task_id: Any = None, detail: Any = None,
                  institution: Any = None, cause_since: Any = None) -> list[Any]:
    """The columns every select of the union yields, in order; absent ones are typed NULLs."""

    def col(value: Any, kind: Any) -> Any:
        return cast(null(), kind) if value is None else value

    return [
        literal(reason).label("reason"), literal(wait).label("wait"),
        instance_id.label("instance_id"), business_key.label("business_key"),
        process_key.label("process_key"), definition_id.label("definition_id"),
        col(activity_id, String).label("activity_id"), col(task_id, String).label("task_id"),
        col(task_name, String).label("task_name"), col(groups, JSON).label("groups"),
        since.label("since"), col(incident_id, Integer).label("incident_id"),
        col(external_task_id, String).label("external_task_id"),
        col(detail, String).label("detail"), col(institution, String).label("institution"),
        col(cause_since, UTCDateTime).label("cause_since"),
    ]


# -- filters ------------------------------------------------------------------------
def _held_by() -> Any:
    """The groups the enabled principal named `INSTITUTION` holds."""
    return (select(PrincipalGroup.group_id)
            .join(Principal, Principal.id == PrincipalGroup.principal_id)
            .where(Principal.name == INSTITUTION, Principal.disabled_at.is_(None))
            .correlate(None))  # uncorrelated, even inside a select over principals


def task_filters(shape: StuckShape) -> list[Any]:
    """The filters of a select over ready `Task` rows (joined to `Instance`)."""
    found: list[Any] = []
    candidate = aliased(TaskCandidate)  # the outer select may join candidates itself
    if shape.group:
        found.append(exists().where(candidate.task_id == Task.id,
                                    candidate.group_id == GROUP))
    if shape.institution:
        found.append(exists().where(candidate.task_id == Task.id,
                                    candidate.group_id.in_(_held_by())))
    if shape.activity:
        found.append(Task.activity_id.in_(ACTIVITIES))
    if shape.process:
        found.append(Task.process_key == PROCESS)
    return found


def _case_filters(shape: StuckShape, activity_column: Any | None) -> list[Any]:
    """Filters of a select over a case (`Instance`) and, when known, the element it is at.

    A group or institution keeps the cases with a ready task of that group: a wait
    that belongs to no group (a message, an idle case) is left out of a group's view
    unless the case also has work there.
    """
    found: list[Any] = []
    task_of_case = [Task.instance_id == Instance.id, Task.state == "ready"]
    if shape.group:
        found.append(exists().where(*task_of_case, TaskCandidate.task_id == Task.id,
                                    TaskCandidate.group_id == GROUP))
    if shape.institution:
        found.append(exists().where(*task_of_case, TaskCandidate.task_id == Task.id,
                                    TaskCandidate.group_id.in_(_held_by())))
    if shape.activity:
        if activity_column is not None:
            found.append(activity_column.in_(ACTIVITIES))
        else:
            found.append(exists().where(*task_of_case, Task.activity_id.in_(ACTIVITIES)))
    if shape.process:
        found.append(Instance.process_key == PROCESS)
    return found


# -- the reasons --------------------------------------------------------------------
def _task_select(reason: str, since: Any, shape: StuckShape, *conditions: Any) -> Select[Any]:
    return (
        select(*stuck_columns(
            reason, "user_task", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=since, activity_id=Task.activity_id,
            task_id=Task.id, task_name=Task.name, groups=Task.candidate_groups))
        .join(Instance, Instance.id == Task.instance_id)
        .where(Task.state == "ready", Instance.status == "running", *conditions,
               *task_filters(shape))
    )


def waiting_tasks(shape: StuckShape) -> Select[Any]:
    return _task_select("waiting", Task.ready_at, shape, Task.ready_at < WAITING_BEFORE)


def waiting_messages(shape: StuckShape) -> Select[Any]:
    sub = MessageSubscription
    return (
        select(*stuck_columns(
            "waiting", "message", instance_id=Instance.id, business_key=Instance.business_key,
            process_key=Instance.process_key, definition_id=Instance.definition_id,
            since=sub.since, activity_id=sub.activity_id, detail=sub.message_name))
        .join(Instance, Instance.id == sub.instance_id)
        .where(sub.since < WAITING_BEFORE,
               or_(sub.beside.is_(None), sub.beside == false()),
               # not by index on SQLite: with its statistics SQLite would walk every
               # running case by `ix_instance_status` instead of the longest waits first
               # (measured with bench/stuck.py); the instance is found by id
               Unindexed(Instance.status) == "running",
               *_case_filters(shape, sub.activity_id))
    )


def waiting_external(shape: StuckShape) -> Select[Any]:
    ext = ExternalTask
    return (
        select(*stuck_columns(
            "waiting", "external_task", instance_id=Instance.id,
            business_key=Instance.business_key, process_key=Instance.process_key,
            definition_id=Instance.definition_id, since=ext.created_at,
            activity_id=ext.activity_id, external_task_id=ext.id, detail=ext.topic))
        .join(Instance, Instance.id == ext.instance_id)
        # the partial index's own terms (`ix_external_task_waiting`), longest first
        .where(text(f"external_task.{EXTERNAL_WAITING_SQL}"), ext.created_at < WAITING_BEFORE,
               Instance.status == "running", *_case_filters(shape, ext.activity_id))
    )


def overdue(shape: StuckShape) -> Select[Any]:
    return _task_select("overdue", Task.due_at, shape, Task.due_at.is_not(None),
                        Task.due_at < NOW)


def _held_groups() -> Any:
    """The groups enabled principals hold: a materialized CTE of a few dozen rows."""
    return (select(PrincipalGroup.group_id)
            .join(Principal, and_(Principal.id == PrincipalGroup.principal_id,
                                  Principal.disabled_at.is_(None)))
            .distinct().cte("held_group").prefix_with("MATERIALIZED"))


def no_holder(shape: StuckShape) -> Select[Any]:
    """Ready tasks with candidate groups none of which is held: their ready candidate
    rows oldest first (`ix_task_candidate_ready_since`, index only), those of an unheld
    group kept, each task once (by its first group) and only if no other group of it
    is held. A page reads the ready candidates it takes to fill it, never a closed task's.
    """
    held = select(_held_groups().c.group_id)
    ready, other = aliased(TaskCandidate), aliased(TaskCandidate)
    seen_or_held = (select(other.task_id)
                    .where(other.task_id == ready.task_id,
                           or_(other.group_id < ready.group_id, other.group_id.in_(held)))
                    .exists())
    return (
        select(*stuck_columns(
            "no_holder", "user_task", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=ready.ready_at,
            activity_id=Task.activity_id, task_id=Task.id, task_name=Task.name,
            groups=Task.candidate_groups))
        .select_from(ready)
        .join(Task, Task.id == ready.task_id)
        .join(Instance, Instance.id == Task.instance_id)
        .where(ready.ready_at.is_not(None), ready.group_id.not_in(held), ~seen_or_held,
               # SQLite would otherwise walk every ready task or running case
               Unindexed(Task.state) == "ready", Unindexed(Instance.status) == "running",
               *task_filters(shape))
    )


#: ready tasks without a candidate group, as the partial index `ix_task_ready_ungrouped`
#: says it: one term, literal text (SQLite uses a partial index only for the very same
#: terms, and would walk every ready task by `ix_task_state_ready_at` for a state term)
UNGROUPED = text("(task.state || ':' || CAST(task.candidate_groups AS TEXT)) = 'ready:[]'")


def no_holder_ungrouped(shape: StuckShape) -> Select[Any]:
    """Ready tasks without any candidate group: nobody's task list shows them either."""
    candidate = aliased(TaskCandidate)
    return (
        select(*stuck_columns(
            "no_holder", "user_task", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=Task.ready_at,
            activity_id=Task.activity_id, task_id=Task.id, task_name=Task.name,
            groups=Task.candidate_groups))
        .join(Instance, Instance.id == Task.instance_id)
        .where(UNGROUPED, Unindexed(Instance.status) == "running",
               ~select(candidate.task_id).where(candidate.task_id == Task.id).exists(),
               *task_filters(shape))
    )


def incidents(shape: StuckShape) -> Select[Any]:
    return (
        select(*stuck_columns(
            "incident", "incident", instance_id=Instance.id,
            business_key=Instance.business_key, process_key=Instance.process_key,
            definition_id=Instance.definition_id, since=Incident.opened_at,
            activity_id=Incident.activity_id, incident_id=Incident.id,
            detail=Incident.message))
        .join(Instance, Instance.id == Incident.instance_id)
        .where(Incident.status == "open", Instance.status == "incident",
               *_case_filters(shape, Incident.activity_id))
    )


def idle(shape: StuckShape) -> Select[Any]:
    return (
        select(*stuck_columns(
            "idle", "case", instance_id=Instance.id, business_key=Instance.business_key,
            process_key=Instance.process_key, definition_id=Instance.definition_id,
            since=Instance.updated_at))
        .where(Instance.status == "running", Instance.updated_at < IDLE_BEFORE,
               *_case_filters(shape, None))
    )


def _job_select(reason: str, since: Any, shape: StuckShape, *conditions: Any) -> Select[Any]:
    return (
        select(*stuck_columns(
            reason, "job", instance_id=Instance.id, business_key=Instance.business_key,
            process_key=Instance.process_key, definition_id=Instance.definition_id,
            since=since, activity_id=Job.activity_id, detail=Job.error))
        .join(Instance, Instance.id == Job.instance_id)
        .where(Job.status == "due", Instance.status == "running", *conditions,
               *_case_filters(shape, Job.activity_id))
    )


def failing_jobs(shape: StuckShape) -> Select[Any]:
    """A job (async boundary) that failed and waits for its next try: shown as an
    incident before its tries are spent, as Camunda's cockpit shows a failing job
    (once they are, the incident opened at its element is the reason)."""
    return _job_select("incident", Job.failed_at, shape, Job.attempts > 0)


def waiting_jobs(shape: StuckShape) -> Select[Any]:
    """A job never tried, due longer than the waiting threshold: no worker runs."""
    return _job_select("waiting", Job.due_at, shape, Job.attempts == 0,
                       Job.due_at < WAITING_BEFORE)


#: the engine's own reasons, each one or more selects
SOURCES: Mapping[str, tuple[ReasonSource, ...]] = {
    "waiting": (waiting_tasks, waiting_messages, waiting_external, waiting_jobs),
    "overdue": (overdue,),
    "incident": (incidents, failing_jobs),
    "no_holder": (no_holder, no_holder_ungrouped),
    "idle": (idle,),
}
