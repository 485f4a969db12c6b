"""Drive a case to its end over HTTP: each task completed by the institution that owns it.

The walker knows nothing of the process: it reads each task's form from the
API and fills it with valid values (first enum value, true, the minimum, a
short text), the way an institution's system would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests


def fill(form: list[dict[str, Any]], choices: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in form:
        if field["readonly"]:
            continue
        if choices and field["id"] in choices:
            data[field["id"]] = choices[field["id"]]
            continue
        kind = field["type"]
        if kind == "enum":
            data[field["id"]] = field["enum"][0]["id"]
        elif kind == "boolean":
            data[field["id"]] = True
        elif kind == "long":
            data[field["id"]] = int(field["min"]) if field["min"] is not None else 1
        elif kind == "date":
            data[field["id"]] = dt.date(2026, 3, 1).isoformat()
        else:
            size = max(field["minlength"] or 0, 3)
            data[field["id"]] = "n" * min(size, field["maxlength"] or size)
    return data


class Walker:
    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base = base
        self.tokens = tokens  # principal name (= its group) -> token
        self.http = requests.Session()

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, path: str, **kw: Any) -> Any:
        response = self.http.get(self.base + path, headers=self.h(who), timeout=30, **kw)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def post(self, who: str, path: str, body: Any, status: int = 200) -> Any:
        response = self.http.post(self.base + path, headers=self.h(who), json=body, timeout=30)
        assert response.status_code == status, (path, response.status_code, response.text)
        return response.json()

    def owner_of(self, task: dict[str, Any]) -> str:
        for group in task["candidate_groups"]:
            if group in self.tokens:
                return group
        raise AssertionError(f"no institution holds {task['candidate_groups']}")

    def run(self, instance_id: str, choices: dict[str, Any] | None = None,
            max_steps: int = 60) -> list[str]:
        """Complete tasks until the case ends; returns the activities in order."""
        done: list[str] = []
        for _ in range(max_steps):
            case = self.get("coordinator", f"/api/v1/instances/{instance_id}")
            if case["status"] != "running":
                assert case["status"] == "completed", case["status"]
                return done
            if self.work_external():
                continue
            assert case["open_tasks"], f"case waits with no task after {done}"
            task = case["open_tasks"][0]
            who = self.owner_of(task)
            detail = self.get(who, f"/api/v1/tasks/{task['id']}")
            self.post(who, f"/api/v1/tasks/{task['id']}/complete",
                      {"data": fill(detail["form"], choices)})
            done.append(task["activity_id"])
        raise AssertionError(f"the case did not end within {max_steps} steps: {done}")

    def work_external(self) -> bool:
        if "worker" not in self.tokens:
            return False
        locked = self.post("worker", "/api/v1/external-tasks/fetch-and-lock", {
            "worker_id": "e2e", "max_tasks": 5,
            "topics": [{"name": t, "lock_duration": 60_000} for t in self.topics]})["items"]
        for item in locked:
            self.post("worker", f"/api/v1/external-tasks/{item['id']}/complete",
                      {"worker_id": "e2e", "variables": {}})
        return bool(locked)

    topics: list[str] = []
