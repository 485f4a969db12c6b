"""Working days: Monday to Friday without the public holidays of the canton of Valais.

The deadlines the CII partners are held to (a préavis within ten working days, an
objection within thirty days…) count working days, so a due date or a timer
written in calendar days is wrong around Easter, Ascension or Christmas. The
holidays come from the `holidays` package (Switzerland, subdivision VS: New
Year, Saint Joseph on 19 March, Ascension, Corpus Christi, 1 August, Assumption,
All Saints, Immaculate Conception, Christmas), never from a list typed here.

A deadline of *n* working days ends at the end (23:59:59, local time) of the
*n*-th working day after the day it starts: the day of the start does not count
and the last day counts whole, as for legal deadlines (art. 20 PA; a deadline
falling on a closed day moves to the next working day by construction). With
*n* = 0 it is the end of the start day, or of the next working day when the
start day is closed.

An institution whose calendar differs (extra closed days, the optional
holidays such as Easter Monday, another canton) declares it in the directory
(`bpmn/directory.yaml`, key `calendar` of an institution); `Calendars` maps each
of its groups to that calendar. Which calendar a deadline uses:

* a user task's due and follow-up dates: the calendar of the first of its
  candidate groups whose institution declares one, else the canton's;
* timers and everything else: the canton's (a timer has no group).

The engine sets the calendars of the step being run in a context variable
(`using`), like the clock; outside a step the canton's calendar applies. The
current time is always read from the injected clock (`engine.clock`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import holidays

ZONE = ZoneInfo("Europe/Zurich")
#: More than a year of working days is a mistake in a model, not a deadline.
MAX_WORKING_DAYS = 366
_END_OF_DAY = time(23, 59, 59)


class CalendarError(ValueError):
    """A calendar in the directory that cannot be used; the message names where."""


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are worked: weekdays minus the holidays of a subdivision and closed days.

    `closed` holds dates; `closed_yearly` (month, day) pairs closed every year
    (e.g. 24 December).
    """

    country: str = "CH"
    subdivision: str | None = "VS"
    categories: tuple[str, ...] = ("public",)
    closed: frozenset[date] = frozenset()
    closed_yearly: frozenset[tuple[int, int]] = frozenset()

    @functools.cached_property
    def _holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country, subdiv=self.subdivision,
                                         categories=self.categories)

    def is_working_day(self, day: date) -> bool:
        return (day.weekday() < 5 and day not in self.closed
                and (day.month, day.day) not in self.closed_yearly
                and day not in self._holidays)

    def add(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (0: `day` itself, or the next working day)."""
        count = working_days_count(count)
        if count == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def deadline(self, start: datetime, count: int) -> datetime:
        """End of the `count`-th working day after the local day of `start`, in UTC."""
        local_day = start.astimezone(ZONE).date()
        last = self.add(local_day, count)
        return datetime.combine(last, _END_OF_DAY, tzinfo=ZONE).astimezone(UTC)

    def horizon(self, now: datetime, count: int) -> datetime:
        """Start of the day after the `count`-th working day from `now`'s local day.

        A due date before it is at most `count` working days away: the `task.due_soon`
        notice fires from then.
        """
        last = self.add(now.astimezone(ZONE).date(), count)
        return datetime.combine(last + timedelta(days=1), time(0), tzinfo=ZONE).astimezone(UTC)


def working_days_count(value: Any) -> int:
    """A number of working days as a model may write it: a whole number from 0 to 366."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise CalendarError(f"a number of working days must be a whole number, got {value!r}")
    if value != int(value):
        raise CalendarError(f"a number of working days must be a whole number, got {value!r}")
    if not 0 <= value <= MAX_WORKING_DAYS:
        raise CalendarError(
            f"a number of working days must be between 0 and {MAX_WORKING_DAYS}, got {value!r}")
    return int(value)


CANTON = WorkingCalendar()


@dataclass(frozen=True)
class Calendars:
    """The canton's calendar and the groups whose institution declares its own."""

    default: WorkingCalendar = CANTON
    by_group: Mapping[str, WorkingCalendar] = field(default_factory=dict)

    def for_groups(self, groups: Iterable[str]) -> WorkingCalendar:
        """The calendar of the first group that has one, else the canton's."""
        for group in groups:
            found = self.by_group.get(group)
            if found is not None:
                return found
        return self.default


def _closed_day(text: Any, where: str) -> date | tuple[int, int]:
    value = str(text).strip()
    try:
        if len(value) == 5:  # MM-DD, every year
            day = date.fromisoformat(f"2000-{value}")
            return (day.month, day.day)
        return date.fromisoformat(value)
    except ValueError:
        raise CalendarError(
            f"{where}: closed day {value!r} is neither YYYY-MM-DD nor MM-DD") from None


def calendar_from_mapping(spec: Mapping[str, Any], where: str) -> WorkingCalendar:
    """One `calendar:` entry of the directory: subdivision, categories, closed days."""
    unknown = set(spec) - {"country", "subdivision", "categories", "closed"}
    if unknown:
        raise CalendarError(f"{where}: unknown calendar key(s) {', '.join(sorted(unknown))}")
    country = str(spec.get("country", "CH"))
    subdivision = spec.get("subdivision", "VS")
    categories = tuple(spec.get("categories") or ("public",))
    try:
        holidays.country_holidays(country, subdiv=subdivision, categories=categories)
    except (NotImplementedError, ValueError, KeyError) as error:
        raise CalendarError(f"{where}: {error}") from None
    days = [_closed_day(text, where) for text in spec.get("closed") or ()]
    return WorkingCalendar(
        country=country, subdivision=subdivision, categories=categories,
        closed=frozenset(d for d in days if isinstance(d, date)),
        closed_yearly=frozenset(d for d in days if isinstance(d, tuple)))


def calendars_from_directory(directory: Mapping[str, Any]) -> Calendars:
    """The calendars the directory declares, by group (institutions' groups and communes').

    An institution with `groups_pattern` (the communes) lends its calendar to every
    commune's group.
    """
    by_group: dict[str, WorkingCalendar] = {}
    for institution in directory.get("institutions") or ():
        spec = institution.get("calendar")
        if not spec:
            continue
        where = f"institution {institution.get('id')!r}"
        if not isinstance(spec, Mapping):
            raise CalendarError(f"{where}: calendar must be a mapping")
        calendar = calendar_from_mapping(spec, where)
        groups = [g.get("id") for g in institution.get("groups") or () if g.get("id")]
        if institution.get("groups_pattern"):
            groups += [c.get("group") or f"commune-{c['id']}"
                       for c in directory.get("communes") or () if c.get("id")]
        for group in groups:
            by_group.setdefault(group, calendar)
    return Calendars(by_group=by_group)


_current: contextvars.ContextVar[tuple[Calendars, WorkingCalendar | None] | None] = (
    contextvars.ContextVar("ciiflow_calendars", default=None))


def current() -> WorkingCalendar:
    """The calendar deadlines count in here: the task's, the engine's default, or the canton's."""
    found = _current.get()
    if found is None:
        return CANTON
    calendars, selected = found
    return selected or calendars.default


@contextlib.contextmanager
def using(calendars: Calendars) -> Iterator[None]:
    """The engine's calendars for the step being run."""
    token = _current.set((calendars, None))
    try:
        yield
    finally:
        _current.reset(token)


@contextlib.contextmanager
def for_groups(groups: Iterable[str]) -> Iterator[None]:
    """Count in the calendar of a task's candidate groups (its due and follow-up dates)."""
    found = _current.get()
    calendars = found[0] if found is not None else Calendars()
    token = _current.set((calendars, calendars.for_groups(groups)))
    try:
        yield
    finally:
        _current.reset(token)
