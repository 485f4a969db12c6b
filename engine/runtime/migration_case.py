"""Migrating a batch of cases, each in its own transaction with the step's compare-and-set.

A batch is a list of case ids read first; each case is then loaded, moved
(`engine.runtime.migration.move`) and saved in a transaction of its own, so a
batch of 10,000 never holds one long transaction and no case is ever half
migrated: its state, version, task rows, subscriptions, timer column, external
tasks, history and events commit together or not at all, and a concurrent step
on the same case makes the compare-and-set fail (the case is reported, not moved).

What follows a moved case:

* a ready task that stays (same id, or mapped) keeps its id, claim and due date;
  its candidate groups are evaluated again (institutions that lose or gain it hear
  of it as a reassignment), its activity, name, lane and form follow the new element;
* a ready task that ends is cancelled (`task.cancelled`, reason `migrated`), a new
  one is ready (`task.ready`), message subscriptions and the next timer are
  recomputed and external tasks follow their element;
* a waiting task mapped onto automatic work (a service task, a gateway) is cancelled
  and the work runs at once, as after any step;
* a `migrated` history row names both versions, the mapping used and the actor;
* a case in incident stays in incident, unless the element that failed was mapped
  away: the failed operation is then retried on the new version (success resolves
  the incident, failure keeps it open).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from engine import clock as clock_module
from engine.camunda.serializer import dump_state
from engine.camunda.taskattrs import evaluate_attributes
from engine.errors import ConcurrentUpdate, InvalidInput, NotFound
from engine.store.jobs import jobs_of
from engine.store.models import ExternalTask, Incident, Instance, Task, TaskCandidate

from . import definitions
from .domain_events import IncidentResolved, TaskCancelled, TaskReassigned
from .migration import MOVABLE_STATUSES, Alignment, CaseMove, move
from .readmodel import Snapshot, next_timer_at, sync
from .step import Step, run_engine

if TYPE_CHECKING:
    from .parts import EngineParts as Engine

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MigrationRequest:
    process_key: str
    from_version: int
    to_version: int
    activity_map: dict[str, str] = field(default_factory=dict)
    instance_ids: tuple[str, ...] | None = None
    dry_run: bool = True


@dataclass
class CasePlan:
    """One case of a batch: whether it can move (or moved), what its tasks become."""

    instance_id: str
    status: str | None
    can_move: bool
    migrated: bool = False
    reasons: list[str] = field(default_factory=list)
    kept: list[dict[str, str]] = field(default_factory=list)
    cancelled: list[dict[str, str]] = field(default_factory=list)
    created: list[dict[str, str]] = field(default_factory=list)
    #: for a case in incident: {"activity_id", "outcome"}: stays-open | retried | resolved
    incident: dict[str, Any] | None = None


@dataclass
class MigrationReport:
    request: MigrationRequest
    cases: list[CasePlan]

    def as_dict(self) -> dict[str, Any]:
        """The plan or outcome as the API answers it and `ciiflow migrate --json` prints it."""
        request = self.request
        return {"process_key": request.process_key, "from_version": request.from_version,
                "to_version": request.to_version, "activity_map": dict(request.activity_map),
                "dry_run": request.dry_run, "counts": self.counts,
                "cases": [asdict(case) for case in self.cases]}

    @property
    def counts(self) -> dict[str, int]:
        return {"cases": len(self.cases),
                "can_move": sum(1 for c in self.cases if c.can_move),
                "cannot_move": sum(1 for c in self.cases if not c.can_move),
                "migrated": sum(1 for c in self.cases if c.migrated)}


def prepare(engine: Engine, request: MigrationRequest) -> tuple[Alignment, int, int, list[str]]:
    """Check the request, align the versions once, list the cases (in a short read)."""
    if request.from_version == request.to_version:
        raise InvalidInput("from_version and to_version are the same version",
                           field="to_version")
    with engine.readers() as session:
        old = _version(session, request.process_key, request.from_version, "from_version")
        new = _version(session, request.process_key, request.to_version, "to_version")
        old_specs = engine.runtime.specs.get(old.id, lambda: old.spec)
        new_specs = engine.runtime.specs.get(new.id, lambda: new.spec)
        if request.instance_ids is not None:
            ids = list(dict.fromkeys(request.instance_ids))
        else:
            ids = list(session.scalars(
                select(Instance.id).where(Instance.process_key == request.process_key,
                                          Instance.definition_version == request.from_version,
                                          Instance.status.in_(MOVABLE_STATUSES))
                .order_by(Instance.started_at, Instance.id)))
    return Alignment(old_specs, new_specs, dict(request.activity_map)), old.id, new.id, ids


def _version(session: Session, key: str, version: int, name: str) -> Any:
    try:
        return definitions.get(session, key, version)
    except NotFound:
        raise InvalidInput(f"process {key!r} has no version {version}", field=name) from None


def migrate(engine: Engine, request: MigrationRequest, *, actor: str | None,
            progress: Progress | None = None) -> MigrationReport:
    """Plan (dry run) or migrate every case of the request, one transaction each."""
    alignment, _, new_id, ids = prepare(engine, request)
    cases = []
    for done, instance_id in enumerate(ids, start=1):
        cases.append(migrate_one(engine, request, alignment, new_id, instance_id, actor=actor))
        if progress is not None:
            progress(done, len(ids))
    return MigrationReport(request, cases)


def migrate_one(engine: Engine, request: MigrationRequest, alignment: Alignment, new_id: int,
                instance_id: str, *, actor: str | None) -> CasePlan:
    try:
        if request.dry_run:
            with engine.readers() as session:
                try:
                    return _case(engine, session, request, alignment, new_id, instance_id,
                                 actor)
                finally:
                    session.rollback()
        with engine.sessions.begin() as session:
            return _case(engine, session, request, alignment, new_id, instance_id, actor)
    except ConcurrentUpdate:
        return CasePlan(instance_id, None, False, reasons=[
            "the case was advanced by someone else meanwhile: run the migration again"])
    except Exception as exc:  # noqa: BLE001 - one case's failure must not stop the batch
        # rolled back with its transaction; the log names the case, never its data
        log.warning("migration of instance %s failed: %s", instance_id, type(exc).__name__)
        return CasePlan(instance_id, None, False, reasons=[
            f"the move failed and nothing of it was written ({type(exc).__name__})"])


def _case(engine: Engine, session: Session, request: MigrationRequest, alignment: Alignment,
          new_id: int, instance_id: str, actor: str | None) -> CasePlan:
    instance = session.get(Instance, instance_id)
    if instance is None:
        return CasePlan(instance_id, None, False, reasons=["no case with this id"])
    plan = CasePlan(instance_id, instance.status, False)
    if (instance.process_key != request.process_key
            or instance.definition_version != request.from_version):
        plan.reasons.append(f"the case runs version {instance.definition_version} of "
                            f"{instance.process_key!r}, not version {request.from_version} "
                            f"of {request.process_key!r}")
    if instance.status not in MOVABLE_STATUSES:
        plan.reasons.append(f"the case is {instance.status}")
    held = sorted({job.activity_id for job in jobs_of(session, instance_id)})
    if held:  # its task is held outside any diff SpiffWorkflow knows (async boundaries)
        plan.reasons.append(f"the case waits on a job at {', '.join(map(repr, held))} "
                            "(camunda:asyncBefore/asyncAfter): migrate it once a worker "
                            "has run the job")
    if plan.reasons:
        return plan
    step = Step(engine.runtime, session, instance)
    wf = step.load()
    with clock_module.using(engine.runtime.clock), session.no_autoflush:
        moved = move(wf, alignment)
    plan.can_move, plan.reasons = moved.can_move, list(moved.reasons)
    plan.kept, plan.cancelled = moved.kept, moved.cancelled
    plan.created = [{"activity_id": c["activity_id"]} for c in moved.created]
    incident = _open_incident(session, instance) if instance.status == "incident" else None
    retry = incident is not None and incident.activity_id in request.activity_map
    if incident is not None:
        plan.incident = {"activity_id": incident.activity_id,
                         "outcome": "retried" if retry else "stays-open"}
    if not plan.can_move or request.dry_run:
        return plan
    _save(engine, step, wf, moved, request, new_id, actor)
    plan.migrated = True
    plan.created = [dict(c) for c in moved.created]
    if retry and incident is not None:
        plan.incident = {"activity_id": incident.activity_id,
                         "outcome": _retry(step, wf, incident, actor)}
    elif instance.status == "running" and _automatic_work(wf):
        # a waiting task mapped onto an automatic one (a service task, a gateway):
        # it runs now, as after any step, so the case does not sit on work nobody does
        step.advance(wf, run_engine, actor=actor, operation={"op": "run"})
    return plan


def _automatic_work(wf: Any) -> bool:
    return any(t.has_state(TaskState.READY) and not t.task_spec.manual
               for w in (wf, *wf.subprocesses.values()) for t in w.tasks.values())


def _open_incident(session: Session, instance: Instance) -> Incident | None:
    return session.scalars(select(Incident).where(
        Incident.instance_id == instance.id, Incident.status == "open")
        .order_by(Incident.id.desc()).limit(1)).first()


def _save(engine: Engine, step: Step, wf: Any, moved: CaseMove, request: MigrationRequest,
          new_id: int, actor: str | None) -> None:
    """Read models, history and state of the moved case, after its compare-and-set."""
    assert moved.before is not None
    after = Snapshot.of(wf)
    with clock_module.using(engine.runtime.clock), step.session.no_autoflush:
        sync(step, wf, moved.before, after, actor=actor, completing=None)
        kept = [(tid, after.ready[tid]) for tid in moved.before.ready if tid in after.ready]
        kept_external = [(tid, t) for tid, t in after.external.items()
                         if tid in moved.before.external]
        timer_at = next_timer_at(wf)
    step.events = [replace(e, reason="migrated") if isinstance(e, TaskCancelled) else e
                   for e in step.events]
    step.record("migrated", actor=actor, detail={
        "from_version": request.from_version, "to_version": request.to_version,
        "activity_map": dict(request.activity_map) or None, "kept": len(moved.kept),
        "cancelled": len(moved.cancelled), "created": len(moved.created)})
    status = step.instance.status
    step.cas_update(state=dump_state(wf), status=status, definition_id=new_id,
                    definition_version=request.to_version,
                    next_timer_at=None if status == "completed" else timer_at)
    _update_kept(step, kept, actor)
    conn = step.session.connection()
    for tid, task in kept_external:
        conn.execute(update(ExternalTask.__table__).where(ExternalTask.id == str(tid)).values(
            activity_id=task.task_spec.bpmn_id, topic=task.task_spec.external_topic))
    step.flush_records()


def _update_kept(step: Step, kept: Sequence[tuple[Any, Any]], actor: str | None) -> None:
    """A kept task keeps its id, claim and due date; routing follows the new element."""
    if not kept:
        return
    conn = step.session.connection()
    rows = {r.id: r for r in conn.execute(select(
        Task.id, Task.candidate_groups, Task.assignee, Task.due_at, Task.ready_at,
        Task.state).where(
        Task.id.in_([str(tid) for tid, _ in kept])))}
    for tid, spiff_task in kept:
        row = rows.get(str(tid))
        if row is None or row.state != "ready":
            continue
        spec = spiff_task.task_spec
        attrs = evaluate_attributes(spec, spiff_task.data, step.now)
        conn.execute(update(Task.__table__).where(Task.id == row.id).values(
            activity_id=spec.bpmn_id, name=spec.bpmn_name, lane=spec.lane,
            form_key=attrs.form_key, candidate_groups=attrs.candidate_groups,
            candidate_users=attrs.candidate_users))
        old_groups = tuple(row.candidate_groups or ())
        new_groups = tuple(attrs.candidate_groups)
        if set(old_groups) == set(new_groups):
            continue
        conn.execute(delete(TaskCandidate.__table__).where(TaskCandidate.task_id == row.id))
        if new_groups:
            conn.execute(insert(TaskCandidate.__table__),
                         [{"task_id": row.id, "group_id": g, "ready_at": row.ready_at}
                          for g in dict.fromkeys(new_groups)])
        step.emit(TaskReassigned, task_id=row.id, activity_id=spec.bpmn_id,
                  old_groups=old_groups, new_groups=new_groups, actor=actor, due_at=row.due_at)


def _retry(step: Step, wf: Any, incident: Incident, actor: str | None) -> str:
    """The failed operation again, on the new version: the failing element was mapped away."""
    from .incidents import _action

    operation = dict(incident.operation)
    if operation.get("op") == "external_task":
        return "stays-open"
    step.retrying = incident
    try:
        action = _action(wf, operation, {})
    except Exception:  # noqa: BLE001 - e.g. the task to complete is gone: stays open
        return "stays-open"
    outcome = step.advance(wf, action, actor=actor, operation=operation,
                           completing=operation.get("task_id"))
    if outcome.incident is not None:
        return "retried-failed-again"
    incident.status, incident.resolved_at, incident.resolved_by = "resolved", step.now, actor
    step.record("incident_resolved", actor=actor, activity_id=incident.activity_id,
                detail={"incident_id": incident.id})
    step.emit(IncidentResolved, incident_id=incident.id, actor=actor)
    step.flush_records()
    return "resolved"
