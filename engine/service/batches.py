"""Batches: one operation on many incidents or tasks, each in its own transaction.

Camunda's batch operations, for coordinators: retry every open incident of an
activity, release or reassign many tasks. The targets are chosen by their ids or
by an activity of a process (the open incidents there, the ready tasks there, or
for a release the claimed ones); a dry run answers which cases would be
concerned, writing nothing. A real run applies the single-item operation of the
service layer to each target in turn, so one item's failure (a task completed
meanwhile, a retry that fails again) is reported on that item and leaves the
others alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.errors import EngineError, InvalidInput, NotAllowed
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.service.tasks import _group_list
from engine.store import activity_stats

OPERATIONS = ("retry", "release", "reassign")
#: the most targets one batch takes; a larger selection answers `more: true`
MAX_ITEMS = 500


@dataclass
class BatchItem:
    """One target of a batch and what became of it."""

    instance_id: str | None
    business_key: str | None
    incident_id: int | None = None
    task_id: str | None = None
    #: planned (a dry run) | ok | error
    status: str = "planned"
    #: the error's kind (NotFound, Conflict, ...) or, for a retry failing again, Incident
    error: str | None = None
    detail: str | None = None


@dataclass
class BatchReport:
    operation: str
    dry_run: bool
    items: list[BatchItem] = field(default_factory=list)
    #: the selection held more than MAX_ITEMS targets: run the batch again for the rest
    more: bool = False

    @property
    def ok(self) -> int:
        return sum(1 for i in self.items if i.status == "ok")

    @property
    def failed(self) -> int:
        return sum(1 for i in self.items if i.status == "error")

    def as_dict(self) -> dict[str, Any]:
        return {"operation": self.operation, "dry_run": self.dry_run, "more": self.more,
                "total": len(self.items), "ok": self.ok, "failed": self.failed,
                "items": [asdict(i) for i in self.items]}


class BatchService(ServiceBase):
    def batch(self, operation: str, *, caller: Caller, process_key: str | None = None,
              version: int | None = None, activity_id: str | None = None,
              incident_ids: Sequence[int] | None = None, task_ids: Sequence[str] | None = None,
              groups: Any = None, reason: str | None = None,
              data: Mapping[str, Any] | None = None, dry_run: bool = False) -> BatchReport:
        """Run (or with `dry_run` plan) `operation` on its targets, each in its own
        transaction; coordinators and admins only.

        `retry` takes `incident_ids` or `process_key` + `activity_id` (its open incidents)
        and optional corrected `data`; `release` and `reassign` take `task_ids` or
        `process_key` + `activity_id` (its claimed tasks for a release, its ready tasks
        for a reassignment); `reassign` needs `groups` and a `reason`. `version` narrows
        an activity to one version of the process.
        """
        if operation not in OPERATIONS:
            raise InvalidInput(f"operation must be one of {', '.join(OPERATIONS)}",
                               field="operation")
        if not caller.reads_all:
            raise NotAllowed("only a coordinator or an admin runs batches")
        if operation == "reassign":
            groups = _group_list(groups)
            if not (reason or "").strip():
                raise InvalidInput("a reason is required", field="reason")
        report = BatchReport(operation, dry_run)
        report.items, report.more = self._targets(
            operation, process_key, version, activity_id, incident_ids, task_ids)
        if dry_run:
            return report
        for item in report.items:
            if item.status == "error":
                continue
            try:
                self._apply(operation, item, caller, groups, reason, data)
                item.status = "ok"
            except EngineError as error:
                item.status, item.error, item.detail = "error", type(error).__name__, str(error)
        return report

    def _targets(self, operation: str, process_key: str | None, version: int | None,
                 activity_id: str | None, incident_ids: Sequence[int] | None,
                 task_ids: Sequence[str] | None) -> tuple[list[BatchItem], bool]:
        ids: Sequence[Any] | None = incident_ids if operation == "retry" else task_ids
        name = "incident_ids" if operation == "retry" else "task_ids"
        other = "task_ids" if operation == "retry" else "incident_ids"
        if (task_ids if operation == "retry" else incident_ids):
            raise InvalidInput(f"a {operation} batch takes {name}, not {other}", field=other)
        if ids is not None and activity_id is not None:
            raise InvalidInput(f"give {name} or an activity, not both", field=name)
        if ids is None:
            if not process_key or not activity_id:
                raise InvalidInput(f"give {name}, or process_key and activity_id",
                                   field="activity_id" if process_key else "process_key")
            return self._at_activity(operation, process_key, version, activity_id)
        if not ids:
            raise InvalidInput(f"{name} is empty", field=name)
        if len(ids) > MAX_ITEMS:
            raise InvalidInput(f"at most {MAX_ITEMS} ids per batch", field=name)
        unique = list(dict.fromkeys(ids))
        with self.readers() as session:
            if operation == "retry":
                incidents = activity_stats.incidents_by_id(session, unique)
                return [_incident_item(*incidents[i]) if i in incidents
                        else _missing(incident_id=i) for i in unique], False
            tasks = activity_stats.tasks_by_id(session, unique)
            return [_task_item(*tasks[t], claimed=operation == "release") if t in tasks
                    else _missing(task_id=t) for t in unique], False

    def _at_activity(self, operation: str, process_key: str, version: int | None,
                     activity_id: str) -> tuple[list[BatchItem], bool]:
        with self.readers() as session:
            if operation == "retry":
                rows = activity_stats.open_incidents_at(session, process_key, version,
                                                        activity_id, limit=MAX_ITEMS + 1)
                items = [_incident_item(i, key) for i, key in rows]
            else:
                tasks = activity_stats.ready_tasks_at(
                    session, process_key, version, activity_id,
                    claimed_only=operation == "release", limit=MAX_ITEMS + 1)
                items = [_task_item(t, key) for t, key in tasks]
        return items[:MAX_ITEMS], len(items) > MAX_ITEMS

    def _apply(self, operation: str, item: BatchItem, caller: Caller, groups: Any,
               reason: str | None, data: Mapping[str, Any] | None) -> None:
        if operation == "retry":
            assert item.incident_id is not None
            outcome = self.retry_incident(  # type: ignore[attr-defined]
                item.incident_id, data=data, actor=caller.name, reason=reason)
            if outcome.incident is not None:
                raise FailedAgain(outcome.incident.message)
        elif operation == "release":
            self.release_task(item.task_id, caller, reason=reason)  # type: ignore[attr-defined]
        else:
            self.reassign_task(item.task_id, groups, reason=reason,  # type: ignore[attr-defined]
                               caller=caller)


class FailedAgain(EngineError):
    """A retried step that failed again: its incident stays open with the new message."""


def _incident_item(incident: Any, business_key: str | None) -> BatchItem:
    item = BatchItem(incident.instance_id, business_key, incident_id=incident.id)
    if incident.status != "open":
        item.status, item.error = "error", "Conflict"
        item.detail = f"incident {incident.id} is {incident.status}"
    return item


def _task_item(task: Any, business_key: str | None, *, claimed: bool = False) -> BatchItem:
    """A task target; one that cannot be done (not ready, or not claimed for a release) is
    an error from the start, so a dry run counts only the cases a run would change."""
    item = BatchItem(task.instance_id, business_key, task_id=task.id)
    if task.state != "ready":
        item.status, item.error = "error", "TaskNotReady"
        item.detail = f"task {task.id} is {task.state}"
    elif claimed and task.assignee is None:
        item.status, item.error = "error", "Conflict"
        item.detail = f"task {task.id} is not claimed"
    return item


def _missing(*, incident_id: int | None = None, task_id: str | None = None) -> BatchItem:
    what = f"incident {incident_id}" if incident_id is not None else f"task {task_id}"
    return BatchItem(None, None, incident_id=incident_id, task_id=task_id, status="error",
                     error="NotFound", detail=f"no {what}")
