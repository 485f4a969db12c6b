"""Incidents: steps that failed, kept on the case until a coordinator retries them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import COORDINATOR, current_principal, require
from ..problems import ApiProblem
from ..runtime import MAX_ID, api_link, engine
from ..schemas.operations import (
    IncidentArgs,
    IncidentPageSchema,
    RetryResultSchema,
    RetrySchema,
)

blp = Blueprint("incidents", __name__, url_prefix="/api/v1",
                description="Incidents and their retry (coordinators)")


def _shape(row: Any) -> dict[str, Any]:
    """An `Incident` of the engine as the API answers it."""
    return {"id": row.id, "instance_id": row.instance_id, "activity_id": row.activity_id,
            "message": row.message, "status": row.status, "opened_at": row.opened_at,
            "resolved_at": row.resolved_at, "resolved_by": row.resolved_by,
            "link": api_link(f"/instances/{row.instance_id}")}


@blp.route("/incidents")
class Incidents(MethodView):
    @require(COORDINATOR)
    @blp.arguments(IncidentArgs, location="query")
    @blp.response(200, IncidentPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Incidents, oldest first."""
        page = engine().incidents(status=args["status"], limit=args["limit"],
                                  offset=args["offset"])
        return page.map(_shape)


@blp.route("/incidents/<int:incident_id>/retry")
class IncidentRetry(MethodView):
    @require(COORDINATOR)
    @blp.arguments(RetrySchema)
    @blp.response(200, RetryResultSchema)
    def post(self, args: dict[str, Any], incident_id: int) -> dict[str, Any]:
        """Run the failed step again, with corrected data merged in."""
        if incident_id > MAX_ID:
            raise ApiProblem(404, f"no incident {incident_id}")
        outcome = engine().retry_incident(incident_id, data=args["data"],
                                          actor=current_principal().name,
                                          reason=args["reason"])
        # A retry that fails again keeps (and returns) its incident, still open.
        status = outcome.incident.status if outcome.incident else "resolved"
        return {"incident_id": incident_id, "incident_status": status,
                "instance_status": outcome.instance.status}
