"""Messages, stuck cases and incidents."""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.store.stuck import REASONS

from .common import IsoDuration, PageArgs, variables_field


class MessageSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    business_key = fields.String(validate=validate.Length(min=1, max=255))
    instance_id = fields.String(validate=validate.Length(min=1, max=36))
    payload = variables_field(load_default=dict)

    @validates_schema
    def _target(self, data: dict, **kwargs: object) -> None:
        if not data.get("business_key") and not data.get("instance_id"):
            raise ValidationError("give a business_key or an instance_id", "business_key")


class MessageResultSchema(Schema):
    instance_id = fields.String(required=True)
    instance_status = fields.String(required=True)
    incident_id = fields.Integer(allow_none=True)


class StuckArgs(PageArgs):
    older_than = IsoDuration(load_default=timedelta(days=10), metadata={
        "description": "ISO 8601 duration: ready tasks waiting longer than this"})
    group = fields.String(validate=validate.Length(max=255))
    activity = fields.String(validate=validate.Length(max=255))
    reason = fields.String(validate=validate.OneOf(REASONS))


class StuckRowSchema(Schema):
    reason = fields.String(required=True, metadata={"description": " | ".join(REASONS)})
    instance_id = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    process_key = fields.String(required=True)
    activity = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    groups = fields.List(fields.String(), required=True)
    since = fields.DateTime(required=True)
    waiting_seconds = fields.Integer(required=True, metadata={
        "description": "how long the case has waited here, by the service's clock"})
    link = fields.String(required=True)


class StuckPageSchema(Schema):
    items = fields.List(fields.Nested(StuckRowSchema), required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    has_more = fields.Boolean(required=True)


class IncidentArgs(PageArgs):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved")))


class IncidentSchema(Schema):
    id = fields.Integer(required=True)
    instance_id = fields.String(required=True)
    activity_id = fields.String(allow_none=True)
    message = fields.String(required=True)
    status = fields.String(required=True)
    opened_at = fields.DateTime(required=True)
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    link = fields.String(required=True)


class IncidentPageSchema(Schema):
    items = fields.List(fields.Nested(IncidentSchema), required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    has_more = fields.Boolean(required=True)


class RetrySchema(Schema):
    data = variables_field(load_default=dict, metadata={
        "description": "corrected variables merged in before the failed step runs again"})


class RetryResultSchema(Schema):
    incident_id = fields.Integer(required=True)
    incident_status = fields.String(required=True)
    instance_status = fields.String(required=True)
