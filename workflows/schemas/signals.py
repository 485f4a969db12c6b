"""Signals: the body of a broadcast and the cases it reached."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, fields, validate

from engine.runtime.signals import Reached

from ..runtime import api_link
from .common import variables_field


class SignalSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=240), metadata={
        "description": "the signal's name, as the `bpmn:signal` of the files names it"})
    variables = variables_field(load_default=dict, metadata={
        "description": "set as variables of every case the signal reaches (for a case it "
                       "starts, its start data)"})


class ReachedSchema(Schema):
    instance_id = fields.String(required=True)
    process_key = fields.String(required=True)
    instance_status = fields.String(required=True)
    started = fields.Boolean(required=True, metadata={
        "description": "true for a case the signal started (a signal start event), false "
                       "for a running case that caught it"})
    incident_id = fields.Integer(allow_none=True)
    link = fields.String(required=True)


class SignalResultSchema(Schema):
    reached = fields.List(fields.Nested(ReachedSchema), required=True, metadata={
        "description": "the cases reached, waiting ones first (oldest first), then the "
                       "started ones; empty when nobody listens"})


def signal_answer(reached: Iterable[Reached]) -> dict[str, Any]:
    """The answer of `POST /api/v1/signals` (and of `ciiflow signal --json`)."""
    return {"reached": [
        {"instance_id": r.outcome.instance.id, "process_key": r.outcome.instance.process_key,
         "instance_status": r.outcome.instance.status, "started": r.started,
         "incident_id": r.outcome.incident.id if r.outcome.incident else None,
         "link": api_link(f"/instances/{r.outcome.instance.id}")} for r in reached]}
