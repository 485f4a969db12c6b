"""Timer fields (timeDuration, timeDate, timeCycle) as written in Camunda Modeler.

SpiffWorkflow evaluates the field and then parses the result itself as ISO
8601 (`TimerEventDefinition.parse_*`). So our job is to produce that text:
plain ISO text is validated and returned as it is; a `${…}` is evaluated and
must give such text or a datetime (returned as ISO text). Validation here is
strict and checked against the library's own parser, so a timer that deploys
is a timer the library can schedule. A timeDuration whose `${…}` gives a
date-time (a deadline such as `${workingDays(10)}`) waits until that instant.
Cron cycles (Camunda only) are refused: SpiffWorkflow cannot run them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any, Literal

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.clock import current_now

from . import text as fields
from .errors import ExpressionRuntimeError, ExpressionSyntaxError
from .functions import is_duration
from .values import show, type_name

TimerKind = Literal["duration", "date", "cycle"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_CYCLE = re.compile(r"R(\d*)/(.+)")


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        TimerEventDefinition.get_datetime(text)
    except ValueError:
        return False
    return True


def _is_cycle(text: str) -> bool:
    match = _CYCLE.fullmatch(text)
    if match is None:
        return False
    pieces = match.group(2).split("/")
    if len(pieces) == 1:
        shape_ok = is_duration(pieces[0])
    elif len(pieces) == 2:
        start, end = pieces
        shape_ok = (_is_date(start) and is_duration(end)) or (is_duration(start) and _is_date(end))
    else:
        return False
    if not shape_ok:
        return False
    try:
        TimerEventDefinition.parse_iso_recurring_interval(text)
    except Exception:  # the library raises bare Exception on bad intervals
        return False
    return True


def timer_kind(text: str) -> TimerKind | None:
    """Which ISO 8601 timer form a plain text is, or None if it is none of them."""
    candidate = text.strip()
    if is_duration(candidate):
        try:
            TimerEventDefinition.parse_iso_duration(candidate)
        except Exception:  # the library raises bare Exception on bad durations
            return None
        return "duration"
    if _is_date(candidate):
        return "date"
    if _is_cycle(candidate):
        return "cycle"
    return None


def _explain_kind(kind: TimerKind | None) -> str:
    return {
        "duration": "an ISO 8601 duration such as P10D or PT36H",
        "date": "an ISO 8601 date-time such as 2026-01-31T09:00:00Z",
        "cycle": "an ISO 8601 cycle such as R3/PT10H or R2/2026-01-01T00:00:00Z/P1D",
        None: "an ISO 8601 duration (P10D), date-time (2026-01-31T09:00:00Z) or cycle (R3/PT10H)",
    }[kind]


def _accept(value: str, kind: TimerKind | None) -> bool:
    found = timer_kind(value)
    return found is not None and (kind is None or found == kind)


def _duration_until(moment: datetime) -> str:
    """A deadline given to a timeDuration (`${workingDays(10)}`): the time left until it.

    SpiffWorkflow adds a duration to the current time when the timer starts
    waiting, which is when this runs, so the timer fires at `moment` exactly.
    """
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    seconds = max(0, int((moment - current_now()).total_seconds()))
    return f"PT{seconds}S"


def check_timer(text: str, kind: TimerKind | None = None) -> None:
    """Deploy-time check of a timer field; `kind` narrows to one BPMN timer type."""
    if text is None or not text.strip():
        raise ExpressionSyntaxError("the timer is empty", text or "", 0)
    if fields.has_expression(text):
        parts = fields.split(text)
        if fields.single_expression(parts) is None:
            raise ExpressionSyntaxError(
                "a timer must be plain ISO 8601 text or exactly one ${…} expression", text, 0
            )
        fields.compile_text(text)
        return
    if not _accept(text, kind):
        raise ExpressionSyntaxError(f"{text.strip()!r} is not {_explain_kind(kind)}", text, 0)


def timer_value(text: str, context: Mapping[str, Any], kind: TimerKind | None = None) -> str:
    """The ISO 8601 text SpiffWorkflow will schedule, from a plain or `${…}` field."""
    check_timer(text, kind)
    if not fields.has_expression(text):
        return text.strip()
    value = fields.evaluate_text(text, context)
    if isinstance(value, datetime) and kind == "duration":
        value = _duration_until(value)
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise ExpressionRuntimeError(
            f"a timer must give ISO 8601 text or a date-time, got {show(value)}"
            f" ({type_name(value)})",
            text,
        )
    value = value.strip()
    if not _accept(value, kind):
        raise ExpressionRuntimeError(f"{value!r} is not {_explain_kind(kind)}", text)
    return value
