"""Messages, stuck cases and incidents."""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.service.oversight import REASONS as ENGINE_REASONS
from webhooks.stuck import REASON as NOTIFICATION_FAILING

from .common import IsoDuration, PageArgs, variables_field

#: every stuck reason the service reads: the engine's and the webhooks'
REASONS = (*ENGINE_REASONS, NOTIFICATION_FAILING)


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
        "description": "ISO 8601 duration: a wait (user task, message, external task) "
                       "longer than this is stuck"})
    idle_after = IsoDuration(metadata={
        "description": "ISO 8601 duration: a running case without a step for longer than "
                       "this is idle (default: CIIFLOW_STUCK_IDLE_DAYS, 30 days)"})
    group = fields.String(validate=validate.Length(max=255))
    activity = fields.String(validate=validate.Length(max=255), metadata={
        "description": "the BPMN id of the element the case waits at, or of the call "
                       "activity leading there"})
    institution = fields.String(validate=validate.Length(max=255), metadata={
        "description": "an institution principal's name: the work of the groups it holds"})
    process = fields.String(validate=validate.Length(max=255), metadata={
        "description": "a process key"})
    reason = fields.String(validate=validate.OneOf(REASONS))


class StuckChildSchema(Schema):
    process_key = fields.String(required=True, metadata={
        "description": "the called process"})
    activity_id = fields.String(required=True)
    activity_name = fields.String(allow_none=True)
    kind = fields.String(required=True)


class StuckRowSchema(Schema):
    reason = fields.String(required=True, metadata={"description": " | ".join(REASONS)})
    wait = fields.String(required=True, metadata={
        "description": "user_task | message | signal | trigger | external_task | incident |"
                       " case | notification | job"})
    message = fields.String(required=True, metadata={"description": "the reason in words"})
    instance_id = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    process_key = fields.String(required=True)
    activity = fields.String(allow_none=True, metadata={
        "description": "BPMN id of the element of the case's process (the call activity "
                       "when a called process waits)"})
    activity_name = fields.String(allow_none=True, metadata={
        "description": "its name as drawn"})
    activity_kind = fields.String(allow_none=True)
    child = fields.Nested(StuckChildSchema, allow_none=True, metadata={
        "description": "where the called process waits, for a call activity"})
    task_id = fields.String(allow_none=True)
    external_task_id = fields.String(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    institution = fields.String(allow_none=True, metadata={
        "description": "notification_failing: the institution whose webhooks fail"})
    cause_since = fields.DateTime(allow_none=True, metadata={
        "description": "notification_failing: since when the institution's deliveries fail"})
    detail = fields.String(allow_none=True, metadata={
        "description": "the message waited for, the external topic, the incident message "
                       "or the last delivery error"})
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
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=2000), metadata={
                               "description": "why the case is repaired (kept in its history)"})


class RetryResultSchema(Schema):
    incident_id = fields.Integer(required=True)
    incident_status = fields.String(required=True)
    instance_status = fields.String(required=True)
