"""Tasks: list, read with their form, claim, release, reassign and complete user tasks.

Completion is the hot path of the service: one transaction reads the task and
its case in one query, checks who may complete it (visibility, claim), checks
the data against the task's form, runs the step and reads the next ready tasks.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from copy import deepcopy
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.camunda.form_input import check_form, element_form
from engine.camunda.forms import exposed_variables, find_task_spec, form_fields
from engine.camunda.translations import task_name, translate_form
from engine.errors import InstanceNotActive, InvalidInput, NotAllowed, NotFound, TaskNotReady
from engine.runtime.claims import (
    ClaimedByAnother,
    claim,
    held_by_another_principal,
    reassign,
    release,
)
from engine.runtime.readmodel import Snapshot, ready_after
from engine.runtime.step import Step, StepOutcome, merged, run_engine
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.service.instances import current_data
from engine.service.languages import task_names
from engine.service.paging import Page, bounded
from engine.service.views import TaskDetail, TaskPage
from engine.store import queries
from engine.store.models import Definition, Instance, Task

#: the case without its state: the step reads it only when it has no kept workflow
_INSTANCE_COLUMNS = [c.key for c in Instance.__table__.columns if c.key != "state"]
_T = Task.__table__.c
_TASK_AND_INSTANCE = (
    select(_T.id, _T.state, _T.activity_id, _T.candidate_groups, _T.assignee,
           *[Instance.__table__.c[c].label(f"i_{c}") for c in _INSTANCE_COLUMNS])
    .join(Instance.__table__, _T.instance_id == Instance.__table__.c.id)
    .where(_T.id == bindparam("task_id"))
)


class TaskService(ServiceBase):
    def tasks(self, *, caller: Caller | None = None, state: str | None = "ready",
              group: str | None = None, groups: list[str] | None = None,
              activity: str | None = None, due_before: datetime | None = None,
              business_key: str | None = None, instance_id: str | None = None,
              limit: int = 50, offset: int = 0, language: str | None = None) -> TaskPage:
        """Tasks, oldest first; a caller who does not read every case gets the tasks of its
        groups only (`groups` narrows further). A caller's read is logged: one row per list.
        `language` (fr, de, en): the tasks' names in it (`TaskPage.name`)."""
        if caller is not None and not caller.reads_all:
            mine = caller.groups if caller.is_institution else ()
            groups = [g for g in (groups if groups is not None else mine) if g in mine]
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            rows = queries.list_tasks(
                session, state=state, groups=groups, group=group, activity=activity,
                due_before=due_before, business_key=business_key, instance_id=instance_id,
                limit=limit, offset=offset)
            page = Page.of([t for t, _ in rows], limit, offset)
            names = task_names(session, page.items, language,
                               lambda definition, activity: self._spec(session, definition,
                                                                       activity))
        if caller is not None:
            self.record_list_read(  # type: ignore[attr-defined]
                caller, "task_list", (t.instance_id for t in page.items))
        return TaskPage(page.items, limit, offset, page.has_more,
                        business_keys={t.instance_id: key for t, key in rows}, names=names)

    def task(self, task_id: str, caller: Caller | None = None) -> Task:
        """A task row; one the caller may not see is `NotFound`, as if it did not exist."""
        with self.readers() as session:
            row, _ = self._visible(session, task_id, caller)
            return row

    def task_detail(self, task_id: str, caller: Caller,
                    language: str | None = None) -> TaskDetail:
        """The task with its form (current values) and the case variables the process owner
        exposed to it (`ciiflow.expose`), nothing else of the case; the read is logged.
        `language` (fr, de, en): the task's name and form labels in it."""
        with self.readers() as session:
            row, instance = self._visible(session, task_id, caller)
            spec = self._spec(session, instance.definition_id, row.activity_id)
            form, exposed = form_fields(spec), exposed_variables(spec)
            data = self._task_data(session, instance, task_id) if (form or exposed) else {}
        self.record_read(caller, "task", task_id, row.instance_id)  # type: ignore[attr-defined]
        return TaskDetail(row, instance.business_key, translate_form(form, language), data,
                          {name: data[name] for name in exposed if name in data},
                          name=task_name(spec, row.name, language))

    def claim(self, task_id: str, caller: Caller | str) -> Task:
        """Take a ready task (its assignee becomes the caller); `ClaimedByAnother` if held."""
        if isinstance(caller, str):
            caller = Caller.operator(caller)
        with self.readers() as session:
            self._visible(session, task_id, caller)
        return claim(self, task_id, caller.name)  # type: ignore[arg-type]

    def release_task(self, task_id: str, caller: Caller, *, reason: str | None = None) -> Task:
        """Clear a task's claim: its holder, or a coordinator/admin for any claim.

        Refused: a task the caller may not see (`NotFound`), another's claim for an
        institution (`NotAllowed`), a task not claimed or no longer ready (`Conflict`).
        The history keeps who released whose claim, and the reason when given.
        """
        reason = _optional_text(reason, "reason")
        with self.readers() as session:
            self._visible(session, task_id, caller)
        return release(self, task_id, caller.name,  # type: ignore[arg-type]
                       any_holder=caller.reads_all, reason=reason)

    def reassign_task(self, task_id: str, groups: Any, *, reason: str,
                      caller: Caller) -> Task:
        """Give a ready task other candidate groups (coordinators and admins, with a reason).

        The institutions that lose it hear `task.cancelled`, those that gain it
        `task.ready`; a principal's claim on it is released. `groups` must be a non-empty
        list of group names.
        """
        if not caller.reads_all:
            raise NotAllowed("only a coordinator or an admin may reassign a task")
        checked = _group_list(groups)
        text = _optional_text(reason, "reason")
        if text is None:
            raise InvalidInput("a reason is required", field="reason")
        return reassign(self, task_id, checked, who=caller.name,  # type: ignore[arg-type]
                        reason=text)

    def complete_task(self, task_id: str, data: Mapping[str, Any] | None = None, *,
                      actor: str | None = None, caller: Caller | None = None,
                      with_ready: bool = False) -> StepOutcome:
        """Complete a ready task with data that satisfies its form.

        Refused, with nothing written: a task the caller may not see (`NotFound`), a task
        no longer ready (`TaskNotReady`), a task claimed by another principal
        (`ClaimedByAnother`), data the form refuses (`InvalidInput` naming each field).
        With a caller, or `with_ready`, the outcome lists the case's ready tasks after the
        step that the caller may see, read in the same transaction.
        """
        actor = caller.name if caller else actor
        with self.sessions.begin() as session:
            # One Core query on the hot path; the ORM identity map adds nothing here.
            row = session.connection().execute(_TASK_AND_INSTANCE, {"task_id": task_id}).first()
            if row is None or (caller is not None
                               and not caller.sees_groups(row.candidate_groups)):
                raise NotFound(f"no task {task_id}")
            instance = Instance(**{c: getattr(row, f"i_{c}") for c in _INSTANCE_COLUMNS})
            if row.state != "ready":
                raise TaskNotReady(f"task {task_id} is {row.state}")
            if row.assignee and held_by_another_principal(session, row.assignee, actor):
                raise ClaimedByAnother(f"task {task_id} is claimed by {row.assignee}; its "
                                       "holder or a coordinator may release it first")
            if instance.status != "running":
                raise InstanceNotActive(f"instance {instance.id} is {instance.status}")
            form = element_form(self._spec(session, instance.definition_id, row.activity_id))
            # A caller (the API, the CLI) may send the form's fields only, so a task without
            # a form takes no data; code embedding the engine may set variables there.
            checked = form if (form or caller is not None) else None
            outcome, known = self._complete(session, instance, row, merged(data), checked,
                                            actor)
            if with_ready or caller is not None:
                # the step knows the rows it made ready; it asks only when it cannot tell
                ready = known if known is not None and outcome.incident is None else (
                    queries.ready_tasks(session, instance.id))
                outcome.ready_tasks = [
                    t for t in ready if caller is None or caller.sees_groups(t.candidate_groups)]
            return outcome

    def task_data(self, task_id: str) -> dict[str, Any]:
        """The data a task sees now (its own data when ready, else the case's)."""
        with self.readers() as session:
            row, instance = queries.task_with_case(session, task_id)
            return self._task_data(session, instance, row.id)

    # -- inside a transaction --------------------------------------------------
    def _complete(self, session: Session, instance: Instance, row: Any, data: dict[str, Any],
                  form: list[Any] | None, actor: str | None,
                  ) -> tuple[StepOutcome, list[Task] | None]:
        """The step's outcome, and the case's ready task rows after it when the step
        knows them (`readmodel.ready_after`)."""
        step = Step(self.runtime, session, instance)
        step.known_tasks[row.id] = row
        wf = step.load()
        spiff_task = wf.get_task_from_id(uuid.UUID(row.id))
        if spiff_task is None or not spiff_task.has_state(TaskState.READY):
            raise TaskNotReady(f"task {row.id} is no longer ready")
        if form is not None:
            data = check_form(form, data, spiff_task.data)
        step.submitted = data
        before = Snapshot.of(wf)

        def action(w: BpmnWorkflow) -> None:
            spiff_task.data.update(data)
            spiff_task.run()
            run_engine(w)

        outcome = step.advance(wf, action, actor=actor, before=before, completing=row.id,
                               operation={"op": "complete_task", "task_id": row.id,
                                          "data": data})
        return outcome, ready_after(step, before)

    def _visible(self, session: Session, task_id: str,
                 caller: Caller | None) -> tuple[Task, Instance]:
        row, instance = queries.task_with_case(session, task_id)
        if caller is not None and not caller.sees_groups(row.candidate_groups):
            raise NotFound(f"no task {task_id}")
        return row, instance

    def _spec(self, session: Session, definition_id: int, activity_id: str) -> Any:
        """A task's spec from the cached definition (no instance load)."""
        specs = self.runtime.specs.get(
            definition_id, lambda: session.get(Definition, definition_id).spec)
        return find_task_spec(specs, activity_id)

    def _task_data(self, session: Session, instance: Instance, task_id: str) -> dict[str, Any]:
        with Step(self.runtime, session, instance).reading() as wf:
            spiff_task = wf.get_task_from_id(uuid.UUID(task_id))
            if spiff_task is not None and spiff_task.has_state(TaskState.READY):
                return deepcopy(spiff_task.data)
            return current_data(wf)


GROUP_NAME_MAX = 255


def _group_list(groups: Any) -> list[str]:
    """A non-empty list of distinct, non-blank group names (as a task row stores them)."""
    if not isinstance(groups, list | tuple) or not groups:
        raise InvalidInput("groups must be a non-empty list of group names", field="groups")
    for i, group in enumerate(groups):
        if not isinstance(group, str) or not group.strip() or len(group) > GROUP_NAME_MAX:
            raise InvalidInput(f"a group name is a non-blank string of at most "
                               f"{GROUP_NAME_MAX} characters", field=f"groups[{i}]")
    return list(dict.fromkeys(g.strip() for g in groups))


def _optional_text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string", field=name)
    return value.strip() or None
