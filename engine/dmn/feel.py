"""FEEL for ciiflow's DMN engine: parse once with lark, evaluate as closures.

Why our own FEEL and not a library: SpiffWorkflow evaluates DMN cells with
Python `eval` (an uploaded file could run code) and gets FEEL wrong. The one
Python FEEL package found, `bkflow-feel` (PyPI, last release 1.2.0 in 2023),
evaluates expressions only (no unary-test entry point, so `"a","b"`, `not(…)`
and `-` cells would still be ours), re-parses the text on every call, resolves
custom functions by importing dotted paths from a process-wide registry, and
pins `pytz<2024` and pydantic. `pySFeel` (SLY) is a one-person project whose
names and semantics deviate on purpose. So: a small LALR grammar
(`feel.lark`) on lark, which we already depend on, compiled to closures by
`feel_compile.py` and cached by text; nothing reaches `eval`/`exec`.

Semantics a process owner should know:

* A missing variable is null (FEEL), not an error: an input expression
  `applicant.age` on data without `applicant` gives null, which matches only
  `null`, `-`, an empty cell, or a negation such as `not("a")`.
* A cell is "unary tests": `"a","b"` (any of), `not("a","b")`, `< 10`,
  `[1..5]`, `]1..5[`, `(1..5]`, `-` or empty (anything), a literal
  (`true`, `null`, `5`, `date("2021-07-01")`), or a boolean expression
  using `?` for the input (`? > 5 and ? < 10`).
* Text starting with `${` is Camunda JUEL and goes to `engine.expressions`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from engine import expressions

from .errors import FeelRuntimeError, FeelSyntaxError
from .feel_compile import INPUT, Compiler, Evaluator, Test, negated

MAX_TEXT_LENGTH = 10_000
"""Longer cells are refused: nobody writes them in a Modeler, attackers do."""
MAX_DEPTH = 64
"""Deeper parse trees are refused: compiled closures nest as deep as the tree."""

PARSER = Lark(
    resources.files(__package__).joinpath("feel.lark").read_text(encoding="utf-8"),
    parser="lalr",
    start=["expression", "unary_tests"],
    propagate_positions=True,
    maybe_placeholders=True,
)
"""The FEEL grammar's parser, public so that lint reads names exactly as evaluation does."""


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """A FEEL (or JUEL) expression, ready to evaluate against variables."""

    text: str
    evaluate: Evaluator = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class CompiledTests:
    """A unary-tests cell; `test is None` means it matches anything (`-`, empty)."""

    text: str
    test: Test | None = field(repr=False, compare=False)

    def matches(self, value: Any, context: Mapping[str, Any] | None = None) -> bool:
        """Convenience for tests and the lint; the table evaluator calls `test` itself."""
        if self.test is None:
            return True
        scope = dict(context or {})
        scope[INPUT] = value
        return self.test(value, scope) is True


def _is_juel(text: str) -> bool:
    return text.startswith(("${", "#{"))


def _juel(text: str) -> Evaluator:
    """Defer `${…}` to the JUEL engine of `engine.expressions`.

    Its syntax is checked here, at deploy time, like FEEL; its runtime errors
    (a missing top-level variable, text ordered against a number) become
    `FeelRuntimeError`s so the decision names the cell.
    """
    try:
        expressions.check(text, "expression")
    except expressions.ExpressionError as exc:
        raise FeelSyntaxError(f"JUEL: {exc}", text, None) from None

    def evaluate(context: Mapping[str, Any]) -> Any:
        try:
            return expressions.evaluate_text(text, context)
        except expressions.ExpressionError as exc:
            raise FeelRuntimeError(f"JUEL {text!r}: {exc}") from exc

    return evaluate


def _depth(tree: Tree[Any]) -> int:
    """Depth of a parse tree, computed without recursion (it may be hostile)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return deepest


def _parse(text: str, start: str) -> Any:
    if len(text) > MAX_TEXT_LENGTH:
        raise FeelSyntaxError(f"longer than {MAX_TEXT_LENGTH} characters", text[:80] + "…", None)
    try:
        tree = PARSER.parse(text, start=start)
        if _depth(tree) > MAX_DEPTH:
            raise FeelSyntaxError(f"nested deeper than {MAX_DEPTH} levels", text, None)
        return Compiler(text).transform(tree)
    except VisitError as exc:
        original = exc.orig_exc
        if isinstance(original, FeelSyntaxError):
            raise original from None
        raise FeelSyntaxError(str(original), text, None) from None
    except UnexpectedEOF:
        raise FeelSyntaxError("unexpected end of text", text, len(text)) from None
    except UnexpectedCharacters as exc:
        raise FeelSyntaxError(
            f"unexpected character {text[exc.pos_in_stream]!r}", text, exc.pos_in_stream
        ) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        position = getattr(token, "start_pos", None)
        shown = "end of text" if token is None or token.type == "$END" else repr(str(token))
        raise FeelSyntaxError(f"unexpected {shown}", text, position) from None
    except RecursionError:
        raise FeelSyntaxError("nested too deeply", text, None) from None


@lru_cache(maxsize=8192)
def compile_expression(text: str) -> CompiledExpression:
    """Compile an input expression, output entry or literal expression (cached by text)."""
    stripped = text.strip()
    if not stripped:
        raise FeelSyntaxError("empty expression", text, 0)
    if _is_juel(stripped):
        return CompiledExpression(text, _juel(stripped))
    node = _parse(stripped, "expression")
    return CompiledExpression(text, node.fn)


_NOT = re.compile(r"not\s*\(")


def _closing_paren(text: str, start: int) -> int | None:
    """Index of the `)` matching the `(` at `start`, skipping string literals."""
    depth, i, in_string = 0, start, False
    while i < len(text):
        char = text[i]
        if in_string:
            if char == "\\":
                i += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


@lru_cache(maxsize=8192)
def compile_unary_tests(text: str) -> CompiledTests:
    """Compile an input-entry cell (cached by text)."""
    stripped = text.strip()
    if stripped in ("", "-"):
        return CompiledTests(text, None)
    if _is_juel(stripped):
        juel = _juel(stripped)
        return CompiledTests(text, lambda v, ctx: juel(ctx) is True)
    match = _NOT.match(stripped)
    if match and _closing_paren(stripped, match.end() - 1) == len(stripped) - 1:
        inner = stripped[match.end() : -1]
        if not inner.strip():
            raise FeelSyntaxError("not() needs at least one test", text, match.end())
        return CompiledTests(text, negated(_parse(inner, "unary_tests")))
    return CompiledTests(text, _parse(stripped, "unary_tests"))


def check_expression(text: str) -> None:
    """Deploy-time lint: raise `FeelSyntaxError` if `text` is not a valid expression."""
    compile_expression(text)


def check_unary(text: str) -> None:
    """Deploy-time lint: raise `FeelSyntaxError` if `text` is not a valid cell."""
    compile_unary_tests(text)


def evaluate_expression(text: str, context: Mapping[str, Any]) -> Any:
    """Evaluate FEEL text once; for repeated use keep `compile_expression(text)`."""
    return compile_expression(text).evaluate(context)


def matches(text: str, value: Any, context: Mapping[str, Any] | None = None) -> bool:
    """Does `value` satisfy the unary tests `text`?"""
    return compile_unary_tests(text).matches(value, context)


__all__ = [
    "CompiledExpression",
    "CompiledTests",
    "check_expression",
    "check_unary",
    "compile_expression",
    "compile_unary_tests",
    "evaluate_expression",
    "matches",
]
