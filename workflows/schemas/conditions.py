"""Condition evaluation: the variables conditional start events are evaluated against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marshmallow import Schema, fields, validate

from engine.runtime.step import StepOutcome

from ..shapes import instance_summary, task_summary
from .common import variables_field
from .instances import StartedSchema


class ConditionEvaluationSchema(Schema):
    variables = variables_field(load_default=dict, metadata={
        "description": "evaluated by the conditions, then the start data of every case "
                       "started (checked against its start form)"})
    business_key = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=255), metadata={
                                     "description": "the business key of the cases started"})
    process_key = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=255), metadata={
                                    "description": "evaluate this process's conditional start "
                                                   "events only (default: every process)"})


class ConditionResultSchema(Schema):
    started = fields.List(fields.Nested(StartedSchema), required=True, metadata={
        "description": "one entry per conditional start event whose condition held; "
                       "empty when none did"})


def condition_answer(outcomes: Iterable[StepOutcome]) -> dict[str, Any]:
    """The answer of `POST /api/v1/conditions` (and of `ciiflow conditions evaluate --json`)."""
    return {"started": [
        {"instance": instance_summary(o.instance),
         "open_tasks": [task_summary(t, o.instance.business_key) for t in o.ready_tasks or []],
         "incident_id": o.incident.id if o.incident else None} for o in outcomes]}
