"""Keeping the task rows, subscriptions and timer column in step with the workflow.

A step compares what the workflow waits for before and after it ran: user
tasks that became ready get a row, those that left the ready set are marked
completed or cancelled, message subscriptions and the next timer are
recomputed. All of it is written in the step's transaction.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from engine.camunda.event_subprocess import INTERRUPTED
from engine.camunda.taskattrs import evaluate_attributes
from engine.store.models import ExternalTask, MessageSubscription, Task, TaskCandidate
from engine.store.prepared import Prepared

from .domain_events import TaskCancelled, TaskCompleted, TaskReady

if TYPE_CHECKING:
    from .step import Step

TASK = Task.__table__
EXTERNAL = ExternalTask.__table__
_CLOSE_EXTERNAL = Prepared(
    update(EXTERNAL).where(EXTERNAL.c.id == bindparam("b_id"))
    .values(state=bindparam("state"), ended_at=bindparam("ended_at"), worker_id=None,
            lock_expires_at=None)
)
_CLOSE_TASK = Prepared(
    update(TASK).where(TASK.c.id == bindparam("b_id"))
    .values(state=bindparam("state"), completed_at=bindparam("completed_at"),
            completed_by=bindparam("completed_by"))
)
#: a closed task's candidate rows leave the groups' ready index (models.TaskCandidate)
_CLOSE_CANDIDATES = Prepared(
    update(TaskCandidate.__table__)
    .where(TaskCandidate.__table__.c.task_id == bindparam("b_id"))
    .values(ready_at=None)
)
# Built once, like the updates above, and run on the driver (engine.store.prepared):
# a completion sends these at every step.
_INSERT_TASK = Prepared(insert(TASK))
_INSERT_CANDIDATES = Prepared(insert(TaskCandidate.__table__))
_INSERT_EXTERNAL = Prepared(insert(EXTERNAL))
SUBSCRIPTION = MessageSubscription.__table__
_INSERT_SUBSCRIPTIONS = Prepared(insert(SUBSCRIPTION))
_DELETE_SUBSCRIPTIONS = Prepared(delete(SUBSCRIPTION).where(
    SUBSCRIPTION.c.instance_id == bindparam("b_instance")))
_SUBSCRIPTION_SINCE = select(
    SUBSCRIPTION.c.message_name, SUBSCRIPTION.c.activity_id, SUBSCRIPTION.c.since
).where(SUBSCRIPTION.c.instance_id == bindparam("b_instance"))

TIMER_EVENT_TYPES = {
    "DurationTimerEventDefinition",
    "TimeDateEventDefinition",
    "CycleTimerEventDefinition",
}
MESSAGE_EVENT_TYPES = {"MessageEventDefinition"}
#: a signal wait is kept with the message waits, its name behind this prefix (no message
#: may take one: `engine.runtime.messages.correlate`); `engine.runtime.signals` reads them
SIGNAL_PREFIX = "signal:"
#: a receive task waiting for a trigger (`engine.camunda.triggers`), by its own id
TRIGGER_PREFIX = "trigger:"
RESERVED_PREFIXES = (SIGNAL_PREFIX, TRIGGER_PREFIX)
_SUBSCRIBED = {"MessageEventDefinition": "", "SignalEventDefinition": SIGNAL_PREFIX,
               "TriggerEventDefinition": TRIGGER_PREFIX}


@dataclass
class Snapshot:
    """What a workflow waits for at one moment."""

    ready: dict[UUID, Any]
    timers: dict[UUID, Any]  # waiting timer task -> its due value (moves on when a cycle fires)
    messages: set[tuple[str, str]]  # (message name, activity id)
    external: dict[UUID, Any] = field(default_factory=dict)
    #: message catches beside the work (boundary events, event-subprocess starts): the
    #: instance listens there but does not wait there
    beside: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, wf: BpmnWorkflow) -> Snapshot:
        # a flat scan of the task dicts: much cheaper than SpiffWorkflow's tree iterator
        ready, external = {}, {}
        for workflow in (wf, *wf.subprocesses.values()):
            for task in workflow.tasks.values():
                if task._state == TaskState.READY and task.task_spec.manual:
                    ready[task.id] = task
                elif (task._state == TaskState.STARTED
                      and getattr(task.task_spec, "external_topic", None)):
                    external[task.id] = task
        timers: dict[UUID, Any] = {}
        messages: set[tuple[str, str]] = set()
        beside: set[str] = set()
        # the event manager holds every waiting catch event, subprocesses included
        for task in list(wf.event_manager.tasks.values()):
            if not task.has_state(TaskState.WAITING):
                continue
            for definition in caught_definitions(task):
                if isinstance(definition, TimerEventDefinition):
                    value = task.internal_data.get("event_value")
                    timers[task.id] = value.get("next") if isinstance(value, dict) else value
                elif (prefix := _SUBSCRIBED.get(type(definition).__name__)) is not None:
                    messages.add((prefix + definition.name, task.task_spec.bpmn_id))
                    if isinstance(task.task_spec, BoundaryEvent | StartEvent):
                        beside.add(task.task_spec.bpmn_id)
        for task in ready.values():
            definition = getattr(task.task_spec, "event_definition", None)
            if type(definition).__name__ in MESSAGE_EVENT_TYPES:  # receive tasks
                messages.add((definition.name, task.task_spec.bpmn_id))
        return cls(ready, timers, messages, external, beside)


def caught_definitions(task: Any) -> list[Any]:
    """The event definitions a waiting task catches. An event-based gateway holds those
    of the catch events after it (SpiffWorkflow moves them onto the gateway, as one
    `MultipleEventDefinition`): its message and timer branches wait there."""
    definition = getattr(task.task_spec, "event_definition", None)
    if type(definition).__name__ == "MultipleEventDefinition":
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _gateway_timer_values(wf: BpmnWorkflow) -> list[Any]:
    """Due values of timers waiting behind an event-based gateway: `waiting_events()`
    reports the gateway as one event without a value."""
    values = []
    for task in list(wf.event_manager.tasks.values()):
        if not task.has_state(TaskState.WAITING):
            continue
        definition = getattr(task.task_spec, "event_definition", None)
        if type(definition).__name__ != "MultipleEventDefinition":
            continue
        if any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions):
            value = task.internal_data.get("event_value")
            values.append(value.get("next") if isinstance(value, dict) else value)
    return values


def next_timer_at(wf: BpmnWorkflow) -> datetime | None:
    """The earliest due time among the timers the workflow waits on."""
    earliest: datetime | None = None
    values = [pending.value for pending in wf.waiting_events()
              if pending.event_type in TIMER_EVENT_TYPES]
    for value in values + _gateway_timer_values(wf):
        if value is None:
            continue
        due = (
            value
            if isinstance(value, datetime)
            else TimerEventDefinition.get_datetime(str(value))
        )
        if earliest is None or due < earliest:
            earliest = due
    return earliest


@dataclass
class PendingWrites:
    """Rows a step will write once its compare-and-set has succeeded."""

    new_tasks: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    closed_tasks: list[dict[str, Any]] = field(default_factory=list)
    subscriptions: list[dict[str, Any]] | None = None
    new_external: list[dict[str, Any]] = field(default_factory=list)
    closed_external: list[dict[str, Any]] = field(default_factory=list)
    #: what `execute` has written in this step: the new task rows, the closed tasks' ids
    written_tasks: list[dict[str, Any]] = field(default_factory=list)
    written_closed: set[str] = field(default_factory=set)
    #: since when the instance waited for each message it waits for (`read_before`)
    _since: dict[tuple[str, str], Any] = field(default_factory=dict)

    def read_before(self, conn: Connection, instance_id: str) -> None:
        """What `execute` needs to read first: it sends writes only, which PostgreSQL
        then receives together (`engine.store.prepared.pipelined`)."""
        if self.subscriptions is not None:
            self._since = _subscription_since(conn, instance_id)

    def execute(self, conn: Connection, instance_id: str) -> None:
        self.written_tasks.extend(self.new_tasks)
        self.written_closed.update(c["b_id"] for c in self.closed_tasks)
        if self.closed_tasks:
            _CLOSE_TASK.execute(conn, self.closed_tasks)
            _CLOSE_CANDIDATES.execute(conn, [{"b_id": c["b_id"]} for c in self.closed_tasks])
        if self.new_tasks:
            _INSERT_TASK.execute(conn, self.new_tasks)
        if self.candidates:
            _INSERT_CANDIDATES.execute(conn, self.candidates)
        if self.new_external:
            _INSERT_EXTERNAL.execute(conn, self.new_external)
        if self.closed_external:
            _CLOSE_EXTERNAL.execute(conn, self.closed_external)
        if self.subscriptions is not None:
            kept = self._since
            _DELETE_SUBSCRIPTIONS.execute(conn, {"b_instance": instance_id})
            if self.subscriptions:
                _INSERT_SUBSCRIPTIONS.execute(conn, [
                    {**row, "since": kept.get((row["message_name"], row["activity_id"]),
                                              row["since"])}
                    for row in self.subscriptions])
        self.new_tasks, self.candidates, self.closed_tasks = [], [], []
        self.new_external, self.closed_external = [], []
        self.subscriptions = None


def ready_after(step: Step, before: Snapshot) -> list[Task] | None:
    """The instance's ready task rows once the step is written, in the task list's order
    (ready_at, id), as the database would answer them: known without a query when every
    task ready before the step left the ready set in it (the usual completion), so the
    ready rows are the ones it wrote. None when the step cannot tell: a task still ready
    from before (its row was not read), or signals thrown (they may move this case too).
    """
    writes = step.writes
    if step.signals or any(str(t) not in writes.written_closed for t in before.ready):
        return None
    rows = [Task(**{k: _as_read(v) for k, v in row.items()}) for row in writes.written_tasks
            if row["instance_id"] == step.instance.id]
    rows.sort(key=lambda t: (t.ready_at, t.id))
    return rows


def _as_read(value: Any) -> Any:
    """A value as the database gives it back: datetimes aware, in UTC (`UTCDateTime`)."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _subscription_since(conn: Connection, instance_id: str) -> dict[tuple[str, str], Any]:
    """Since when the instance waits for each message it already waited for: a wait that
    outlives the step keeps its start (the stuck cases count from it)."""
    return {(r.message_name, r.activity_id): r.since
            for r in conn.execute(_SUBSCRIPTION_SINCE, {"b_instance": instance_id})}


def _gone_rows(step: Step, gone: list[UUID]) -> dict[str, Any]:
    """Task rows of tasks that left the ready set; the completed one is usually known."""
    rows: dict[str, Any] = {k: v for k, v in step.known_tasks.items()}
    missing = [str(t) for t in gone if str(t) not in rows]
    if missing:
        for row in step.session.connection().execute(
                select(TASK.c.id, TASK.c.activity_id, TASK.c.candidate_groups)
                .where(TASK.c.id.in_(missing))):
            rows[row.id] = row
    return rows


def sync(step: Step, wf: BpmnWorkflow, before: Snapshot, after: Snapshot, *,
         actor: str | None, completing: str | None) -> None:
    """Bring task rows, history, events and subscriptions in line with the workflow."""
    gone = [tid for tid in before.ready if tid not in after.ready]
    rows = _gone_rows(step, gone) if gone else {}
    for tid in gone:
        row = rows.get(str(tid))
        if row is None:
            continue
        spiff_task = wf.get_task_from_id(tid)
        done = spiff_task is not None and spiff_task.has_state(TaskState.COMPLETED)
        groups = tuple(row.candidate_groups or ())
        by = actor if done and completing == row.id else None
        step.writes.closed_tasks.append({"b_id": row.id, "state": "completed" if done
                                         else "cancelled", "completed_at": step.now,
                                         "completed_by": by})
        kind, event = ("task_completed", TaskCompleted) if done else (
            "task_cancelled", TaskCancelled)
        # the form data given, as validated: coordinators read it back in the history
        submitted = step.submitted if done and completing == row.id else None
        step.record(kind, actor=by, activity_id=row.activity_id, task_id=row.id,
                    detail={"data": deepcopy(submitted)} if submitted else None)
        extra = {"actor": by} if done else {"reason": cancel_reason(wf, spiff_task)}
        step.emit(event, task_id=row.id, activity_id=row.activity_id,
                  candidate_groups=groups, **extra)
    step.record_decided()  # after the task that led to them, before the tasks they open
    for tid, spiff_task in after.ready.items():
        if tid not in before.ready:
            add_task_row(step, spiff_task)
    for tid, due in before.timers.items():
        spiff_task = wf.get_task_from_id(tid)
        if spiff_task is None:
            continue
        if tid not in after.timers:
            fired = spiff_task.has_state(TaskState.COMPLETED | TaskState.READY)
        else:  # a cycle timer stays waiting; its next due time moved on when it fired
            fired = due is not None and after.timers[tid] != due
        if fired:
            step.record("timer_fired", activity_id=spiff_task.task_spec.bpmn_id)
    for tid, spiff_task in after.external.items():
        if tid not in before.external:
            step.writes.new_external.append(dict(
                id=str(tid), instance_id=step.instance.id, process_key=step.instance.process_key,
                activity_id=spiff_task.task_spec.bpmn_id,
                topic=spiff_task.task_spec.external_topic, state="available", worker_id=None,
                lock_expires_at=None, retries=None, retry_at=None, error_message=None,
                created_at=step.now, ended_at=None))
            step.record("external_task_created", activity_id=spiff_task.task_spec.bpmn_id,
                        task_id=str(tid), detail={"topic": spiff_task.task_spec.external_topic})
    for tid in before.external:
        if tid not in after.external:
            spiff_task = wf.get_task_from_id(tid)
            done = spiff_task is not None and spiff_task.has_state(TaskState.COMPLETED)
            step.writes.closed_external.append(
                {"b_id": str(tid), "state": "completed" if done else "cancelled",
                 "ended_at": step.now})
    if before.messages != after.messages:
        step.writes.subscriptions = [
            {"instance_id": step.instance.id, "message_name": name,
             "business_key": step.instance.business_key, "activity_id": activity,
             "since": step.now, "beside": activity in after.beside}
            for name, activity in sorted(after.messages)]


def cancel_reason(wf: BpmnWorkflow, spiff_task: Any) -> str | None:
    """Why a ready task left without completion, for its institution: `boundary` when an
    interrupting boundary event of the task (or of a subprocess holding it) fired,
    `event_subprocess` when an interrupting event subprocess ended its scope,
    `closed` when the process ended (a terminate end event), else unknown (None)."""
    task = spiff_task
    while task is not None:
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) and any(
                isinstance(t.task_spec, BoundaryEvent) and t.task_spec.cancel_activity
                and t.has_state(TaskState.READY | TaskState.COMPLETED)
                for t in parent.children):
            return "boundary"
        if task.internal_data.get(INTERRUPTED):
            return "event_subprocess"
        holder = getattr(task.workflow, "parent_task_id", None)
        task = wf.get_task_from_id(holder) if holder is not None else None
    return "closed" if wf.is_completed() else None


def add_task_row(step: Step, spiff_task: Any) -> None:
    spec = spiff_task.task_spec
    attrs = evaluate_attributes(spec, spiff_task.data, step.now)
    task_id = str(spiff_task.id)
    step.writes.new_tasks.append(dict(
        id=task_id, instance_id=step.instance.id, process_key=step.instance.process_key,
        activity_id=spec.bpmn_id, name=spec.bpmn_name, lane=spec.lane,
        candidate_groups=attrs.candidate_groups, candidate_users=attrs.candidate_users,
        assignee=attrs.assignee, priority=attrs.priority, form_key=attrs.form_key,
        due_at=attrs.due_at, follow_up_at=attrs.follow_up_at, ready_at=step.now,
        state="ready", completed_at=None, completed_by=None,
    ))
    step.writes.candidates.extend({"task_id": task_id, "group_id": g, "ready_at": step.now}
                                  for g in dict.fromkeys(attrs.candidate_groups))
    step.record("task_ready", activity_id=spec.bpmn_id, task_id=task_id)
    step.emit(TaskReady, task_id=task_id, activity_id=spec.bpmn_id,
              candidate_groups=tuple(attrs.candidate_groups), assignee=attrs.assignee,
              due_at=attrs.due_at)
