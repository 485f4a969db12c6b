"""Working-day deadlines: the Valais calendar, `workingDays()` in due dates and timers, lint.

The calendar cases are real 2025–2027 dates around the Valais public holidays
(Saint Joseph, Ascension, Corpus Christi, Assumption, All Saints, Immaculate
Conception, Christmas) and weekends; the engine cases move the injected clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine as SqlEngine

from engine import Engine, ManualClock
from engine.calendar import (
    CANTON,
    CalendarError,
    Calendars,
    WorkingCalendar,
    calendars_from_directory,
)
from engine.expressions import ExpressionRuntimeError, evaluate_text
from engine.lint import lint
from tests.support.bpmn import Flow, Node, document, user_task
from tests.support.bpmn import timer as duration_timer

ZURICH_WINTER = timedelta(hours=1)  # CET: the end of a local day is 22:59:59 UTC
ZURICH_SUMMER = timedelta(hours=2)  # CEST: 21:59:59 UTC


@pytest.mark.parametrize(("start", "count", "last"), [
    (date(2026, 3, 18), 1, date(2026, 3, 20)),   # Wed → Thu 19 March Saint Joseph → Fri
    (date(2026, 3, 13), 5, date(2026, 3, 23)),   # Fri: weekend, 19 March skipped
    (date(2026, 5, 13), 1, date(2026, 5, 15)),   # Ascension (Thu 14 May)
    (date(2026, 6, 3), 1, date(2026, 6, 5)),     # Corpus Christi (Thu 4 June)
    (date(2025, 8, 14), 1, date(2025, 8, 18)),   # Assumption (Fri 15 Aug) and a weekend
    (date(2027, 10, 29), 1, date(2027, 11, 2)),  # weekend, then All Saints (Mon 1 Nov)
    (date(2026, 12, 7), 1, date(2026, 12, 9)),   # Immaculate Conception (Tue 8 Dec)
    (date(2026, 12, 24), 1, date(2026, 12, 28)), # Christmas (Fri) and a weekend
    (date(2026, 5, 22), 1, date(2026, 5, 25)),   # Whit Monday is worked in Valais
    (date(2026, 4, 3), 1, date(2026, 4, 6)),     # so is Easter Monday
    (date(2026, 3, 21), 0, date(2026, 3, 23)),   # 0 on a Saturday: the next working day
    (date(2026, 3, 18), 0, date(2026, 3, 18)),   # 0 on a working day: that day
])
def test_the_valais_calendar_skips_weekends_and_public_holidays(
        start: date, count: int, last: date) -> None:
    assert CANTON.add(start, count) == last


def test_a_deadline_ends_with_its_last_working_day_in_local_time() -> None:
    # asked on Wednesday 18 March 2026 at 16:30 in Sion (CET): the day itself does not count
    asked = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)
    assert CANTON.deadline(asked, 1) == datetime(2026, 3, 20, 23, 59, 59, tzinfo=UTC) \
        - ZURICH_WINTER
    # a deadline over the summer-time change ends at the local end of day, CEST
    assert CANTON.deadline(asked, 10) == datetime(2026, 4, 2, 23, 59, 59, tzinfo=UTC) \
        - ZURICH_SUMMER
    # 23:30 UTC on a Sunday is already Monday in Valais: Monday is the start day
    late = datetime(2026, 3, 22, 23, 30, tzinfo=UTC)
    assert CANTON.deadline(late, 1).date() == date(2026, 3, 24)


@pytest.mark.parametrize("count", [-1, 1.5, "3", True, None, 367])
def test_a_count_of_working_days_must_be_a_whole_number_up_to_a_year(count: object) -> None:
    with pytest.raises(CalendarError):
        CANTON.add(date(2026, 3, 18), count)  # type: ignore[arg-type]


def test_an_institution_declares_its_own_calendar_in_the_directory() -> None:
    directory = {
        "institutions": [
            {"id": "sas", "groups": [{"id": "sas"}],
             "calendar": {"categories": ["public", "optional"], "closed": ["12-24", "2026-12-31"]}},
            {"id": "oai", "groups": [{"id": "oai"}]},
            {"id": "communes", "groups_pattern": "commune-<commune id>",
             "calendar": {"closed": ["2026-06-29"]}},
        ],
        "communes": [{"id": "sion", "group": "commune-sion"}, {"id": "fully"}],
    }
    calendars = calendars_from_directory(directory)
    sas = calendars.for_groups(["sas"])
    assert sas.add(date(2026, 5, 22), 1) == date(2026, 5, 26)  # Whit Monday closed at SAS
    assert sas.add(date(2026, 12, 23), 1) == date(2026, 12, 28)  # 24 Dec closed, every year
    assert sas.add(date(2027, 12, 23), 1) == date(2027, 12, 27)
    assert sas.add(date(2026, 12, 30), 1) == date(2027, 1, 4)  # 31 Dec 2026, 1 Jan, 2 Jan
    assert calendars.for_groups(["oai"]) is CANTON
    assert calendars.for_groups(["oai", "sas"]) is sas  # the first group that has one
    commune = calendars.for_groups(["commune-fully"])
    assert commune is calendars.for_groups(["commune-sion"])
    assert commune.add(date(2026, 6, 26), 1) == date(2026, 6, 30)
    assert calendars_from_directory({}).for_groups(["sas"]) is CANTON


@pytest.mark.parametrize(("spec", "said"), [
    ({"subdivision": "XX"}, "institution 'x'"),
    ({"closed": ["31.12.2026"]}, "'31.12.2026' is neither"),
    ({"holidays": ["x"]}, "unknown calendar key(s) holidays"),
])
def test_a_bad_calendar_in_the_directory_is_refused_naming_where(spec: dict, said: str) -> None:
    with pytest.raises(CalendarError, match=None) as raised:
        calendars_from_directory({"institutions": [{"id": "x", "groups": [{"id": "g"}],
                                                    "calendar": spec}]})
    assert said in str(raised.value) and "institution 'x'" in str(raised.value)


def test_working_days_is_a_function_of_the_expression_language() -> None:
    from engine import clock as clock_module

    with clock_module.using(ManualClock(datetime(2026, 3, 18, 9, 0, tzinfo=UTC))):
        assert evaluate_text("${workingDays(1)}", {}) == datetime(
            2026, 3, 20, 22, 59, 59, tzinfo=UTC)
        assert evaluate_text("${addWorkingDays(notified, 1)}", {"notified": "2025-08-14"}) \
            == datetime(2025, 8, 18, 21, 59, 59, tzinfo=UTC)
        with pytest.raises(ExpressionRuntimeError, match="whole number"):
            evaluate_text("${workingDays(days)}", {"days": 2.5})


# -- in the engine: due dates and timers, with the injected clock ---------------------


def _timer_date(text: str) -> str:
    return ('<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
            f"{text}</bpmn:timeDate></bpmn:timerEventDefinition>")


def _due_process(due: str, groups: str = "sas") -> bytes:
    nodes = [Node("start_event", "startEvent"),
             user_task("preavis_task", groups, **{"camunda:dueDate": due}),
             Node("done_end", "endEvent")]
    return document("due", nodes, [Flow("start_event", "preavis_task"),
                                   Flow("preavis_task", "done_end")])


def _timer_process(inner: str) -> bytes:
    nodes = [Node("start_event", "startEvent"),
             Node("wait_timer", "intermediateCatchEvent", inner=inner),
             user_task("after_task", "sas"),
             Node("done_end", "endEvent")]
    return document("wait", nodes, [Flow("start_event", "wait_timer"),
                                    Flow("wait_timer", "after_task"),
                                    Flow("after_task", "done_end")])


def test_a_user_task_due_in_working_days(engine: Engine, clock: ManualClock) -> None:
    clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))  # Tuesday
    engine.deploy({"due.bpmn": _due_process("${workingDays(3)}")})
    engine.start("due")
    [task] = engine.tasks(activity="preavis_task").items
    # Wed 18, (Thu 19 March is Saint Joseph), Fri 20, Mon 23
    assert task.due_at == datetime(2026, 3, 23, 22, 59, 59, tzinfo=UTC)


def test_a_task_due_in_working_days_counts_in_its_institution_calendar(
        db: SqlEngine, clock: ManualClock) -> None:
    closed = WorkingCalendar(closed=frozenset({date(2026, 3, 23)}))
    engine = Engine(db, clock=clock, calendars=Calendars(by_group={"sas": closed}))
    clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))
    engine.deploy({"due.bpmn": _due_process("${workingDays(3)}", "oai,sas")})
    engine.start("due")
    [task] = engine.tasks(activity="preavis_task").items
    assert task.due_at == datetime(2026, 3, 24, 22, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("inner", [_timer_date("${workingDays(2)}"),
                                   duration_timer("${workingDays(2)}")],
                         ids=["timeDate", "timeDuration"])
def test_a_timer_in_working_days_fires_at_the_end_of_the_last_day(
        engine: Engine, clock: ManualClock, inner: str) -> None:
    clock.set(datetime(2026, 8, 13, 14, 0, tzinfo=UTC))  # Thursday before the Assumption
    engine.deploy({"wait.bpmn": _timer_process(inner)})
    started = engine.start("wait")
    due = datetime(2026, 8, 17, 21, 59, 59, tzinfo=UTC)  # Fri 14, (Sat 15), Mon 17, CEST
    assert engine.instance(started.instance.id).next_timer_at == due
    clock.set(due)
    assert engine.run_due_timers() == 0
    assert engine.tasks(activity="after_task").items == []
    clock.set(due + timedelta(seconds=1))
    assert engine.run_due_timers() == 1
    [task] = engine.tasks(activity="after_task").items
    assert task.ready_at == due + timedelta(seconds=1)


# -- lint: a count that cannot work is refused where it is written ------------------


@pytest.mark.parametrize(("field", "message"), [
    ("${workingDays(-1)}", "between 0 and 366, got -1"),
    ("${workingDays(1.5)}", "whole number, got 1.5"),
    ("${workingDays('ten')}", "whole number, got 'ten'"),
    ("${addWorkingDays(notified, 400)}", "between 0 and 366, got 400"),
])
def test_lint_refuses_a_bad_count_naming_the_task(field: str, message: str) -> None:
    findings = [f for f in lint({"due.bpmn": _due_process(field)}) if f.severity == "error"]
    assert [(f.element_id, message in f.message) for f in findings] == [("preavis_task", True)]
    assert "camunda:dueDate" in findings[0].message


def test_lint_refuses_working_days_in_a_timer_cycle_and_accepts_variables() -> None:
    cycle = ('<bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">'
             "${workingDays(5)}</bpmn:timeCycle></bpmn:timerEventDefinition>")
    findings = [f for f in lint({"wait.bpmn": _timer_process(cycle)}) if f.severity == "error"]
    assert [f.element_id for f in findings] == ["wait_timer"]
    assert "cannot count working days" in findings[0].message
    fine = lint({"wait.bpmn": _timer_process(_timer_date("${workingDays(days)}")),
                 "due.bpmn": _due_process("${addWorkingDays(notified, 10)}")})
    assert [f for f in fine if f.severity == "error"] == []
