"""Tasks: an institution's work list, the form of a task, claim, release, reassign and
completion."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.camunda.form_input import describe
from engine.runtime.claims import ClaimedByAnother

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..languages import ACCEPT_LANGUAGE, answer_language, say_language
from ..problems import ApiProblem
from ..runtime import api_link, engine
from ..schemas.tasks import (
    CompletedSchema,
    CompleteSchema,
    ReassignSchema,
    ReleaseSchema,
    TaskArgs,
    TaskDetailSchema,
    TaskPageSchema,
    TaskSummarySchema,
)
from ..shapes import task_page, task_summary

blp = Blueprint("tasks", __name__, url_prefix="/api/v1",
                description="User tasks: list, read the form, claim, release, reassign, "
                            "complete")
blp.after_request(say_language)


def _claimed(error: ClaimedByAnother, task_id: str) -> ApiProblem:
    """A 409 for a task another principal holds, naming the way out: its release."""
    link = api_link(f"/tasks/{task_id}/release")
    return ApiProblem(409, f"{error} (POST {link})", title="ClaimedByAnother", release=link)


@blp.route("/tasks")
class Tasks(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(TaskArgs, location="query")
    @blp.response(200, TaskPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Tasks, oldest first; an institution gets the tasks of its groups only. Task names
        are in the language of `Accept-Language` (fr, de or en; fr by default)."""
        return task_page(engine().tasks(caller=current_principal(),
                                        language=answer_language(), **args))


@blp.route("/tasks/<string:task_id>")
class TaskDetail(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, TaskDetailSchema)
    @blp.doc(parameters=[ACCEPT_LANGUAGE])
    def get(self, task_id: str) -> dict[str, Any]:
        """The task with its form (types, constraints, enum values, current values) and
        the case variables the process owner exposed to it; nothing else of the case. The
        task's name, form labels and enum names are in the language of `Accept-Language`
        (fr, de or en; fr by default, and for a text not translated)."""
        detail = engine().task_detail(task_id, current_principal(), language=answer_language())
        body = task_summary(detail.task, detail.business_key, detail.name)
        body["form"] = describe(detail.form, detail.values)
        body["variables"] = detail.variables
        body["instance_link"] = api_link(f"/instances/{detail.task.instance_id}")
        return body


@blp.route("/tasks/<string:task_id>/claim")
class TaskClaim(MethodView):
    @require(INSTITUTION)
    @blp.response(200, TaskSummarySchema)
    @blp.alt_response(409, description="claimed by another principal, or no longer ready")
    def post(self, task_id: str) -> dict[str, Any]:
        """Take the task (sets its assignee to the caller); 409 if another holds it."""
        eng = engine()
        try:
            row = eng.claim(task_id, current_principal())
        except ClaimedByAnother as error:
            raise _claimed(error, task_id) from None
        return task_summary(row, eng.instance(row.instance_id).business_key)


@blp.route("/tasks/<string:task_id>/release")
class TaskRelease(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(ReleaseSchema)
    @blp.response(200, TaskSummarySchema)
    @blp.alt_response(403, description="claimed by another principal (institutions)")
    @blp.alt_response(409, description="not claimed, or no longer ready")
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Release the claim on the task (its holder, or a coordinator for any claim): another
        institution of its groups may then claim it. The history keeps who released whose
        claim and the reason when given. `/unclaim` is the same operation."""
        eng = engine()
        row = eng.release_task(task_id, current_principal(), reason=args.get("reason"))
        return task_summary(row, eng.instance(row.instance_id).business_key)


@blp.route("/tasks/<string:task_id>/unclaim")
class TaskUnclaim(TaskRelease):
    """`/release` under the name some task-list clients use."""


@blp.route("/tasks/<string:task_id>/reassign")
class TaskReassign(MethodView):
    @require(COORDINATOR)
    @blp.arguments(ReassignSchema)
    @blp.response(200, TaskSummarySchema)
    @blp.alt_response(409, description="no longer ready, or changed meanwhile")
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Give the ready task other candidate groups, with a reason kept in the history.
        The institutions that lose it receive `task.cancelled` (reason `reassigned`), those
        that gain it `task.ready`; a claim on it is released."""
        eng = engine()
        row = eng.reassign_task(task_id, args["groups"], reason=args["reason"],
                                caller=current_principal())
        return task_summary(row, eng.instance(row.instance_id).business_key)


@blp.route("/tasks/<string:task_id>/complete")
class TaskComplete(MethodView):
    @require(INSTITUTION)
    # an instance, not the class: webargs would build the schema again at every completion
    @blp.arguments(CompleteSchema())
    @blp.response(200, CompletedSchema)
    @blp.alt_response(409, description="no longer ready, or another completion won")
    def post(self, args: dict[str, Any], task_id: str) -> dict[str, Any]:
        """Complete the task with its form's data: 422 names each failing field and nothing
        is written; 409 when the task is no longer ready or another completion won."""
        try:
            outcome = engine().complete_task(task_id, args["data"],
                                             caller=current_principal())
        except ClaimedByAnother as error:
            raise _claimed(error, task_id) from None
        instance = outcome.instance
        return {"task_id": task_id, "instance_id": instance.id,
                "instance_status": instance.status,
                "incident_id": outcome.incident.id if outcome.incident else None,
                "next_tasks": [task_summary(t, instance.business_key)
                               for t in outcome.ready_tasks or []]}
