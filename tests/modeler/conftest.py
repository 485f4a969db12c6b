"""Helpers for the Modeler corpus tests: deploy checked-in files, read task rows and history."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine
from engine.store.models import History, Task

FILES = Path(__file__).parent / "files"


def corpus(*names: str) -> dict[str, bytes]:
    return {name: (FILES / name).read_bytes() for name in names}


class Case:
    """One engine and what a test wants to read from it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def deploy(self, *names: str) -> None:
        result = self.engine.deploy(corpus(*names))
        errors = [f for f in result.findings if f.severity == "error"]
        assert not errors, errors

    def ready(self, instance_id: str) -> list[Task]:
        with self.engine.sessions() as s:
            return list(s.scalars(select(Task).where(
                Task.instance_id == instance_id, Task.state == "ready")
                .order_by(Task.ready_at, Task.activity_id, Task.id)))

    def rows(self, instance_id: str) -> list[tuple[str, str]]:
        with self.engine.sessions() as s:
            return sorted(s.execute(select(Task.activity_id, Task.state).where(
                Task.instance_id == instance_id)).all())

    def history(self, instance_id: str) -> list[History]:
        with self.engine.sessions() as s:
            return list(s.scalars(select(History).where(
                History.instance_id == instance_id).order_by(History.seq)))

    def complete(self, task: Task, data: dict | None = None) -> None:
        outcome = self.engine.complete_task(task.id, data or {}, actor="tester")
        assert outcome.incident is None, outcome.incident and outcome.incident.message

    def only(self, instance_id: str, activity_id: str) -> Task:
        tasks = [t for t in self.ready(instance_id) if t.activity_id == activity_id]
        assert len(tasks) == 1, [t.activity_id for t in self.ready(instance_id)]
        return tasks[0]


@pytest.fixture
def case(engine: Engine) -> Case:
    return Case(engine)
