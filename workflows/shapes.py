"""Rows of the engine's read models as the API shows them (plain dicts for the schemas)."""

from __future__ import annotations

from typing import Any

from engine.service.views import TaskPage
from engine.store.models import Instance, Task

from .runtime import api_link


def task_summary(row: Task, business_key: str | None,
                 name: str | None = None) -> dict[str, Any]:
    """`name`: the task's name in the caller's language (default: the drawn one)."""
    return {
        "id": row.id, "instance_id": row.instance_id, "business_key": business_key,
        "process_key": row.process_key, "activity_id": row.activity_id,
        "name": name if name is not None else row.name,
        "lane": row.lane, "candidate_groups": list(row.candidate_groups or []),
        "assignee": row.assignee, "due_at": row.due_at, "ready_at": row.ready_at,
        "state": row.state, "completed_at": row.completed_at,
        "completed_by": row.completed_by, "link": api_link(f"/tasks/{row.id}"),
    }


def task_page(page: TaskPage) -> dict[str, Any]:
    return page.map(lambda t: task_summary(t, page.business_key(t), page.name(t)))


def instance_summary(row: Instance) -> dict[str, Any]:
    return {
        "id": row.id, "process_key": row.process_key,
        "definition_version": row.definition_version, "business_key": row.business_key,
        "status": row.status, "started_at": row.started_at, "started_by": row.started_by,
        "updated_at": row.updated_at, "ended_at": row.ended_at,
        "link": api_link(f"/instances/{row.id}"),
    }
