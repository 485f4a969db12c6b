"""Working-day deadlines (`${workingDays(10)}`) checked where the process owner wrote them.

The expression grammar already refuses an unknown function or a wrong number of
arguments; what it cannot see is a count that will fail when the task becomes
ready or the timer starts: a negative or fractional number, text, more than a
year. Such a deadline would open an incident on every case that reaches it, so
a constant count outside 0–366 is an error naming the element. A cycle timer
cannot count working days (SpiffWorkflow repeats a fixed duration): error too.
A count read from a variable is checked when it runs.
"""

from __future__ import annotations

from collections.abc import Iterator

from lark import Tree
from lxml import etree

from engine import calendar
from engine.camunda.namespaces import BPMN, CAMUNDA
from engine.expressions import juel
from engine.expressions import text as fields
from engine.expressions.errors import ExpressionError
from engine.lint.report import Report, owner_id

#: the working-day functions and the position of their count argument
COUNTED = {"workingDays": 0, "addWorkingDays": 1}
_DATE_ATTRIBUTES = ("dueDate", "followUpDate")
_TIMER_FIELDS = ("timeDate", "timeDuration", "timeCycle")


def _fields(root: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(element, field name, text) of every due date, follow-up date and timer field."""
    for element in root.iter(f"{{{BPMN}}}*"):
        for name in _DATE_ATTRIBUTES:
            value = element.get(f"{{{CAMUNDA}}}{name}")
            if value:
                yield element, f"camunda:{name}", value
        local = etree.QName(element).localname
        if local in _TIMER_FIELDS and element.text:
            yield element, local, element.text


def _calls(text: str) -> Iterator[tuple[str, Tree | None]]:
    """(function, count argument) of each working-day call in a field that parses."""
    try:
        parts = fields.split(text)
        trees = [juel.parse(p.source, text, p.offset) for p in parts if p.is_expression]
    except ExpressionError:
        return  # a syntax error is reported by the expression check
    for tree in trees:
        for node in tree.iter_subtrees():
            if node.data != "call" or str(node.children[0]) not in COUNTED:
                continue
            args = [child for child in node.children[1:] if child is not None]
            index = COUNTED[str(node.children[0])]
            yield str(node.children[0]), args[index] if index < len(args) else None


def _constant_problem(argument: Tree | None) -> str | None:
    """Why a constant count is refused, or None (variables are checked at run time)."""
    if argument is None:
        return None
    tree = argument if isinstance(argument, Tree) else Tree("atom", [argument])
    if juel.variables_of(tree):
        return None
    try:
        value = juel.compile_tree(tree, "").fn({})
        calendar.working_days_count(value)
    except (ExpressionError, calendar.CalendarError) as error:
        return getattr(error, "message", None) or str(error)
    return None


def check_working_days(root: etree._Element, report: Report) -> None:
    for element, field, text in _fields(root):
        for function, argument in _calls(text):
            where = owner_id(element)
            if field == "timeCycle":
                report.error(where, f"{function}() in a timeCycle: a cycle repeats a fixed "
                             "ISO 8601 duration and cannot count working days; use a "
                             "timeDate or timeDuration timer")
                continue
            problem = _constant_problem(argument)
            if problem:
                report.error(where, f"{function}() in {field}: {problem}")
