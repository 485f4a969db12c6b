"""Turns a FEEL parse tree into nested Python closures.

Why closures: a decision table is evaluated many times and parsed once, so each
cell becomes a plain function of the variables (`Evaluator`) or of the input
value and the variables (`Test`). Constant sub-trees are folded at compile time
(`< 10` compares against a stored 10; `date("2021-07-01")` is built once), and
the commonest cell, a string or number literal, becomes a single comparison.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, v_args

from .errors import FeelRuntimeError, FeelSyntaxError
from .feel_builtins import BUILTINS
from .feel_values import (
    add,
    divide,
    feel_and,
    feel_compare,
    feel_equal,
    feel_not,
    feel_or,
    get_member,
    multiply,
    negate,
    power,
    subtract,
)

Evaluator = Callable[[Mapping[str, Any]], Any]
Test = Callable[[Any, Mapping[str, Any]], "bool | None"]
INPUT = "?"
"""The context key under which a unary test finds its input value."""


@dataclass(frozen=True, slots=True)
class Node:
    """A compiled sub-expression; `const` nodes also carry their folded value."""

    fn: Evaluator
    const: bool = False
    value: Any = None
    uses_input: bool = False


def constant(value: Any) -> Node:
    if isinstance(value, list):  # hand out copies: task data may be mutated later
        return Node(lambda ctx: list(value), True, value)
    return Node(lambda ctx: value, True, value)


def _binary(op: Callable[[Any, Any], Any], left: Node, right: Node) -> Node:
    if left.const and right.const:
        return constant(op(left.value, right.value))
    uses_input = left.uses_input or right.uses_input
    lf, rf = left.fn, right.fn
    if right.const:
        rv = right.value
        return Node(lambda ctx: op(lf(ctx), rv), uses_input=uses_input)
    return Node(lambda ctx: op(lf(ctx), rf(ctx)), uses_input=uses_input)


def _ordering(accept: Callable[[int, int], bool]) -> Callable[[Any, Any], bool | None]:
    def compare(left: Any, right: Any) -> bool | None:
        result = feel_compare(left, right)
        return None if result is None else accept(result, 0)

    return compare


LT, LE = _ordering(operator.lt), _ordering(operator.le)
GT, GE = _ordering(operator.gt), _ordering(operator.ge)


def _not_equal(left: Any, right: Any) -> bool:
    return not feel_equal(left, right)


def _test_against(op: Callable[[Any, Any], bool | None], endpoint: Node) -> Test:
    """A test like `< 10`: the input on the left, the endpoint on the right."""
    if endpoint.const:
        value = endpoint.value
        return lambda v, ctx: op(v, value)
    fn = endpoint.fn
    return lambda v, ctx: op(v, fn(ctx))


def _equality_test(endpoint: Node) -> Test:
    """The bare-value cell (`"a"`, `5`, `[1,2]`): equal to the value, or in the list.

    A non-constant expression that yields a boolean for a non-boolean input is the
    test itself (feel-scala does the same), so Camunda cells like
    `cellInput > limit` keep working.
    """
    if endpoint.const:
        value = endpoint.value
        if isinstance(value, str):
            return lambda v, ctx: isinstance(v, str) and v == value
        if isinstance(value, list):
            return lambda v, ctx: any(feel_equal(v, item) for item in value)
        return lambda v, ctx: feel_equal(v, value)
    fn = endpoint.fn

    def test(v: Any, ctx: Mapping[str, Any]) -> bool:
        expected = fn(ctx)
        if isinstance(expected, bool) and not isinstance(v, bool):
            return expected  # `cellInput > limit`: a boolean expression is the test itself
        if isinstance(expected, list):
            return any(feel_equal(v, item) for item in expected)
        return feel_equal(v, expected)

    return test


def _interval_test(low: Node, high: Node, low_closed: bool, high_closed: bool) -> Test:
    above = GE if low_closed else GT
    below = LE if high_closed else LT
    lf, hf = low.fn, high.fn

    def test(v: Any, ctx: Mapping[str, Any]) -> bool | None:
        return feel_and(above(v, lf(ctx)), below(v, hf(ctx)))

    return test


def any_test(tests: list[Test]) -> Test:
    """`"a","b"`: FEEL disjunction of the tests (true wins, then null, then false)."""
    if len(tests) == 1:
        return tests[0]

    def test(v: Any, ctx: Mapping[str, Any]) -> bool | None:
        result: bool | None = False
        for one in tests:
            outcome = one(v, ctx)
            if outcome is True:
                return True
            if outcome is None:
                result = None
        return result

    return test


class Compiler(Transformer[Token, Any]):
    """Bottom-up: every rule returns a `Node` (expressions) or a `Test` (unary tests)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def _error(self, message: str, meta: Any) -> FeelSyntaxError:
        position = getattr(meta, "start_pos", None) if not getattr(meta, "empty", True) else None
        return FeelSyntaxError(message, self.text, position)

    # -- start symbols --------------------------------------------------------
    def expression(self, children: list[Node]) -> Node:
        return children[0]

    def unary_tests(self, children: list[Test]) -> Test:
        return any_test(children)

    # -- literals and names ---------------------------------------------------
    def number(self, children: list[Token]) -> Node:
        text = str(children[0])
        return constant(float(text) if "." in text else int(text))

    def string(self, children: list[Token]) -> Node:
        return constant(_unescape(str(children[0])[1:-1]))

    def true(self, _: list[Any]) -> Node:
        return constant(True)

    def false(self, _: list[Any]) -> Node:
        return constant(False)

    def null(self, _: list[Any]) -> Node:
        return constant(None)

    def input(self, _: list[Any]) -> Node:
        return Node(lambda ctx: ctx.get(INPUT), uses_input=True)

    def name(self, children: list[Token]) -> Node:
        token = children[0]
        key = str(token)
        if key.startswith("__"):
            raise FeelSyntaxError(f"the name {key!r} is not allowed", self.text, token.start_pos)
        return Node(lambda ctx: ctx.get(key))

    def path(self, children: list[Any]) -> Node:
        target, token = children
        key = str(token)
        if key.startswith("__"):
            raise FeelSyntaxError(f"the member {key!r} is not allowed", self.text, token.start_pos)
        if target.const:
            return constant(get_member(target.value, key))
        fn = target.fn
        return Node(lambda ctx: get_member(fn(ctx), key), uses_input=target.uses_input)

    def list(self, children: list[Node | None]) -> Node:
        items = [child for child in children if child is not None]
        if all(item.const for item in items):
            return constant([item.value for item in items])
        fns = [item.fn for item in items]
        return Node(
            lambda ctx: [fn(ctx) for fn in fns], uses_input=any(i.uses_input for i in items)
        )

    @v_args(meta=True)
    def call(self, meta: Any, children: list[Any]) -> Node:
        name_tree, *args = children
        name = " ".join(str(name_tree.children[0]).split())
        arguments = [arg for arg in args if arg is not None]
        if name not in BUILTINS:
            raise self._error(f"unknown function {name!r}", meta)
        function, least, most = BUILTINS[name]
        if not least <= len(arguments) <= most:
            raise self._error(f"{name}() takes {least}..{most} arguments", meta)
        if all(arg.const for arg in arguments):
            try:
                return constant(function(*(arg.value for arg in arguments)))
            except FeelRuntimeError as exc:
                raise self._error(str(exc), meta) from exc
        fns = [arg.fn for arg in arguments]
        if len(fns) == 1:
            (only,) = fns
            return Node(lambda ctx: function(only(ctx)), uses_input=arguments[0].uses_input)
        return Node(
            lambda ctx: function(*(fn(ctx) for fn in fns)),
            uses_input=any(arg.uses_input for arg in arguments),
        )

    # -- operators ------------------------------------------------------------
    def add(self, c: list[Node]) -> Node:
        return _binary(add, *c)

    def sub(self, c: list[Node]) -> Node:
        return _binary(subtract, *c)

    def mul(self, c: list[Node]) -> Node:
        return _binary(multiply, *c)

    def div(self, c: list[Node]) -> Node:
        return _binary(divide, *c)

    def pow(self, c: list[Node]) -> Node:
        return _binary(power, *c)

    def neg(self, c: list[Node]) -> Node:
        (operand,) = c
        if operand.const:
            return constant(negate(operand.value))
        fn = operand.fn
        return Node(lambda ctx: negate(fn(ctx)), uses_input=operand.uses_input)

    def eq(self, c: list[Node]) -> Node:
        return _binary(feel_equal, *c)

    def ne(self, c: list[Node]) -> Node:
        return _binary(_not_equal, *c)

    def lt(self, c: list[Node]) -> Node:
        return _binary(LT, *c)

    def le(self, c: list[Node]) -> Node:
        return _binary(LE, *c)

    def gt(self, c: list[Node]) -> Node:
        return _binary(GT, *c)

    def ge(self, c: list[Node]) -> Node:
        return _binary(GE, *c)

    def and_(self, c: list[Node]) -> Node:
        return _binary(feel_and, *c)

    def or_(self, c: list[Node]) -> Node:
        return _binary(feel_or, *c)

    def between(self, c: list[Node]) -> Node:
        value, low, high = c
        return self.and_([self.ge([value, low]), self.le([value, high])])

    def if_expr(self, c: list[Node]) -> Node:
        condition, then, otherwise = c
        cf, tf, of = condition.fn, then.fn, otherwise.fn
        return Node(
            lambda ctx: tf(ctx) if cf(ctx) is True else of(ctx),
            uses_input=condition.uses_input or then.uses_input or otherwise.uses_input,
        )

    def in_(self, c: list[Any]) -> Node:
        value, *tests = c
        test, fn = any_test(tests), value.fn
        return Node(lambda ctx: test(fn(ctx), ctx), uses_input=True)

    # -- unary tests ----------------------------------------------------------
    def test_lt(self, c: list[Node]) -> Test:
        return _test_against(LT, c[0])

    def test_le(self, c: list[Node]) -> Test:
        return _test_against(LE, c[0])

    def test_gt(self, c: list[Node]) -> Test:
        return _test_against(GT, c[0])

    def test_ge(self, c: list[Node]) -> Test:
        return _test_against(GE, c[0])

    def test_eq(self, c: list[Node]) -> Test:
        return _equality_test(c[0])

    def test_ne(self, c: list[Node]) -> Test:
        equal = _equality_test(c[0])
        return lambda v, ctx: not equal(v, ctx)

    def test_interval(self, c: list[Test]) -> Test:
        return c[0]

    def interval_cc(self, c: list[Node]) -> Test:
        return _interval_test(c[0], c[1], True, True)

    def interval_co(self, c: list[Node]) -> Test:
        return _interval_test(c[0], c[1], True, False)

    def interval_oc(self, c: list[Node]) -> Test:
        return _interval_test(c[0], c[1], False, True)

    def interval_oo(self, c: list[Node]) -> Test:
        return _interval_test(c[0], c[1], False, False)

    def test_expr(self, c: list[Node]) -> Test:
        (node,) = c
        if not node.uses_input:
            return _equality_test(node)
        fn = node.fn  # `? > 5`: the expression itself is the test

        def test(v: Any, ctx: Mapping[str, Any]) -> bool | None:
            result = fn(ctx)
            return result if isinstance(result, bool) else None

        return test


def negated(test: Test) -> Test:
    """`not(...)`: FEEL negation, so a null outcome stays null (no match)."""
    return lambda v, ctx: feel_not(test(v, ctx))


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 6 <= len(body):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)
