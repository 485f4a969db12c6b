"""API tokens (admins): list, issue, revoke and rotate, as `ciiflow token` does.

A token's clear value is in the answer that issues it (create or rotate) and
nowhere else: the database keeps its SHA-256, and a list shows only whose it
is, its dates and its status. A revoked or expired token is refused (401) at
the very next request. Each view calls one operation of the engine.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.service.principals import ROLES, TOKEN_STATUSES, Issued, TokenView

from ..auth import ADMIN, require
from ..runtime import engine
from ..schemas.common import IsoDuration, UtcDateTime

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens",
                description="API tokens of principals (admins): list, issue, revoke, rotate")

NAME = validate.Length(min=1, max=255)


class ExpiryArgs(Schema):
    expires_at = UtcDateTime(metadata={"description": "when the token stops working"})
    expires_in = IsoDuration(metadata={"description": "or how long it works (P90D)"})


class TokenCreateSchema(ExpiryArgs):
    principal = fields.String(required=True, validate=NAME, metadata={
        "description": "the principal's name: a new one with `role`, else an existing one"})
    role = fields.String(validate=validate.OneOf(ROLES), metadata={
        "description": "creates the principal with this role (409 if the name is taken); "
                       "without it, one more token is issued to the existing principal"})
    groups = fields.List(fields.String(validate=NAME), validate=validate.Length(max=100))
    topics = fields.List(fields.String(validate=NAME), validate=validate.Length(max=100))

    @validates_schema
    def _groups_need_a_role(self, data: dict[str, Any], **_: Any) -> None:
        for name in ("groups", "topics"):
            if data.get(name) and "role" not in data:
                raise ValidationError("only with role (a new principal)", field_name=name)


class TokenListArgs(Schema):
    principal = fields.String(validate=NAME, metadata={"description": "only its tokens"})
    status = fields.String(validate=validate.OneOf(TOKEN_STATUSES))


class TokenSchema(Schema):
    id = fields.Integer(required=True)
    principal = fields.String(required=True)
    role = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "active, expired, revoked, or disabled (its principal is)"})
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True, metadata={
        "description": "the last request made with it, to the minute"})


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenSchema), required=True)


class IssuedSchema(Schema):
    id = fields.Integer(required=True)
    principal = fields.String(required=True)
    role = fields.String(required=True)
    expires_at = fields.DateTime(allow_none=True)
    token = fields.String(required=True, metadata={
        "description": "the bearer token: shown this once, store it now"})


def _token(view: TokenView) -> dict[str, Any]:
    return {"id": view.id, "principal": view.principal, "role": view.role,
            "status": view.status, "created_at": view.created_at,
            "expires_at": view.expires_at, "revoked_at": view.revoked_at,
            "last_used_at": view.last_used_at}


def _issued(issued: Issued) -> dict[str, Any]:
    return {"id": issued.token_id, "principal": issued.name, "role": issued.role,
            "expires_at": issued.expires_at, "token": issued.token}


@blp.route("")
class Tokens(MethodView):
    @require(ADMIN)
    @blp.arguments(TokenListArgs, location="query")
    @blp.response(200, TokenListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every token, oldest first: whose, its dates and status; never the token itself."""
        return {"items": [_token(v) for v in engine().list_tokens(**args)]}

    @require(ADMIN)
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Issue a token: with `role` to a new principal, else to an existing one."""
        expiry = {"expires_at": args.get("expires_at"), "expires_in": args.get("expires_in")}
        if "role" in args:
            issued = engine().create_principal(args["principal"], args["role"],
                                               groups=args.get("groups", ()),
                                               topics=args.get("topics", ()), **expiry)
        else:
            issued = engine().issue_token(args["principal"], **expiry)
        return _issued(issued)


@blp.route("/<int:token_id>/revoke")
class Revoke(MethodView):
    @require(ADMIN)
    @blp.response(200, TokenSchema)
    def post(self, token_id: int) -> dict[str, Any]:
        """Refuse the token from the next request on (401); revoking twice is harmless."""
        return _token(engine().revoke_token(token_id))


@blp.route("/<int:token_id>/rotate")
class Rotate(MethodView):
    @require(ADMIN)
    @blp.arguments(ExpiryArgs, location="query")
    @blp.response(201, IssuedSchema)
    def post(self, args: dict[str, Any], token_id: int) -> dict[str, Any]:
        """A new token for the same principal, shown this once; the old one is revoked now.

        Without `expires_at`/`expires_in` the new token lives as long as the old one
        was meant to (none when the old one had no expiry)."""
        return _issued(engine().rotate_token(token_id, **args))
