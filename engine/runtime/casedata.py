"""What case data may contain, checked before it reaches a workflow.

Case data is serialized with every step, so it must be plain JSON-like values.
Two SpiffWorkflow pitfalls are closed here: a dict key `typename` is taken by
its serializer for a class name (the instance would not load again), and
nested values are shared between tasks by a shallow merge (so input is deep
copied before it is merged).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.errors import InvalidInput

RESERVED_KEYS = {"typename"}
MAX_DEPTH = 20
SCALARS = (str, int, float, bool, type(None), Decimal, date, datetime)


def clean(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """A deep copy of `data`, refused with the path of the first value that cannot be kept."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidInput("data must be an object", field="data")
    _check(data, "", 0)
    return copy.deepcopy(dict(data))


def _check(value: Any, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"data nested deeper than {MAX_DEPTH} levels", field=path or "data")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput("keys must be strings", field=path or "data")
            where = f"{path}.{key}" if path else key
            if key in RESERVED_KEYS or key.startswith("__"):
                raise InvalidInput(f"'{key}' is a reserved name", field=where)
            _check(item, where, depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", depth + 1)
    elif not isinstance(value, SCALARS):
        raise InvalidInput(f"unsupported value of type {type(value).__name__}",
                           field=path or "data")
