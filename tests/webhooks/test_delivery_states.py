"""What a delivery says after each attempt, a deleted endpoint's log, and the SSRF refusal.

A failed attempt leaves the delivery `retrying` with its next attempt's time and
the last error, in the operation, the API and the CLI alike; the dispatcher
claims it again when due; the last failed attempt makes it `failed`. Removing
an endpoint keeps its deliveries listable and sends nothing more to it.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from engine import Engine, ManualClock
from engine.errors import InvalidInput, NotFound
from engine.service.caller import Caller
from tests.support.principals import add_principal, bearer
from webhooks import deliveries, health, manage, outbox, payloads
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from workflows.app import create_app
from workflows.cli import main

from .conftest import LOOPBACK, queue_one
from .receivers import Receiver


def _caller(engine: Engine, name: str, role: str = "institution") -> Caller:
    principal_id = add_principal(engine, name, role, [name]).id
    return Caller(name=name, role=role, groups=(name,), principal_id=principal_id)


def test_a_failed_attempt_is_retrying_with_next_attempt_and_last_error(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock, db_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([503, 200])
    with Receiver(lambda r: (next(answers), {}, b"busy")) as receiver:
        sas = _caller(wengine, "sas")
        endpoint = manage.register_endpoint(wengine, sas, url=receiver.url,
                                            event_types=["task.ready"]).endpoint
        queue_one(wengine, endpoint.id)
        assert dispatcher.run_once() == 1
        [view] = deliveries.list_deliveries(wengine, sas).items
        assert (view.status, view.attempts, view.last_status_code) == ("retrying", 1, 503)
        assert view.last_error is None and view.attempt_log[0].response_excerpt == "busy"
        assert view.next_attempt_at is not None
        assert timedelta(seconds=4) <= view.next_attempt_at - clock.now() <= timedelta(seconds=6)
        assert health.delivery_health(wengine).retrying == 1
        assert [v.id for v in deliveries.list_deliveries(wengine, sas,
                                                         status="retrying").items] == [view.id]

        client = create_app({"TESTING": True}, engine=wengine).test_client()
        token = add_principal(wengine, "root", "admin").token
        listed = client.get("/api/v1/webhooks/deliveries?status=retrying",
                            headers=bearer(token)).json["items"]
        assert [(d["status"], d["last_status_code"]) for d in listed] == [("retrying", 503)]
        assert listed[0]["next_attempt_at"] == view.next_attempt_at.isoformat()

        monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
        line = CliRunner().invoke(main, ["webhooks", "deliveries"]).output
        assert "retrying" in line and f"next {view.next_attempt_at.isoformat()}" in line

        clock.set(view.next_attempt_at)  # due: the dispatcher claims a retrying delivery
        assert dispatcher.run_once() == 1
    [done] = deliveries.list_deliveries(wengine, sas).items
    assert (done.status, done.attempts, done.next_attempt_at) == ("delivered", 2, None)
    assert len(receiver.received) == 2


def test_the_last_failed_attempt_makes_it_failed_with_the_error(
        wengine: Engine, clock: ManualClock) -> None:
    settings = WebhookSettings(allow_hosts=LOOPBACK, schedule=(timedelta(seconds=5),))
    sender = Dispatcher(wengine.sessions, clock=clock, settings=settings,
                        rng=random.Random(1))
    try:
        with Receiver() as receiver:
            sas = _caller(wengine, "sas")
            endpoint = manage.register_endpoint(wengine, sas, url=receiver.url,
                                                event_types=["task.ready"]).endpoint
        # the receiver is shut: every attempt is a connection error
        queue_one(wengine, endpoint.id)
        assert sender.run_once() == 1
        [first] = deliveries.list_deliveries(wengine, sas).items
        assert first.status == "retrying" and first.last_status_code is None
        assert first.last_error and "Connect" in first.last_error
        clock.set(first.next_attempt_at)
        assert sender.run_once() == 1
    finally:
        sender.close()
    [last] = deliveries.list_deliveries(wengine, sas).items
    assert (last.status, last.attempts, last.next_attempt_at) == ("failed", 2, None)
    assert last.last_error and "Connect" in last.last_error


def test_a_deleted_endpoint_keeps_its_log_and_receives_nothing(
        wengine: Engine, dispatcher: Dispatcher, clock: ManualClock) -> None:
    answers = iter([200, 500])
    with Receiver(lambda r: (next(answers, 200), {}, b"")) as receiver:
        sas, oai = _caller(wengine, "sas"), _caller(wengine, "oai")
        admin = _caller(wengine, "root", "admin")
        endpoint = manage.register_endpoint(wengine, sas, url=receiver.url,
                                            event_types=["task.ready"]).endpoint
        queue_one(wengine, endpoint.id)
        assert dispatcher.run_once() == 1
        queue_one(wengine, endpoint.id)
        assert dispatcher.run_once() == 1
        assert [v.status for v in deliveries.list_deliveries(wengine, sas).items] == [
            "retrying", "delivered"]

        manage.remove_endpoint(wengine, sas, endpoint.id)

        for caller in (sas, admin):  # the log stays, to its owner and to admins
            log = deliveries.list_deliveries(wengine, caller, endpoint=endpoint.id).items
            assert [(v.status, v.last_error) for v in log] == [
                ("failed", "endpoint deleted"), ("delivered", None)]
            assert len(log[0].attempt_log) == 1 and log[0].attempt_log[0].status_code == 500
        assert deliveries.list_deliveries(wengine, oai, endpoint=endpoint.id).items == []
        assert manage.list_endpoints(wengine, sas) == []
        [kept] = manage.list_endpoints(wengine, sas, deleted=True)
        assert (kept.status, kept.deleted_at) == ("deleted", clock.now())
        assert manage.get_endpoint(wengine, sas, endpoint.id).status == "deleted"
        with pytest.raises(NotFound):
            manage.remove_endpoint(wengine, sas, endpoint.id)
        with pytest.raises(NotFound):
            manage.change_endpoint(wengine, sas, endpoint.id, status="active")
        [failed] = deliveries.list_deliveries(wengine, sas, status="failed").items
        with pytest.raises(InvalidInput, match="deleted"):
            deliveries.redeliver(wengine, sas, failed.id)

        with wengine.sessions.begin() as s:  # a new task for its group: no delivery for it
            assert outbox.endpoints_for_groups(s, ["sas"], payloads.TASK_READY) == []
        clock.advance(hours=1)
        assert dispatcher.run_once() == 0
    assert len(receiver.received) == 2
    assert health.delivery_health(wengine).ok  # its dropped secret is not "unreadable"


def test_delete_over_the_api_then_read_the_log(wengine: Engine, dispatcher: Dispatcher,
                                               db_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    client: FlaskClient = create_app({"TESTING": True}, engine=wengine).test_client()
    sas = add_principal(wengine, "sas", "institution", ["sas"]).token
    with Receiver() as receiver:
        created = client.post("/api/v1/webhooks/endpoints", headers=bearer(sas),
                              json={"url": receiver.url, "event_types": ["task.ready"]})
        endpoint_id = created.json["id"]
        queue_one(wengine, endpoint_id)
        assert dispatcher.run_once() == 1
    assert client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}",
                         headers=bearer(sas)).status_code == 204
    assert client.get("/api/v1/webhooks/endpoints", headers=bearer(sas)).json == {"items": []}
    deleted = client.get("/api/v1/webhooks/endpoints?deleted=true", headers=bearer(sas)).json
    assert [(e["id"], e["status"]) for e in deleted["items"]] == [(endpoint_id, "deleted")]
    assert deleted["items"][0]["deleted_at"] is not None
    log = client.get(f"/api/v1/webhooks/deliveries?endpoint={endpoint_id}", headers=bearer(sas))
    assert log.status_code == 200
    assert [d["status"] for d in log.json["items"]] == ["delivered"]
    assert client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}",
                         headers=bearer(sas)).status_code == 404

    monkeypatch.setenv("CIIFLOW_DATABASE_URL", db_url)
    cli = CliRunner()
    assert endpoint_id not in cli.invoke(main, ["webhooks", "endpoints"]).output
    listed = cli.invoke(main, ["webhooks", "endpoints", "--deleted"]).output
    assert listed.split()[:3] == [endpoint_id, "sas", "deleted"]
    shown = cli.invoke(main, ["webhooks", "deliveries", "--endpoint", endpoint_id]).output
    assert "delivered" in shown and endpoint_id in shown


@pytest.mark.parametrize("url", ["https://127.0.0.1/in", "https://10.1.2.3/in",
                                 "http://127.0.0.1:9/in"])
def test_a_private_address_refusal_names_the_setting(wengine: Engine, url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "")
    sas = _caller(wengine, "sas")
    with pytest.raises(InvalidInput) as refused:
        manage.register_endpoint(wengine, sas, url=url, event_types=["task.ready"])
    assert refused.value.field == "url"
    assert "CIIFLOW_WEBHOOK_ALLOW_HOSTS" in str(refused.value)
    client = create_app({"TESTING": True}, engine=wengine).test_client()
    token = add_principal(wengine, "oai", "institution", ["oai"]).token
    answer = client.post("/api/v1/webhooks/endpoints", headers=bearer(token),
                         json={"url": url, "event_types": ["task.ready"]})
    assert answer.status_code == 422
    assert "CIIFLOW_WEBHOOK_ALLOW_HOSTS" in answer.get_data(as_text=True)
