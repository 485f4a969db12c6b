"""Due dates, follow-up dates and priorities written as plain text are read now, not at run time.

`camunda:dueDate="next tuesday"` or `camunda:priority="high"` passes the
expression check (there is no `${…}` to parse) and then fails every time a
case reaches the task. A literal is read here exactly as the runtime reads it
(`engine.camunda.taskattrs`): a date or date-time (ISO 8601), a duration from
the moment the task becomes ready (`P10D`), a whole number for a priority.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from engine.camunda.namespaces import CAMUNDA, tag
from engine.camunda.taskattrs import as_time
from engine.expressions.text import has_expression
from engine.lint.report import Report, one_line

_DATES = {"dueDate": "due date", "followUpDate": "follow-up date"}


def check_literals(root: etree._Element, report: Report) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, what in _DATES.items():
            text = element.get(tag(CAMUNDA, attribute))
            if text and text.strip() and not has_expression(text) and not _is_moment(text):
                report.error(
                    element.get("id"),
                    f"{what} (camunda:{attribute}) {one_line(text)!r} is none of a date "
                    "(2026-03-31), a date-time (2026-03-31T12:00:00) or a duration from when "
                    "the task is ready (P10D, PT4H); write one of these or a ${…} expression")
        priority = element.get(tag(CAMUNDA, "priority"))
        if priority and priority.strip() and not has_expression(priority):
            try:
                int(priority.strip())
            except ValueError:
                report.error(
                    element.get("id"),
                    f"priority (camunda:priority) {one_line(priority)!r} is not a whole "
                    "number; write a number (e.g. 50, higher first) or a ${…} expression")


def _is_moment(text: str) -> bool:
    try:
        return as_time(text.strip(), datetime(2026, 1, 1, tzinfo=UTC)) is not None
    except (ValueError, TypeError, ArithmeticError):  # isodate's ISO8601Error is a ValueError
        return False
