"""Health tells when deliveries cannot be sent: secrets that do not open give 503 (API) and
exit 1 (CLI); retrying, overdue and given-up deliveries are counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import Engine as SqlEngine

from engine import Engine, ManualClock
from tests.support.principals import add_principal
from webhooks import outbox, payloads
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from webhooks.health import delivery_health
from workflows.app import create_app
from workflows.cli import main
from workflows.migrate import alembic_config

from .conftest import add_endpoint
from .receivers import Receiver


def stamp(db: SqlEngine) -> None:
    """The tables are there (create_all): record them as at the newest migration."""
    config = alembic_config()
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, "head")


def queue(engine: Engine, endpoint_id: str, n: int) -> None:
    with engine.sessions.begin() as s:
        for i in range(n):
            outbox.enqueue(
                s, event_type=payloads.TASK_READY, at=engine.clock.now(),
                endpoint_ids=[endpoint_id],
                data=payloads.task_data(task_id=f"t{i}", instance_id="i", process_key="p",
                                        activity="a", groups=["g"], state="ready"))


@pytest.fixture
def lagging(wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> Engine:
    """One delivery retrying (503 once), one given up (410), two overdue (never sent)."""
    with Receiver(lambda _: (503, {}, b"")) as busy, Receiver(lambda _: (410, {}, b"")) as gone:
        principal = add_principal(wengine, "sas", "institution", ["g"]).id
        busy_id, _ = add_endpoint(wengine, principal, busy.url)
        gone_id, _ = add_endpoint(wengine, principal, gone.url)
        queue(wengine, busy_id, 1)
        queue(wengine, gone_id, 1)
        assert dispatcher.run_once() == 2
    clock.advance(timedelta(seconds=1))
    quiet = add_principal(wengine, "oai", "institution", ["h"]).id
    quiet_id, _ = add_endpoint(wengine, quiet, "http://127.0.0.1:9/in")
    queue(wengine, quiet_id, 2)  # due now: not yet overdue
    return wengine


def test_delivery_health_counts_and_opens_the_secrets(
        lagging: Engine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = WebhookSettings(overdue_after=timedelta(minutes=5))
    fresh = delivery_health(lagging, settings=settings)
    assert (fresh.ok, fresh.secrets, fresh.key_source) == (True, "ok", "CIIFLOW_SECRET_KEY")
    assert (fresh.retrying, fresh.overdue, fresh.failed_24h) == (1, 0, 1)
    clock.advance(timedelta(minutes=6))  # the 503 one is due again after ~5 s: overdue too
    late = delivery_health(lagging, settings=settings)
    assert (late.retrying, late.overdue, late.failed_24h, late.ok) == (1, 3, 1, True)
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    wrong = delivery_health(lagging, settings=settings)
    assert (wrong.ok, wrong.secrets, wrong.unreadable_endpoints) == (False, "unreadable", 3)
    assert wrong.problem is not None and "CIIFLOW_SECRET_KEY" in wrong.problem


def test_healthz_is_503_when_the_secrets_do_not_open(
        lagging: Engine, db: SqlEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    stamp(db)
    client = create_app({}, engine=lagging).test_client()
    ok = client.get("/healthz")
    assert ok.status_code == 200, ok.get_json()
    body = ok.get_json()
    assert body["status"] == "ok" and body["migrations"] == "current"
    assert body["webhooks"]["status"] == "ok" and body["webhooks"]["secrets"] == "ok"
    assert (body["webhooks"]["retrying"], body["webhooks"]["failed_24h"]) == (1, 1)

    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())  # key changed
    down = client.get("/api/v1/healthz")
    assert down.status_code == 503
    body = down.get_json()
    assert body["status"] == "unavailable" and body["database"] == "ok"
    assert body["webhooks"]["secrets"] == "unreadable"
    assert body["webhooks"]["unreadable_endpoints"] == 3
    assert "CIIFLOW_SECRET_KEY" in body["webhooks"]["problem"]


def test_ciiflow_health_exits_1_when_the_secrets_do_not_open(
        lagging: Engine, db: SqlEngine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stamp(db)
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    cli = CliRunner()
    ok = cli.invoke(main, ["health"])
    assert ok.exit_code == 0, ok.output
    assert "status: ok" in ok.output and "webhook secrets: ok" in ok.output
    # the system clock is months past the manual one: every pending delivery is overdue
    assert "webhook deliveries: 1 retrying, 3 overdue" in ok.output

    monkeypatch.setenv("CIIFLOW_SECRET_KEY", Fernet.generate_key().decode())
    down = cli.invoke(main, ["health"])
    assert down.exit_code == 1
    assert "status: unavailable" in down.output
    assert "webhook secrets: unreadable" in down.output and "CIIFLOW_SECRET_KEY" in down.output
