"""Signals: the body of a broadcast and the cases it reached; the trigger of a receive task."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, fields, validate

from engine.runtime.signals import Reached
from engine.runtime.step import StepOutcome

from ..runtime import api_link
from .common import variables_field


class SignalSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=240), metadata={
        "description": "the signal's name, as the `bpmn:signal` of the files names it"})
    variables = variables_field(load_default=dict, metadata={
        "description": "set as variables of every case the signal reaches (for a case it "
                       "starts, its start data)"})


class TriggerSchema(Schema):
    activity_id = fields.String(required=True, validate=validate.Length(min=1, max=255),
                                metadata={"description": "the receive task (drawn without a "
                                                         "message) that waits"})
    variables = variables_field(load_default=dict, metadata={
        "description": "set as case variables before the case goes on"})


class TriggerResultSchema(Schema):
    instance_id = fields.String(required=True)
    instance_status = fields.String(required=True)
    incident_id = fields.Integer(allow_none=True)


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


def trigger_answer(outcome: StepOutcome) -> dict[str, Any]:
    """The answer of `POST /api/v1/instances/{id}/trigger` (and `ciiflow trigger --json`)."""
    return {"instance_id": outcome.instance.id, "instance_status": outcome.instance.status,
            "incident_id": outcome.incident.id if outcome.incident else None}
