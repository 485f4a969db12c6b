"""Instances: announce a case, list and read cases, suspend/resume/terminate, reads log."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError
from sqlalchemy import exists, select

from engine.store.access_log import AccessLog
from engine.store.models import History, Incident, Instance, Task

from .. import forms
from ..access import record_read, took_part
from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..problems import ApiProblem
from ..runtime import engine
from ..schemas.common import PageArgs
from ..schemas.instances import (
    AccessLogPageSchema,
    InstanceArgs,
    InstanceDetailSchema,
    InstancePageSchema,
    InstanceSchema,
    ReasonSchema,
    StartedSchema,
    StartSchema,
)
from ..shapes import instance_summary, task_summary

blp = Blueprint("instances", __name__, url_prefix="/api/v1",
                description="Cases: announce, follow, suspend, resume, terminate")

ACTIONS = ("suspend", "resume", "terminate")


def _not_found(instance_id: str) -> ApiProblem:
    return ApiProblem(404, f"no instance {instance_id}")


def _ready_tasks(session: Any, instance: Instance) -> list[Task]:
    return list(session.scalars(select(Task).where(
        Task.instance_id == instance.id, Task.state == "ready").order_by(Task.ready_at)))


@blp.route("/processes/<string:key>/instances")
class ProcessInstances(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(StartSchema)
    @blp.response(201, StartedSchema)
    def post(self, args: dict[str, Any], key: str) -> dict[str, Any]:
        """Start a case (a CII announcement); `data` is checked against the start form."""
        eng = engine()
        definition = eng.definition(key)
        form = forms.start_form(definition)
        data = args["data"]
        if form:
            try:
                data = forms.validate_form(form, data)
            except ValidationError as exc:
                errors = exc.normalized_messages()
                raise ApiProblem(422, "the start form does not validate: "
                                 + ", ".join(sorted(errors)), errors=errors) from None
        principal = current_principal()
        outcome = eng.start(key, args["business_key"], data, actor=principal.name)
        instance = outcome.instance
        with eng.readers() as session:
            tasks = [t for t in _ready_tasks(session, instance)
                     if principal.reads_all or set(t.candidate_groups) & set(principal.groups)]
        return {"instance": instance_summary(instance),
                "open_tasks": [task_summary(t, instance.business_key) for t in tasks],
                "incident_id": outcome.incident.id if outcome.incident else None}


@blp.route("/instances")
class Instances(MethodView):
    @require(COORDINATOR)
    @blp.arguments(InstanceArgs, location="query")
    @blp.response(200, InstancePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Cases, newest first, filtered (coordinators)."""
        stmt = select(Instance)
        if "definition" in args:
            stmt = stmt.where(Instance.process_key == args["definition"])
        if "status" in args:
            stmt = stmt.where(Instance.status == args["status"])
        if "business_key" in args:
            stmt = stmt.where(Instance.business_key == args["business_key"])
        if "started_after" in args:
            stmt = stmt.where(Instance.started_at >= args["started_after"])
        if "started_before" in args:
            stmt = stmt.where(Instance.started_at < args["started_before"])
        if "waiting_at" in args:
            stmt = stmt.where(exists().where(Task.instance_id == Instance.id,
                                             Task.state == "ready",
                                             Task.activity_id == args["waiting_at"]))
        limit, offset = args["limit"], args["offset"]
        stmt = stmt.order_by(Instance.started_at.desc(), Instance.id).limit(limit + 1)
        with engine().readers() as session:
            rows = list(session.scalars(stmt.offset(offset)))
        return {"items": [instance_summary(r) for r in rows[:limit]], "limit": limit,
                "offset": offset, "has_more": len(rows) > limit}


@blp.route("/instances/<string:instance_id>")
class InstanceDetail(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, InstanceDetailSchema)
    def get(self, instance_id: str) -> dict[str, Any]:
        """One case: status, open tasks, history; case data for coordinators only.

        An institution sees a case it took part in (one of its groups was a
        candidate of one of the case's tasks), without the case data.
        """
        eng, principal = engine(), current_principal()
        with eng.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None or not took_part(session, principal, instance_id):
                raise _not_found(instance_id)
            tasks = _ready_tasks(session, instance)
            history = list(session.scalars(select(History).where(
                History.instance_id == instance_id).order_by(History.seq)))
            incidents = list(session.scalars(select(Incident).where(
                Incident.instance_id == instance_id).order_by(Incident.id)))
        if not principal.reads_all:
            tasks = [t for t in tasks if set(t.candidate_groups) & set(principal.groups)]
        body = instance_summary(instance)
        body["open_tasks"] = [task_summary(t, instance.business_key) for t in tasks]
        body["history"] = [{
            "seq": h.seq, "at": h.at, "kind": h.kind, "actor": h.actor,
            "activity_id": h.activity_id, "task_id": h.task_id,
            "detail": h.detail if principal.reads_all else None} for h in history]
        body["incidents"] = [{"id": i.id, "activity_id": i.activity_id, "status": i.status,
                              "opened_at": i.opened_at} for i in incidents]
        if principal.reads_all:
            body["data"] = eng.workflow_data(instance_id)
        record_read(eng, principal, "instance", instance_id, instance_id)
        return body


def _status_view(action: str) -> type[MethodView]:
    class StatusChange(MethodView):
        @require(COORDINATOR)
        @blp.arguments(ReasonSchema)
        @blp.response(200, InstanceSchema)
        def post(self, args: dict[str, Any], instance_id: str) -> dict[str, Any]:
            eng = engine()
            reason = args["reason"].strip()
            if not reason:
                raise ApiProblem(422, "a reason is required", errors={"reason": ["empty"]})
            instance = eng.set_status(instance_id, action, reason=reason,
                                      actor=current_principal().name)
            return instance_summary(eng.instance(instance.id))

    StatusChange.post.__doc__ = f"{action.capitalize()} a case, with a mandatory reason."
    StatusChange.__name__ = f"Instance{action.capitalize()}"
    return StatusChange


for _action in ACTIONS:
    blp.add_url_rule(f"/instances/<string:instance_id>/{_action}",
                     endpoint=f"instance_{_action}", view_func=_status_view(_action))


@blp.route("/instances/<string:instance_id>/access-log")
class InstanceAccessLog(MethodView):
    @require(COORDINATOR)
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, AccessLogPageSchema)
    def get(self, args: dict[str, Any], instance_id: str) -> dict[str, Any]:
        """Who read this case or its tasks, and when (newest first)."""
        limit, offset = args["limit"], args["offset"]
        with engine().readers() as session:
            if session.get(Instance, instance_id) is None:
                raise _not_found(instance_id)
            rows = list(session.scalars(
                select(AccessLog).where(AccessLog.instance_id == instance_id)
                .order_by(AccessLog.at.desc(), AccessLog.id.desc())
                .limit(limit + 1).offset(offset)))
        return {"items": [{"at": r.at, "principal": r.principal_name, "role": r.role,
                           "what": r.what, "object_id": r.object_id} for r in rows[:limit]],
                "limit": limit, "offset": offset, "has_more": len(rows) > limit}
