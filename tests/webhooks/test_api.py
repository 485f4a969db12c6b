"""The webhook API: own endpoints only, secret shown once, SSRF as a 422 on `url`."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine import Engine, ManualClock
from tests.support.principals import add_tokens, bearer
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from workflows.app import create_app

from .receivers import Receiver


@pytest.fixture
def client(wengine: Engine) -> FlaskClient:
    return create_app({"TESTING": True}, engine=wengine).test_client()


@pytest.fixture
def tokens(wengine: Engine) -> dict[str, str]:
    return add_tokens(wengine, {name: (role, [name]) for name, role in (
        ("sas", "institution"), ("oai", "institution"), ("coord", "coordinator"),
        ("admin", "admin"), ("owner", "process-owner"))})


def as_(tokens: dict[str, str], who: str) -> dict[str, str]:
    return bearer(tokens[who])


def test_register_list_patch_rotate_delete(client: FlaskClient, tokens: dict[str, str],
                                           wengine: Engine) -> None:
    created = client.post("/api/v1/webhooks/endpoints", headers=as_(tokens, "sas"),
                          json={"url": "http://127.0.0.1:9/in", "event_types": ["task.ready"]})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["secret"].startswith("whsec_") and body["status"] == "active"
    endpoint_id = body["id"]
    with wengine.sessions() as s:
        stored = s.get(WebhookEndpoint, endpoint_id).secret_enc
    assert body["secret"] not in stored and body["secret"][6:] not in stored

    listed = client.get("/api/v1/webhooks/endpoints", headers=as_(tokens, "sas")).json
    assert [e["id"] for e in listed["items"]] == [endpoint_id]
    assert "secret" not in listed["items"][0]
    assert client.get("/api/v1/webhooks/endpoints", headers=as_(tokens, "oai")).json == {
        "items": []}
    assert len(client.get("/api/v1/webhooks/endpoints",
                          headers=as_(tokens, "admin")).json["items"]) == 1
    other = client.get(f"/api/v1/webhooks/endpoints/{endpoint_id}", headers=as_(tokens, "oai"))
    assert other.status_code == 404
    forbidden = client.get("/api/v1/webhooks/endpoints", headers=as_(tokens, "owner"))
    assert forbidden.status_code == 403

    patched = client.patch(f"/api/v1/webhooks/endpoints/{endpoint_id}",
                           headers=as_(tokens, "sas"),
                           json={"event_types": ["task.ready", "task.completed"]})
    assert patched.status_code == 200 and patched.json["event_types"] == [
        "task.ready", "task.completed"]
    rotated = client.post(f"/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret",
                          headers=as_(tokens, "sas"))
    assert rotated.status_code == 200 and rotated.json["secret"] != body["secret"]
    assert rotated.json["previous_secret_valid_until"] is not None

    gone = client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}",
                         headers=as_(tokens, "oai"))
    assert gone.status_code == 404
    gone = client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}",
                         headers=as_(tokens, "sas"))
    assert gone.status_code == 204


@pytest.mark.parametrize("url", ["https://10.0.0.1/in", "https://[::ffff:127.0.0.1]/",
                                 "file:///etc/passwd", "ftp://x.example/"])
def test_an_unsafe_url_is_a_problem_naming_url(client: FlaskClient, tokens: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch,
                                               url: str) -> None:
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "")
    answer = client.post("/api/v1/webhooks/endpoints", headers=as_(tokens, "sas"),
                         json={"url": url, "event_types": ["task.ready"]})
    assert answer.status_code == 422
    assert answer.content_type == "application/problem+json"
    assert "url" in answer.json["errors"]


def test_bad_event_type_is_422(client: FlaskClient, tokens: dict[str, str]) -> None:
    answer = client.post("/api/v1/webhooks/endpoints", headers=as_(tokens, "sas"),
                         json={"url": "http://127.0.0.1:9/", "event_types": ["task.eaten"]})
    assert answer.status_code == 422 and answer.content_type == "application/problem+json"


def test_ping_deliveries_redeliver_and_recover(client: FlaskClient, tokens: dict[str, str],
                                               wengine: Engine, clock: ManualClock) -> None:
    statuses = iter([410])

    def answer(_: Any) -> tuple[int, dict[str, str], bytes]:
        return next(statuses, 200), {}, b"fine"

    with Receiver(answer) as receiver:
        created = client.post("/api/v1/webhooks/endpoints", headers=as_(tokens, "sas"),
                              json={"url": receiver.url, "event_types": ["task.ready"]}).json
        endpoint_id, secret = created["id"], created["secret"]
        ping = client.post(f"/api/v1/webhooks/endpoints/{endpoint_id}/test",
                           headers=as_(tokens, "sas"))
        assert ping.status_code == 202
        dispatcher = Dispatcher(wengine.sessions, clock=clock)
        assert dispatcher.run_once() == 1  # answered 410: the endpoint is disabled
        failed = client.get(f"/api/v1/webhooks/deliveries?status=failed&endpoint={endpoint_id}",
                            headers=as_(tokens, "sas")).json["items"]
        assert [(d["message_id"], d["attempts_log"][0]["status_code"]) for d in failed] == [
            (ping.json["message_id"], 410)]
        assert client.get("/api/v1/webhooks/deliveries", headers=as_(tokens, "oai")
                          ).json["items"] == []
        refused = client.post(f"/api/v1/webhooks/deliveries/{failed[0]['id']}/redeliver",
                              headers=as_(tokens, "sas"))
        assert refused.status_code == 422  # enable the endpoint first
        client.patch(f"/api/v1/webhooks/endpoints/{endpoint_id}", headers=as_(tokens, "sas"),
                     json={"status": "active"})
        again = client.post(f"/api/v1/webhooks/deliveries/{failed[0]['id']}/redeliver",
                            headers=as_(tokens, "sas"))
        assert again.status_code == 202 and again.json["status"] == "pending"
        assert dispatcher.run_once() == 1
        since = "2026-01-01T00:00:00Z"
        recovered = client.post(f"/api/v1/webhooks/endpoints/{endpoint_id}/recover?since={since}",
                                headers=as_(tokens, "sas"))
        assert recovered.status_code == 202 and recovered.json == {"redelivered": 0}
        dispatcher.close()
    assert receiver.ids() == [ping.json["message_id"]] * 2
    assert receiver.received[1].verify(secret)["type"] == "ping"
    with wengine.sessions() as s:
        assert s.scalars(select(WebhookEndpoint.status)).all() == ["active"]
    deleted = client.delete(f"/api/v1/webhooks/endpoints/{endpoint_id}",
                            headers=as_(tokens, "sas"))
    assert deleted.status_code == 204  # its deliveries and attempts stay, to be read
    with wengine.sessions() as s:
        assert s.scalars(select(WebhookEndpoint.status)).all() == ["deleted"]
        assert len(s.scalars(select(WebhookDelivery)).all()) == 1
        assert len(s.scalars(select(WebhookAttempt)).all()) == 2


def test_an_unusable_secret_key_is_a_503_problem_and_stores_nothing(
        client: FlaskClient, tokens: dict[str, str], wengine: Engine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIIFLOW_SECRET_KEY", "not-a-fernet-key")
    refused = client.post("/api/v1/webhooks/endpoints", headers=as_(tokens, "sas"),
                          json={"url": "http://127.0.0.1:9/in", "event_types": ["task.ready"]})
    assert refused.status_code == 503
    assert refused.mimetype == "application/problem+json"
    assert "CIIFLOW_SECRET_KEY" in refused.json["detail"]
    with wengine.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
