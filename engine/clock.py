"""One clock for every time-dependent part, so tests move time instead of sleeping.

SpiffWorkflow's timer events call `datetime.now(timezone.utc)` directly and offer
no hook. Rather than re-implementing its three timer event definitions, the
engine installs, once, a `datetime` subclass into the library's timer module
whose `now()` reads the clock of the step being run (a context variable set by
the engine around every advance). Outside a step it is the system time, so the
library behaves exactly as before.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; the tests' way to pass ten days."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self._now = self._now + (delta or timedelta(**kwargs))
        return self._now


_current: contextvars.ContextVar[Clock | None] = contextvars.ContextVar(
    "ciiflow_clock", default=None
)
_SYSTEM = SystemClock()


def current_now() -> datetime:
    """The time of the step being run, or the system time outside a step."""
    clock = _current.get()
    return (clock or _SYSTEM).now()


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


class _ClockedDateTime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        now = current_now()
        return now if tz is None else now.astimezone(tz)


def install_in_spiffworkflow() -> None:
    """Make SpiffWorkflow's timer events read our clock (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockedDateTime  # type: ignore[attr-defined, misc]
