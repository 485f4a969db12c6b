"""External tasks (Camunda's fetch-and-lock pattern)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import variables_field

WORKER_ID = fields.String(required=True, validate=validate.Length(min=1, max=255))
MAX_LOCK_MS = 7 * 24 * 3600 * 1000


class TopicSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    lock_duration = fields.Integer(required=True, strict=True,
                                   validate=validate.Range(min=1, max=MAX_LOCK_MS),
                                   metadata={"description": "milliseconds"})


class FetchSchema(Schema):
    worker_id = WORKER_ID
    max_tasks = fields.Integer(load_default=10, strict=True,
                               validate=validate.Range(min=1, max=100))
    topics = fields.List(fields.Nested(TopicSchema), required=True,
                         validate=validate.Length(min=1, max=50))


class LockedTaskSchema(Schema):
    id = fields.String(required=True)
    topic = fields.String(required=True)
    activity_id = fields.String(required=True)
    instance_id = fields.String(required=True)
    process_key = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    worker_id = fields.String(required=True)
    lock_expires_at = fields.DateTime(required=True)
    retries = fields.Integer(allow_none=True)
    variables = fields.Dict(required=True)


class LockedListSchema(Schema):
    items = fields.List(fields.Nested(LockedTaskSchema), required=True)


class ExternalCompleteSchema(Schema):
    worker_id = WORKER_ID
    variables = variables_field(load_default=dict)


class ExternalFailureSchema(Schema):
    worker_id = WORKER_ID
    error_message = fields.String(load_default="", validate=validate.Length(max=2000))
    retries = fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=0, max=1000))
    retry_timeout = fields.Integer(load_default=0, strict=True,
                                   validate=validate.Range(min=0, max=MAX_LOCK_MS),
                                   metadata={"description": "milliseconds"})


class BpmnErrorSchema(Schema):
    worker_id = WORKER_ID
    error_code = fields.String(required=True, validate=validate.Length(min=1, max=255))
    error_message = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Length(max=2000))


class ExternalResultSchema(Schema):
    task_id = fields.String(required=True)
    state = fields.String(required=True)
    instance_status = fields.String(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
