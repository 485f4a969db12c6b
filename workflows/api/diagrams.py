"""The control room's reads: a version's diagram, where a case stands on it, and the
figures per activity of a version (the process page's heatmap)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import ADMIN, COORDINATOR, INSTITUTION, PROCESS_OWNER, current_principal, require
from ..languages import answer_language, say_language
from ..problems import ApiProblem
from ..runtime import MAX_ID, api_link, engine
from ..schemas.control_room import (
    ActivityCasesArgs,
    ActivityCasesSchema,
    ActivityStatsSchema,
    DiagramSchema,
    PositionSchema,
)

blp = Blueprint("diagrams", __name__, url_prefix="/api/v1",
                description="Diagrams, where cases stand on them, figures per activity")
blp.after_request(say_language)


def _version(key: str, version: int) -> None:
    if version > MAX_ID:
        raise ApiProblem(404, f"no definition {key} version {version}")


@blp.route("/definitions/<string:key>/versions/<int:version>/diagram")
class VersionDiagram(MethodView):
    @require(INSTITUTION, COORDINATOR, PROCESS_OWNER, ADMIN)
    @blp.response(200, DiagramSchema)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """The version's BPMN XML, diagram interchange included, to draw it."""
        _version(key, version)
        return asdict(engine().diagram(key, version))


@blp.route("/definitions/<string:key>/versions/<int:version>/activity-stats")
class VersionActivityStats(MethodView):
    @require(COORDINATOR)
    @blp.response(200, ActivityStatsSchema)
    def get(self, key: str, version: int) -> dict[str, Any]:
        """Per activity of the version: ready tasks, overdue ones, open incidents and the
        median wait of the ready tasks, as of now. Activities with none are left out."""
        _version(key, version)
        eng = engine()
        figures = eng.activity_stats(key, version, current_principal())
        return {"key": key, "version": version, "at": eng.clock.now(), "activities": [{
            "activity_id": f.activity_id, "ready": f.ready, "overdue": f.overdue,
            "incidents": f.incidents,
            "median_waiting_seconds": (int(f.median_waiting.total_seconds())
                                       if f.median_waiting is not None else None)}
            for f in figures]}


@blp.route("/definitions/<string:key>/versions/<int:version>/activities/"
           "<string:activity_id>/cases")
class ActivityCases(MethodView):
    @require(COORDINATOR)
    @blp.arguments(ActivityCasesArgs, location="query")
    @blp.response(200, ActivityCasesSchema)
    def get(self, args: dict[str, Any], key: str, version: int,
            activity_id: str) -> dict[str, Any]:
        """The cases at one activity of the version: its ready tasks and open incidents,
        oldest first. The read is logged in the access log."""
        _version(key, version)
        found = engine().activity_cases(key, version, activity_id, current_principal(),
                                        limit=args["limit"])
        return {"items": [asdict(c) for c in found]}


@blp.route("/instances/<string:instance_id>/position")
class InstancePosition(MethodView):
    @require(COORDINATOR)
    @blp.response(200, PositionSchema)
    def get(self, instance_id: str) -> dict[str, Any]:
        """Where the case stands on its diagram: the elements it waits at and its open
        incidents with their messages."""
        position = engine().case_position(instance_id, current_principal(),
                                          language=answer_language())
        instance = position.instance
        return {
            "instance_id": instance.id, "process_key": instance.process_key,
            "version": instance.definition_version, "status": instance.status,
            "waiting_at": [asdict(w) for w in position.waiting_at],
            "incidents": [{"id": i.id, "activity_id": i.activity_id, "message": i.message,
                           "opened_at": i.opened_at} for i in position.open_incidents],
            "diagram_link": api_link(f"/definitions/{instance.process_key}/versions/"
                                     f"{instance.definition_version}/diagram")}
