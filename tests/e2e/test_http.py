"""End to end over real HTTP: deploy, announce, each institution completes its task, closure.

The app runs in a thread behind werkzeug's server; the client is `requests`;
the engine and database are the real ones (SQLite, and PostgreSQL when set).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from engine import Engine
from engine.store.models import History
from tests.processes.driver import Walker, deployable_files, fill
from tests.support.principals import add_principal, add_tokens
from tests.support.served import serve
from tests.workflows import processes
from tests.workflows.conftest import ANNOUNCEMENT
from workflows.cli.principals import bpmn_topics, directory_groups

BPMN = Path(__file__).resolve().parents[2] / "bpmn"


def actors(engine: Engine, instance_id: str) -> list[tuple[str, str | None]]:
    with engine.sessions() as s:
        rows = s.execute(select(History.kind, History.actor).where(
            History.instance_id == instance_id).order_by(History.seq)).all()
    return [(kind, actor) for kind, actor in rows]


def test_mini_case_from_deploy_to_closure(engine: Engine) -> None:
    tokens = add_tokens(engine, {
        "owner": ("process-owner", []), "coordinator": ("coordinator", []),
        "orp-valais-central": ("institution", ["orp-valais-central"]),
        "cii-team-valais-central": ("institution", ["cii-team-valais-central"]),
        "sas": ("institution", ["sas"]), "commune-sion": ("institution", ["commune-sion"])})
    with serve(engine) as base:
        walker = Walker(base, tokens)
        deployed = requests.post(f"{base}/api/v1/definitions", headers=walker.h("owner"),
                                 files=[("files", ("cii_mini.bpmn", processes.cii_mini()))],
                                 timeout=30)
        assert deployed.status_code == 201, deployed.text
        started = walker.post("orp-valais-central", "/api/v1/processes/cii_mini/instances",
                              {"business_key": "CII-2026-001", "data": ANNOUNCEMENT}, 201)
        instance_id = started["instance"]["id"]
        done = walker.run(instance_id)
    assert done == ["triage_task", "preavis_task", "approval_task"]
    history = actors(engine, instance_id)
    assert ("started", "orp-valais-central") in history
    assert [a for k, a in history if k == "task_completed"] == [
        "cii-team-valais-central", "sas", "commune-sion"]
    assert history[-1][0] == "completed"


def test_two_clients_complete_the_same_task_one_wins(engine: Engine) -> None:
    engine.deploy({"one.bpmn": processes.one_task()})
    token = add_principal(engine, "oai", "institution", ["oai"]).token
    started = engine.start("one_task", "race-1", {})
    with serve(engine) as base:
        headers = {"Authorization": f"Bearer {token}"}
        task_id = requests.get(f"{base}/api/v1/tasks", headers=headers,
                               timeout=30).json()["items"][0]["id"]
        barrier = threading.Barrier(2)
        statuses: list[int] = []

        def complete() -> None:
            with requests.Session() as http:
                http.get(f"{base}/api/v1/definitions", headers=headers, timeout=30)  # connect
                barrier.wait()
                response = http.post(f"{base}/api/v1/tasks/{task_id}/complete", headers=headers,
                                     json={"data": {"done": True}}, timeout=30)
                statuses.append(response.status_code)

        threads = [threading.Thread(target=complete) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(statuses) == [200, 409]
    kinds = [k for k, _ in actors(engine, started.instance.id)]
    assert kinds.count("task_completed") == 1


def _cii_tokens(engine: Engine) -> dict[str, str]:
    groups = directory_groups(BPMN / "directory.yaml")
    tokens = add_tokens(engine, {g: ("institution", [g]) for g in groups} | {
        "owner": ("process-owner", []), "coordinator": ("coordinator", [])})
    tokens["worker"] = add_principal(engine, "worker", "worker", topics=bpmn_topics(BPMN)).token
    return tokens


@pytest.mark.slow
def test_the_cii_case_process_over_http(engine: Engine) -> None:
    """The real `bpmn/` bundle: announce a case and run it to closure."""
    files = deployable_files()
    tokens = _cii_tokens(engine)
    with serve(engine) as base:
        walker = Walker(base, tokens, topics=bpmn_topics(BPMN))
        deployed = requests.post(f"{base}/api/v1/definitions", headers=walker.h("owner"),
                                 files=[("files", (n, b)) for n, b in files.items()],
                                 timeout=60)
        assert deployed.status_code == 201, deployed.text
        definition = walker.get("coordinator", "/api/v1/definitions/cii_case/versions/1")
        announcement: dict[str, Any] = fill(definition["start_form"], {
            "consent": True, "consent_given": True, "region": "valais-central",
            "cmsr": "sion-herens-conthey", "commune": "sion"})
        announcer = next(g for g in tokens if g.startswith("orp-"))
        started = walker.post(announcer, "/api/v1/processes/cii_case/instances",
                              {"business_key": "CII-2026-100", "data": announcement}, 201)
        done = walker.run(started["instance"]["id"])
    assert done, "no task was completed"
    completed_by = [a for k, a in actors(engine, started["instance"]["id"])
                    if k == "task_completed"]
    assert completed_by and all(completed_by)
