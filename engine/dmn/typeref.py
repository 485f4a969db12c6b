"""`typeRef` conversion of input and output values, as Camunda 7 does it.

Camunda converts each input value and output entry to the column's typeRef
(`"5"` on an integer column becomes 5, `3.0` becomes 3). Task data arrives as
JSON, so dates come as strings: a `date` column turns `"2021-07-01"` into a
date so that `< date("2021-08-01")` can compare it. Unknown or missing
typeRefs leave the value alone, as Camunda does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .errors import DmnEvaluationError
from .feel_builtins import feel_date, feel_date_and_time, feel_duration, feel_string, feel_time
from .feel_values import is_number


def _integer(value: Any) -> int:
    if is_number(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError


def _double(value: Any) -> float:
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    raise ValueError


def _number(value: Any) -> int | float:
    if is_number(value):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            return float(text)
    raise ValueError


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError


def _string(value: Any) -> str:
    result = feel_string(value)
    assert result is not None
    return result


def _date(value: Any) -> dt.date:
    """FEEL `date` is a calendar date; a full ISO date-time keeps its time (Camunda's
    `date` is a java.util.Date, i.e. a date-time): a `date and time(...)` value, such
    as an output entry of a `date` column, keeps its time too."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and "T" in value:
        return feel_date_and_time(value)  # type: ignore[return-value]
    return feel_date(value)  # type: ignore[return-value]


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "double": _double,
    "number": _number,
    "boolean": _boolean,
    "date": _date,
    "datetime": feel_date_and_time,
    "date and time": feel_date_and_time,
    "time": feel_time,
    "duration": feel_duration,
    "daytimeduration": feel_duration,
    "dayTimeDuration": feel_duration,
}


def coerce(value: Any, type_ref: str | None, where: str) -> Any:
    """Convert `value` to `type_ref`; null stays null. `where` names the column in errors."""
    if value is None or not type_ref:
        return value
    converter = _CONVERTERS.get(type_ref) or _CONVERTERS.get(type_ref.lower())
    if converter is None:
        return value
    try:
        return converter(value)
    except Exception as exc:  # noqa: BLE001 - any conversion failure is the same finding
        raise DmnEvaluationError(
            f"{where}: cannot convert {value!r} to typeRef {type_ref!r}"
        ) from exc
