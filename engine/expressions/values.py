"""Runtime semantics of the JUEL subset: truth, comparison, arithmetic, text.

Kept apart from the compiler so the rules a process owner relies on (what is
"empty", what compares with what, how text is built) live in one short place.
The rules are stricter than Java's EL coercions on purpose: comparing text
with a number or ordering against null is a modelling mistake, and a clear
incident beats a silently wrong route.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from .errors import ExpressionRuntimeError

_NUMBER_TYPES = (int, float, Decimal)


def type_name(value: Any) -> str:
    """Name a value's type in the words of the modeller, not of Python."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, _NUMBER_TYPES):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "date-time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return "unsupported value"


def show(value: Any) -> str:
    """A short rendering of a value for an error message (never the whole case)."""
    text = repr(value) if isinstance(value, str) else to_text(value)
    return text if len(text) <= 40 else text[:37] + "..."


def is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def truth(value: Any, operator: str) -> bool:
    """Booleans as they are, null as false (as EL does); anything else is a mistake."""
    if value is True or value is False:
        return value
    if value is None:
        return False
    raise not_boolean(value, operator)


def not_boolean(value: Any, operator: str) -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        f"'{operator}' needs true or false, got {show(value)} ({type_name(value)})"
    )


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) == 0
    return False


def to_text(value: Any) -> str:
    """Text of a value inside a template: null is empty, booleans are JUEL's words."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def equals(a: Any, b: Any) -> bool:
    """Python equality, except that true is not 1 and false is not 0."""
    if a == b:
        return (a.__class__ is bool) == (b.__class__ is bool)
    return False


def as_datetime(value: Any) -> datetime:
    """Accept a datetime, a date (midnight UTC) or ISO text; naive means UTC."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            result = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ExpressionRuntimeError(f"{show(value)} is not an ISO 8601 date-time") from None
    else:
        raise ExpressionRuntimeError(f"expected a date-time, got {type_name(value)}")
    return result if result.tzinfo is not None else result.replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _comparable(a: Any, b: Any, symbol: str) -> tuple[Any, Any]:
    """Bring two values to a pair Python may order, or explain why not."""
    if a is None or b is None:
        side = "left" if a is None else "right"
        raise ExpressionRuntimeError(f"cannot use '{symbol}' with null (the {side} side is null)")
    if isinstance(a, bool) or isinstance(b, bool):
        raise ExpressionRuntimeError(f"cannot use '{symbol}' on true/false")
    if is_number(a) and is_number(b):
        return float(a), float(b)
    if isinstance(a, date | str) and isinstance(b, date | str):
        if isinstance(a, date) or isinstance(b, date):
            try:
                return as_datetime(a), as_datetime(b)
            except ExpressionRuntimeError:
                pass
    raise ExpressionRuntimeError(
        f"cannot compare {show(a)} ({type_name(a)}) with {show(b)} ({type_name(b)})"
        f" using '{symbol}'"
    )


def ordering(func: Callable[[Any, Any], bool], symbol: str) -> Callable[[Any, Any], bool]:
    """Wrap an ordering operator: fast for numbers and text, explicit otherwise."""

    def compare(a: Any, b: Any) -> bool:
        cls_a, cls_b = a.__class__, b.__class__
        if (cls_a is int or cls_a is float) and (cls_b is int or cls_b is float):
            return func(a, b)
        if cls_a is str and cls_b is str:
            return func(a, b)
        if isinstance(a, datetime) and isinstance(b, datetime):
            return func(_aware(a), _aware(b))
        x, y = _comparable(a, b, symbol)
        return func(x, y)

    return compare


def _numbers(a: Any, b: Any, symbol: str) -> tuple[Any, Any]:
    if is_number(a) and is_number(b):
        if a.__class__ is not b.__class__ and (isinstance(a, float) or isinstance(b, float)):
            return float(a), float(b)
        return a, b
    if a is None or b is None:
        side = "left" if a is None else "right"
        raise ExpressionRuntimeError(f"cannot use '{symbol}' with null (the {side} side is null)")
    raise ExpressionRuntimeError(
        f"'{symbol}' needs numbers, got {show(a)} ({type_name(a)}) and {show(b)} ({type_name(b)})"
    )


def add(a: Any, b: Any) -> Any:
    """Numbers add; if either side is text the two are joined (handy for timers)."""
    if isinstance(a, str) or isinstance(b, str):
        if a is None or b is None:
            raise ExpressionRuntimeError("cannot join text with null using '+'")
        if isinstance(a, Mapping | list) or isinstance(b, Mapping | list):
            raise ExpressionRuntimeError("cannot join text with an object or a list")
        return to_text(a) + to_text(b)
    x, y = _numbers(a, b, "+")
    return x + y


def subtract(a: Any, b: Any) -> Any:
    x, y = _numbers(a, b, "-")
    return x - y


def multiply(a: Any, b: Any) -> Any:
    x, y = _numbers(a, b, "*")
    return x * y


def divide(a: Any, b: Any) -> Any:
    """True division; an exact quotient of integers stays an integer for templates."""
    x, y = _numbers(a, b, "/")
    if y == 0:
        raise ExpressionRuntimeError("division by zero")
    if isinstance(x, int) and isinstance(y, int) and x % y == 0:
        return x // y
    return x / y


def modulo(a: Any, b: Any) -> Any:
    """Remainder with the sign of the dividend, as in Java/JUEL."""
    x, y = _numbers(a, b, "%")
    if y == 0:
        raise ExpressionRuntimeError("division by zero")
    if isinstance(x, int) and isinstance(y, int):
        rest = abs(x) % abs(y)
        return -rest if x < 0 else rest
    return math.fmod(x, y)


def negate(value: Any) -> Any:
    if is_number(value):
        return -value
    raise ExpressionRuntimeError(f"cannot negate {show(value)} ({type_name(value)})")


def member(container: Any, key: Any) -> Any:
    """`a.b` / `a["b"]` / `a[0]` on case data only; a missing key is null, as in EL."""
    if isinstance(container, Mapping):
        return container.get(key)
    if container is None:
        return None
    if isinstance(container, list | tuple):
        if isinstance(key, int) and not isinstance(key, bool):
            return container[key] if 0 <= key < len(container) else None
        raise ExpressionRuntimeError(f"a list is indexed by a number, not by {show(key)}")
    raise ExpressionRuntimeError(
        f"cannot read {show(key)} of {show(container)} ({type_name(container)})"
    )
