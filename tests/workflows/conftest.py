"""Fixtures of the API tests: the real app on the real engine and database, and principals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from tests.support.principals import add_tokens, bearer
from tests.workflows import processes
from workflows.app import create_app

Tokens = dict[str, str]


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
    return add_tokens(engine, spec)


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
