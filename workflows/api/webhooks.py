"""Webhook endpoints and deliveries: register, rotate, test, inspect, redeliver, recover.

An institution (or a coordinator, who receives incidents) manages its own
endpoints; an admin manages all. Someone else's endpoint is answered 404, so
its existence is not revealed. The secret is shown once, in the answer that
creates or rotates it. An SSRF refusal is a 422 problem naming `url` (and the
setting that lifts it). A deleted endpoint keeps its delivery log.

Each view parses, calls one operation of `webhooks.manage` or
`webhooks.deliveries` (which decide access and own the transaction) and
shapes the answer; `ciiflow webhooks` calls the very same operations.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from engine.service.caller import Caller
from webhooks import deliveries, manage
from webhooks.models import DELIVERY_STATUSES
from webhooks.payloads import EVENT_TYPES
from webhooks.views import DeliveryView, EndpointView, WithSecret

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import api_link, engine
from ..schemas.common import PageArgs, PageSchema, UtcDateTime

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Signed webhooks (Standard Webhooks v1): endpoints and deliveries")


class EndpointCreateSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=2048))
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)),
                              required=True, validate=validate.Length(min=1))
    description = fields.String(validate=validate.Length(max=255), allow_none=True)


class EndpointPatchSchema(Schema):
    url = fields.String(validate=validate.Length(min=1, max=2048))
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)),
                              validate=validate.Length(min=1))
    description = fields.String(validate=validate.Length(max=255))
    status = fields.String(validate=validate.OneOf(("active", "disabled")))


class EndpointSchema(Schema):
    id = fields.String(required=True)
    principal_id = fields.Integer(required=True)
    url = fields.String(required=True)
    event_types = fields.List(fields.String(), required=True)
    description = fields.String(allow_none=True)
    status = fields.String(required=True)
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    failing_since = fields.DateTime(allow_none=True)
    previous_secret_valid_until = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    deleted_at = fields.DateTime(allow_none=True, metadata={
        "description": "set when the endpoint was deleted (status `deleted`); its "
                       "deliveries stay listable"})
    link = fields.String(required=True)


class EndpointSecretSchema(EndpointSchema):
    secret = fields.String(required=True, metadata={
        "description": "the whsec_ signing secret: shown this once, store it now"})


class EndpointListArgs(Schema):
    deleted = fields.Boolean(load_default=False, metadata={
        "description": "also the deleted endpoints (to find one whose delivery log to read)"})


class EndpointListSchema(Schema):
    items = fields.List(fields.Nested(EndpointSchema), required=True)


class TestSchema(Schema):
    message_id = fields.String(required=True)


class RecoverArgs(Schema):
    since = UtcDateTime(required=True)


class RecoverSchema(Schema):
    redelivered = fields.Integer(required=True)


class DeliveryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES), metadata={
        "description": "pending: not tried yet; retrying: failed, tried again at "
                       "next_attempt_at; delivered; failed: given up"})
    endpoint = fields.String(validate=validate.Length(max=40), metadata={
        "description": "one endpoint's deliveries, a deleted endpoint's too"})


class AttemptSchema(Schema):
    number = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    duration_ms = fields.Integer(required=True)
    status_code = fields.Integer(allow_none=True)
    error = fields.String(allow_none=True)
    response_excerpt = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    message_id = fields.String(required=True)
    event_type = fields.String(required=True)
    endpoint_id = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime(required=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(AttemptSchema), data_key="attempts_log")


class DeliveryPageSchema(PageSchema):
    items = fields.List(fields.Nested(DeliverySchema), required=True)


def _caller() -> Caller:
    """The authenticated principal as the engine's `Caller`, its principal id passed on.

    The webhook operations decide ownership by `Caller.principal_id`; the id is
    copied explicitly while `current_principal()` may still answer its own type.
    """
    principal = current_principal()
    if isinstance(principal, Caller):
        return principal
    return Caller(name=principal.name, role=principal.role, groups=tuple(principal.groups),
                  topics=tuple(principal.topics), principal_id=principal.id)


def _endpoint(view: EndpointView) -> dict[str, Any]:
    return {"id": view.id, "principal_id": view.principal_id, "url": view.url,
            "event_types": list(view.event_types), "description": view.description,
            "status": view.status, "disabled_at": view.disabled_at,
            "disabled_reason": view.disabled_reason, "failing_since": view.failing_since,
            "previous_secret_valid_until": view.previous_secret_valid_until,
            "created_at": view.created_at, "deleted_at": view.deleted_at,
            "link": api_link(f"/webhooks/endpoints/{view.id}")}


def _with_secret(found: WithSecret) -> dict[str, Any]:
    return {**_endpoint(found.endpoint), "secret": found.secret}


def _delivery(view: DeliveryView) -> dict[str, Any]:
    return {
        "id": view.id, "message_id": view.message_id, "event_type": view.event_type,
        "endpoint_id": view.endpoint_id, "status": view.status, "attempts": view.attempts,
        "next_attempt_at": view.next_attempt_at, "delivered_at": view.delivered_at,
        "created_at": view.created_at, "last_status_code": view.last_status_code,
        "last_error": view.last_error,
        "attempt_log": [{"number": a.number, "started_at": a.started_at,
                         "duration_ms": a.duration_ms, "status_code": a.status_code,
                         "error": a.error, "response_excerpt": a.response_excerpt}
                        for a in view.attempt_log],
    }


@blp.route("/endpoints")
class Endpoints(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(EndpointListArgs, location="query")
    @blp.response(200, EndpointListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The caller's endpoints (an admin sees all); deleted ones with `deleted=true`."""
        return {"items": [_endpoint(v) for v in manage.list_endpoints(
            engine(), _caller(), deleted=args["deleted"])]}

    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(EndpointCreateSchema)
    @blp.response(201, EndpointSecretSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Register a URL; the answer carries the signing secret, shown this once."""
        return _with_secret(manage.register_endpoint(
            engine(), _caller(), url=args["url"], event_types=args["event_types"],
            description=args.get("description")))


@blp.route("/endpoints/<string:endpoint_id>")
class Endpoint(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, EndpointSchema)
    def get(self, endpoint_id: str) -> dict[str, Any]:
        return _endpoint(manage.get_endpoint(engine(), _caller(), endpoint_id))

    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(EndpointPatchSchema)
    @blp.response(200, EndpointSchema)
    def patch(self, args: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
        """Change the URL (checked again), the event types, the description or the status."""
        return _endpoint(manage.change_endpoint(engine(), _caller(), endpoint_id, **args))

    @require(INSTITUTION, COORDINATOR)
    @blp.response(204)
    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint: nothing more is sent to it (what was still to send fails),
        its secret is dropped, and its deliveries stay listable in `/deliveries`."""
        manage.remove_endpoint(engine(), _caller(), endpoint_id)


@blp.route("/endpoints/<string:endpoint_id>/rotate-secret")
class RotateSecret(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, EndpointSecretSchema)
    def post(self, endpoint_id: str) -> dict[str, Any]:
        """A new secret; the old one keeps signing beside it for the overlap (24 h by default)."""
        return _with_secret(manage.rotate_endpoint_secret(engine(), _caller(), endpoint_id))


@blp.route("/endpoints/<string:endpoint_id>/test")
class TestEndpoint(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(202, TestSchema)
    def post(self, endpoint_id: str) -> dict[str, Any]:
        """Queue a `ping` event to this endpoint; the dispatcher sends it."""
        return {"message_id": manage.ping_endpoint(engine(), _caller(), endpoint_id)}


@blp.route("/endpoints/<string:endpoint_id>/recover")
class Recover(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(RecoverArgs, location="query")
    @blp.response(202, RecoverSchema)
    def post(self, args: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
        """Send again every failed delivery of this endpoint created since `since`."""
        count = manage.recover_endpoint(engine(), _caller(), endpoint_id, since=args["since"])
        return {"redelivered": count}


@blp.route("/deliveries")
class Deliveries(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(DeliveryArgs, location="query")
    @blp.response(200, DeliveryPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliveries of the caller's endpoints, newest first, each with its attempts."""
        page = deliveries.list_deliveries(
            engine(), _caller(), status=args.get("status"), endpoint=args.get("endpoint"),
            limit=args["limit"], offset=args["offset"])
        return page.map(_delivery)


@blp.route("/deliveries/<int:delivery_id>/redeliver")
class Redeliver(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(202, DeliverySchema)
    def post(self, delivery_id: int) -> dict[str, Any]:
        """Send a delivery again: same message, same `webhook-id`, a fresh attempt budget."""
        return _delivery(deliveries.redeliver(engine(), _caller(), delivery_id))
