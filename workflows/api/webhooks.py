"""Webhook endpoints and deliveries: register, rotate, test, inspect, redeliver, recover.

An institution (or a coordinator, who receives incidents) manages its own
endpoints; an admin manages all. Someone else's endpoint is answered 404, so
its existence is not revealed. The secret is shown once, in the answer that
creates or rotates it. An SSRF refusal is a 422 problem naming `url`.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from webhooks import endpoints as service
from webhooks.config import WebhookSettings
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from webhooks.payloads import EVENT_TYPES
from webhooks.ssrf import UnsafeURL

from ..auth import ADMIN, COORDINATOR, INSTITUTION, CurrentPrincipal, current_principal, require
from ..problems import ApiProblem
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
    link = fields.String(required=True)


class EndpointSecretSchema(EndpointSchema):
    secret = fields.String(required=True, metadata={
        "description": "the whsec_ signing secret: shown this once, store it now"})


class EndpointListSchema(Schema):
    items = fields.List(fields.Nested(EndpointSchema), required=True)


class TestSchema(Schema):
    message_id = fields.String(required=True)


class RecoverArgs(Schema):
    since = UtcDateTime(required=True)


class RecoverSchema(Schema):
    redelivered = fields.Integer(required=True)


class DeliveryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(("pending", "delivered", "failed")))
    endpoint = fields.String(validate=validate.Length(max=40))


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


def _shape(row: WebhookEndpoint) -> dict[str, Any]:
    return {"id": row.id, "principal_id": row.principal_id, "url": row.url,
            "event_types": list(row.event_types or ()), "description": row.description,
            "status": row.status, "disabled_at": row.disabled_at,
            "disabled_reason": row.disabled_reason, "failing_since": row.failing_since,
            "previous_secret_valid_until": row.previous_secret_until,
            "created_at": row.created_at, "link": api_link(f"/webhooks/endpoints/{row.id}")}


def _owned(session: Session, endpoint_id: str, principal: CurrentPrincipal) -> WebhookEndpoint:
    """The endpoint if the caller owns it (or is admin); 404 otherwise."""
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is None or (principal.role != ADMIN and row.principal_id != principal.id):
        raise ApiProblem(404, f"no webhook endpoint {endpoint_id}")
    return row


def _unsafe(error: UnsafeURL) -> ApiProblem:
    return ApiProblem(422, f"the webhook URL is refused: {error}",
                      errors={error.field: [str(error)]})


@blp.route("/endpoints")
class Endpoints(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, EndpointListSchema)
    def get(self) -> dict[str, Any]:
        """The caller's endpoints (an admin sees all)."""
        principal = current_principal()
        with engine().readers() as session:
            rows = service.endpoints_of(session,
                                        None if principal.role == ADMIN else principal.id)
        return {"items": [_shape(r) for r in rows]}

    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(EndpointCreateSchema)
    @blp.response(201, EndpointSecretSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Register a URL; the answer carries the signing secret, shown this once."""
        eng = engine()
        try:
            with eng.sessions.begin() as session:
                row, secret = service.create_endpoint(
                    session, principal_id=current_principal().id, url=args["url"],
                    event_types=args["event_types"], description=args.get("description"),
                    now=eng.clock.now(), settings=WebhookSettings.from_env())
                return {**_shape(row), "secret": secret}
        except UnsafeURL as error:
            raise _unsafe(error) from None


@blp.route("/endpoints/<string:endpoint_id>")
class Endpoint(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, EndpointSchema)
    def get(self, endpoint_id: str) -> dict[str, Any]:
        with engine().readers() as session:
            return _shape(_owned(session, endpoint_id, current_principal()))

    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(EndpointPatchSchema)
    @blp.response(200, EndpointSchema)
    def patch(self, args: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
        """Change the URL (checked again), the event types, the description or the status."""
        eng = engine()
        try:
            with eng.sessions.begin() as session:
                row = _owned(session, endpoint_id, current_principal())
                service.update_endpoint(session, row, now=eng.clock.now(),
                                        settings=WebhookSettings.from_env(), **args)
                return _shape(row)
        except UnsafeURL as error:
            raise _unsafe(error) from None

    @require(INSTITUTION, COORDINATOR)
    @blp.response(204)
    def delete(self, endpoint_id: str) -> None:
        """Delete the endpoint with its deliveries and their attempts."""
        with engine().sessions.begin() as session:
            service.delete_endpoint(session, _owned(session, endpoint_id, current_principal()))


@blp.route("/endpoints/<string:endpoint_id>/rotate-secret")
class RotateSecret(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(200, EndpointSecretSchema)
    def post(self, endpoint_id: str) -> dict[str, Any]:
        """A new secret; the old one keeps signing beside it for the overlap (24 h by default)."""
        eng = engine()
        with eng.sessions.begin() as session:
            row = _owned(session, endpoint_id, current_principal())
            secret = service.rotate_secret(session, row, now=eng.clock.now(),
                                           settings=WebhookSettings.from_env())
            return {**_shape(row), "secret": secret}


@blp.route("/endpoints/<string:endpoint_id>/test")
class TestEndpoint(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(202, TestSchema)
    def post(self, endpoint_id: str) -> dict[str, Any]:
        """Queue a `ping` event to this endpoint; the dispatcher sends it."""
        eng = engine()
        with eng.sessions.begin() as session:
            row = _owned(session, endpoint_id, current_principal())
            message = service.send_test(session, row, now=eng.clock.now())
            return {"message_id": message.id}


@blp.route("/endpoints/<string:endpoint_id>/recover")
class Recover(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(RecoverArgs, location="query")
    @blp.response(202, RecoverSchema)
    def post(self, args: dict[str, Any], endpoint_id: str) -> dict[str, Any]:
        """Send again every failed delivery of this endpoint created since `since`."""
        eng = engine()
        with eng.sessions.begin() as session:
            row = _owned(session, endpoint_id, current_principal())
            count = service.recover(session, row, since=args["since"], now=eng.clock.now())
        return {"redelivered": count}


@blp.route("/deliveries")
class Deliveries(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(DeliveryArgs, location="query")
    @blp.response(200, DeliveryPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Deliveries of the caller's endpoints, newest first, each with its attempts."""
        principal = current_principal()
        stmt = (select(WebhookDelivery, WebhookMessage.event_type)
                .join(WebhookMessage, WebhookMessage.id == WebhookDelivery.message_id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id))
        if principal.role != ADMIN:
            stmt = stmt.where(WebhookEndpoint.principal_id == principal.id)
        if "status" in args:
            stmt = stmt.where(WebhookDelivery.status == args["status"])
        if "endpoint" in args:
            stmt = stmt.where(WebhookDelivery.endpoint_id == args["endpoint"])
        limit, offset = args["limit"], args["offset"]
        stmt = (stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                .limit(limit + 1).offset(offset))
        with engine().readers() as session:
            rows = session.execute(stmt).all()[:limit + 1]
            ids = [d.id for d, _ in rows[:limit]]
            logs: dict[int, list[WebhookAttempt]] = {i: [] for i in ids}
            for attempt in session.scalars(select(WebhookAttempt).where(
                    WebhookAttempt.delivery_id.in_(ids)).order_by(WebhookAttempt.number)):
                logs[attempt.delivery_id].append(attempt)
        items = [_delivery(d, t, logs[d.id]) for d, t in rows[:limit]]
        return {"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit}


def _delivery(row: WebhookDelivery, event_type: str,
              log: list[WebhookAttempt]) -> dict[str, Any]:
    return {
        "id": row.id, "message_id": row.message_id, "event_type": event_type,
        "endpoint_id": row.endpoint_id, "status": row.status, "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at, "delivered_at": row.delivered_at,
        "created_at": row.created_at, "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "attempt_log": [{"number": a.number, "started_at": a.started_at,
                         "duration_ms": a.duration_ms, "status_code": a.status_code,
                         "error": a.error, "response_excerpt": a.response_excerpt}
                        for a in log],
    }


@blp.route("/deliveries/<int:delivery_id>/redeliver")
class Redeliver(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.response(202, DeliverySchema)
    def post(self, delivery_id: int) -> dict[str, Any]:
        """Send a delivery again: same message, same `webhook-id`, a fresh attempt budget."""
        eng = engine()
        principal = current_principal()
        with eng.sessions.begin() as session:
            row = session.get(WebhookDelivery, delivery_id) if delivery_id < 2**31 else None
            if row is None:
                raise ApiProblem(404, f"no delivery {delivery_id}")
            _owned(session, row.endpoint_id, principal)
            service.redeliver(session, row, now=eng.clock.now())
            event_type = session.get(WebhookMessage, row.message_id).event_type
            return _delivery(row, event_type, [])
