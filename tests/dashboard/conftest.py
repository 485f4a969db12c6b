"""Fixtures of the control room's tests: the real app on the real engine, principals, and
cases of the small test processes placed with the injected clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine import Engine, ManualClock
from tests.engine import processes
from tests.support.principals import add_principal, add_tokens, bearer
from tests.support.served import serve
from workflows.app import create_app


@pytest.fixture
def client(engine: Engine) -> FlaskClient:
    return create_app({"TESTING": True}, engine=engine).test_client()


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    return add_tokens(engine, {"coordinator": ("coordinator", []),
                               "sas": ("institution", ["sas"]),
                               "owner": ("process-owner", [])})


@pytest.fixture
def call(client: FlaskClient, tokens: dict[str, str]) -> Callable[..., Any]:
    """`call("coordinator", "GET", path)` → the response, as that principal."""

    def do(who: str, method: str, path: str, **kwargs: Any) -> Any:
        return client.open(path, method=method, headers=bearer(tokens[who]), **kwargs)

    return do


@dataclass
class Floor:
    """The cases placed by `floor`: ids by what they wait at."""

    first_task: list[str]
    second_task: list[str]
    incidents: list[int]
    incident_cases: list[str]


@pytest.fixture
def floor(engine: Engine, clock: ManualClock) -> Floor:
    """three_tasks v1: one case at first_task since day 0, four at second_task since days
    0, 4, 6 and 8 (due after 10 days); gateway v1: three incidents at decision_gateway.
    The clock then stands at day 12."""
    engine.deploy({"p.bpmn": processes.three_tasks(), "g.bpmn": processes.gateway()})
    start = clock.now()
    waiting = engine.start("three_tasks", "case-first", {"region": "sion"}).instance.id
    moved = [engine.start("three_tasks", f"case-{day}", {"region": "sion"}).instance.id
             for day in (0, 4, 6, 8)]
    for day, instance_id in zip((0, 4, 6, 8), moved, strict=True):
        clock.set(start + timedelta(days=day))
        engine.complete_task(engine.tasks(instance_id=instance_id)[0].id, {}, actor="team")
    clock.set(start)
    failing = []
    for n in range(3):
        instance_id = engine.start("gateway", f"case-g{n}", {}).instance.id
        engine.complete_task(engine.tasks(instance_id=instance_id)[0].id, {}, actor="sas")
        failing.append(instance_id)
    clock.set(start + timedelta(days=12))
    incidents = [i.id for i in engine.incidents(status="open")]
    return Floor([waiting], moved, incidents, failing)


@pytest.fixture
def served(engine: Engine, clock: ManualClock) -> Iterator[tuple[str, Engine, ManualClock, str]]:
    """The real app served on a free port, and a coordinator's token: (base, engine, clock,
    token). A test module may define its own `served` (the languages' does)."""
    token = add_principal(engine, "cantonal", "coordinator", ["cii-cantonal"]).token
    with serve(engine) as base:
        yield base, engine, clock, token
