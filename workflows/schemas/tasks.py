"""Tasks: lists, the form of one task, claim, release, reassign and completion."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import PageArgs, PageSchema, UtcDateTime

STATES = ("ready", "completed", "cancelled")


class TaskArgs(PageArgs):
    state = fields.String(load_default="ready", validate=validate.OneOf(STATES))
    group = fields.String(validate=validate.Length(max=255))
    activity = fields.String(validate=validate.Length(max=255))
    due_before = UtcDateTime()
    business_key = fields.String(validate=validate.Length(max=255))


class TaskSummarySchema(Schema):
    id = fields.String(required=True)
    instance_id = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    process_key = fields.String(required=True)
    activity_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    lane = fields.String(allow_none=True)
    candidate_groups = fields.List(fields.String(), required=True)
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    ready_at = fields.DateTime(required=True)
    state = fields.String(required=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    link = fields.String(required=True)


class ReleaseSchema(Schema):
    reason = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "why, kept in the case's history (optional)"})


class ReassignSchema(Schema):
    groups = fields.List(fields.String(validate=validate.Length(min=1, max=255)),
                         required=True, validate=validate.Length(min=1, max=50),
                         metadata={"description": "the task's new candidate groups"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "why, kept in the case's history"})


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSummarySchema), required=True)


class EnumValueSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)


class FormFieldSchema(Schema):
    id = fields.String(required=True)
    label = fields.String(allow_none=True)
    type = fields.String(required=True, metadata={
        "description": "string | long | boolean | date (ISO 8601) | enum"})
    required = fields.Boolean(required=True)
    readonly = fields.Boolean(required=True)
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    minlength = fields.Integer(allow_none=True)
    maxlength = fields.Integer(allow_none=True)
    default = fields.Raw(allow_none=True)
    enum = fields.List(fields.Nested(EnumValueSchema), allow_none=True)
    value = fields.Raw(allow_none=True, metadata={"description": "the current value"})
    properties = fields.Dict(keys=fields.String(), values=fields.String())


class TaskDetailSchema(TaskSummarySchema):
    form = fields.List(fields.Nested(FormFieldSchema), required=True)
    variables = fields.Dict(required=True, metadata={
        "description": "only the case variables the process owner exposed (ciiflow.expose)"})
    instance_link = fields.String(required=True)


class CompleteSchema(Schema):
    data = fields.Dict(load_default=dict, metadata={
        "description": "the form's fields; validated against the task's camunda:formData"})


class CompletedSchema(Schema):
    task_id = fields.String(required=True)
    instance_id = fields.String(required=True)
    instance_status = fields.String(required=True)
    incident_id = fields.Integer(allow_none=True, metadata={
        "description": "set when the step failed: the case waits in incident, "
                       "the task stays ready"})
    next_tasks = fields.List(fields.Nested(TaskSummarySchema), required=True)
