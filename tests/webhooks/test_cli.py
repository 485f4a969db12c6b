"""`ciiflow webhooks`: the API's webhook use cases from the console, through the same operations."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result

from engine import Engine
from engine.service.caller import Caller
from tests.support.principals import add_principal
from webhooks import deliveries, manage
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from workflows.cli import main

from .receivers import Receiver


@pytest.fixture
def cli(db, db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:  # noqa: ANN001
    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    return CliRunner()


@pytest.fixture
def sas(wengine: Engine) -> Caller:
    """An institution as the API sees it: it must find what the console registered for it."""
    principal_id = add_principal(wengine, "sas", "institution", ["sas"]).id
    add_principal(wengine, "oai", "institution", ["oai"])
    return Caller(name="sas", role="institution", groups=("sas",), principal_id=principal_id)


def run(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(main, ["webhooks", *args])


def test_add_list_show_update_rotate_remove(cli: CliRunner, wengine: Engine, sas: Caller,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    added = run(cli, "add", "--principal", "sas", "--url", "http://127.0.0.1:9/in",
                "--event", "task.ready", "--description", "case system")
    assert added.exit_code == 0, added.output
    body: dict[str, Any] = json.loads(added.stdout)
    assert body["secret"].startswith("whsec_") and body["status"] == "active"
    assert body["principal_id"] == sas.principal_id and body["event_types"] == ["task.ready"]
    endpoint_id = body["id"]
    assert [v.id for v in manage.list_endpoints(wengine, sas)] == [endpoint_id]

    listed = run(cli, "endpoints")
    assert listed.exit_code == 0
    assert listed.stdout.split()[:3] == [endpoint_id, "sas", "active"]
    assert run(cli, "endpoints", "--principal", "oai").stdout == ""
    unknown = run(cli, "endpoints", "--principal", "nobody")
    assert unknown.exit_code == 1 and "no principal nobody" in unknown.stderr

    shown = run(cli, "show", endpoint_id)
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["description"] == "case system"
    assert "secret" not in json.loads(shown.stdout)

    updated = run(cli, "update", endpoint_id, "--event", "task.ready", "--event",
                  "task.completed", "--status", "disabled")
    assert updated.exit_code == 0, updated.output
    assert json.loads(updated.stdout)["event_types"] == ["task.ready", "task.completed"]
    assert manage.get_endpoint(wengine, sas, endpoint_id).status == "disabled"

    rotated = run(cli, "rotate-secret", endpoint_id)
    assert rotated.exit_code == 0
    rotated_body = json.loads(rotated.stdout)
    assert rotated_body["secret"].startswith("whsec_") and rotated_body["secret"] != body["secret"]
    assert rotated_body["previous_secret_valid_until"] is not None

    removed = run(cli, "remove", endpoint_id)
    assert removed.exit_code == 0 and endpoint_id in removed.stdout
    assert manage.list_endpoints(wengine, sas) == []
    again = run(cli, "show", endpoint_id)  # still readable, as deleted
    assert again.exit_code == 0 and json.loads(again.stdout)["status"] == "deleted"
    twice = run(cli, "remove", endpoint_id)
    assert twice.exit_code == 1 and f"no webhook endpoint {endpoint_id}" in twice.stderr

    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "")
    unsafe = run(cli, "add", "--principal", "sas", "--url", "https://10.0.0.1/in",
                 "--event", "task.ready")
    assert unsafe.exit_code == 1 and "the webhook URL is refused" in unsafe.stderr
    nobody = run(cli, "add", "--principal", "nobody", "--url", "https://x.example/",
                 "--event", "task.ready")
    assert nobody.exit_code == 1 and "no principal nobody" in nobody.stderr
    assert run(cli, "add", "--principal", "sas", "--url", "https://x.example/",
               "--event", "task.eaten").exit_code == 2
    assert manage.list_endpoints(wengine, sas) == []


def test_ping_deliveries_redeliver_recover(cli: CliRunner, wengine: Engine, sas: Caller,
                                           settings: WebhookSettings) -> None:
    statuses = iter([410])

    def answer(_: Any) -> tuple[int, dict[str, str], bytes]:
        return next(statuses, 200), {}, b"fine"

    with Receiver(answer) as receiver:
        added = json.loads(run(cli, "add", "--principal", "sas", "--url", receiver.url,
                               "--event", "task.ready").stdout)
        endpoint_id, secret = added["id"], added["secret"]
        pinged = run(cli, "test", endpoint_id)
        assert pinged.exit_code == 0
        message_id = pinged.stdout.strip()
        dispatcher = Dispatcher(wengine.sessions, settings=settings)
        assert dispatcher.run_once() == 1  # answered 410: the endpoint is disabled

        failed = run(cli, "deliveries", "--status", "failed", "--endpoint", endpoint_id,
                     "--attempts")
        assert failed.exit_code == 0
        first, attempt = failed.stdout.splitlines()
        delivery_id = first.split()[0]
        assert first.split()[1:4] == ["failed", "ping", endpoint_id] and "last 410" in first
        assert attempt.split()[0] == "#1" and attempt.split()[-1] == "410"
        assert run(cli, "deliveries", "--status", "delivered").stdout == ""

        refused = run(cli, "redeliver", delivery_id)
        assert refused.exit_code == 1 and "enable it first" in refused.stderr
        assert run(cli, "update", endpoint_id, "--status", "active").exit_code == 0
        again = run(cli, "redeliver", delivery_id)
        assert again.exit_code == 0 and again.stdout.split() == [delivery_id, "pending"]
        assert dispatcher.run_once() == 1
        dispatcher.close()

        recovered = run(cli, "recover", endpoint_id, "--since", "2000-01-01T00:00:00Z")
        assert recovered.exit_code == 0 and recovered.stdout.strip() == "redelivered 0"
        assert run(cli, "recover", endpoint_id, "--since", "yesterday").exit_code == 2
        missing = run(cli, "redeliver", "99999")
        assert missing.exit_code == 1 and "no delivery 99999" in missing.stderr

    assert receiver.ids() == [message_id] * 2
    assert receiver.received[1].verify(secret)["type"] == "ping"
    page = deliveries.list_deliveries(wengine, sas, endpoint=endpoint_id)
    assert [(d.message_id, d.status, [a.status_code for a in d.attempt_log])
            for d in page.items] == [(message_id, "delivered", [410, 200])]
    delivered = run(cli, "deliveries", "--status", "delivered")
    assert delivered.stdout.split()[:2] == [delivery_id, "delivered"]
