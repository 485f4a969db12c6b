"""Health: the database answers, its schema is at the newest migration, and the
stored webhook secrets open with this process's key (no auth).

A load balancer or an operator asks this; a database behind on its migrations
would fail in strange ways on the first write, and secrets that do not open
mean no webhook leaves, so both count as unhealthy (503). Retrying, overdue and
given-up deliveries are reported, not judged: a slow receiver is not an outage.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from webhooks.health import delivery_health
from workflows.migrate import schema_heads

from ..runtime import engine

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Service health")


class WebhookHealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok | unavailable"})
    secrets = fields.String(required=True, metadata={
        "description": "ok | unreadable (stored secrets do not open with the key) | unknown"})
    key_source = fields.String(required=True, metadata={
        "description": "CIIFLOW_SECRET_KEY, the key file's path, or no key configured"})
    unreadable_endpoints = fields.Integer(required=True)
    retrying = fields.Integer(required=True, metadata={
        "description": "deliveries retrying: an attempt failed, the next one is scheduled"})
    overdue = fields.Integer(required=True, metadata={
        "description": "pending or retrying deliveries due longer ago than "
                       "CIIFLOW_WEBHOOK_OVERDUE_AFTER"})
    failed_24h = fields.Integer(required=True, metadata={
        "description": "deliveries given up in the last 24 hours"})
    problem = fields.String(allow_none=True)


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok | unavailable"})
    database = fields.String(required=True)
    migrations = fields.String(required=True, metadata={
        "description": "current | behind | unknown"})
    current = fields.List(fields.String(), required=True)
    expected = fields.List(fields.String(), required=True)
    webhooks = fields.Nested(WebhookHealthSchema, metadata={
        "description": "absent when the database is down or behind"})


def health_answer() -> tuple[dict[str, Any], bool]:
    """The report as the API and the CLI show it, and whether everything is ok."""
    report = engine().health(schema_heads())
    body: dict[str, Any] = asdict(report)
    if not report.ok:
        return body, False
    deliveries = delivery_health(engine())
    body["webhooks"] = {**asdict(deliveries), "status": "ok" if deliveries.ok else "unavailable"}
    if not deliveries.ok:
        body["status"] = "unavailable"
    return body, deliveries.ok


def healthz() -> Response:
    body, ok = health_answer()
    response = jsonify(body)
    response.status_code = 200 if ok else 503
    return response


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema,
                      description="database down or not migrated, or webhook secrets unreadable")
    def get(self) -> Response:
        """Database reachable, migrations current, webhook secrets open; 503 otherwise."""
        return healthz()
