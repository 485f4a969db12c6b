"""The FEEL built-in functions ciiflow offers, and nothing else.

A closed table: a call to a name that is not here is a `FeelSyntaxError` at
deploy time, which is also what keeps `open(...)` or `__import__(...)` out.
Each entry is (function, min args, max args); arity is checked when compiling.
`today()`/`now()` are left out on purpose: decisions must be reproducible, and
the current time comes into task data from the engine's injected clock.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import isodate

from .errors import FeelRuntimeError
from .feel_values import feel_equal, feel_not, is_number


def _text(value: Any, function: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FeelRuntimeError(f"{function}() expects a string, got {type(value).__name__}")
    return value


def feel_date(*args: Any) -> dt.date | None:
    """`date("2021-07-01")`, `date(2021, 7, 1)` or the date part of a date and time."""
    if len(args) == 3:
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return None
        try:
            return dt.date(*args)
        except ValueError as exc:
            raise FeelRuntimeError(f"date{args}: {exc}") from exc
    (value,) = args
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    text = _text(value, "date")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise FeelRuntimeError(f"date({text!r}) is not a date (YYYY-MM-DD)") from exc


def feel_date_and_time(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = _text(value, "date and time")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise FeelRuntimeError(f"date and time({text!r}) is not an ISO 8601 date-time") from exc


def feel_time(value: Any) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    text = _text(value, "time")
    try:
        return dt.time.fromisoformat(text)
    except ValueError as exc:
        raise FeelRuntimeError(f"time({text!r}) is not an ISO 8601 time") from exc


def feel_duration(value: Any) -> Any:
    if value is None or isinstance(value, (dt.timedelta, isodate.Duration)):
        return value
    text = _text(value, "duration")
    try:
        return isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise FeelRuntimeError(f"duration({text!r}) is not an ISO 8601 duration") from exc


def feel_string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return isodate.duration_isoformat(value)
    return str(value)


def feel_number(value: Any) -> int | float | None:
    if value is None or is_number(value):
        return value
    text = _text(value, "number").strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError as exc:
        raise FeelRuntimeError(f"number({text!r}) is not a number") from exc
    return number if math.isfinite(number) else None


def _string_function(operation: Callable[..., Any], name: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if any(arg is None for arg in args):
            return None
        return operation(*(_text(arg, name) for arg in args))

    return call


def _list_function(operation: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    """`min(1, 2)` and `min([1, 2])` both work, as in FEEL; nulls make the result null."""

    def call(*args: Any) -> Any:
        items = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
        if any(item is None for item in items):
            return None
        try:
            return operation(items)
        except (TypeError, ValueError):
            return None

    return call


def _numeric(operation: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def call(value: Any) -> Any:
        return operation(value) if is_number(value) else None

    return call


def _list_contains(items: Any, value: Any) -> bool | None:
    if not isinstance(items, list):
        return None
    return any(feel_equal(item, value) for item in items)


def _sum(items: list[Any]) -> Any:
    if not all(is_number(item) for item in items):
        return None
    return sum(items) if items else None


BUILTINS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "date": (feel_date, 1, 3),
    "date and time": (feel_date_and_time, 1, 1),
    "time": (feel_time, 1, 1),
    "duration": (feel_duration, 1, 1),
    "string": (feel_string, 1, 1),
    "number": (feel_number, 1, 1),
    "not": (feel_not, 1, 1),
    "contains": (_string_function(lambda s, sub: sub in s, "contains"), 2, 2),
    "starts with": (_string_function(str.startswith, "starts with"), 2, 2),
    "ends with": (_string_function(str.endswith, "ends with"), 2, 2),
    "upper case": (_string_function(str.upper, "upper case"), 1, 1),
    "lower case": (_string_function(str.lower, "lower case"), 1, 1),
    "string length": (_string_function(len, "string length"), 1, 1),
    "list contains": (_list_contains, 2, 2),
    "count": (_list_function(len), 1, 1),
    "sum": (_list_function(_sum), 1, 255),
    "min": (_list_function(lambda items: min(items) if items else None), 1, 255),
    "max": (_list_function(lambda items: max(items) if items else None), 1, 255),
    "abs": (_numeric(abs), 1, 1),
    "floor": (_numeric(math.floor), 1, 1),
    "ceiling": (_numeric(math.ceil), 1, 1),
}
"""Name (with FEEL's spaces, single-spaced) → (function, min args, max args)."""
