"""Webhook settings read from the environment, with defaults that need nothing set.

Timeouts and the retry schedule live here (not as constants in the sender) so a
test can shrink them to keep its wall time short, and production can tune them
without a code change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

#: Delays after a failed attempt (attempt 1 is immediate): Svix's variant of the
#: Standard Webhooks schedule, eight attempts over about 27 hours.
DEFAULT_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
    timedelta(hours=5), timedelta(hours=10), timedelta(hours=10),
)


def _allow_hosts(raw: str | None) -> frozenset[str]:
    return frozenset(h.strip().lower().strip("[]") for h in (raw or "").split(",") if h.strip())


_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(raw: str | None, default: timedelta) -> timedelta:
    """`90s`, `30m`, `24h`, `2d`; a bare number is hours (the unit of the documented default)."""
    if not raw or not raw.strip():
        return default
    raw = raw.strip().lower()
    unit = _UNITS.get(raw[-1])
    if unit is None:
        return timedelta(hours=float(raw))
    return timedelta(**{unit: float(raw[:-1])})


@dataclass(frozen=True)
class WebhookSettings:
    """Everything the dispatcher and the registration checks may tune."""

    allow_hosts: frozenset[str] = frozenset()
    rotation_overlap: timedelta = timedelta(hours=24)
    connect_timeout: float = 5.0
    total_timeout: float = 15.0
    max_response_bytes: int = 4096
    logged_response_bytes: int = 512
    schedule: tuple[timedelta, ...] = DEFAULT_SCHEDULE
    jitter: float = 0.2
    max_retry_after: timedelta = timedelta(hours=24)
    disable_after: timedelta = timedelta(days=5)
    lease: timedelta = timedelta(seconds=120)
    #: a pending delivery this late past its due time counts as overdue in health
    overdue_after: timedelta = timedelta(minutes=5)
    threads: int = 32
    user_agent: str = "ciiflow-webhooks/1"

    @classmethod
    def from_env(cls) -> WebhookSettings:
        env = os.environ
        return cls(
            allow_hosts=_allow_hosts(env.get("CIIFLOW_WEBHOOK_ALLOW_HOSTS")),
            rotation_overlap=parse_duration(env.get("CIIFLOW_WEBHOOK_ROTATION_OVERLAP"),
                                            timedelta(hours=24)),
            connect_timeout=float(env.get("CIIFLOW_WEBHOOK_CONNECT_TIMEOUT", "5")),
            total_timeout=float(env.get("CIIFLOW_WEBHOOK_TOTAL_TIMEOUT", "15")),
            threads=int(env.get("CIIFLOW_WEBHOOK_THREADS", "32")),
            overdue_after=parse_duration(env.get("CIIFLOW_WEBHOOK_OVERDUE_AFTER"),
                                         timedelta(minutes=5)),
        )

    @property
    def max_attempts(self) -> int:
        return len(self.schedule) + 1
