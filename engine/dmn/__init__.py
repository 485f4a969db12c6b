"""ciiflow's DMN engine: Camunda Modeler decision tables evaluated safely, with FEEL.

Why not SpiffWorkflow's: it evaluates cells with Python `eval`, mis-reads FEEL
(`"a","b"`, `not(…)`, `[1..5]`, `true`, `null`), crashes on files with several
decisions and treats FIRST/ANY/PRIORITY as first match. Here cells are parsed
by a LALR grammar (lark) and compiled to closures once, at deploy time.

Entry points: `parse_dmn` (file → decisions), `evaluate_decision` (decision +
task data → `DecisionResult`, Camunda's resultList), `map_decision_result`
(`camunda:mapDecisionResult`), `check_unary`/`check_expression` (deploy lint),
and the SpiffWorkflow wiring in `engine.dmn.task`.
"""

from .errors import (
    DecisionResultMappingError,
    DmnError,
    DmnEvaluationError,
    DmnParseError,
    FeelRuntimeError,
    FeelSyntaxError,
)
from .evaluate import evaluate_decision
from .feel import check_expression, check_unary, compile_expression, compile_unary_tests
from .model import Decision, DecisionTable, HitPolicy
from .parser import parse_dmn
from .result import DecisionResult, map_decision_result
from .task import DecisionTaskConverter, DecisionTaskParser, DecisionTaskSpec, DmnBundleMixin

__all__ = [
    "Decision",
    "DecisionResult",
    "DecisionResultMappingError",
    "DecisionTable",
    "DecisionTaskConverter",
    "DecisionTaskParser",
    "DecisionTaskSpec",
    "DmnBundleMixin",
    "DmnError",
    "DmnEvaluationError",
    "DmnParseError",
    "FeelRuntimeError",
    "FeelSyntaxError",
    "HitPolicy",
    "check_expression",
    "check_unary",
    "compile_expression",
    "compile_unary_tests",
    "evaluate_decision",
    "map_decision_result",
    "parse_dmn",
]
