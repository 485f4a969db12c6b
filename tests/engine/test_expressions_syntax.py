"""Syntax errors: hostile text never parses, and errors point at the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.expressions import (
    ExpressionSyntaxError,
    check,
    evaluate_condition,
    evaluate_text,
    variables,
)

HOSTILE = [
    '__import__("os").system("touch /tmp/x")',
    "().__class__.__bases__[0].__subclasses__()",
    'open("/etc/passwd").read()',
    "lambda: 1",
    "lambda x: x",
    "[x for x in y]",
    "{k: v for k, v in y}",
    "a.__class__",
    "a._private",
    "_",
    "x.upper()",
    "a.b.c()",
    'getattr(a, "b")',
    "globals()",
    "import os",
    "from os import system",
    "if a: b",
    "a if b else c",
    "a; b",
    "a = 1",
    "a := 1",
    'f"{a}"',
    "f'{open(1)}'",
    "a ** 2",
    "a // 2",
    "not a is b",
    "a in b",
    "print(a)",
    "yield a",
    "a, b",
    "`a`",
    "a @ b",
    "'\\x41'.join(a)",
    '"unterminated',
    "a ==",
    "(a",
    "a)",
    "",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_is_a_syntax_error_as_bare_expression(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        check(text, "condition")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_is_a_syntax_error_inside_braces(text: str) -> None:
    field = "${" + text + "}"
    with pytest.raises(ExpressionSyntaxError):
        check(field, "expression")
    with pytest.raises(ExpressionSyntaxError):
        evaluate_text("prefix " + field, {"a": {}, "b": 1, "x": "s", "y": []})


def test_hostile_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for text in [
        f"__import__('pathlib').Path('{marker}').touch()",
        f"open('{marker}', 'w')",
        f"${{open('{marker}', 'w')}}",
    ]:
        with pytest.raises(ExpressionSyntaxError):
            evaluate_condition(text, {})
    assert not marker.exists()


POSITIONS = [
    # (text, 0-based position, fragment of the message)
    ("${x.upper()}", 9, "unexpected '('"),
    ("${__import__('os')}", 2, "'_'"),
    ("${a._b}", 4, "'_'"),
    ("cii-${region ==}", 15, "incomplete"),
    ("ok ${a} then ${open(1)}", 15, "unknown function 'open'"),
    ("${size(a, b)}", 2, "takes 1 argument"),
    ("${now(1)}", 2, "takes 0 argument"),
    ("${a; b}", 3, "';'"),
    ("team-${region", 5, "never closed"),
    ("${a ==\n  b c}", 11, "line 2, column 5"),
    ("${}", 2, "empty"),
    ("amount >> 3", 8, "unexpected '>'"),
]


@pytest.mark.parametrize(("text", "position", "fragment"), POSITIONS)
def test_error_position_and_message(text: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        check(text, "template" if "${" in text else "condition")
    error = caught.value
    assert error.position == position
    assert fragment in error.message
    assert error.text == text
    assert isinstance(error, SyntaxError)  # what SpiffWorkflow's validate() callers expect


def test_message_counts_columns_from_one() -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        check("${x.upper()}", "expression")
    assert str(caught.value) == (
        "unexpected '(' (only the listed functions can be called) at column 10"
    )


KINDS = [
    ('${decision == "accept"}', "condition", True),
    ("amount > 1000", "condition", True),
    ("x ${a}", "condition", False),
    ("cii-team-${region}", "template", True),
    ("no expression at all", "template", True),
    ("${a} and ${b", "template", False),
    ("${a.b}", "expression", True),
    (" ${a.b} ", "expression", True),
    ("a.b", "expression", False),
    ("x-${a}", "expression", False),
    ("P10D", "timer", True),
    ("R3/PT10H", "timer", True),
    ('${"PT" + h + "H"}', "timer", True),
    ("10 days", "timer", False),
    ("${h", "timer", False),
    ("PT${h}H", "timer", False),
]


@pytest.mark.parametrize(("text", "kind", "ok"), KINDS)
def test_check_kinds(text: str, kind: str, ok: bool) -> None:
    if ok:
        check(text, kind)
    else:
        with pytest.raises(ExpressionSyntaxError):
            check(text, kind)


def test_check_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        check("${a}", "feel")


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('${decision == "accept" && amount > 1000}', {"decision", "amount"}),
        ("cii-team-${region}-${case.person.city}", {"region", "case"}),
        ("${items[index].name}", {"items", "index"}),
        ('${size(list) > 0 ? lower(a) : "x"}', {"list", "a"}),
        ("${now() > due}", {"due"}),
        ("plain text", set()),
    ],
)
def test_variables(text: str, names: set[str]) -> None:
    assert variables(text) == names


def test_variables_of_a_bare_condition() -> None:
    assert variables("amount > 1 && ok", "condition") == {"amount", "ok"}
    assert variables("amount > 1") == set()


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    text = "${" + "(" * 3000 + "1" + ")" * 3000 + "}"
    with pytest.raises(ExpressionSyntaxError):
        check(text, "expression")
