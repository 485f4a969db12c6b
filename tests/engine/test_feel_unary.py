"""Every FEEL unary-test form a Camunda Modeler cell can hold, matching and not."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.dmn import FeelSyntaxError, check_unary
from engine.dmn.feel import compile_unary_tests, matches

D = dt.date
CASES = [
    # (cell, input value, expected match)
    ('"a"', "a", True),
    ('"a"', "b", False),
    ('"a"', None, False),
    ('"a","b"', "a", True),
    ('"a","b"', "b", True),
    ('"a","b"', "c", False),
    ('"a", "b" ,"c"', "c", True),
    ('not("a")', "a", False),
    ('not("a")', "b", True),
    ('not("a")', None, True),
    ('not("a","b")', "b", False),
    ('not("a","b")', "c", True),
    ("not( < 10 )", 5, False),
    ("not( < 10 )", 12, True),
    ("not(< 10)", None, False),  # null stays null under negation: no match
    ("< 10", 9, True),
    ("< 10", 10, False),
    ("< 10", 9.99, True),
    ("< 10", None, False),
    ("< 10", "5", False),  # text never orders against a number
    ("<= 10", 10, True),
    ("<= 10", 11, False),
    ("> 3", 4, True),
    ("> 3", 3, False),
    (">= 3", 3, True),
    (">= 3", 2, False),
    ("[1..5]", 1, True),
    ("[1..5]", 5, True),
    ("[1..5]", 0, False),
    ("[1..5]", 6, False),
    ("[1..5]", None, False),
    ("(1..5]", 1, False),
    ("(1..5]", 5, True),
    ("]1..5]", 1, False),
    ("[1..5)", 5, False),
    ("[1..5)", 1, True),
    ("[1..5[", 5, False),
    ("]1..5[", 3, True),
    ("]1..5[", 1, False),
    ("]1..5[", 5, False),
    ("[1.5..2.5]", 2, True),
    ("-", "anything", True),
    ("-", None, True),
    ("", 42, True),
    ("   ", None, True),
    ("true", True, True),
    ("true", False, False),
    ("true", 1, False),  # a boolean is not the number 1
    ("false", False, True),
    ("false", 0, False),
    ("null", None, True),
    ("null", 0, False),
    ("null", "", False),
    ("5", 5, True),
    ("5", 5.0, True),
    ("5", "5", False),
    ("-5", -5, True),
    ("2.5", 2.5, True),
    ('date("2021-07-01")', D(2021, 7, 1), True),
    ('date("2021-07-01")', D(2021, 7, 2), False),
    ('< date("2021-07-01")', D(2021, 6, 30), True),
    ('< date("2021-07-01")', D(2021, 7, 1), False),
    ('>= date("2021-07-01")', D(2021, 7, 1), True),
    ('[date("2021-01-01")..date("2021-12-31")]', D(2021, 7, 1), True),
    ('[date("2021-01-01")..date("2021-12-31")]', D(2022, 1, 1), False),
    ('< date("2021-07-01")', dt.datetime(2021, 6, 1, 12), False),  # date vs date-time: null
    ('date and time("2021-07-01T10:00:00")', dt.datetime(2021, 7, 1, 10), True),
    ('> date and time("2021-07-01T10:00:00")', dt.datetime(2021, 7, 1, 11), True),
    ('duration("P1D")', dt.timedelta(days=1), True),
    ('> duration("PT12H")', dt.timedelta(days=1), True),
    ('< duration("PT12H")', dt.timedelta(days=1), False),
    ("? > 5", 6, True),
    ("? > 5", 5, False),
    ("? > 5", None, False),
    ("? > 5 and ? < 10", 7, True),
    ("? > 5 and ? < 10", 12, False),
    ('starts with(?, "CII-")', "CII-17", True),
    ('starts with(?, "CII-")', "X-17", False),
    ("[1, 2, 3]", 2, True),  # a list literal means "one of"
    ("[1, 2, 3]", 4, False),
    ("!= 3", 4, True),
    ("!= 3", 3, False),
    ("= 3", 3, True),
    ('"Ünïcode \\"quoted\\""', 'Ünïcode "quoted"', True),
    ("> limit", 11, True),  # endpoint from a variable: limit = 10
    ("[low..limit]", 10, True),
    ("cellInput > limit", 11, True),  # Camunda's cellInput name for the input
]


@pytest.mark.parametrize(("cell", "value", "expected"), CASES)
def test_unary_test(cell: str, value: object, expected: bool) -> None:
    assert matches(cell, value, {"limit": 10, "low": 1, "cellInput": value}) is expected


@pytest.mark.parametrize(
    ("cell", "missing_variable_match"),
    [("> limit", False), ("null", True), ("-", True), ('not("a")', True), ("< 3", False)],
)
def test_missing_input_variable_is_null(cell: str, missing_variable_match: bool) -> None:
    """A variable absent from the context is null, as FEEL says, never a KeyError."""
    assert matches(cell, None, {}) is missing_variable_match


@pytest.mark.parametrize(
    "cell",
    [
        '"a',
        "[1..5",
        "1..5]",
        "< ",
        "not(",
        "not()",
        ">> 3",
        '"a" "b"',
        "[1..2..3]",
        'unknown("x")',
        'date("2021-02-31")',
        'duration("one day")',
        "a.__class__",
        "__builtins__",
        "x = = 1",
    ],
)
def test_invalid_cells_are_syntax_errors(cell: str) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        check_unary(cell)
    assert info.value.text in (cell, cell.strip())


def test_syntax_error_points_at_the_character() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        check_unary('"a", %')
    assert info.value.position == 5


def test_cells_are_compiled_once() -> None:
    assert compile_unary_tests("[1..99]") is compile_unary_tests("[1..99]")
