"""Fixtures of the webhook tests: a Fernet key, loopback allowed, an engine with the outbox."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select

import webhooks
from engine import Engine, ManualClock
from webhooks import endpoints, outbox, payloads
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookEndpoint

LOOPBACK = frozenset({"127.0.0.1", "localhost"})


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", key)
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "127.0.0.1,localhost")
    return key


@pytest.fixture
def settings() -> WebhookSettings:
    return WebhookSettings(allow_hosts=LOOPBACK, threads=8)


@pytest.fixture
def wengine(db: SqlEngine, clock: ManualClock) -> Engine:
    engine = Engine(db, clock=clock)
    webhooks.install(engine)
    return engine


@pytest.fixture
def dispatcher(wengine: Engine, settings: WebhookSettings) -> Iterator[Dispatcher]:
    found = Dispatcher(wengine.sessions, clock=wengine.clock, settings=settings,
                       rng=random.Random(7))
    yield found
    found.close()


def add_endpoint(engine: Engine, principal_id: int, url: str, types: list[str] | None = None,
                 settings: WebhookSettings | None = None) -> tuple[str, str]:
    """Register an endpoint; returns (endpoint id, clear secret)."""
    with engine.sessions.begin() as s:
        endpoint, secret = endpoints.create_endpoint(
            s, principal_id=principal_id, url=url, now=engine.clock.now(),
            event_types=types or ["task.ready", "task.completed", "instance.completed",
                                  "instance.incident", "endpoint.disabled"],
            settings=settings or WebhookSettings(allow_hosts=LOOPBACK))
        return endpoint.id, secret


def endpoint_row(engine: Engine, endpoint_id: str) -> WebhookEndpoint:
    with engine.sessions() as s:
        return s.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)).one()


def queue_one(engine: Engine, endpoint_id: str) -> str:
    """One `task.ready` for the endpoint, as a step would write it; its message id."""
    with engine.sessions.begin() as s:
        message = outbox.enqueue(
            s, event_type=payloads.TASK_READY, at=engine.clock.now(), endpoint_ids=[endpoint_id],
            data=payloads.task_data(task_id="t1", instance_id="i", process_key="p",
                                    activity="a", groups=["g"], state="ready"))
        return message.id
