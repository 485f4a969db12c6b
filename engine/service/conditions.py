"""Conditions: start every process whose conditional start event holds for some variables.

Camunda 7's `RuntimeService.createConditionEvaluation()` (REST `POST /condition`): the
caller gives variables, optionally a business key and one process; every latest process
version whose conditional start condition holds is started, and the started cases are the
answer (none is an empty answer, not an error). Each start is a start like
`InstanceService.start`: the variables are start data, checked against the start form, the
case's history and task webhooks follow, and a caller who may start cases may do this
(the API asks the same roles). Everything happens in one transaction: a refused start
(a form, a failing condition) starts none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.runtime.condition_starts import start_by_conditions
from engine.runtime.step import StepOutcome
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.store import queries


class ConditionService(ServiceBase):
    def evaluate_conditions(self, variables: Mapping[str, Any] | None = None, *,
                            business_key: str | None = None, process_key: str | None = None,
                            actor: str | None = None,
                            caller: Caller | None = None) -> list[StepOutcome]:
        """Start the processes whose conditional start event holds for `variables`; with a
        `caller` (also the actor), each outcome lists the ready tasks the caller may see."""
        actor = caller.name if caller else actor
        with self.sessions.begin() as session:
            outcomes = start_by_conditions(
                self, session, dict(variables or {}),  # type: ignore[arg-type]
                business_key=business_key, process_key=process_key, actor=actor)
            if caller is not None:
                for outcome in outcomes:
                    outcome.ready_tasks = [
                        t for t in queries.ready_tasks(session, outcome.instance.id)
                        if caller.sees_groups(t.candidate_groups)]
            return outcomes
