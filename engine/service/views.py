"""What the task and case operations answer: rows of the read models, grouped for a caller.

Plain dataclasses over the store's rows, so a blueprint or a CLI command only
shapes them (JSON, a table) and never needs a session to finish the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.camunda.forms import FormField
from engine.runtime.position import Waiting
from engine.service.paging import Page
from engine.store.access_log import AccessLog
from engine.store.models import History, Incident, Instance, Task


@dataclass
class TaskPage(Page[Task]):
    """Tasks with the business keys of their cases (an answer shows both)."""

    business_keys: dict[str, str | None] = field(default_factory=dict)
    #: task id -> its name in the language asked for (absent: the row's drawn name)
    names: dict[str, str | None] = field(default_factory=dict)

    def business_key(self, task: Task) -> str | None:
        return self.business_keys.get(task.instance_id)

    def name(self, task: Task) -> str | None:
        return self.names.get(task.id, task.name)


@dataclass
class TaskDetail:
    task: Task
    business_key: str | None
    form: list[FormField]
    #: the values the task sees now, for the form's fields only
    values: dict[str, Any]
    #: the case variables the process owner exposed to this task (`ciiflow.expose`)
    variables: dict[str, Any]
    #: the task's name in the language asked for (the row holds the drawn one)
    name: str | None = None


@dataclass
class Started:
    instance: Instance
    incident: Incident | None
    #: the case's ready tasks the caller may see
    open_tasks: list[Task]


@dataclass
class Completed:
    task_id: str
    instance: Instance
    business_key: str | None
    incident: Incident | None
    #: the case's ready tasks after the completion, those the caller may see
    next_tasks: list[Task]


@dataclass
class CaseDetail:
    instance: Instance
    open_tasks: list[Task]
    history: list[History]
    incidents: list[Incident]
    #: the case variables, for callers who read every case; None for the others
    data: dict[str, Any] | None
    #: whether history details may be shown (they can quote case data)
    with_details: bool = False
    #: where the case stands: the activities it waits at (ids, names, kinds; no data)
    waiting_at: list[Waiting] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    #: task id -> its name in the language asked for (absent: the row's drawn name)
    task_names: dict[str, str | None] = field(default_factory=dict)

    def task_name(self, task: Task) -> str | None:
        return self.task_names.get(task.id, task.name)


__all__ = ["AccessLog", "CaseDetail", "Completed", "Started", "TaskDetail", "TaskPage"]
