"""A case's history: the query (kinds, order, page) and its rows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import PageArgs, PageSchema

KIND = validate.Regexp(r"^[a-z][a-z_]{0,39}$", error="a history kind, e.g. task_completed")


class HistoryArgs(PageArgs):
    kind = fields.List(fields.String(validate=KIND), validate=validate.Length(max=20),
                       metadata={"description": "only rows of these kinds (repeat the "
                                                "parameter for several)"})
    order = fields.String(load_default="oldest", validate=validate.OneOf(("oldest", "newest")),
                          metadata={"description": "oldest first (the default) or newest first"})


class FlowSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True, metadata={"description": "as drawn"})


class HistoryRowSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "1, 2, 3… within the case"})
    at = fields.DateTime(required=True)
    kind = fields.String(required=True)
    actor = fields.String(allow_none=True)
    activity_id = fields.String(allow_none=True)
    activity_name = fields.String(allow_none=True, metadata={
        "description": "the element's name as drawn in the Modeler"})
    task_id = fields.String(allow_none=True)
    flows = fields.List(fields.Nested(FlowSchema), metadata={
        "description": "gateway_taken rows: the sequence flows taken"})
    detail = fields.Dict(allow_none=True, metadata={
        "description": "coordinators and admins only (null for institutions): submitted form "
                       "data, decision inputs, matched rules and outputs, reasons"})


class HistoryPageSchema(PageSchema):
    items = fields.List(fields.Nested(HistoryRowSchema), required=True)
