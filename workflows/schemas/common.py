"""Shapes shared by several resources: pages, ISO durations, problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import isodate
from marshmallow import Schema, ValidationError, fields, validate

MAX_PAGE = 500
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class PageSchema(Schema):
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    has_more = fields.Boolean(required=True, metadata={
        "description": "true when another page follows (ask again with offset+limit)"})


class UtcDateTime(fields.AwareDateTime):
    """A date-time with an offset; a naive one is taken as UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not 1 < moment.year < 9999:
            raise ValidationError("out of range")
        return moment.astimezone(UTC)


class IsoDuration(fields.String):
    """An ISO 8601 duration (P10D, PT36H), loaded as a timedelta (months count 30 days)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> timedelta:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            duration = isodate.parse_duration(text)
        except (isodate.ISO8601Error, ValueError, TypeError, OverflowError):
            raise ValidationError("not an ISO 8601 duration (e.g. P10D)") from None
        if isinstance(duration, isodate.Duration):
            try:
                duration = duration.totimedelta(start=datetime(2000, 1, 1))
            except (OverflowError, ValueError):
                raise ValidationError("out of range") from None
        if duration < timedelta(0) or duration > timedelta(days=36500):
            raise ValidationError("must be between P0D and 100 years")
        return duration


def variables_field(**kwargs: Any) -> fields.Dict:
    """Case variables: names are identifiers (the engine's data keys), values any JSON."""
    # "typename" is the serializer's own marker: a key of that name breaks a saved case
    return fields.Dict(keys=fields.String(validate=[validate.Regexp(IDENTIFIER),
                                                    validate.Length(max=255),
                                                    validate.NoneOf(["typename"])]),
                       values=fields.Raw(allow_none=True), **kwargs)
