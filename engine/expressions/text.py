"""Fields as written in Camunda Modeler: `${…}`/`#{…}` parts inside literal text.

A field is split once into literal and expression parts and compiled into a
single closure (cached by the text), so evaluating a template or condition at
run time never re-parses. `\\${` in a field stands for a literal `${`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

from . import juel
from .errors import ExpressionRuntimeError, ExpressionSyntaxError
from .juel import Evaluator
from .values import show, to_text, type_name


class Part(NamedTuple):
    """A piece of a field: literal text, or the source of one `${…}` at `offset`."""

    source: str
    offset: int
    is_expression: bool


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing an expression opened before `start`, or -1.

    Quotes are skipped so that `${x == "}"}` closes at the right brace.
    """
    i, n = start, len(text)
    while i < n:
        char = text[i]
        if char == "}":
            return i
        if char in "'\"":
            i += 1
            while i < n and text[i] != char:
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                return -1
        i += 1
    return -1


@functools.lru_cache(maxsize=4096)
def split(text: str) -> tuple[Part, ...]:
    """Split a field into parts; raise if a `${` is never closed."""
    parts: list[Part] = []
    literal: list[str] = []
    literal_start = 0
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and text.startswith(("${", "#{"), i + 1):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if char in "$#" and i + 1 < n and text[i + 1] == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                raise juel._syntax_error(f"'{char}{{' is never closed", text, i)
            if literal:
                parts.append(Part("".join(literal), literal_start, False))
                literal = []
            parts.append(Part(text[i + 2 : end], i + 2, True))
            i = end + 1
            literal_start = i
            continue
        literal.append(char)
        i += 1
    if literal:
        parts.append(Part("".join(literal), literal_start, False))
    return tuple(parts)


def has_expression(text: str) -> bool:
    return "${" in text or "#{" in text


def single_expression(parts: tuple[Part, ...]) -> Part | None:
    """The one `${…}` of a field that is nothing else (blank text around is allowed)."""
    expressions = [part for part in parts if part.is_expression]
    if len(expressions) != 1:
        return None
    if any(not part.is_expression and part.source.strip() for part in parts):
        return None
    return expressions[0]


def _compile_part(part: Part, text: str) -> juel.Node:
    if part.offset == 0 and part.source == text:
        return juel.compile_expression(text)
    tree = juel.parse(part.source, text, part.offset)
    return juel.compile_tree(tree, text, part.offset)


def name_error(error: ExpressionRuntimeError, text: str) -> None:
    """Attach the field's text to a runtime error, so incidents say which expression.

    Done by the entry points in an `except` (free in Python 3.11 when nothing
    is raised) rather than by a wrapping closure, which would cost a call.
    """
    if error.expression is None:
        error.expression = text


class BoundedCache(dict[str, Evaluator]):
    """Text → compiled closure; a plain dict read is the cheapest cache hit there is.

    Cleared when full: deployed definitions hold a few hundred distinct texts,
    so this only bounds memory against a pathological caller.
    """

    def __init__(self, limit: int = 8192) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, text: str, fn: Evaluator) -> Evaluator:
        if len(self) >= self.limit:
            self.clear()
        self[text] = fn
        return fn


@functools.lru_cache(maxsize=4096)
def compile_text(text: str) -> Evaluator:
    """A template: one `${…}` gives its typed value, a mix gives text, no `${` is literal."""
    parts = split(text)
    single = single_expression(parts)
    if single is not None:
        return _compile_part(single, text).fn
    if not any(part.is_expression for part in parts):
        literal = "".join(part.source for part in parts)
        return lambda ctx: literal
    pieces: list[tuple[bool, Any]] = [
        (True, _compile_part(p, text).fn) if p.is_expression else (False, p.source) for p in parts
    ]

    def render(ctx: Mapping[str, Any]) -> str:
        return "".join(to_text(piece(ctx)) if is_expr else piece for is_expr, piece in pieces)

    return render


@functools.lru_cache(maxsize=4096)
def compile_condition(text: str) -> Evaluator:
    """A condition: one `${…}` (or, leniently, a bare expression) that yields true/false."""
    if has_expression(text):
        single = single_expression(split(text))
        if single is None:
            position = text.find("${") if "${" in text else text.find("#{")
            raise juel._syntax_error(
                "a condition must be exactly one ${…} expression", text, max(position, 0)
            )
        node = _compile_part(single, text)
    else:
        node = _compile_part(Part(text, 0, True), text)
    if node.boolean:
        return node.fn
    fn = node.fn

    def decide(ctx: Mapping[str, Any]) -> bool:
        result = fn(ctx)
        if result is True or result is False:
            return result
        raise ExpressionRuntimeError(
            f"a condition must give true or false, got {show(result)} ({type_name(result)})"
        )

    return decide


_TEXTS = BoundedCache()
_CONDITIONS = BoundedCache()


def evaluate_text(text: str, context: Mapping[str, Any]) -> Any:
    """Evaluate a field: typed value for a lone `${…}`, text for a template or literal."""
    fn = _TEXTS.get(text)
    if fn is None:
        fn = _TEXTS.remember(text, compile_text(text))
    try:
        return fn(context)
    except ExpressionRuntimeError as error:
        name_error(error, text)
        raise


def evaluate_condition(text: str, context: Mapping[str, Any]) -> bool:
    """Evaluate a gateway/flow condition; a result other than true/false is an error.

    A text without `${…}` is read as a bare JUEL expression: Modeler users
    sometimes forget the braces, and guessing "literal text" would be worse.
    """
    fn = _CONDITIONS.get(text)
    if fn is None:
        fn = _CONDITIONS.remember(text, compile_condition(text))
    try:
        return fn(context)
    except ExpressionRuntimeError as error:
        name_error(error, text)
        raise


@functools.lru_cache(maxsize=4096)
def compile_single(text: str) -> Evaluator:
    """Exactly one `${…}` field (kind "expression" of the lint)."""
    single = single_expression(split(text))
    if single is None:
        raise ExpressionSyntaxError(
            f"expected exactly one ${{…}} expression, got {text!r}", text, 0
        )
    return _compile_part(single, text).fn


def variables(text: str, kind: str = "template") -> set[str]:
    """Top-level variables a field reads, for the lint.

    Text without `${…}` has none, except for kind "condition", where a bare
    text is read as a JUEL expression (the lenient condition form).
    """
    if not has_expression(text):
        return juel.variables_of(juel.parse(text)) if kind == "condition" else set()
    names: set[str] = set()
    for part in split(text):
        if part.is_expression:
            names |= juel.variables_of(juel.parse(part.source, text, part.offset))
    return names
