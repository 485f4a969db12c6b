"""Definitions: deploy results, lint findings, versions."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields


class DeployFilesSchema(Schema):
    files = fields.List(Upload(), required=True, metadata={
        "description": "one or more .bpmn/.dmn files, deployed as one bundle"})


class FindingSchema(Schema):
    severity = fields.String(required=True)
    file = fields.String(required=True)
    element_id = fields.String(allow_none=True)
    element_name = fields.String(allow_none=True, metadata={
        "description": "the element's name as the Modeler shows it, when it has one"})
    message = fields.String(required=True)


class DeployedSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    created = fields.Boolean(required=True, metadata={
        "description": "false when the same bytes were already deployed (no new version)"})
    link = fields.String(required=True)


class DeployQuerySchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "lint and answer the plan (200) without storing anything"})


class DeployedDecisionSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    version_tag = fields.String(allow_none=True)
    resource = fields.String(required=True)
    created = fields.Boolean(required=True, metadata={
        "description": "false when the decision's own element did not change"})


class DecisionSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    version_tag = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    resource = fields.String(required=True, metadata={"description": "the DMN file"})
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(allow_none=True)


class DecisionListSchema(Schema):
    items = fields.List(fields.Nested(DecisionSchema), required=True)


class DeployResultSchema(Schema):
    definitions = fields.List(fields.Nested(DeployedSchema), required=True)
    decisions = fields.List(fields.Nested(DeployedDecisionSchema), required=True)
    findings = fields.List(fields.Nested(FindingSchema), required=True)
    dry_run = fields.Boolean(required=True, metadata={
        "description": "true: nothing was stored, `created` says what deploy would create"})


class DefinitionSchema(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(allow_none=True)
    deployed_at = fields.DateTime(required=True)
    deployed_by = fields.String(allow_none=True)
    resource_names = fields.List(fields.String(), required=True)
    link = fields.String(required=True)


class DefinitionListSchema(Schema):
    items = fields.List(fields.Nested(DefinitionSchema), required=True)


class DefinitionVersionSchema(DefinitionSchema):
    start_form = fields.List(fields.Dict(), required=True, metadata={
        "description": "the start event's form (the announcement), shaped like a task's form"})
    bpmn_resource = fields.String(required=True)
    resources = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                            metadata={"description": "file name → XML text"})
