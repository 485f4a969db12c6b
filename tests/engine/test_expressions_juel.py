"""The JUEL subset, operator by operator, with the values a process owner expects."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from engine import clock
from engine.expressions import (
    ExpressionRuntimeError,
    ExpressionSyntaxError,
    MissingVariable,
    evaluate_condition,
    evaluate_text,
)

DATA: dict[str, Any] = {
    "decision": "accept",
    "amount": 1500,
    "rate": 0.5,
    "zero": 0,
    "flag": True,
    "off": False,
    "nothing": None,
    "blank": "",
    "items": [1, 2, {"name": "x"}],
    "none_list": [],
    "case": {"person": {"city": "Sion"}, "tags": ["a", "b"], "empty": {}},
    "region": "VS",
    "when": datetime(2026, 1, 31, 9, 0, tzinfo=UTC),
    "due": "2026-02-01T00:00:00Z",
    "price": Decimal("10.5"),
    "Größe": 3,
}


def value(expression: str) -> Any:
    return evaluate_text("${" + expression + "}", DATA)


LITERALS = [
    ("'single'", "single"),
    ('"double"', "double"),
    (r"'it\'s'", "it's"),
    (r'"say \"hi\""', 'say "hi"'),
    (r"'back\\slash'", "back\\slash"),
    (r"'line\nbreak'", "line\nbreak"),
    ('"with } brace"', "with } brace"),
    ("42", 42),
    ("0", 0),
    ("1.25", 1.25),
    ("1e3", 1000.0),
    ("true", True),
    ("false", False),
    ("null", None),
]

OPERATORS = [
    # equality, symbol and word forms
    ('decision == "accept"', True),
    ('decision eq "accept"', True),
    ('decision != "accept"', False),
    ('decision ne "refuse"', True),
    ("amount == 1500", True),
    ("amount == 1500.0", True),
    ("flag == true", True),
    ("flag == 1", False),
    ("zero == false", False),
    ('amount == "1500"', False),
    ("nothing == null", True),
    ("nothing != null", False),
    ("decision == null", False),
    ("null == null", True),
    # ordering
    ("amount > 1000", True),
    ("amount gt 1500", False),
    ("amount >= 1500", True),
    ("amount ge 1501", False),
    ("amount < 2000", True),
    ("amount lt 1500", False),
    ("amount <= 1500", True),
    ("amount le 1499", False),
    ("rate < 1", True),
    ('"abc" < "abd"', True),
    ("price > 10", True),
    ('when < dateTime("2026-02-01T00:00:00Z")', True),
    ("when < dateTime(due)", True),
    ('date("2026-01-01") < date("2026-01-02")', True),
    # logic, symbol and word forms
    ("true && false", False),
    ("true and true", True),
    ("false || true", True),
    ("false or false", False),
    ("!flag", False),
    ("not off", True),
    ("!nothing", True),
    ("nothing && true", False),
    ("nothing || true", True),
    ('decision == "accept" && amount > 1000', True),
    ('decision == "refuse" || amount > 1000 && rate < 0.1', False),
    ("!(amount > 1000) || flag", True),
    # empty
    ("empty nothing", True),
    ("empty blank", True),
    ("empty none_list", True),
    ("empty case.empty", True),
    ("empty decision", False),
    ("empty items", False),
    ("empty zero", False),
    ("not empty decision", True),
    ("!empty case.missing", False),
    # arithmetic
    ("1 + 2", 3),
    ("amount - 500", 1000),
    ("3 * 4", 12),
    ("7 / 2", 3.5),
    ("8 / 2", 4),
    ("9 div 3", 3),
    ("7 % 3", 1),
    ("7 mod 3", 1),
    ("-7 % 3", -1),
    ("7.5 % 2", 1.5),
    ("-amount", -1500),
    ("- -3", 3),
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 2 - 3", 5),
    ("rate * 4", 2.0),
    ("price + 1", Decimal("11.5")),
    ("price * rate", 5.25),
    ('"PT" + 36 + "H"', "PT36H"),
    ('"ok: " + true', "ok: true"),
    ('"n" + 1.0', "n1"),
    # ternary
    ('flag ? "yes" : "no"', "yes"),
    ('off ? "yes" : "no"', "no"),
    ('nothing ? "yes" : "no"', "no"),
    ('amount > 1000 ? amount > 2000 ? "big" : "mid" : "small"', "mid"),
    # access to case data
    ("case.person.city", "Sion"),
    ('case["person"]["city"]', "Sion"),
    ('case.person["city"]', "Sion"),
    ("case.tags[1]", "b"),
    ("items[2].name", "x"),
    ("items[zero]", 1),
    ("items[1 + 1].name", "x"),
    ("case.missing", None),
    ("case.missing.deeper", None),
    ("items[10]", None),
    ("Größe", 3),
    ("nothing.x", None),
    # functions
    ("size(items)", 3),
    ("size(decision)", 6),
    ("size(case)", 3),
    ("size(nothing)", 0),
    ("contains(case.tags, 'a')", True),
    ("contains(case.tags, 'z')", False),
    ("contains(decision, 'cce')", True),
    ("lower('AbC')", "abc"),
    ("upper(region)", "VS"),
    ("string(amount)", "1500"),
    ("string(flag)", "true"),
    ("string(nothing)", ""),
    ("number('42')", 42),
    ("number(' 2.5 ')", 2.5),
    ("number(amount) + 1", 1501),
    ('date("2021-07-01")', date(2021, 7, 1)),
    ('dateTime("2026-01-31T09:00:00Z")', datetime(2026, 1, 31, 9, tzinfo=UTC)),
    ('dateTime("2026-01-31T09:00:00")', datetime(2026, 1, 31, 9, tzinfo=UTC)),
    ('duration("P10D")', "P10D"),
    ('addDuration("2026-01-31T00:00:00Z", "P10D")', datetime(2026, 2, 10, tzinfo=UTC)),
    ('addDuration(when, "PT36H")', datetime(2026, 2, 1, 21, tzinfo=UTC)),
    ('addDuration(date("2026-01-31"), "P1M")', datetime(2026, 2, 28, tzinfo=UTC)),
    ("contains(lower(decision), 'acc') && size(items) == 3", True),
]


@pytest.mark.parametrize(("expression", "expected"), LITERALS + OPERATORS)
def test_value(expression: str, expected: Any) -> None:
    result = value(expression)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize("opener", ["${", "#{"])
def test_both_delimiters(opener: str) -> None:
    assert evaluate_text(opener + "amount > 1}", DATA) is True


def test_now_reads_engine_clock() -> None:
    fixed = datetime(2030, 5, 6, 7, 8, tzinfo=UTC)
    with clock.using(clock.ManualClock(fixed)):
        assert value("now()") == fixed
        assert value("today()") == date(2030, 5, 6)
        assert value('now() > dateTime("2030-01-01T00:00:00Z")') is True


def test_now_is_aware_utc() -> None:
    assert value("now()").utcoffset().total_seconds() == 0


RUNTIME_ERRORS = [
    ("nothing < 1", "null"),
    ("1 >= nothing", "null"),
    ('amount > "10"', "compare"),
    ("flag > off", "true/false"),
    ("decision && true", "'&&' needs true or false"),
    ("false || amount", "'||' needs true or false"),
    ("!decision", "'!' needs true or false"),
    ("decision ? 1 : 2", "'?' needs true or false"),
    ("amount / 0", "division by zero"),
    ("amount % zero", "division by zero"),
    ("nothing + 1", "null"),
    ('nothing + "x"', "null"),
    ("-decision", "cannot negate"),
    ("decision * 2", "needs numbers"),
    ("decision.length", "cannot read"),
    ('items["a"]', "indexed by a number"),
    ("amount[0]", "cannot read"),
    ("number('abc')", "cannot convert"),
    ("number(flag)", "cannot convert"),
    ("lower(amount)", "needs text"),
    ("size(amount)", "size() needs"),
    ('date("31.01.2026")', "not an ISO 8601 date"),
    ('dateTime("tomorrow")', "not an ISO 8601 date-time"),
    ('duration("10 days")', "not an ISO 8601 duration"),
    ('addDuration(when, "soon")', "not an ISO 8601 duration"),
    ("contains(amount, 1)", "contains() needs"),
    ("string(items)", "cannot convert"),
    ('when < "not a date"', "compare"),
]


@pytest.mark.parametrize(("expression", "fragment"), RUNTIME_ERRORS)
def test_runtime_errors_are_explained(expression: str, fragment: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        value(expression)
    assert fragment in str(caught.value)
    assert "${" + expression + "}" in str(caught.value)
    assert not isinstance(caught.value, MissingVariable)


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("missing", "missing"),
        ('missing == "a"', "missing"),
        ("missing > 3", "missing"),
        ("missing.city", "missing"),
        ("amount > 1 && missing", "missing"),
        ("size(missing)", "missing"),
        ("empty missing", "missing"),
        ("items[missing]", "missing"),
    ],
)
def test_missing_variable_names_it(expression: str, name: str) -> None:
    with pytest.raises(MissingVariable) as caught:
        value(expression)
    assert caught.value.name == name
    assert f"'{name}'" in str(caught.value)
    assert caught.value.expression == "${" + expression + "}"


def test_short_circuit_skips_missing_variables() -> None:
    assert value("false && missing") is False
    assert value("true || missing") is True
    assert value("flag ? 1 : missing") == 1


TEMPLATES = [
    ("cii-team-${region}", "cii-team-VS"),
    ("${region}-${amount}", "VS-1500"),
    ("plain text", "plain text"),
    ("", ""),
    ("cost: $5 and #1 {ok}", "cost: $5 and #1 {ok}"),
    (r"literal \${region}", "literal ${region}"),
    ("${nothing}|${flag}|${rate}", "|true|0.5"),
    ("${case.person.city}, ${when}", "Sion, 2026-01-31T09:00:00+00:00"),
    ("  ${amount}  ", 1500),
    ("\n  ${amount > 1}\n", True),
    ('${"}"}', "}"),
    ("#{region}", "VS"),
]


@pytest.mark.parametrize(("text", "expected"), TEMPLATES)
def test_templates(text: str, expected: Any) -> None:
    assert evaluate_text(text, DATA) == expected


CONDITIONS = [
    ('${decision == "accept"}', True),
    ('${decision == "refuse"}', False),
    ("  ${amount > 1000}  ", True),
    ("amount > 1000", True),
    ('decision == "accept" and amount gt 2000', False),
    ("#{flag}", True),
]


@pytest.mark.parametrize(("text", "expected"), CONDITIONS)
def test_conditions(text: str, expected: bool) -> None:
    assert evaluate_condition(text, DATA) is expected


@pytest.mark.parametrize("text", ["${amount}", "${nothing}", "${decision}", "${items}"])
def test_condition_must_be_boolean(text: str) -> None:
    with pytest.raises(ExpressionRuntimeError, match="true or false"):
        evaluate_condition(text, DATA)


@pytest.mark.parametrize("text", ["x ${flag}", "${flag}${flag}", "${flag", ""])
def test_condition_shape_errors(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        evaluate_condition(text, DATA)


def test_condition_with_external_merged_context() -> None:
    merged = {**DATA, "decision": "refuse"}
    assert evaluate_condition('${decision == "refuse"}', merged) is True


def test_same_text_is_compiled_once() -> None:
    from engine.expressions.text import compile_condition

    text = '${decision == "accept" && amount > 999}'
    assert compile_condition(text) is compile_condition(text)


class _Secret:
    password = "hunter2"

    def __getitem__(self, key: str) -> str:
        return "leaked"


def test_python_objects_are_never_read() -> None:
    data = {"obj": _Secret()}
    with pytest.raises(ExpressionRuntimeError, match="cannot read"):
        evaluate_text("${obj.password}", data)
    with pytest.raises(ExpressionRuntimeError, match="cannot read"):
        evaluate_text('${obj["password"]}', data)


def test_external_context_overrides_task_data() -> None:
    from types import SimpleNamespace

    from engine.expressions import SafeScriptEngine

    task = SimpleNamespace(data={"decision": "accept"}, task_spec=SimpleNamespace())
    engine = SafeScriptEngine()
    assert engine.evaluate(task, '${decision == "accept"}') is True
    assert engine.evaluate(task, '${decision == "accept"}', {"decision": "refuse"}) is False
    assert engine.evaluate(task, "cii-team-${decision}") == "cii-team-accept"
    assert engine.evaluate(task, "P10D") == "P10D"
    assert task.data == {"decision": "accept"}
