"""The named functions a process owner may call; nothing outside this table is callable.

| function | result |
|---|---|
| `now()` | current time (aware UTC datetime) from the engine's injected clock |
| `today()` | current date (UTC) from the same clock |
| `date("2021-07-01")` | a date |
| `dateTime("2026-01-31T09:00:00Z")` | an aware datetime (no offset given = UTC) |
| `duration("P10D")` | the ISO 8601 duration, validated, as text (usable as a timer) |
| `addDuration(dt, "P10D")` | `dt` (datetime, date or ISO text) plus the duration, a datetime |
| `workingDays(10)` | end (23:59:59 Europe/Zurich) of the 10th working day after today: a deadline |
| `addWorkingDays(dt, 10)` | end of the 10th working day after the day of `dt` (as addDuration) |
| `contains(list_or_text, x)` | membership in a list, or substring of a text |
| `size(x)` | length of a text, list or object |
| `lower(s)`, `upper(s)` | case conversion of text |
| `string(x)` | text of a value (null gives "") |
| `number(x)` | a number from text or a number |

Working days are Monday to Friday without the Valais public holidays, or the
calendar of a user task's institution for its due date (`engine.calendar`).
The clock is read through `engine.clock.current_now()`: the engine's injected
clock inside a step, system UTC otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import isodate

from engine import calendar
from engine.clock import current_now

from .errors import ExpressionRuntimeError
from .values import as_datetime, show, to_text, type_name

_DURATION = re.compile(
    r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(?:[.,]\d+)?S)?)?"
)


def is_duration(text: str) -> bool:
    """ISO 8601 duration as SpiffWorkflow can schedule it (no weeks mixed with days)."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return False
    has_week = match.group(3) is not None
    has_date_part = any(match.group(i) for i in (1, 2, 4))
    return not (has_week and has_date_part)


def _now() -> datetime:
    return current_now()


def _today() -> date:
    return current_now().astimezone(UTC).date()


def _date(text: Any) -> date:
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise ExpressionRuntimeError(f"date() needs text, got {type_name(text)}")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ExpressionRuntimeError(f"{show(text)} is not an ISO 8601 date") from None


def _duration(text: Any) -> str:
    if not isinstance(text, str) or not is_duration(text.strip()):
        raise ExpressionRuntimeError(f"{show(text)} is not an ISO 8601 duration such as P10D")
    return text.strip()


def _add_duration(moment: Any, duration: Any) -> datetime:
    start = as_datetime(moment)
    if isinstance(duration, timedelta):
        return start + duration
    delta = isodate.parse_duration(_duration(duration))
    return start + delta


def _working_days(count: Any) -> datetime:
    return _add_working_days(current_now(), count)


def _add_working_days(moment: Any, count: Any) -> datetime:
    start = as_datetime(moment)
    try:
        return calendar.current().deadline(start, calendar.working_days_count(count))
    except calendar.CalendarError as error:
        raise ExpressionRuntimeError(str(error)) from None


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        if not isinstance(item, str):
            raise ExpressionRuntimeError("contains() on text needs text to look for")
        return item in container
    if isinstance(container, list | tuple):
        return item in container
    if container is None:
        return False
    raise ExpressionRuntimeError(f"contains() needs a list or text, got {type_name(container)}")


def _size(value: Any) -> int:
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    if value is None:
        return 0
    raise ExpressionRuntimeError(f"size() needs text, a list or an object, got {type_name(value)}")


def _text_arg(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ExpressionRuntimeError(f"{name}() needs text, got {type_name(value)}")
    return value


def _lower(value: Any) -> str:
    return _text_arg("lower", value).lower()


def _upper(value: Any) -> str:
    return _text_arg("upper", value).upper()


def _string(value: Any) -> str:
    if isinstance(value, Mapping | list | tuple):
        raise ExpressionRuntimeError(f"string() cannot convert {type_name(value)}")
    return to_text(value)


def _number(value: Any) -> int | float | Decimal:
    if isinstance(value, bool) or value is None:
        raise ExpressionRuntimeError(f"number() cannot convert {show(value)}")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
            return float(text)
    raise ExpressionRuntimeError(f"number() cannot convert {show(value)}")


@dataclass(frozen=True)
class Function:
    """A callable of the language with its arity, checked when the text is parsed."""

    impl: Callable[..., Any]
    min_args: int
    max_args: int


FUNCTIONS: dict[str, Function] = {
    "now": Function(_now, 0, 0),
    "today": Function(_today, 0, 0),
    "date": Function(_date, 1, 1),
    "dateTime": Function(as_datetime, 1, 1),
    "duration": Function(_duration, 1, 1),
    "addDuration": Function(_add_duration, 2, 2),
    "workingDays": Function(_working_days, 1, 1),
    "addWorkingDays": Function(_add_working_days, 2, 2),
    "contains": Function(_contains, 2, 2),
    "size": Function(_size, 1, 1),
    "lower": Function(_lower, 1, 1),
    "upper": Function(_upper, 1, 1),
    "string": Function(_string, 1, 1),
    "number": Function(_number, 1, 1),
}
