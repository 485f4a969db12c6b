"""The control room's answers: a diagram, a case's position, per-activity figures, batches."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.service.batches import MAX_ITEMS, OPERATIONS

ID_MAX = 2**31 - 1


class DiagramSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    resource = fields.String(required=True, metadata={"description": "the file it came from"})
    xml = fields.String(required=True, metadata={
        "description": "the BPMN XML with its diagram interchange, as deployed"})


class PositionWaitingSchema(Schema):
    activity_id = fields.String(required=True)
    name = fields.String(allow_none=True)
    kind = fields.String(required=True)


class OpenIncidentSchema(Schema):
    id = fields.Integer(required=True)
    activity_id = fields.String(allow_none=True)
    message = fields.String(required=True)
    opened_at = fields.DateTime(required=True)


class PositionSchema(Schema):
    instance_id = fields.String(required=True)
    process_key = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    waiting_at = fields.List(fields.Nested(PositionWaitingSchema), required=True)
    incidents = fields.List(fields.Nested(OpenIncidentSchema), required=True)
    diagram_link = fields.String(required=True)


class ActivityFiguresSchema(Schema):
    activity_id = fields.String(required=True)
    ready = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    incidents = fields.Integer(required=True)
    median_waiting_seconds = fields.Integer(allow_none=True, metadata={
        "description": "the median wait of the ready tasks, in seconds (null: none ready)"})


class ActivityStatsSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    at = fields.DateTime(required=True, metadata={"description": "the figures are as of then"})
    activities = fields.List(fields.Nested(ActivityFiguresSchema), required=True)


class ActivityCaseSchema(Schema):
    instance_id = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    kind = fields.String(required=True, metadata={"description": "task | incident"})
    since = fields.DateTime(required=True)
    task_id = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    groups = fields.List(fields.String())
    due_at = fields.DateTime(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    message = fields.String(allow_none=True)


class ActivityCasesSchema(Schema):
    items = fields.List(fields.Nested(ActivityCaseSchema), required=True)


class ActivityCasesArgs(Schema):
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=500))


class BatchSchema(Schema):
    operation = fields.String(required=True, validate=validate.OneOf(OPERATIONS))
    process_key = fields.String(load_default=None, validate=validate.Length(min=1, max=255))
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=ID_MAX))
    activity_id = fields.String(load_default=None, validate=validate.Length(min=1, max=255))
    incident_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=ID_MAX)),
                               load_default=None, validate=validate.Length(max=MAX_ITEMS))
    task_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                           load_default=None, validate=validate.Length(max=MAX_ITEMS))
    groups = fields.List(fields.String(validate=validate.Length(min=1, max=255)),
                         load_default=None, metadata={"description": "reassign: the new "
                                                                      "candidate groups"})
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))
    data = fields.Dict(keys=fields.String(), load_default=None, metadata={
        "description": "retry: corrected data merged into each case"})
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "answer the targets (how many cases are concerned), change nothing"})


class BatchItemSchema(Schema):
    instance_id = fields.String(allow_none=True)
    business_key = fields.String(allow_none=True)
    incident_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"description": "planned | ok | error"})
    error = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)


class BatchResultSchema(Schema):
    operation = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    more = fields.Boolean(required=True, metadata={
        "description": f"more than {MAX_ITEMS} targets: run the batch again for the rest"})
    total = fields.Integer(required=True)
    ok = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    items = fields.List(fields.Nested(BatchItemSchema), required=True)
