"""Migrations: the batch a process owner asks for, and the plan or outcome per case."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_CASES = 10_000


class MigrationSchema(Schema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=255))
    from_version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    activity_map = fields.Dict(
        keys=fields.String(validate=[validate.Length(min=1, max=255),
                                     validate.Regexp(r"^[^\s]+$")]),
        values=fields.String(validate=[validate.Length(min=1, max=255),
                                       validate.Regexp(r"^[^\s]+$")]),
        load_default=dict, validate=validate.Length(max=1000),
        metadata={"description": "old element id → the new version's element that replaces it"})
    instance_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                               load_default=None, validate=validate.Length(min=1, max=MAX_CASES),
                               metadata={"description": "only these cases (default: every "
                                                        "running, incident or suspended case "
                                                        "of from_version)"})
    dry_run = fields.Boolean(load_default=True, metadata={
        "description": "true (the default): answer the plan, write nothing"})


class TaskKeptSchema(Schema):
    task_id = fields.String(required=True)
    from_ = fields.String(required=True, data_key="from", attribute="from")
    to = fields.String(required=True)


class TaskEndedSchema(Schema):
    task_id = fields.String(required=True)
    activity_id = fields.String(required=True)


class TaskCreatedSchema(Schema):
    activity_id = fields.String(required=True)
    task_id = fields.String(metadata={"description": "once migrated (not on a dry run)"})


class CaseIncidentSchema(Schema):
    activity_id = fields.String(allow_none=True)
    outcome = fields.String(required=True, metadata={
        "description": "stays-open; retried (dry run: the failing element is mapped away, "
                       "the failed operation runs again on the new version); resolved; "
                       "retried-failed-again"})


class CasePlanSchema(Schema):
    instance_id = fields.String(required=True)
    status = fields.String(allow_none=True)
    can_move = fields.Boolean(required=True)
    migrated = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True, metadata={
        "description": "why the case cannot move (empty when it can)"})
    kept = fields.List(fields.Nested(TaskKeptSchema), required=True)
    cancelled = fields.List(fields.Nested(TaskEndedSchema), required=True)
    created = fields.List(fields.Nested(TaskCreatedSchema), required=True)
    incident = fields.Nested(CaseIncidentSchema, allow_none=True)


class MigrationCountsSchema(Schema):
    cases = fields.Integer(required=True)
    can_move = fields.Integer(required=True)
    cannot_move = fields.Integer(required=True)
    migrated = fields.Integer(required=True)


class MigrationResultSchema(Schema):
    process_key = fields.String(required=True)
    from_version = fields.Integer(required=True)
    to_version = fields.Integer(required=True)
    activity_map = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    dry_run = fields.Boolean(required=True)
    counts = fields.Nested(MigrationCountsSchema, required=True)
    cases = fields.List(fields.Nested(CasePlanSchema), required=True)
