"""Instances (cases): start, list, read, change status, access log."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import PageArgs, PageSchema, UtcDateTime, variables_field
from .tasks import TaskSummarySchema

STATUSES = ("running", "suspended", "incident", "completed", "terminated")


class StartSchema(Schema):
    business_key = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=255), metadata={
                                     "description": "the case's pseudonymous reference"})
    data = variables_field(load_default=dict, metadata={
        "description": "the start form's fields (validated against its camunda:formData)"})


class InstanceArgs(PageArgs):
    definition = fields.String(validate=validate.Length(max=255),
                               metadata={"description": "process key"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    business_key = fields.String(validate=validate.Length(max=255))
    started_after = UtcDateTime()
    started_before = UtcDateTime()
    waiting_at = fields.String(validate=validate.Length(max=255), metadata={
        "description": "activity id of a ready task"})


class InstanceSchema(Schema):
    id = fields.String(required=True)
    process_key = fields.String(required=True)
    definition_version = fields.Integer(required=True)
    business_key = fields.String(allow_none=True)
    status = fields.String(required=True)
    started_at = fields.DateTime(required=True)
    started_by = fields.String(allow_none=True)
    updated_at = fields.DateTime(required=True)
    ended_at = fields.DateTime(allow_none=True)
    link = fields.String(required=True)


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema), required=True)


class HistorySchema(Schema):
    seq = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    actor = fields.String(allow_none=True)
    activity_id = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True, metadata={
        "description": "coordinators only (may hold reasons given in free text)"})


class IncidentRefSchema(Schema):
    id = fields.Integer(required=True)
    activity_id = fields.String(allow_none=True)
    status = fields.String(required=True)
    opened_at = fields.DateTime(required=True)


class WaitingSchema(Schema):
    activity_id = fields.String(required=True, metadata={"description": "BPMN id"})
    name = fields.String(allow_none=True, metadata={"description": "the model's name"})
    kind = fields.String(required=True, metadata={
        "description": "user_task | external_task | timer | message | event | job"})


class InstanceDetailSchema(InstanceSchema):
    waiting_at = fields.List(fields.Nested(WaitingSchema), required=True, metadata={
        "description": "where the case stands: the activities it waits at now"})
    open_tasks = fields.List(fields.Nested(TaskSummarySchema), required=True)
    history = fields.List(fields.Nested(HistorySchema), required=True)
    incidents = fields.List(fields.Nested(IncidentRefSchema), required=True)
    data = fields.Dict(metadata={"description": "case variables; coordinators and admins only"})


class StartedSchema(Schema):
    instance = fields.Nested(InstanceSchema, required=True)
    open_tasks = fields.List(fields.Nested(TaskSummarySchema), required=True)
    incident_id = fields.Integer(allow_none=True)


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AccessLogEntrySchema(Schema):
    at = fields.DateTime(required=True)
    principal = fields.String(required=True)
    role = fields.String(required=True)
    what = fields.String(required=True)
    object_id = fields.String(required=True)


class AccessLogPageSchema(PageSchema):
    items = fields.List(fields.Nested(AccessLogEntrySchema), required=True)
