"""Camunda 7 transaction boundaries in a Modeler file: named by lint, run in one step.

Camunda 7 commits at `asyncBefore` and continues in a job: a failing service task
leaves the user's completion committed and opens an incident at the service task
after the `failedJobRetryTimeCycle` retries. ciiflow runs the whole step in one
transaction, so lint warns on every boundary and the test shows the difference.
"""

from __future__ import annotations

from engine.camunda.handlers import HandlerContext, HandlerRegistry
from tests.modeler.conftest import Case, corpus


def test_lint_names_every_boundary_and_says_what_runs_differently(case: Case) -> None:
    findings = case.engine.lint(corpus("async_boundaries.bpmn"))
    assert [f for f in findings if f.severity == "error"] == []
    boundaries = {f.element_id: f.message for f in findings
                  if f.severity == "warning" and "transaction boundary" in f.message}
    assert set(boundaries) == {"Notify_Office", "Archive_Case"}
    assert boundaries["Notify_Office"].startswith('camunda:asyncBefore="true"')
    assert "same transaction as the step that reaches it" in boundaries["Notify_Office"]
    assert boundaries["Archive_Case"].startswith('camunda:asyncAfter="true"')
    for message in boundaries.values():
        assert "task completion" in message and "failedJobRetryTimeCycle" in message
    [retry] = [f for f in findings if "camunda:failedJobRetryTimeCycle" in f.message
               and f.severity == "warning" and "transaction boundary" not in f.message]
    assert retry.element_id == "Notify_Office"


def test_a_failure_after_async_before_undoes_the_completion_until_retried(
        case: Case, handlers: HandlerRegistry) -> None:
    failures = ["office unreachable"]

    def notify(ctx: HandlerContext) -> dict[str, bool]:
        if failures:
            raise RuntimeError(failures.pop())
        return {"notified": True}

    handlers.topic("notify-office")(notify)
    case.deploy("async_boundaries.bpmn")
    iid = case.engine.start("async_boundaries", "A-1").instance.id
    review = case.only(iid, "Review_Case")

    outcome = case.engine.complete_task(review.id, {"verdict": "ok"}, actor="tester")

    assert outcome.incident is not None and "office unreachable" in outcome.incident.message
    assert outcome.incident.activity_id == "Notify_Office"  # the incident names the task
    # unlike Camunda 7, the review is not committed: it is still ready, without the verdict
    assert case.only(iid, "Review_Case").id == review.id
    assert "verdict" not in case.engine.workflow_data(iid)
    assert case.engine.instance(iid).status == "incident"

    retried = case.engine.retry_incident(outcome.incident.id, actor="coordinator")

    assert retried.incident is None
    data = case.engine.workflow_data(iid)
    assert data["verdict"] == "ok" and data["notified"] is True
    assert [t.activity_id for t in case.ready(iid)] == ["Archive_Case"]
