"""The dispatcher: claims due deliveries, signs them, sends them, records every attempt.

Run it as one or several processes beside the web service (`ciiflow worker`,
or `python -m webhooks.dispatcher`); the database is all they share. One round
claims a batch under a lease (`claims`), sends it from a thread pool over
pooled connections (`sender`), then writes the outcomes in one transaction
(`outcomes`). No instance is locked and no request waits while it sends.

Scheduling reads the injected clock (`now`); the `webhook-timestamp` header
reads `signing_clock` (the system clock by default), because the receiver
compares it with its own clock to refuse replays.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import sys
import threading
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from engine.clock import Clock, ManualClock, SystemClock

from .claims import Claim, claim
from .config import WebhookSettings
from .endpoints import signing_secrets
from .health import require_key
from .outcomes import Outcome, record
from .secretbox import SecretKeyError, use_database
from .sender import Sender
from .ssrf import Resolver

log = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], *, clock: Clock | None = None,
                 settings: WebhookSettings | None = None, rng: random.Random | None = None,
                 signing_clock: Clock | None = None, worker_id: str | None = None,
                 resolver: Resolver | None = None, verify: Any = True) -> None:
        self.sessions = sessions
        self.clock = clock or SystemClock()
        self.settings = settings or WebhookSettings.from_env()
        self.rng = rng or random.Random()
        self.signing_clock = signing_clock or SystemClock()
        self.worker_id = worker_id or (
            f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
        self.sender = Sender(self.settings, resolver=resolver, verify=verify)
        self._pool: ThreadPoolExecutor | None = None

    # -- one round -----------------------------------------------------------
    def run_once(self, *, now: datetime | None = None, limit: int = 100) -> int:
        """Claim, send and record up to `limit` due deliveries; returns how many were tried."""
        now = now or self.clock.now()
        with self.sessions.begin() as session:
            claims = claim(session, owner=self.worker_id, now=now,
                           lease=self.settings.lease, limit=limit)
        if not claims:
            return 0
        outcomes = self._send_all(claims, now)
        with self.sessions.begin() as session:
            record(session, outcomes, owner=self.worker_id, now=now, settings=self.settings,
                   rng=self.rng)
        return len(outcomes)

    def _send_all(self, claims: list[Claim], now: datetime) -> list[Outcome]:
        secrets: dict[tuple[str, str], list[str]] = {}
        prepared = []
        for c in claims:
            key = (c.endpoint_id, c.secret_enc)
            if key not in secrets:
                secrets[key] = signing_secrets(c.secret_enc, c.previous_secret_enc,
                                               c.previous_secret_until, now)
            prepared.append((c, self.headers(c, secrets[key])))
        if len(prepared) == 1:
            c, headers = prepared[0]
            return [Outcome(c, self.sender.send(c.endpoint_id, c.url, headers,
                                                c.body.encode()))]
        pool = self._executor()
        futures = [pool.submit(self.sender.send, c.endpoint_id, c.url, headers, c.body.encode())
                   for c, headers in prepared]
        return [Outcome(c, f.result()) for (c, _), f in zip(prepared, futures, strict=True)]

    def headers(self, c: Claim, secrets: list[str]) -> dict[str, str]:
        """Standard Webhooks headers; one `v1,` signature per valid secret (rotation overlap)."""
        at = self.signing_clock.now().astimezone(UTC)
        signatures = " ".join(Webhook(s).sign(c.message_id, at, c.body) for s in secrets)
        return {"content-type": "application/json", "webhook-id": c.message_id,
                "webhook-timestamp": str(int(at.timestamp())),
                "webhook-signature": signatures}

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.settings.threads,
                                            thread_name_prefix="webhook-send")
        return self._pool

    # -- a long-running process ---------------------------------------------
    def run_forever(self, stop: threading.Event | None = None, *, poll_interval: float = 0.05,
                    limit: int = 100) -> None:
        """Send until `stop` is set: a full batch loops at once, an empty one waits a little."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                sent = self.run_once(limit=limit)
            except SecretKeyError as error:  # one line, not a traceback a round: health shows it
                log.error("webhook dispatch round failed: %s", error)
                sent = 0
                stop.wait(1.0)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("webhook dispatch round failed; retrying")
                sent = 0
                stop.wait(1.0)
            if sent < limit:
                stop.wait(poll_interval)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.sender.close()


_dispatchers: weakref.WeakKeyDictionary[Any, Dispatcher] = weakref.WeakKeyDictionary()


def _resolve(target: Any) -> tuple[sessionmaker[Session], Clock | None]:
    """Accept an `engine.Engine`, a sessionmaker or a SQLAlchemy engine."""
    if isinstance(target, sessionmaker):
        return target, None
    if isinstance(target, SqlEngine):
        from engine.store.db import make_sessionmaker

        return make_sessionmaker(target), None
    return target.sessions, getattr(target, "clock", None)


def dispatcher_for(target: Any) -> Dispatcher:
    """The dispatcher of this engine/sessionmaker, kept so connections and threads are reused."""
    found = _dispatchers.get(target)
    if found is None:
        sessions, clock = _resolve(target)
        found = Dispatcher(sessions, clock=clock)
        _dispatchers[target] = found
    return found


def run_once(engine_or_sessionmaker: Any, *, now: datetime | None = None,
             limit: int = 100) -> int:
    """One dispatch round for `ciiflow worker`; returns the number of deliveries attempted."""
    return dispatcher_for(engine_or_sessionmaker).run_once(now=now, limit=limit)


def main(argv: list[str] | None = None) -> int:
    """`python -m webhooks.dispatcher`: run until interrupted, or until nothing is due."""
    parser = argparse.ArgumentParser(description="ciiflow webhook dispatcher")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--poll-interval", type=float, default=0.05)
    parser.add_argument("--drain", action="store_true", help="stop when nothing is due")
    parser.add_argument("--now", default=None, help="a fixed ISO time (tests)")
    args = parser.parse_args(argv)
    from engine.store.db import make_engine, make_sessionmaker

    db = make_engine(args.database_url)
    use_database(db.url)  # the embedded secret key lives beside this database's file
    clock: Clock = (ManualClock(datetime.fromisoformat(args.now)) if args.now
                    else SystemClock())
    sessions = make_sessionmaker(db)
    try:
        # as `ciiflow worker` does: a key that opens no stored secret would send nothing
        require_key(SimpleNamespace(sessions=sessions, readers=sessions, clock=clock))
    except SecretKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        db.dispose()
        return 1
    dispatcher = Dispatcher(sessions, clock=clock)
    try:
        if args.drain:
            while dispatcher.run_once(limit=args.limit):
                pass
        else:
            dispatcher.run_forever(poll_interval=args.poll_interval, limit=args.limit)
    except KeyboardInterrupt:
        pass
    finally:
        dispatcher.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
