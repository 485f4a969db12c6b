"""When to try again: the schedule with jitter, bounded by the receiver's Retry-After.

Jitter spreads the retries of many deliveries that failed together (a receiver
that was down) so they do not all come back in the same second. The random
source is injected so tests can pin it.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from .config import WebhookSettings


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After` as a delay: delta-seconds or an HTTP date; None when absent or invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def next_delay(attempts_made: int, settings: WebhookSettings, rng: random.Random,
               retry_after: timedelta | None = None) -> timedelta | None:
    """The wait after attempt number `attempts_made` failed, or None when it was the last.

    Retry-After may push the retry later than the schedule, never sooner, and
    never beyond `max_retry_after` (24 h).
    """
    if attempts_made >= settings.max_attempts:
        return None
    base = settings.schedule[attempts_made - 1]
    delay = base * rng.uniform(1 - settings.jitter, 1 + settings.jitter)
    if retry_after is not None and retry_after > delay:
        delay = retry_after
    return min(delay, settings.max_retry_after)
