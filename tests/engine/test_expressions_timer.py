"""Timer fields as Camunda Modeler writes them, checked against SpiffWorkflow's parser."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.expressions import (
    ExpressionRuntimeError,
    ExpressionSyntaxError,
    check_timer,
    timer_kind,
    timer_value,
)

VALID = [
    ("P10D", "duration"),
    ("PT36H", "duration"),
    ("P1M", "duration"),
    ("P1Y2M3DT4H5M6S", "duration"),
    ("P2W", "duration"),
    ("PT1.5S", "duration"),
    ("PT15M", "duration"),
    ("2026-01-31T09:00:00Z", "date"),
    ("2026-01-31T09:00:00+01:00", "date"),
    ("2026-01-31T09:00", "date"),
    ("2026-01-31", "date"),
    ("R3/PT10H", "cycle"),
    ("R/P1D", "cycle"),
    ("R2/2026-01-01T00:00:00Z/P1D", "cycle"),
    ("R/P1D/2026-02-01T00:00:00Z", "cycle"),
]

INVALID = [
    "10D",
    "P",
    "PT",
    "P1W2D",
    "P10d ago",
    "P1.5D",
    "2026-13-01",
    "31.01.2026",
    "2026-01-31T25:00:00Z",
    "R3",
    "R3/",
    "Rx/PT1H",
    "R3/2026-01-01T00:00:00Z/2026-01-02T00:00:00Z",
    "0 0 9 * * ?",
    "tomorrow",
    "PT${h}H",
    "${h",
    "",
    "   ",
]


@pytest.mark.parametrize(("text", "kind"), VALID)
def test_plain_timers_are_returned_unchanged(text: str, kind: str) -> None:
    assert timer_kind(text) == kind
    check_timer(text)
    check_timer(text, kind)  # type: ignore[arg-type]
    assert timer_value(text, {}) == text
    assert timer_value(f"  {text}\n", {}) == text


@pytest.mark.parametrize("text", INVALID)
def test_invalid_timers_are_refused(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        check_timer(text)
    with pytest.raises(ExpressionSyntaxError):
        timer_value(text, {"h": 1})


@pytest.mark.parametrize(
    ("text", "kind"),
    [("P10D", "date"), ("2026-01-31", "duration"), ("R3/PT10H", "duration"), ("PT1H", "cycle")],
)
def test_kind_mismatch(text: str, kind: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match="is not an ISO 8601"):
        check_timer(text, kind)  # type: ignore[arg-type]


NINE_UTC = "2026-01-31T09:00:00+00:00"

EXPRESSIONS = [
    ('${"PT" + hours + "H"}', {"hours": 36}, "PT36H"),
    ("${wait}", {"wait": "P10D"}, "P10D"),
    ('${duration("P" + days + "D")}', {"days": 3}, "P3D"),
    ('${urgent ? "PT4H" : "P10D"}', {"urgent": False}, "P10D"),
    ("${deadline}", {"deadline": datetime(2026, 1, 31, 9, tzinfo=UTC)}, NINE_UTC),
    ("${deadline}", {"deadline": datetime(2026, 1, 31, 9)}, NINE_UTC),
    ("${day}", {"day": date(2026, 1, 31)}, "2026-01-31"),
    (
        '${addDuration(dateTime("2026-01-01T00:00:00Z"), "P10D")}',
        {},
        "2026-01-11T00:00:00+00:00",
    ),
    ('#{"R" + n + "/PT1H"}', {"n": 3}, "R3/PT1H"),
]


@pytest.mark.parametrize(("text", "data", "expected"), EXPRESSIONS)
def test_timer_expressions(text: str, data: dict, expected: str) -> None:
    check_timer(text)
    assert timer_value(text, data) == expected


@pytest.mark.parametrize(
    ("text", "data", "kind"),
    [
        ("${hours}", {"hours": 36}, None),
        ('${"in " + hours + " hours"}', {"hours": 36}, None),
        ("${wait}", {"wait": None}, None),
        ("${wait}", {"wait": "P10D"}, "date"),
    ],
)
def test_timer_expression_with_bad_result(text: str, data: dict, kind: str | None) -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        timer_value(text, data, kind)  # type: ignore[arg-type]
    assert text in str(caught.value)


def test_timer_expression_missing_variable() -> None:
    with pytest.raises(ExpressionRuntimeError, match="'hours'"):
        timer_value('${"PT" + hours + "H"}', {})
