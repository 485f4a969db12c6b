"""FEEL's value semantics on plain Python values.

FEEL values map to Python ones: number → int/float, string → str, boolean →
bool, null → None, date → `datetime.date`, date and time → `datetime.datetime`,
time → `datetime.time`, duration → `datetime.timedelta` (or `isodate.Duration`
for years/months), list → list, context → dict. No Decimal: task data must
stay JSON-friendly for SpiffWorkflow's serializer.

The rules that matter for decision tables, chosen to follow FEEL where it is
useful to a process owner:

* null propagates: `null + 1`, `null < 3` are null, and a null test never matches.
* equality across types is *false* (not null), so `not("a")` matches a missing
  value; ordering across types (`"a" < 3`) is null, so `< 3` never matches text.
* `true` never equals `1` (Python would say it does).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import isodate

from .errors import FeelRuntimeError

NUMBER_TYPES = (int, float, Decimal)
MAX_EXPONENT = 1000


def is_number(value: Any) -> bool:
    """True for FEEL numbers; bool is excluded although Python says it is an int."""
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def _family(value: Any) -> type | None:
    """The FEEL type family used to decide if two values are comparable at all."""
    if value is None:
        return None
    if isinstance(value, bool):
        return bool
    if isinstance(value, NUMBER_TYPES):
        return Decimal
    if isinstance(value, dt.datetime):  # before date: datetime is a date subclass
        return dt.datetime
    for family in (str, dt.date, dt.time, dt.timedelta, list, tuple, Mapping):
        if isinstance(value, family):
            return list if family is tuple else family
    return type(value)


def feel_equal(left: Any, right: Any) -> bool:
    """FEEL `=`: null equals only null, and values of different types are unequal."""
    if left is None or right is None:
        return left is None and right is None
    family = _family(left)
    if family is not _family(right):
        return False
    if family is list:
        return len(left) == len(right) and all(map(feel_equal, left, right))
    try:
        return bool(left == right)
    except TypeError:  # e.g. naive against aware datetime
        return False


def feel_compare(left: Any, right: Any) -> int | None:
    """-1/0/1 when FEEL can order the two values, else None (the comparison is null)."""
    if left is None or right is None:
        return None
    family = _family(left)
    if family is not _family(right) or family not in _ORDERED:
        return None
    try:
        return (left > right) - (left < right)
    except TypeError:
        return None


_ORDERED = (Decimal, str, dt.date, dt.datetime, dt.time, dt.timedelta)


def feel_not(value: Any) -> bool | None:
    """Three-valued negation: anything that is not a boolean stays null."""
    return (not value) if isinstance(value, bool) else None


def feel_and(left: Any, right: Any) -> bool | None:
    """FEEL conjunction: false wins over null, null wins over true."""
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return None


def feel_or(left: Any, right: Any) -> bool | None:
    """FEEL disjunction: true wins over null, null wins over false."""
    if left is True or right is True:
        return True
    if left is False and right is False:
        return False
    return None


def add(left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if is_number(left) and is_number(right):
        return left + right
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    return _temporal(lambda: left + right)


def subtract(left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    if is_number(left) and is_number(right):
        return left - right
    if isinstance(left, str) or isinstance(right, str):
        return None
    return _temporal(lambda: left - right)


def multiply(left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return left * right
    if isinstance(left, dt.timedelta) and is_number(right):
        return left * right
    if is_number(left) and isinstance(right, dt.timedelta):
        return right * left
    return None


def divide(left: Any, right: Any) -> Any:
    """FEEL division: by zero is null; an exact integer quotient stays an int."""
    if not (is_number(left) and is_number(right)) or right == 0:
        return None
    if isinstance(left, int) and isinstance(right, int) and left % right == 0:
        return left // right
    return left / right


def power(left: Any, right: Any) -> Any:
    """Exponentiation, bounded so that a cell like `9 ** 9 ** 9` cannot hog the CPU."""
    if not (is_number(left) and is_number(right)):
        return None
    if abs(right) > MAX_EXPONENT:
        raise FeelRuntimeError(f"exponent {right} is larger than {MAX_EXPONENT}")
    try:
        return left**right
    except (OverflowError, ZeroDivisionError):
        return None


def negate(value: Any) -> Any:
    if is_number(value) or isinstance(value, dt.timedelta):
        return -value
    return None


def _temporal(operation: Any) -> Any:
    """Date/duration arithmetic; a mismatch is null as FEEL says, never a crash."""
    try:
        result = operation()
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(result, (dt.date, dt.time, dt.timedelta, isodate.Duration)):
        return result
    return None


def get_member(value: Any, key: str) -> Any:
    """`a.b`: a context (dict) entry, a date component, or a projection over a list.

    Only dict keys and a fixed set of date fields are reachable: never Python
    attributes, so `x.__class__` is just a missing key (null).
    """
    if isinstance(value, Mapping):
        return value.get(key)
    if isinstance(value, (list, tuple)):
        return [get_member(item, key) for item in value]
    if isinstance(value, (dt.date, dt.time)) and key in _DATE_FIELDS:
        return getattr(value, key, None)
    if isinstance(value, dt.date) and key == "weekday":
        return value.isoweekday()
    return None


_DATE_FIELDS = frozenset({"year", "month", "day", "hour", "minute", "second"})
