"""Camunda 7 transaction boundaries (`camunda:asyncBefore` / `camunda:asyncAfter`) on activities.

In Camunda 7 an async boundary commits the transaction there and leaves a job
that the job executor runs later: a service task after `asyncBefore` that
fails leaves the user's completion committed and opens an incident at the
service task once the tries of `camunda:failedJobRetryTimeCycle` are spent.
ciiflow does the same with SpiffWorkflow's own hooks, subclassed here:

- `asyncBefore`: when the activity's task would become READY, it stays WAITING,
  held (`internal_data[HELD] = "before"`), so the step that reached it ends
  there and commits;
- `asyncAfter`: the activity completes, but its children are not updated, so
  nothing after it runs in that step (`internal_data[HELD] = "after"`).

Every hold is announced on the top workflow (`take_new_holds`), so the step
writes one job row per hold in its transaction; the runtime's job runner
(`engine.runtime.jobs`) later releases the hold (`release`) and runs on to the
next wait state in a step of its own. Which kinds of element carry a real
boundary, and what is refused by name instead, is `engine.camunda.async_lint.boundary_finding`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.expressions.functions import is_duration

BOUNDARIES = frozenset({"asyncBefore", "asyncAfter"})
"""The camunda: attributes that mark a transaction boundary in Camunda 7."""

RETRY_CYCLE = "failedJobRetryTimeCycle"
HELD = "ciiflow_job"
"""`internal_data` key of a task held at a boundary: "before" or "after"."""
_RELEASED = "ciiflow_job_released"
_NEW_HOLDS = "_ciiflow_new_holds"

ASYNC_ACTIVITIES = frozenset({
    "userTask", "serviceTask", "sendTask", "businessRuleTask", "task", "manualTask",
    "subProcess", "callActivity",
})
"""Elements whose spec class carries `AsyncBoundaryMixin` (engine.camunda.activities)."""

DEFAULT_TRIES = 3
"""Camunda 7 runs a failing job three times in all, without waiting, when no cycle is set."""


def is_boundary(value: str | None) -> bool:
    """Camunda reads the attribute as a boolean; the Modeler writes "true" when ticked."""
    return (value or "").strip().lower() == "true"


# -- the retry cycle -----------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """How often a failing job runs in all, and the wait before each next try."""

    tries: int
    waits: tuple[timedelta, ...]

    def wait_after(self, attempt: int) -> timedelta:
        """The wait after the `attempt`-th failure (1-based)."""
        if not self.waits:
            return timedelta(0)
        return self.waits[min(attempt, len(self.waits)) - 1]


_REPEAT = re.compile(r"R(\d+)/(P\S+)")


def _duration(text: str) -> timedelta:
    parts = TimerEventDefinition.parse_iso_duration(text)
    if parts.get("years") or parts.get("months"):
        raise ValueError(f"{text!r} counts months or years, which have no fixed length")
    return timedelta(weeks=parts.get("weeks", 0), days=parts.get("days", 0),
                     hours=parts.get("hours", 0), minutes=parts.get("minutes", 0),
                     seconds=parts.get("seconds", 0))


def retry_policy(cycle: str | None) -> RetryPolicy:
    """Camunda's reading of `failedJobRetryTimeCycle`.

    `Rn/<duration>`: n tries in all (Camunda sets the job's retries to n at its
    first failure and counts that failure), `<duration>` apart; a comma-separated
    list of durations `PT1M,PT5M`: one try more than waits. No cycle: three tries,
    no wait. A malformed value raises ValueError naming what is wrong.
    """
    text = (cycle or "").strip()
    if not text:
        return RetryPolicy(DEFAULT_TRIES, ())
    match = _REPEAT.fullmatch(text)
    if match is not None:
        tries = int(match.group(1))
        if tries < 1 or not is_duration(match.group(2)):
            raise ValueError(f"{text!r} is not Rn/<ISO 8601 duration> with n >= 1")
        return RetryPolicy(tries, (_duration(match.group(2)),))
    pieces = [p.strip() for p in text.split(",")]
    if not all(is_duration(p) for p in pieces):
        raise ValueError(f"{text!r} is neither Rn/<ISO 8601 duration> (e.g. R3/PT5M) nor a "
                         "comma-separated list of ISO 8601 durations (e.g. PT1M,PT10M)")
    return RetryPolicy(len(pieces) + 1, tuple(_duration(p) for p in pieces))


def check_retry_cycle(text: str | None) -> str | None:
    """Why a `failedJobRetryTimeCycle` value is refused, or None when Camunda would take it."""
    if text is not None and "${" in text:
        return f"{text!r} is an expression; ciiflow reads the cycle as written (e.g. R3/PT5M)"
    try:
        retry_policy(text)
    except ValueError as error:
        return str(error)
    return None


# -- what the parser keeps -----------------------------------------------------

def parse_boundaries(node: Any, camunda_ns: str) -> dict[str, Any]:
    """The activity's boundaries and retry cycle, for `extensions["camunda"]`."""
    kept: dict[str, Any] = {}
    for name in sorted(BOUNDARIES):
        if is_boundary(node.get(f"{{{camunda_ns}}}{name}")):
            kept[name] = True
    if kept:
        cycle = node.find(f"./{{*}}extensionElements/{{{camunda_ns}}}{RETRY_CYCLE}")
        if cycle is not None and (cycle.text or "").strip():
            kept[RETRY_CYCLE] = cycle.text.strip()
    return kept


def _setting(spec: Any, name: str) -> Any:
    own = getattr(spec, "boundaries", None)  # a start event's (engine.camunda.async_start)
    if own is not None:
        return own.get(name)
    return ((getattr(spec, "extensions", None) or {}).get("camunda") or {}).get(name)


def retry_cycle_of(spec: Any) -> str | None:
    return _setting(spec, RETRY_CYCLE)


# -- the specs -----------------------------------------------------------------

def holding_class(task: Any, parser: Any, classes: dict[type, type]) -> type:
    """The holding class for a spec drawn with a boundary; a spec class this flavour does
    not know (a subclass added later) is refused at parse time, never run without its
    boundary."""
    held_class = classes.get(type(task))
    if held_class is None:
        raise ValidationException(
            f"camunda:asyncBefore/asyncAfter on {task.bpmn_id!r} ({type(task).__name__}) has "
            "no transaction boundary in ciiflow", node=parser.node, file_name=parser.filename)
    return held_class


class AsyncBoundaryMixin:
    """Holds an activity's task at its boundaries until the job runner releases it."""

    def _update_hook(self, my_task: Any) -> Any:
        if (_setting(self, "asyncBefore") and not my_task.internal_data.get(_RELEASED)
                and not _held_by_split(my_task)):
            if my_task.internal_data.get(HELD) != "before":
                my_task.internal_data[HELD] = "before"
                my_task._inherit_data()  # the case's variables show while the job waits
                _announce(my_task, "before")
            my_task._set_state(TaskState.WAITING)
            return False
        return super()._update_hook(my_task)  # type: ignore[misc]

    def _on_complete(self, my_task: Any) -> None:
        if not _setting(self, "asyncAfter") or my_task.internal_data.get(_RELEASED) == "after":
            super()._on_complete(my_task)  # type: ignore[misc]
            return
        _drop_boundary_events(my_task)
        my_task.internal_data[HELD] = "after"  # before the hook: a loop's merge waits too
        # TaskSpec._on_complete without updating the children: the job does that
        self._on_complete_hook(my_task)  # type: ignore[attr-defined]
        _announce(my_task, "after")
        my_task.workflow._task_completed_notify(my_task)


def _held_by_split(task: Any) -> bool:
    """The activity's asyncBefore hold sat on the split before it
    (`engine.camunda.async_wrapped`), which the job released: not a second time here."""
    parent = task.parent
    return parent is not None and getattr(parent.task_spec, "held_activity", None) is not None


def _drop_boundary_events(task: Any) -> None:
    """Cancel the waiting boundary events of an activity held after it completed, as the
    join after it would: in Camunda 7 they end with the activity, before its job."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return
    for sibling in parent.children:
        if (sibling is not task and isinstance(sibling.task_spec, BoundaryEvent)
                and sibling.state == TaskState.WAITING):
            sibling.cancel()


def activity_of(spec: Any) -> str:
    """The BPMN element a hold belongs to (a wrapper's is the activity it wraps)."""
    return getattr(spec, "held_activity", None) or spec.bpmn_id


def _announce(task: Any, kind: str) -> None:
    top = getattr(task.workflow, "top_workflow", task.workflow)
    top.__dict__.setdefault(_NEW_HOLDS, []).append((task, kind))


@dataclass(frozen=True)
class Hold:
    """A task held at a boundary during a step: the job to write."""

    task_id: str
    activity_id: str
    kind: str
    retry_cycle: str | None


def take_new_holds(wf: Any) -> list[Hold]:
    """The holds made since the last call on this workflow, still held."""
    holds = wf.__dict__.pop(_NEW_HOLDS, None)
    if not holds:
        return []
    return [Hold(str(task.id), activity_of(task.task_spec), kind, retry_cycle_of(task.task_spec))
            for task, kind in holds if held(task) == kind]


def held(task: Any) -> str | None:
    """"before" or "after" when `task` waits for its job, else None."""
    kind = task.internal_data.get(HELD)
    if kind == "before":
        return kind if task.has_state(TaskState.WAITING) else None
    if kind == "after" and task.has_state(TaskState.COMPLETED):
        if any(not child.has_state(TaskState.FINISHED_MASK) for child in task.children):
            return kind
        if _unmerged_instance(task):
            return kind
    return None


def awaits_job(task: Any) -> bool:
    """A multi-instance instance held after it completed: its loop merges it only when
    its job runs (`engine.camunda.multiinstance`)."""
    return task.internal_data.get(HELD) == "after"


def _unmerged_instance(task: Any) -> bool:
    """An instance of a running multi-instance loop that the loop has not merged yet."""
    parent = task.parent
    if parent is None or not parent.has_state(TaskState.STARTED):
        return False
    merged = parent.internal_data.get("merged")
    return (isinstance(merged, list) and str(task.id) not in merged
            and getattr(parent.task_spec, "task_spec", None) == task.task_spec.name)


def release(task: Any) -> None:
    """Let a held task go on: run it (before) or update what follows it (after)."""
    kind = held(task)
    if kind is None:
        raise ValueError(f"task {task.id} of {task.task_spec.bpmn_id!r} is not held")
    instance = kind == "after" and _unmerged_instance(task)
    task.internal_data.pop(HELD, None)
    task.internal_data[_RELEASED] = kind
    if kind == "before":
        task.task_spec._update(task)
        return
    if instance:  # the loop counts the instance now, as Camunda's job ends it
        task.parent.task_spec.merge_child(task.workflow, task)
    for child in task.children:
        if not child.has_state(TaskState.FINISHED_MASK):
            child.task_spec._update(child)
    task.workflow.update_waiting_tasks()
