"""ciiflow's safe expression language: a JUEL subset (Camunda 7) on a real parser.

SpiffWorkflow evaluates every condition, timer and expression with Python
`eval`; an uploaded BPMN file could therefore run code on the server. This
package replaces that with a small whitelisted language parsed by lark
(`grammar.lark`) and compiled once into Python closures (cached by text).
Nothing here uses `eval`, `exec` or `compile`; a text outside the grammar is a
syntax error and never runs.

Language (inside `${…}` or `#{…}`):

* literals: `'text'`, `"text"` (escapes `\\'` `\\"` `\\\\` `\\n` `\\t`), `42`,
  `1.5`, `true`, `false`, `null`;
* variables from the case data; `a.b` and `a["b"]` read dict keys, `a[0]`
  list items (a missing key or index is `null`, as in EL; a missing
  *top-level* variable raises `MissingVariable`). Attributes of Python
  objects are never read; names cannot start with `_`;
* `== != < <= > >= && || !` and `eq ne lt gt le ge and or not`, `empty x`
  (true for null, "", [] and {}), `+ - * / %` and `div mod`, unary `-`,
  parentheses, `a ? b : c`;
* `+` joins text when either side is text (`"PT" + hours + "H"`);
* `&&`, `||`, `!` and `?:` take true/false (null counts as false);
  ordering with null, or text with numbers, is a runtime error;
  `true == 1` is false;
* functions: see `engine.expressions.functions` (now, today, date, dateTime,
  duration, addDuration, workingDays, addWorkingDays, contains, size, lower,
  upper, string, number).

Fields: `evaluate_text` gives the typed value of a lone `${…}`, a string for
a template such as `cii-team-${region}`, and the text itself when there is no
`${`. `evaluate_condition` takes one `${…}` or, leniently, a bare expression
(`amount > 1000`). Timers: `timer_value`/`check_timer`. Deploy lint:
`check(text, kind)` and `variables(text)`. SpiffWorkflow: `SafeScriptEngine`.
"""

from __future__ import annotations

from typing import Literal

from .environment import SafeEnvironment, SafeScriptEngine, ScriptRefused
from .errors import ExpressionError, ExpressionRuntimeError, ExpressionSyntaxError, MissingVariable
from .functions import FUNCTIONS
from .text import (
    compile_condition,
    compile_single,
    compile_text,
    evaluate_condition,
    evaluate_text,
    variables,
)
from .timer import check_timer, timer_kind, timer_value

CheckKind = Literal["condition", "template", "expression", "timer"]


def check(text: str, kind: str) -> None:
    """Deploy-time syntax check of one field; raises ExpressionSyntaxError.

    Kinds: "condition" (one `${…}` or a bare expression), "template" (any
    text with optional `${…}` parts), "expression" (exactly one `${…}`),
    "timer" (ISO 8601 text or one `${…}`).
    """
    if text is None:
        raise ExpressionSyntaxError("the expression is empty", "", 0)
    if kind == "condition":
        compile_condition(text)
    elif kind == "template":
        compile_text(text)
    elif kind == "expression":
        compile_single(text)
    elif kind == "timer":
        check_timer(text)
    else:
        raise ValueError(f"unknown kind of expression {kind!r}")


__all__ = [
    "FUNCTIONS",
    "CheckKind",
    "ExpressionError",
    "ExpressionRuntimeError",
    "ExpressionSyntaxError",
    "MissingVariable",
    "SafeEnvironment",
    "SafeScriptEngine",
    "ScriptRefused",
    "check",
    "check_timer",
    "evaluate_condition",
    "evaluate_text",
    "timer_kind",
    "timer_value",
    "variables",
]
