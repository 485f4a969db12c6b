"""Asking the expression languages whether a text parses, and saying where it does not.

The lint does not parse JUEL or FEEL itself: ``engine.expressions`` and
``engine.dmn`` own those grammars, and the lint must accept exactly what they
will later evaluate. They are imported lazily so the lint loads even while
they are missing; then every expression is refused (fail closed) because an
unchecked expression is exactly what this guard exists to stop.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from engine.lint.report import Report, one_line

JUEL_KINDS = ("condition", "template", "expression", "timer")


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _column(exc: BaseException) -> int | None:
    position = getattr(exc, "position", None)
    if isinstance(position, int) and position >= 0:
        return position + 1
    column = getattr(exc, "column", None)
    return column if isinstance(column, int) else None


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "message", None) or exc) or type(exc).__name__


def _run(
    report: Report,
    element_id: str | None,
    text: str,
    what: str,
    module_name: str,
    function: str,
    error_class: str,
    call: Callable[[Callable[..., object]], object],
) -> bool:
    """Run one checker; return True when the text parses. Never lets an exception out."""
    module = _module(module_name)
    checker = getattr(module, function, None) if module else None
    syntax_error = getattr(module, error_class, None) if module else None
    if checker is None or not isinstance(syntax_error, type):
        report.error(
            element_id,
            f"{what} {one_line(text)!r} cannot be verified: the checker "
            f"{module_name}.{function} is not installed, so the file is refused",
        )
        return False
    try:
        call(checker)
    except syntax_error as exc:
        column = _column(exc)
        reason = _reason(exc)
        where = f" at column {column}" if column and "column" not in reason else ""
        report.error(
            element_id,
            f"{what} {one_line(text)!r} does not parse{where}: {reason}; "
            "fix the expression in the Modeler",
        )
        return False
    except Exception as exc:  # noqa: BLE001 - a checker crash must refuse, not pass
        report.error(
            element_id,
            f"{what} {one_line(text)!r} could not be checked ({type(exc).__name__}: "
            f"{_reason(exc)}); the file is refused",
        )
        return False
    return True


def check_juel(
    report: Report, element_id: str | None, text: str, kind: str, what: str
) -> bool:
    """Check a Camunda-style ``${…}`` expression or template of the given kind."""
    if kind not in JUEL_KINDS:
        raise ValueError(f"unknown expression kind {kind!r}")
    return _run(
        report,
        element_id,
        text,
        what,
        "engine.expressions",
        "check",
        "ExpressionSyntaxError",
        lambda check: check(text, kind),
    )


def check_feel_unary(report: Report, element_id: str | None, text: str, what: str) -> bool:
    """Check a DMN input entry, which FEEL defines as a list of unary tests."""
    return _run(
        report,
        element_id,
        text,
        what,
        "engine.dmn",
        "check_unary",
        "FeelSyntaxError",
        lambda check: check(text),
    )


def check_feel_expression(
    report: Report, element_id: str | None, text: str, what: str
) -> bool:
    """Check a DMN output entry or input expression, which are FEEL expressions."""
    return _run(
        report,
        element_id,
        text,
        what,
        "engine.dmn",
        "check_expression",
        "FeelSyntaxError",
        lambda check: check(text),
    )
