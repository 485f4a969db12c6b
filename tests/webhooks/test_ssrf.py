"""The SSRF guard, at registration and at every send; no packet leaves loopback.

Every test here runs with CIIFLOW_WEBHOOK_ALLOW_HOSTS empty, a `socket.connect`
that fails the test for any non-loopback address, and a `getaddrinfo` that
answers only the names the test defines (so not even a DNS query goes out).
"""

from __future__ import annotations

import ipaddress
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from engine import Engine
from tests.support.principals import add_principal
from webhooks import endpoints, outbox, payloads, secretbox
from webhooks.config import WebhookSettings
from webhooks.dispatcher import Dispatcher
from webhooks.models import WebhookAttempt, WebhookEndpoint
from webhooks.ssrf import UnsafeURL, check_url

from .receivers import Receiver

REFUSED = [
    "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook", "https://0177.0.0.1/hook", "https://2130706433/hook",
    "https://0x7f.1/hook", "https://10.0.0.1/hook", "https://172.16.0.1/hook",
    "https://192.168.1.1/hook", "https://100.64.0.1/hook",
    "https://169.254.169.254/latest/meta-data/", "https://[fc00::1]/hook",
    "https://[fe80::1]/hook", "https://0.0.0.0/hook", "https://[::]/hook",
    "https://224.0.0.1/hook", "https://240.0.0.1/hook", "file:///etc/passwd",
    "ftp://hooks.example.org/x", "http://hooks.example.org/hook", "https://user:pw@hooks.example.org/",
    "https://private.example.org/hook", "https://mapped.example.org/hook",
]
NAMES = {
    "hooks.example.org": "93.184.216.34",  # public
    "private.example.org": "10.1.2.3",
    "mapped.example.org": "::ffff:10.0.0.1",
}


class Connections:
    def __init__(self) -> None:
        self.seen: list[Any] = []


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Connections]:
    """No allow-list, a fake resolver, and a socket that refuses any non-loopback peer."""
    monkeypatch.setenv("CIIFLOW_WEBHOOK_ALLOW_HOSTS", "")
    connections = Connections()
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        connections.seen.append(address)
        host = address[0] if isinstance(address, tuple) else address
        if not ipaddress.ip_address(host).is_loopback:
            pytest.fail(f"a socket to a non-loopback address was opened: {address}")
        return real_connect(self, address)

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        try:  # a numeric address (the connection to a checked IP) needs no lookup
            address = str(ipaddress.ip_address(host))
        except ValueError:
            if host not in NAMES:
                pytest.fail(f"unexpected DNS lookup of {host}")
            address = NAMES[host]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield connections


@pytest.mark.parametrize("url", REFUSED)
def test_check_url_refuses(guarded: Connections, url: str) -> None:
    with pytest.raises(UnsafeURL):
        check_url(url)
    assert guarded.seen == []


def test_a_public_https_address_passes(guarded: Connections) -> None:
    target = check_url("https://hooks.example.org:8443/in?x=1")
    assert [str(a) for a in target.addresses] == ["93.184.216.34"]
    assert target.url_for(target.addresses[0]) == "https://93.184.216.34:8443/in?x=1"
    assert target.host_header == "hooks.example.org:8443"


@pytest.mark.parametrize("url", REFUSED)
def test_registration_refuses_naming_the_url_field(wengine: Engine, guarded: Connections,
                                                   url: str) -> None:
    principal = add_principal(wengine, "sas", "institution", ["g"]).id
    with pytest.raises(UnsafeURL) as refused:
        with wengine.sessions.begin() as s:
            endpoints.create_endpoint(s, principal_id=principal, url=url, now=wengine.clock.now(),
                                      event_types=["task.ready"], settings=WebhookSettings())
    assert refused.value.field == "url"
    with wengine.sessions() as s:
        assert s.scalars(select(WebhookEndpoint)).all() == []
    assert guarded.seen == []


def test_sending_refuses_before_any_connection(wengine: Engine, guarded: Connections) -> None:
    """URLs stored before a rule changed, or names that now resolve inward, are refused too."""
    principal = add_principal(wengine, "sas", "institution", ["g"]).id
    now = wengine.clock.now()
    with wengine.sessions.begin() as s:
        ids = []
        for url in REFUSED:
            endpoint = WebhookEndpoint(
                id="ep_" + uuid.uuid4().hex, principal_id=principal, url=url,
                event_types=["task.ready"], secret_enc=secretbox.encrypt(
                    secretbox.generate_secret()), status="active", created_at=now,
                updated_at=now)
            s.add(endpoint)
            ids.append(endpoint.id)
        s.flush()
        outbox.enqueue(s, event_type=payloads.PING, at=now, endpoint_ids=ids,
                       data=payloads.ping_data(endpoint_id="x"))
    dispatcher = Dispatcher(wengine.sessions, clock=wengine.clock, settings=WebhookSettings())
    assert dispatcher.run_once() == len(REFUSED)
    dispatcher.close()
    with wengine.sessions() as s:
        errors = list(s.scalars(select(WebhookAttempt.error)))
    assert len(errors) == len(REFUSED)
    assert all(e.startswith("refused:") for e in errors)
    assert guarded.seen == []


def test_a_name_that_rebinds_to_a_private_address_is_refused_at_send(
        wengine: Engine, guarded: Connections) -> None:
    principal = add_principal(wengine, "sas", "institution", ["g"]).id
    with wengine.sessions.begin() as s:
        endpoint, _ = endpoints.create_endpoint(
            s, principal_id=principal, url="https://hooks.example.org/in",
            now=wengine.clock.now(), event_types=["task.ready"], settings=WebhookSettings())
        endpoint_id = endpoint.id
        outbox.enqueue(s, event_type=payloads.PING, at=wengine.clock.now(),
                       endpoint_ids=[endpoint_id], data=payloads.ping_data(endpoint_id="x"))
    NAMES["hooks.example.org"] = "192.168.0.10"  # the DNS answer changed since registration
    try:
        dispatcher = Dispatcher(wengine.sessions, clock=wengine.clock,
                                settings=WebhookSettings())
        assert dispatcher.run_once() == 1
        dispatcher.close()
    finally:
        NAMES["hooks.example.org"] = "93.184.216.34"
    with wengine.sessions() as s:
        [error] = s.scalars(select(WebhookAttempt.error))
    assert error.startswith("refused:") and guarded.seen == []


def test_the_connection_goes_to_the_checked_address_with_one_lookup(
        wengine: Engine, guarded: Connections, monkeypatch: pytest.MonkeyPatch) -> None:
    """An allowed name: one lookup by the guard, the socket to that address, Host kept."""
    lookups: list[str] = []
    fake = socket.getaddrinfo

    def counting(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        return fake(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    NAMES["receiver.test"] = "127.0.0.1"
    settings = WebhookSettings(allow_hosts=frozenset({"receiver.test"}))
    try:
        with Receiver() as receiver:
            port = receiver.server.server_address[1]
            principal = add_principal(wengine, "sas", "institution", ["g"]).id
            with wengine.sessions.begin() as s:
                endpoint, secret = endpoints.create_endpoint(
                    s, principal_id=principal, url=f"http://receiver.test:{port}/in",
                    now=wengine.clock.now(), event_types=["task.ready"], settings=settings)
                outbox.enqueue(s, event_type=payloads.PING, at=wengine.clock.now(),
                               endpoint_ids=[endpoint.id],
                               data=payloads.ping_data(endpoint_id=endpoint.id))
            lookups.clear()
            dispatcher = Dispatcher(wengine.sessions, clock=wengine.clock, settings=settings)
            assert dispatcher.run_once() == 1
            dispatcher.close()
    finally:
        del NAMES["receiver.test"]
    [record] = receiver.received
    assert record.headers["host"] == f"receiver.test:{port}"
    assert record.verify(secret)["type"] == "ping"
    assert [h for h in lookups if not h[0].isdigit()] == ["receiver.test"]
    assert [a[0] for a in guarded.seen] == ["127.0.0.1"]
