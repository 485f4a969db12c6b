"""Fixtures of the API tests: the real app on the real engine and database, and principals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.store.principals import create_principal
from tests.workflows import processes
from workflows.app import create_app

Tokens = dict[str, str]


def make_principal(engine: Engine, name: str, role: str, groups: list[str] | None = None,
                   topics: list[str] | None = None) -> str:
    with engine.sessions.begin() as session:
        _, token = create_principal(session, name=name, role=role, groups=groups or [],
                                    now=engine.clock.now(), topics=topics)
    return token


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app({"TESTING": True}, engine=engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def tokens(engine: Engine) -> Tokens:
    """One principal per role, and institutions for each group of the mini process."""
    spec = {
        "admin": ("admin", []), "coordinator": ("coordinator", []),
        "owner": ("process-owner", []), "worker": ("worker", []),
        "orp": ("institution", ["orp-valais-central"]),
        "team_central": ("institution", ["cii-team-valais-central"]),
        "team_bas": ("institution", ["cii-team-bas-valais"]),
        "sas": ("institution", ["sas"]),
        "commune": ("institution", ["commune-sion"]),
        "oai": ("institution", ["oai"]),
    }
    return {name: make_principal(engine, name, role, groups)
            for name, (role, groups) in spec.items()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def call(client: FlaskClient, tokens: Tokens) -> Callable[..., Any]:
    """`call("orp", "GET", "/api/v1/tasks")` → the response, as principal `orp`."""

    def do(who: str | None, method: str, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if who:
            headers.update(bearer(tokens[who]))
        return client.open(path, method=method, headers=headers, **kwargs)

    return do


@pytest.fixture
def deployed(engine: Engine) -> Engine:
    engine.deploy({"cii_mini.bpmn": processes.cii_mini(), "one_task.bpmn": processes.one_task()})
    return engine


ANNOUNCEMENT = {"region": "valais-central", "consent": True, "summary": "complex situation",
                "person_ref": "P-001"}
