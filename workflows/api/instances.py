"""Instances: announce a case, list and read cases, suspend/resume/terminate, reads log."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.service.instances import ACTIONS

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..languages import ACCEPT_LANGUAGE, answer_language, say_language
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
from ..schemas.privacy import CaseExportSchema
from ..shapes import instance_summary, task_summary

blp = Blueprint("instances", __name__, url_prefix="/api/v1",
                description="Cases: announce, follow, suspend, resume, terminate")
blp.after_request(say_language)


@blp.route("/processes/<string:key>/instances")
class ProcessInstances(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(StartSchema)
    @blp.response(201, StartedSchema)
    def post(self, args: dict[str, Any], key: str) -> dict[str, Any]:
        """Start a case (a CII announcement); `data` is checked against the start form."""
        outcome = engine().start(key, args["business_key"], args["data"],
                                 caller=current_principal())
        instance = outcome.instance
        return {"instance": instance_summary(instance),
                "open_tasks": [task_summary(t, instance.business_key)
                               for t in outcome.ready_tasks or []],
                "incident_id": outcome.incident.id if outcome.incident else None}


@blp.route("/instances")
class Instances(MethodView):
    @require(COORDINATOR)
    @blp.arguments(InstanceArgs, location="query")
    @blp.response(200, InstancePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Cases, newest first, filtered (coordinators)."""
        if "definition" in args:
            args["process_key"] = args.pop("definition")
        return engine().instances(**args, caller=current_principal()).map(instance_summary)


@blp.route("/instances/<string:instance_id>")
class InstanceDetail(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, InstanceDetailSchema)
    @blp.doc(parameters=[ACCEPT_LANGUAGE])
    def get(self, instance_id: str) -> dict[str, Any]:
        """One case: status, where it stands, open tasks, history; case data for
        coordinators only.

        An institution sees a case it took part in (one of its groups was a
        candidate of one of the case's tasks), without the case data. The
        institution that started the case sees its status and where it stands
        (`waiting_at`), without the data, and the history only if it took part.
        """
        case = engine().case(instance_id, current_principal(), language=answer_language())
        instance = case.instance
        body = instance_summary(instance)
        body["waiting_at"] = [{"activity_id": w.activity_id, "name": w.name, "kind": w.kind}
                              for w in case.waiting_at]
        body["open_tasks"] = [task_summary(t, instance.business_key, case.task_name(t))
                              for t in case.open_tasks]
        body["history"] = [{
            "seq": h.seq, "at": h.at, "kind": h.kind, "actor": h.actor,
            "activity_id": h.activity_id, "task_id": h.task_id,
            "detail": h.detail if case.with_details else None} for h in case.history]
        body["incidents"] = [{"id": i.id, "activity_id": i.activity_id, "status": i.status,
                              "opened_at": i.opened_at} for i in case.incidents]
        if case.data is not None:
            body["data"] = case.data
        return body


def _status_view(action: str) -> type[MethodView]:
    class StatusChange(MethodView):
        @require(COORDINATOR)
        @blp.arguments(ReasonSchema)
        @blp.response(200, InstanceSchema)
        def post(self, args: dict[str, Any], instance_id: str) -> dict[str, Any]:
            return instance_summary(engine().set_status(
                instance_id, action, reason=args["reason"], actor=current_principal().name))

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
        return engine().access_log(instance_id, **args).map(lambda r: {
            "at": r.at, "principal": r.principal_name, "role": r.role, "what": r.what,
            "object_id": r.object_id})


@blp.route("/instances/<string:instance_id>/export")
class InstanceExport(MethodView):
    @require(COORDINATOR)
    @blp.response(200, CaseExportSchema)
    def get(self, instance_id: str) -> dict[str, Any]:
        """One case's full record for a right-of-access request (nFADP/LPD art. 25): the
        case, its data, tasks, history with details, incidents and access log. The export
        is itself logged in the access log."""
        return engine().export_case(instance_id, current_principal())
