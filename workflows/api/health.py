"""Health: the database answers and its schema is at the newest migration (no auth).

A load balancer or an operator asks this; a database behind on its migrations
would fail in strange ways on the first write, so it counts as unhealthy.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from workflows.migrate import schema_heads

from ..runtime import engine

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok | unavailable"})
    database = fields.String(required=True)
    migrations = fields.String(required=True, metadata={
        "description": "current | behind | unknown"})
    current = fields.List(fields.String(), required=True)
    expected = fields.List(fields.String(), required=True)


def healthz() -> Response:
    report = engine().health(schema_heads())
    response = jsonify(asdict(report))
    response.status_code = 200 if report.ok else 503
    return response


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="database down or not migrated")
    def get(self) -> Response:
        """Database reachable and migrations current; 503 otherwise. No token needed."""
        return healthz()
