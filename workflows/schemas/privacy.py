"""A case's full record (`GET /instances/{id}/export`): one JSON document per access request."""

from __future__ import annotations

from marshmallow import Schema, fields


class CaseExportSchema(Schema):
    instance = fields.Dict(required=True, metadata={
        "description": "the case row: ids, process and version, business key, status, times, "
                       "who started it, the audit chain head, when it was erased"})
    data = fields.Dict(required=True, metadata={
        "description": "the case variables now (empty once retention erased them)"})
    tasks = fields.List(fields.Dict(), required=True, metadata={
        "description": "every task row of the case, ready, completed or cancelled"})
    history = fields.List(fields.Dict(), required=True, metadata={
        "description": "the history in order, details included, with each row's chain hash"})
    incidents = fields.List(fields.Dict(), required=True)
    external_tasks = fields.List(fields.Dict(), required=True)
    access_log = fields.List(fields.Dict(), required=True, metadata={
        "description": "who read the case or its tasks, and when"})
