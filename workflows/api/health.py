"""Health: the database answers and its schema is at the newest migration (no auth).

A load balancer or an operator asks this; a database behind on its migrations
would fail in strange ways on the first write, so it counts as unhealthy.
"""

from __future__ import annotations

from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workflows.migrate import alembic_config

from ..runtime import engine

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")

_heads: set[str] | None = None


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok | unavailable"})
    database = fields.String(required=True)
    migrations = fields.String(required=True, metadata={
        "description": "current | behind | unknown"})
    current = fields.List(fields.String(), required=True)
    expected = fields.List(fields.String(), required=True)


def expected_heads() -> set[str]:
    global _heads
    if _heads is None:
        _heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return _heads


def check() -> tuple[dict[str, Any], int]:
    body: dict[str, Any] = {"status": "ok", "database": "ok", "migrations": "current",
                            "current": [], "expected": sorted(expected_heads())}
    try:
        with engine().db.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        body.update(status="unavailable", database=type(exc).__name__,
                    migrations="unknown", expected=sorted(expected_heads()))
        return body, 503
    body["current"] = sorted(current)
    if current != expected_heads():
        body.update(status="unavailable", migrations="behind")
        return body, 503
    return body, 200


def healthz() -> Response:
    body, status = check()
    response = jsonify(body)
    response.status_code = status
    return response


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="database down or not migrated")
    def get(self) -> Response:
        """Database reachable and migrations current; 503 otherwise. No token needed."""
        return healthz()
