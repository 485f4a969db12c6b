"""One HTTP POST of one signed message, to an address the SSRF guard has just checked.

The URL is re-checked and re-resolved at every send and the connection goes to
the checked address (`https://<ip>:<port>/path`), with the real name in `Host`
and in TLS SNI (httpcore's `sni_hostname` extension), so the certificate is
still verified against the name. Redirects are not followed, at most 4 KB of
the answer is read, and a watchdog holds the whole exchange to the total
timeout. One `httpx.Client` per endpoint keeps its connections alive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .config import WebhookSettings
from .ssrf import Resolver, UnsafeURL, check_url
from .watchdog import Watchdog


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str | None
    excerpt: bytes
    duration_ms: int
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and (
            200 <= self.status_code < 300)


class Sender:
    def __init__(self, settings: WebhookSettings, *, resolver: Resolver | None = None,
                 verify: Any = True) -> None:
        self.settings = settings
        self.resolver = resolver
        self.verify = verify
        self.watchdog = Watchdog()
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def client(self, key: str) -> httpx.Client:
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                s = self.settings
                client = httpx.Client(
                    follow_redirects=False, verify=self.verify, trust_env=False,
                    timeout=httpx.Timeout(s.total_timeout, connect=s.connect_timeout),
                    limits=httpx.Limits(max_connections=s.threads,
                                        max_keepalive_connections=s.threads))
                self._clients[key] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def send(self, client_key: str, url: str, headers: Mapping[str, str],
             body: bytes) -> SendResult:
        """POST `body`; never raises for anything the receiver or the network does."""
        start = time.monotonic()
        try:
            target = check_url(url, allow_hosts=self.settings.allow_hosts,
                               resolver=self.resolver)
        except UnsafeURL as exc:
            return SendResult(None, f"refused: {exc}"[:255], b"", _ms(start))
        request_headers = {**headers, "host": target.host_header,
                           "user-agent": self.settings.user_agent}
        ticket = self.watchdog.watch(start + self.settings.total_timeout)

        def trace(name: str, info: dict[str, Any]) -> None:
            if name in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
                self.watchdog.attach(ticket, info.get("return_value"))

        extensions: dict[str, Any] = {"trace": trace}
        if target.scheme == "https":
            extensions["sni_hostname"] = target.host
        try:
            return self._exchange(client_key, target.url_for(target.addresses[0]),
                                  request_headers, body, extensions, ticket, start)
        finally:
            self.watchdog.done(ticket)

    def _exchange(self, client_key: str, url: str, headers: dict[str, str], body: bytes,
                  extensions: dict[str, Any], ticket: int, start: float) -> SendResult:
        limit = self.settings.max_response_bytes
        deadline = start + self.settings.total_timeout
        try:
            with self.client(client_key).stream("POST", url, content=body, headers=headers,
                                                 extensions=extensions) as response:
                self.watchdog.attach(ticket, response.extensions.get("network_stream"))
                data = bytearray()
                for chunk in response.iter_raw():
                    data += chunk
                    if len(data) >= limit or time.monotonic() > deadline:
                        break
                late = time.monotonic() > deadline
                return SendResult(
                    response.status_code, "timeout: total time exceeded" if late else None,
                    bytes(data[:limit]), _ms(start), response.headers.get("retry-after"))
        except httpx.TimeoutException as exc:
            return SendResult(None, f"timeout: {type(exc).__name__}", b"", _ms(start))
        except Exception as exc:  # noqa: BLE001 - any failure is an attempt to log and retry
            if time.monotonic() > deadline:
                return SendResult(None, "timeout: total time exceeded", b"", _ms(start))
            return SendResult(None, f"{type(exc).__name__}: {exc}"[:255], b"", _ms(start))


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)
