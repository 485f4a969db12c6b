"""What a ready user task says about who must act and by when.

Camunda Modeler writes these as attributes that may be literals, expressions
(`cii-team-${region}`) or ISO 8601 values (`P10D`). They are evaluated once,
when the task becomes ready, against the task's data, and stored on the task
row, so routing and stuck-case queries are plain SQL afterwards. Dates written
in working days (`${workingDays(10)}`) count in the calendar of the task's
candidate groups (`engine.calendar.for_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import isodate

from engine import calendar
from engine.expressions import evaluate_text


@dataclass
class TaskAttributes:
    candidate_groups: list[str] = field(default_factory=list)
    candidate_users: list[str] = field(default_factory=list)
    assignee: str | None = None
    due_at: datetime | None = None
    follow_up_at: datetime | None = None
    priority: int | None = None
    form_key: str | None = None


def camunda_extensions(task_spec: Any) -> dict[str, Any]:
    ext = getattr(task_spec, "extensions", None) or {}
    return ext.get("camunda", {}) if isinstance(ext, dict) else {}


def task_properties(task_spec: Any) -> dict[str, str]:
    ext = getattr(task_spec, "extensions", None) or {}
    props = ext.get("properties", {}) if isinstance(ext, dict) else {}
    return props if isinstance(props, dict) else {}


def _evaluate(text: str, data: dict[str, Any]) -> Any:
    if "${" not in text and "#{" not in text:
        return text
    return evaluate_text(text, data)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def as_time(value: Any, ready_at: datetime) -> datetime | None:
    """A due date as the Modeler allows it: a date, a duration from ready time, or a datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=ready_at.tzinfo)
    text = str(value).strip()
    if text.upper().startswith("P"):
        duration = isodate.parse_duration(text)
        if isinstance(duration, timedelta):
            return ready_at + duration
        return duration + ready_at  # isodate.Duration handles months and years
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=ready_at.tzinfo)


class AttributeFailure(Exception):
    """An attribute of a user task that could not be evaluated. It carries the task spec, so
    the incident it opens names the user task (`engine.runtime.failures.describe_failure`): the
    expression's own error knows no element."""

    def __init__(self, task_spec: Any, attribute: str, error: Exception) -> None:
        super().__init__(f"{error} (camunda:{attribute} of user task "
                         f"{getattr(task_spec, 'bpmn_id', None) or task_spec.name!r})")
        self.task_spec = task_spec


def evaluate_attributes(task_spec: Any, data: dict[str, Any], ready_at: datetime) -> TaskAttributes:
    try:
        return _attributes(task_spec, data, ready_at)
    except _Failed as failed:
        raise AttributeFailure(task_spec, failed.attribute, failed.error) from failed.error


class _Failed(Exception):
    def __init__(self, attribute: str, error: Exception) -> None:
        super().__init__(attribute)
        self.attribute, self.error = attribute, error


def run(attribute: str, compute: Any) -> Any:
    """`compute()`, a failure of which names the attribute (`evaluate_attributes`)."""
    try:
        return compute()
    except Exception as error:  # noqa: BLE001 - any failure of an expression or a value
        raise _Failed(attribute, error) from error


def _attributes(task_spec: Any, data: dict[str, Any], ready_at: datetime) -> TaskAttributes:
    camunda = camunda_extensions(task_spec)
    attrs = TaskAttributes()
    if "candidateGroups" in camunda:
        attrs.candidate_groups = run("candidateGroups", lambda: _as_list(
            _evaluate(camunda["candidateGroups"], data)))
    if "candidateUsers" in camunda:
        attrs.candidate_users = run("candidateUsers", lambda: _as_list(
            _evaluate(camunda["candidateUsers"], data)))
    if camunda.get("assignee"):
        attrs.assignee = run("assignee",
                             lambda: str(_evaluate(camunda["assignee"], data)) or None)
    with calendar.for_groups(attrs.candidate_groups):  # workingDays() in their calendar
        if camunda.get("dueDate"):
            attrs.due_at = run("dueDate", lambda: as_time(
                _evaluate(camunda["dueDate"], data), ready_at))
        if camunda.get("followUpDate"):
            attrs.follow_up_at = run("followUpDate", lambda: as_time(
                _evaluate(camunda["followUpDate"], data), ready_at))
    if camunda.get("priority"):
        attrs.priority = run("priority", lambda: int(_evaluate(camunda["priority"], data)))
    form = getattr(task_spec, "form", None)
    attrs.form_key = camunda.get("formKey") or getattr(form, "key", None)
    return attrs
