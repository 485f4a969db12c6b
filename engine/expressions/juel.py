"""Parse one JUEL expression (the part inside `${…}`) and compile it to closures.

Why not Python: SpiffWorkflow `eval`s expressions, so an uploaded file could
run code. Why lark: a real LALR grammar (`grammar.lark`) decides what can be
written; anything outside it (calls on values, `_names`, lambdas, imports)
fails to parse and therefore never runs. Why closures: walking the lark tree
on every evaluation is slow; compiling once into nested small functions, and
fusing the common shapes (`var == "literal"`, `var > 1000`, `a.b.c`), keeps a
gateway condition close to the speed of a precompiled Python `eval`.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import isodate
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import values as v
from .errors import ExpressionRuntimeError, ExpressionSyntaxError, MissingVariable
from .functions import FUNCTIONS

Evaluator = Callable[[Mapping[str, Any]], Any]

MAX_EXPRESSION_LENGTH = 4000
_NO_CONST = object()


@functools.cache
def _parser() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


def describe_position(text: str, position: int) -> str:
    """'column N' for one-line text, 'line L, column C' when the text spans lines."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}" if line > 1 else f"column {column}"


def _syntax_error(message: str, text: str, position: int) -> ExpressionSyntaxError:
    error = ExpressionSyntaxError(
        f"{message} at {describe_position(text, position)}", text, position
    )
    error.lineno = text.count("\n", 0, position) + 1
    error.offset = position - (text.rfind("\n", 0, position) + 1) + 1
    return error


def _explain(error: UnexpectedInput, source: str) -> tuple[str, int]:
    """Turn lark's exception into a sentence and a 0-based offset in `source`."""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        char = source[position]
        if char == "_":
            return "names may not start with '_': unexpected '_'", position
        if char == "{":
            return "unexpected '{' (a '${' cannot be nested)", position
        return f"unexpected character {char!r}", position
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            return "the expression is incomplete", len(source)
        position = token.start_pos if token.start_pos is not None else 0
        if token.value == "(":
            return "unexpected '(' (only the listed functions can be called)", position
        return f"unexpected {token.value!r}", position
    if isinstance(error, UnexpectedEOF):
        return "the expression is incomplete", len(source)
    return str(error), 0


def parse(source: str, text: str | None = None, offset: int = 0) -> Tree:
    """Parse `source`; errors point into `text` (the whole field) at `offset` + column."""
    text = source if text is None else text
    if not source.strip():
        raise _syntax_error("the expression is empty", text, offset)
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise _syntax_error(
            f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters", text, offset
        )
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as error:
        message, position = _explain(error, source)
        raise _syntax_error(message, text, offset + position) from None
    _check_calls(tree, text, offset)
    return tree if isinstance(tree, Tree) else Tree("atom", [tree])


def _check_calls(tree: Tree | Token, text: str, offset: int) -> None:
    """Refuse unknown functions and wrong arities at parse time, not at run time."""
    if not isinstance(tree, Tree):
        return
    for node in tree.iter_subtrees():
        if node.data != "call":
            continue
        name_token = node.children[0]
        args = [child for child in node.children[1:] if child is not None]
        position = offset + (name_token.start_pos or 0)
        function = FUNCTIONS.get(str(name_token))
        if function is None:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise _syntax_error(
                f"unknown function '{name_token}' (allowed: {allowed})", text, position
            )
        if not function.min_args <= len(args) <= function.max_args:
            expected = (
                str(function.min_args)
                if function.min_args == function.max_args
                else f"{function.min_args} to {function.max_args}"
            )
            raise _syntax_error(
                f"{name_token}() takes {expected} argument(s), got {len(args)}", text, position
            )


def variables_of(tree: Tree) -> set[str]:
    """Top-level names read by a parsed expression (function names excluded)."""
    return {str(node.children[0]) for node in tree.iter_subtrees() if node.data == "var"}


class Node(NamedTuple):
    """A compiled sub-expression plus what the compiler may fuse it with.

    `boolean` says the closure can only return true/false, so a condition
    needs no extra result check (one call less on the hot path).
    """

    fn: Evaluator
    const: Any = _NO_CONST
    var: str | None = None
    boolean: bool = False


def _unescape(literal: str) -> str:
    body = literal[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    chars = iter(body)
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append(escapes.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def _constant(value: Any) -> Node:
    return Node(lambda ctx: value, const=value, boolean=value is True or value is False)


def _variable(name: str) -> Node:
    def read(ctx: Mapping[str, Any]) -> Any:
        try:
            return ctx[name]
        except KeyError:
            raise MissingVariable(name) from None

    return Node(read, var=name)


_EQUALITY = {"==": v.equals, "eq": v.equals}
_INEQUALITY = {"!=", "ne"}
_ORDERING: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "<": (operator.lt, "<"),
    "lt": (operator.lt, "<"),
    ">": (operator.gt, ">"),
    "gt": (operator.gt, ">"),
    "<=": (operator.le, "<="),
    "le": (operator.le, "<="),
    ">=": (operator.ge, ">="),
    "ge": (operator.ge, ">="),
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": v.add,
    "-": v.subtract,
    "*": v.multiply,
    "/": v.divide,
    "div": v.divide,
    "%": v.modulo,
    "mod": v.modulo,
}


def _compare(symbol: str, left: Node, right: Node) -> Node:
    if symbol in _EQUALITY or symbol in _INEQUALITY:
        negate = symbol in _INEQUALITY
        if right.const is not _NO_CONST and left.var is not None and isinstance(right.const, str):
            return Node(_var_equals_text(left.var, right.const, negate), boolean=True)
        lf, rf = left.fn, right.fn
        if negate:
            return Node(lambda ctx: not v.equals(lf(ctx), rf(ctx)), boolean=True)
        return Node(lambda ctx: v.equals(lf(ctx), rf(ctx)), boolean=True)
    func, shown = _ORDERING[symbol]
    checked = v.ordering(func, shown)
    const = right.const
    if left.var is not None and v.is_number(const) and const.__class__ in (int, float):
        return Node(_var_orders_number(left.var, func, checked, const), boolean=True)
    lf, rf = left.fn, right.fn
    return Node(lambda ctx: checked(lf(ctx), rf(ctx)), boolean=True)


def _var_equals_text(name: str, const: str, negate: bool) -> Evaluator:
    """Fused `name == "text"`: one lookup, one comparison, no intermediate calls."""
    if negate:

        def differs(ctx: Mapping[str, Any]) -> bool:
            try:
                return ctx[name] != const
            except KeyError:
                raise MissingVariable(name) from None

        return differs

    def same(ctx: Mapping[str, Any]) -> bool:
        try:
            return ctx[name] == const
        except KeyError:
            raise MissingVariable(name) from None

    return same


def _var_orders_number(
    name: str, func: Callable[[Any, Any], bool], checked: Callable[[Any, Any], bool], const: Any
) -> Evaluator:
    """Fused `name > 1000`: plain numbers take the fast path, the rest the checked one."""

    def run(ctx: Mapping[str, Any]) -> bool:
        try:
            value = ctx[name]
        except KeyError:
            raise MissingVariable(name) from None
        cls = value.__class__
        if cls is int or cls is float:
            return func(value, const)
        return checked(value, const)

    return run


def _and(left: Evaluator, right: Evaluator, symbol: str) -> Evaluator:
    def run(ctx: Mapping[str, Any]) -> bool:
        a = left(ctx)
        if a is True:
            b = right(ctx)
            return b if (b is True or b is False) else v.truth(b, symbol)
        if a is False or a is None:
            return False
        raise v.not_boolean(a, symbol)

    return run


def _or(left: Evaluator, right: Evaluator, symbol: str) -> Evaluator:
    def run(ctx: Mapping[str, Any]) -> bool:
        a = left(ctx)
        if a is True:
            return True
        if a is not False and a is not None:
            raise v.not_boolean(a, symbol)
        b = right(ctx)
        return b if (b is True or b is False) else v.truth(b, symbol)

    return run


def _access(node: Tree) -> Node:
    """Fuse `a.b.c` / `a["b"][0]` / `a[i].b` into one closure over a list of steps."""
    steps: list[tuple[bool, Any]] = []  # (is_constant_key, key or key evaluator)
    current: Tree | Token = node
    while isinstance(current, Tree) and current.data in ("member", "index"):
        target, key = current.children
        if current.data == "member":
            steps.append((True, str(key)))
        else:
            compiled = _build(key)
            constant = compiled.const is not _NO_CONST
            steps.append((True, compiled.const) if constant else (False, compiled.fn))
        current = target
    steps.reverse()
    base_fn, member = _build(current).fn, v.member
    if all(constant for constant, _ in steps):
        keys = [key for _, key in steps]

        def path(ctx: Mapping[str, Any]) -> Any:
            value = base_fn(ctx)
            for key in keys:
                value = member(value, key)
            return value

        return Node(path)

    def computed(ctx: Mapping[str, Any]) -> Any:
        value = base_fn(ctx)
        for constant, key in steps:
            value = member(value, key if constant else key(ctx))
        return value

    return Node(computed)


def _call(name: str, args: list[Evaluator]) -> Evaluator:
    impl = FUNCTIONS[name].impl

    def run(ctx: Mapping[str, Any]) -> Any:
        values = [arg(ctx) for arg in args]
        try:
            return impl(*values)
        except ExpressionRuntimeError:
            raise
        except (ValueError, TypeError, ArithmeticError, isodate.ISO8601Error) as error:
            raise ExpressionRuntimeError(f"{name}() failed: {error}") from None

    return run


def _ternary(test: Evaluator, yes: Evaluator, no: Evaluator) -> Evaluator:
    return lambda ctx: yes(ctx) if v.truth(test(ctx), "?") else no(ctx)


def _build(node: Tree | Token) -> Node:
    if isinstance(node, Token):  # a lone literal or name at the top, e.g. "${x}"
        return _build(Tree(node.type.lower(), [node]))
    kind, children = node.data, node.children
    if kind == "atom":
        return _build(children[0])
    if kind == "string":
        return _constant(_unescape(str(children[0])))
    if kind == "int":
        return _constant(int(children[0]))
    if kind == "decimal":
        return _constant(float(children[0]))
    if kind in ("true", "false", "null"):
        return _constant({"true": True, "false": False, "null": None}[kind])
    if kind == "var":
        return _variable(str(children[0]))
    if kind in ("member", "index"):
        return _access(node)
    if kind == "compare":
        return _compare(str(children[1]), _build(children[0]), _build(children[2]))
    if kind == "arith":
        func = _ARITHMETIC[str(children[1])]
        lf, rf = _build(children[0]).fn, _build(children[2]).fn
        return Node(lambda ctx: func(lf(ctx), rf(ctx)))
    if kind == "and_op":
        left, right = _build(children[0]).fn, _build(children[2]).fn
        return Node(_and(left, right, str(children[1])), boolean=True)
    if kind == "or_op":
        left, right = _build(children[0]).fn, _build(children[2]).fn
        return Node(_or(left, right, str(children[1])), boolean=True)
    if kind == "not_op":
        inner, symbol = _build(children[1]).fn, str(children[0])
        return Node(lambda ctx: not v.truth(inner(ctx), symbol), boolean=True)
    if kind == "neg":
        inner = _build(children[1]).fn
        return Node(lambda ctx: v.negate(inner(ctx)))
    if kind == "empty_op":
        inner = _build(children[1]).fn
        return Node(lambda ctx: v.is_empty(inner(ctx)), boolean=True)
    if kind == "ternary":
        test, yes, no = (_build(child).fn for child in children)
        return Node(_ternary(test, yes, no))
    if kind == "call":
        name = str(children[0])
        return Node(_call(name, [_build(c).fn for c in children[1:] if c is not None]))
    raise ExpressionSyntaxError(f"unsupported construct '{kind}'", kind, 0)


def compile_tree(tree: Tree, text: str, offset: int = 0) -> Node:
    try:
        return _build(tree)
    except RecursionError:
        raise _syntax_error("the expression is nested too deeply", text, offset) from None


@functools.lru_cache(maxsize=4096)
def compile_expression(source: str) -> Node:
    """Parse and compile a bare expression once; later calls reuse the closures."""
    return compile_tree(parse(source), source)
