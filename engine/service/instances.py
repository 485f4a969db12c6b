"""Cases: start one (checked against its start form), read, list, suspend, resume, terminate."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from copy import deepcopy
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.camunda.form_input import check_form, start_form
from engine.camunda.serializer import dump_state
from engine.errors import InvalidInput, NotFound
from engine.runtime import definitions
from engine.runtime.administration import TRANSITIONS, set_status
from engine.runtime.position import waiting_at
from engine.runtime.step import Step, StepOutcome, merged, run_engine
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.service.languages import spec_finder, task_names, waits_named
from engine.service.paging import Page, bounded
from engine.service.views import CaseDetail
from engine.store import queries
from engine.store.access_log import AccessLog
from engine.store.models import Instance

ACTIONS = tuple(TRANSITIONS)


class InstanceService(ServiceBase):
    def start(self, process_key: str, business_key: str | None = None,
              data: Mapping[str, Any] | None = None, *, actor: str | None = None,
              caller: Caller | None = None, version: int | None = None) -> StepOutcome:
        """Start a case; `data` must satisfy the start event's form when the process has one.

        With a `caller`, the outcome also lists the case's ready tasks the caller may see,
        read in the same transaction.
        """
        actor = caller.name if caller else actor
        with self.sessions.begin() as session:
            definition = definitions.get(session, process_key, version)
            form = start_form(definition)
            initial = merged(data)
            if form:
                initial = check_form(form, initial, what="the start form")
            specs = self.runtime.specs.get(definition.id, lambda: definition.spec)
            wf = BpmnWorkflow(specs[0], dict(specs[1]),
                              script_engine=self.runtime.script_engine())
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
            outcome = step.advance(wf, run_engine, actor=actor, operation={"op": "run"})
            if caller is not None:
                outcome.ready_tasks = [t for t in queries.ready_tasks(session, instance.id)
                                       if caller.sees_groups(t.candidate_groups)]
            return outcome

    def instance(self, instance_id: str) -> Instance:
        with self.readers() as session:
            return queries.existing(session, Instance, instance_id, "instance")

    def instances(self, *, process_key: str | None = None, status: str | None = None,
                  business_key: str | None = None, started_after: datetime | None = None,
                  started_before: datetime | None = None, waiting_at: str | None = None,
                  limit: int = 50, offset: int = 0,
                  caller: Caller | None = None) -> Page[Instance]:
        """Cases, newest first, by process, status, business key, start time or the
        activity they wait at. A caller's read is logged: one row per list."""
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            rows = queries.list_instances(
                session, process_key=process_key, status=status, business_key=business_key,
                started_after=started_after, started_before=started_before,
                waiting_at=waiting_at, limit=limit, offset=offset)
        page = Page.of(rows, limit, offset)
        if caller is not None:
            self.record_list_read(  # type: ignore[attr-defined]
                caller, "instance_list", (i.id for i in page.items))
        return page

    def case(self, instance_id: str, caller: Caller,
             language: str | None = None) -> CaseDetail:
        """One case as `caller` may see it, with where it stands; the read is logged.
        `language` (fr, de, en): the names of its open tasks and of where it waits in it.

        An institution sees a case it took part in (one of its groups was a
        candidate of one of the case's tasks), with its own open tasks and without
        the case data. The institution that started the case (`started_by`, a
        principal's name as for claims) sees its status and where it stands, without
        the data, and its history only if it also took part. Any other case is
        `NotFound`, exactly as if it did not exist.
        """
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            took_part = instance is not None and (caller.reads_all or (
                caller.is_institution
                and queries.took_part(session, instance_id, caller.groups)))
            started = (instance is not None and caller.is_institution
                       and instance.started_by == caller.name)
            if instance is None or not (took_part or started):
                raise NotFound(f"no instance {instance_id}")
            tasks = [t for t in queries.ready_tasks(session, instance_id)
                     if caller.sees_groups(t.candidate_groups)]
            history, incidents = queries.case_record(
                session, instance_id, None if caller.reads_all else caller.groups)
            with Step(self.runtime, session, instance).reading() as wf:
                data = current_data(wf) if caller.reads_all else None
                waiting = waiting_at(wf)
            spec_of = spec_finder(self.runtime, session)
            names = task_names(session, tasks, language, spec_of)
            waits = waits_named(waiting, instance.definition_id, language, spec_of)
        self.record_read(caller, "instance", instance_id, instance_id)
        return CaseDetail(instance, tasks, history if took_part else [], incidents, data,
                          with_details=caller.reads_all, waiting_at=waits, task_names=names)

    def workflow_data(self, instance_id: str) -> dict[str, Any]:
        """The case variables as the workflow holds them now (for coordinators and forms)."""
        with self.readers() as session:
            instance = queries.existing(session, Instance, instance_id, "instance")
            with Step(self.runtime, session, instance).reading() as wf:
                return current_data(wf)

    def set_status(self, instance_id: str, action: str, *, reason: str,
                   actor: str | None = None) -> Instance:
        """Suspend, resume or terminate a case; a reason is required and kept in the history."""
        if not reason or not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        set_status(self, instance_id, action, reason=reason.strip(),  # type: ignore[arg-type]
                   actor=actor)
        return self.instance(instance_id)

    # -- the read-access log ---------------------------------------------------
    def record_read(self, caller: Caller, what: str, object_id: str, instance_id: str) -> None:
        """Append one access-log row in its own short transaction (never the instance row)."""
        with self.sessions.begin() as session:
            session.add(AccessLog(at=self.clock.now(), principal_id=caller.principal_id or 0,
                                  principal_name=caller.name, role=caller.role, what=what,
                                  object_id=object_id, instance_id=instance_id))

    def access_log(self, instance_id: str, *, limit: int = 50,
                   offset: int = 0) -> Page[AccessLog]:
        """Who read this case or its tasks, and when (newest first)."""
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            queries.existing(session, Instance, instance_id, "instance")
            rows = queries.access_entries(session, instance_id, limit=limit, offset=offset)
        return Page.of(rows, limit, offset)


def current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """Case data as of now: the data of the newest waiting tasks, merged over the workflow's."""
    data: dict[str, Any] = deepcopy(wf.data)
    waiting = wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
    if not waiting and wf.last_task is not None:
        waiting = [wf.last_task]
    for task in sorted(waiting, key=lambda t: t.last_state_change):
        data.update(deepcopy(task.data))
    return data
