"""Moving a running case to another version of its process, on SpiffWorkflow's own diff.

`SpiffWorkflow.bpmn.util.diff` aligns the task specs of two versions (by BPMN id;
its guess by structure is not used, see `Alignment._diff`) and `migrate_workflow`
swaps a workflow onto the new spec, resetting and re-predicting what waits (READY
and WAITING tasks: their ids are kept). Here that alignment is completed with the
process owner's activity map (`{"old_id": "new_id"}`, Camunda 7's activity
mapping), prepared once per batch (`Alignment`), and each case is moved in memory
(`move`) to learn whether it can go and what its tasks become: kept (same id, or
mapped), cancelled, created. A case that cannot move says why: an active element
the new version lacks and no mapping names, a multi-instance in progress, a
subprocess whose process is gone. An element the case already passed and the new
version lacks is taken out of the case's tree (`_orphans`).

The move in memory writes nothing; `engine.runtime.migration_case` saves it in the
case's own transaction, with the step's compare-and-set.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.camunda.compensation import waits_kept as compensation_waits_kept
from engine.camunda.serializer import CALLED, SpecPair, serializer
from engine.errors import InvalidInput

from .readmodel import Snapshot

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
PREDICTED = TaskState.PREDICTED_MASK | TaskState.FUTURE
MOVABLE_STATUSES = ("running", "incident", "suspended")


def _bpmn_ids(pair: SpecPair) -> set[str]:
    spec, subs = pair
    return {ts.name for process in (spec, *subs.values()) for ts in process.task_specs.values()
            if getattr(ts, "bpmn_id", None)}


def _label(task_spec: Any) -> str:
    """An element as the Modeler shows it: its id and, when it has one, its name."""
    bpmn_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
    name = getattr(task_spec, "bpmn_name", None)
    return f"{bpmn_id} ({name})" if name and name != bpmn_id else str(bpmn_id)


def _activity(task_spec: Any) -> str:
    return str(getattr(task_spec, "bpmn_id", None) or task_spec.name)


@dataclass
class Alignment:
    """The two versions' specs aligned once for a whole batch, the map applied."""

    old: SpecPair
    new: SpecPair
    activity_map: dict[str, str]
    top: SpecDiff = field(init=False)
    subs: dict[str, SpecDiff | None] = field(init=False)

    def __post_init__(self) -> None:
        old_ids, new_ids = _bpmn_ids(self.old), _bpmn_ids(self.new)
        errors: dict[str, list[str]] = {}
        for source, target in self.activity_map.items():
            if source not in old_ids:
                errors.setdefault(f"activity_map.{source}", []).append(
                    f"{source!r} is not an element of the old version")
            if target not in new_ids:
                errors.setdefault(f"activity_map.{source}", []).append(
                    f"{target!r} is not an element of the new version")
        if errors:
            raise InvalidInput("the activity map names elements the versions do not have",
                               errors=errors)
        registry = serializer().registry
        self.top = self._diff(registry, self.old[0], self.new[0])
        self.subs = {name: (self._diff(registry, spec, self.new[1][name])
                            if name in self.new[1] else None)
                     for name, spec in self.old[1].items()}

    def _diff(self, registry: Any, original: Any, new: Any) -> SpecDiff:
        """SpiffWorkflow's diff, aligned by id and by the map only.

        Its structural guess (an element whose neighbours match is taken for its
        successor) would move a case waiting at a removed task to whatever new task
        stands in the same place, routed to another institution perhaps: as in
        Camunda 7, an element with another id moves only where the map says.
        """
        diff = SpecDiff(registry, original, new)
        for name, spec in original.task_specs.items():
            diff.alignment[spec] = new.task_specs.get(name)
        diff.added = [spec for name, spec in new.task_specs.items()
                      if name not in original.task_specs]
        for spec in list(diff.alignment):
            target = self.activity_map.get(spec.name)
            if target is None and spec.name.endswith(" [child]"):
                mapped = self.activity_map.get(spec.name.removesuffix(" [child]"))
                target = f"{mapped} [child]" if mapped else None
            if target is not None and target in new.task_specs:
                diff.alignment[spec] = new.task_specs[target]
                if new.task_specs[target] in diff.added:
                    diff.added.remove(new.task_specs[target])
        return diff


@dataclass
class CaseMove:
    """What moving one case does, or why it cannot."""

    reasons: list[str] = field(default_factory=list)
    #: ready user tasks that stay (same id): {"task_id", "from", "to"}
    kept: list[dict[str, str]] = field(default_factory=list)
    #: ready user tasks that end: {"task_id", "activity_id"}
    cancelled: list[dict[str, str]] = field(default_factory=list)
    #: user tasks that become ready: {"activity_id"} (and "task_id" once saved)
    created: list[dict[str, str]] = field(default_factory=list)
    before: Snapshot | None = None
    #: the activity of each ready task before the move (the move replaces their specs)
    ready_before: dict[Any, str] = field(default_factory=dict)

    @property
    def can_move(self) -> bool:
        return not self.reasons


def move(wf: BpmnWorkflow, alignment: Alignment) -> CaseMove:
    """Move `wf` onto the new version in memory; `CaseMove.reasons` says if it cannot."""
    before = Snapshot.of(wf)
    result = CaseMove(before=before, ready_before={
        tid: _activity(task.task_spec) for tid, task in before.ready.items()})
    _refuse_running_loops(wf, result)
    if result.reasons:
        return result
    timers = {task.id: deepcopy(task.internal_data["event_value"])
              for task in _all_tasks(wf)
              if task.has_state(TaskState.WAITING) and "event_value" in task.internal_data}
    try:
        _migrate(wf, alignment, result)
    except Exception as exc:  # noqa: BLE001 - a state the library cannot move is a reason
        result.reasons.append(
            f"SpiffWorkflow cannot move this state ({type(exc).__name__}: {str(exc)[:200]})")
    if result.reasons:
        return result
    for task in _all_tasks(wf):
        if task.id in timers and task.has_state(TaskState.WAITING):
            task.internal_data["event_value"] = timers[task.id]  # a timer keeps its due time
    _orphans(wf, alignment, result)
    if not result.reasons:
        _describe_tasks(wf, result)
    return result


def _all_tasks(wf: BpmnWorkflow) -> list[Any]:
    return [t for w in (wf, *wf.subprocesses.values()) for t in w.tasks.values()]


def _refuse_running_loops(wf: BpmnWorkflow, result: CaseMove) -> None:
    for task in _all_tasks(wf):
        if not task.has_state(ACTIVE):
            continue
        parent = task.parent.task_spec if task.parent is not None else None
        for spec in (task.task_spec, parent):
            if isinstance(spec, LoopTask):
                label = _label(spec)
                reason = f"multi-instance {label} is in progress: move the case after it ends"
                if reason not in result.reasons:
                    result.reasons.append(reason)


def _migrate(wf: BpmnWorkflow, alignment: Alignment, result: CaseMove) -> None:
    """Check every task has a place in the new version, then let SpiffWorkflow move them."""
    plans: list[tuple[Any, WorkflowDiff, Any]] = []
    top = WorkflowDiff(wf, alignment.top)
    plans.append((wf, top, alignment.new[0]))
    for sp_id, sp in wf.subprocesses.items():
        diff = alignment.subs.get(sp.spec.name)
        called = getattr(wf, CALLED, None) or {}  # from outside the bundle (runtime.called)
        if diff is None and sp.spec.name in called and sp.is_completed():
            continue  # a call that ended keeps the version it ran, restored as before
        if diff is None:
            owner = wf.get_task_from_id(sp_id)
            where = _label(owner.task_spec) if owner is not None else sp.spec.name
            if sp.spec.name in called:
                result.reasons.append(
                    f"subprocess {where} runs process {sp.spec.name!r}, called from outside "
                    "the bundle when the case reached it: migrate the case once the call "
                    "has ended")
                continue
            result.reasons.append(
                f"subprocess {where} runs process {sp.spec.name!r}, "
                "which the new version does not have")
            continue
        plans.append((sp, WorkflowDiff(sp, diff), alignment.new[1][sp.spec.name]))
    for _, diff, _ in plans:
        for task in diff.removed:
            label = _label(task.task_spec)
            if task.has_state(ACTIVE):
                result.reasons.append(
                    f"active element {label} is not in the new version and no mapping names "
                    f"it: map it (\"{_activity(task.task_spec)}\": \"NEW_ID\")")
    if result.reasons:
        return
    wf.subprocess_specs = dict(alignment.new[1])
    for workflow, diff, spec in plans:
        with compensation_waits_kept(workflow):  # a compensation throw keeps its handlers
            migrate_workflow(diff, workflow, spec)


def _orphans(wf: BpmnWorkflow, alignment: Alignment, result: CaseMove) -> None:
    """Tasks left on a spec of the old version: a prediction is dropped, a past one spliced.

    The stored state names each task's spec, and one the new version lacks could not
    be read back. A prediction of the old path is removed; an element the case already
    passed is taken out of the tree, its children hung on its parent (the case's
    history table keeps its record), as if the new version had always been drawn so.
    A past element that cannot be taken out (the root, or the owner of a subprocess)
    refuses the case unless it is mapped.
    """
    for workflow in (wf, *wf.subprocesses.values()):
        specs = workflow.spec.task_specs
        for task in list(workflow.tasks.values()):
            if task.id not in workflow.tasks or specs.get(task.task_spec.name) is task.task_spec:
                continue
            if task.has_state(PREDICTED) and task.parent is not None:
                workflow._remove_task(task.id)  # a prediction of the old path
                continue
            if (task.has_state(TaskState.COMPLETED | TaskState.CANCELLED)
                    and task.parent is not None and task.id not in wf.subprocesses):
                _splice(workflow, task)
                continue
            label = _label(task.task_spec)
            result.reasons.append(
                f"element {label}, which this case already passed, is not in the new version: "
                f"map it (\"{_activity(task.task_spec)}\": \"NEW_ID\") to keep the case's path")


def _splice(workflow: Any, task: Any) -> None:
    """Take a finished task out of the tree; its children become its parent's."""
    parent = task.parent
    at = parent._children.index(task.id)
    parent._children[at:at + 1] = list(task._children)
    for child in task.children:
        child.parent = parent
    del workflow.tasks[task.id]


def _describe_tasks(wf: BpmnWorkflow, result: CaseMove) -> None:
    after = Snapshot.of(wf)
    for tid, old in result.ready_before.items():
        now = after.ready.get(tid)
        if now is None:
            result.cancelled.append({"task_id": str(tid), "activity_id": old})
        else:
            result.kept.append({"task_id": str(tid), "from": old,
                                "to": _activity(now.task_spec)})
    for tid, task in after.ready.items():
        if tid not in result.ready_before:
            result.created.append({"activity_id": _activity(task.task_spec),
                                   "task_id": str(tid)})
