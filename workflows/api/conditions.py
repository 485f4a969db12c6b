"""Conditions: start the processes whose conditional start event holds for some variables.

Camunda 7's `POST /condition` (`RuntimeService.createConditionEvaluation()`), as one
operation of the engine (`Engine.evaluate_conditions`); starting cases this way asks the
roles a start asks.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ..auth import COORDINATOR, INSTITUTION, current_principal, require
from ..runtime import engine
from ..schemas.conditions import (
    ConditionEvaluationSchema,
    ConditionResultSchema,
    condition_answer,
)

blp = Blueprint("conditions", __name__, url_prefix="/api/v1",
                description="Start the processes whose conditional start event holds")


@blp.route("/conditions")
class Conditions(MethodView):
    @require(INSTITUTION, COORDINATOR)
    @blp.arguments(ConditionEvaluationSchema)
    @blp.response(200, ConditionResultSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Evaluate the conditional start events of the latest process versions (or of
        `process_key`'s) with `variables`; every one that holds starts a case, with the
        variables as its start data. None holding is an empty `started` list."""
        outcomes = engine().evaluate_conditions(
            args["variables"], business_key=args["business_key"],
            process_key=args["process_key"], caller=current_principal())
        return condition_answer(outcomes)
