"""Tasks: an institution's work list, the form of a task, claim and completion."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy import exists, select

from engine.camunda.forms import exposed_variables, find_task_spec, form_fields
from engine.runtime.claims import claim, claimed_by_other_principal
from engine.store.models import Definition, Instance, Task, TaskCandidate

from .. import forms
from ..access import record_read, sees_task
from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..problems import ApiProblem
from ..runtime import api_link, engine, reader, release_reader
from ..schemas.tasks import (
    CompletedSchema,
    CompleteSchema,
    TaskArgs,
    TaskDetailSchema,
    TaskPageSchema,
    TaskSummarySchema,
)
from ..shapes import task_summary

blp = Blueprint("tasks", __name__, url_prefix="/api/v1",
                description="User tasks: list, read the form, claim, complete")


def _visible_task(task_id: str) -> tuple[Task, str | None, int]:
    """The task row, its case's business key and definition id; 404 for a task the caller
    may not see (exactly as for one that does not exist)."""
    principal = current_principal()
    found = reader().execute(
        select(Task, Instance.business_key, Instance.definition_id)
        .join(Instance, Instance.id == Task.instance_id).where(Task.id == task_id)).first()
    if found is None or not sees_task(principal, found[0]):
        raise ApiProblem(404, f"no task {task_id}")
    return found[0], found[1], found[2]


def _task_spec(row: Task, definition_id: int) -> Any:
    """The task's spec from the engine's spec cache, without opening another session."""
    eng = engine()

    def load() -> str:
        with eng.readers() as session:
            return session.get(Definition, definition_id).spec

    return find_task_spec(eng.runtime.specs.get(definition_id, load), row.activity_id)


@blp.route("/tasks")
class Tasks(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(TaskArgs, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Tasks, oldest first; an institution gets the tasks of its groups only."""
        principal = current_principal()
        stmt = (select(Task, Instance.business_key)
                .join(Instance, Instance.id == Task.instance_id)
                .where(Task.state == args["state"]))
        if not principal.reads_all:
            stmt = stmt.where(exists().where(TaskCandidate.task_id == Task.id,
                                             TaskCandidate.group_id.in_(principal.groups)))
        if "group" in args:
            stmt = stmt.where(exists().where(TaskCandidate.task_id == Task.id,
                                             TaskCandidate.group_id == args["group"]))
        if "activity" in args:
            stmt = stmt.where(Task.activity_id == args["activity"])
        if "due_before" in args:
            stmt = stmt.where(Task.due_at < args["due_before"])
        if "business_key" in args:
            stmt = stmt.where(Instance.business_key == args["business_key"])
        limit, offset = args["limit"], args["offset"]
        stmt = stmt.order_by(Task.ready_at, Task.id).limit(limit + 1).offset(offset)
        with engine().readers() as session:
            rows = session.execute(stmt).all()
        return {"items": [task_summary(t, bk) for t, bk in rows[:limit]], "limit": limit,
                "offset": offset, "has_more": len(rows) > limit}


@blp.route("/tasks/<string:task_id>")
class TaskDetail(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, TaskDetailSchema)
    def get(self, task_id: str) -> dict[str, Any]:
        """The task with its form (types, constraints, enum values, current values) and
        the case variables the process owner exposed to it; nothing else of the case."""
        eng, principal = engine(), current_principal()
        row, business_key, definition_id = _visible_task(task_id)
        spec = _task_spec(row, definition_id)
        form = form_fields(spec)
        exposed = exposed_variables(spec)
        data = eng.task_data(task_id) if (form or exposed) else {}
        body = task_summary(row, business_key)
        body["form"] = forms.describe(form, data)
        body["variables"] = {name: data[name] for name in exposed if name in data}
        body["instance_link"] = api_link(f"/instances/{row.instance_id}")
        record_read(eng, principal, "task", task_id, row.instance_id)
        return body


@blp.route("/tasks/<string:task_id>/claim")
class TaskClaim(MethodView):
    @require(INSTITUTION)
    @blp.response(200, TaskSummarySchema)
    @blp.alt_response(409, description="claimed by another principal, or no longer ready")
    def post(self, task_id: str) -> dict[str, Any]:
        """Take the task (sets its assignee to the caller); 409 if another holds it."""
        row, business_key, _ = _visible_task(task_id)
        return task_summary(claim(engine(), row.id, current_principal().name), business_key)


@blp.route("/tasks/<string:task_id>/complete")
class TaskComplete(MethodView):
    @require(INSTITUTION)
    @blp.arguments(CompleteSchema)
    @blp.response(200, CompletedSchema)
    @blp.alt_response(409, description="no longer ready, or another completion won")
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Complete the task with its form's data: 422 names each failing field and nothing
        is written; 409 when the task is no longer ready or another completion won."""
        eng, principal = engine(), current_principal()
        row, business_key, definition_id = _visible_task(task_id)
        if row.state != "ready":
            raise ApiProblem(409, f"task {task_id} is {row.state}", title="TaskNotReady")
        if claimed_by_other_principal(eng, row, principal.name):
            raise ApiProblem(409, f"task {task_id} is claimed by {row.assignee}",
                             title="ClaimedByAnother")
        form = form_fields(_task_spec(row, definition_id))
        submitted = args["data"]
        current = eng.task_data(task_id) if forms.needs_current_values(form, submitted) else {}
        try:
            cleaned = forms.validate_form(form, submitted, current)
        except ValidationError as exc:
            errors = exc.normalized_messages()
            raise ApiProblem(422, "the form does not validate: " + ", ".join(sorted(errors)),
                             errors=errors) from None
        release_reader()
        outcome = eng.complete_task(task_id, cleaned, actor=principal.name, with_ready=True)
        nxt = [t for t in outcome.ready_tasks or [] if sees_task(principal, t)]
        return {"task_id": task_id, "instance_id": row.instance_id,
                "instance_status": outcome.instance.status,
                "incident_id": outcome.incident.id if outcome.incident else None,
                "next_tasks": [task_summary(t, business_key) for t in nxt]}
