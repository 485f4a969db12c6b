"""`ciiflow conditions evaluate`: start the processes whose conditional start event holds.

The same operation as `POST /api/v1/conditions` (`Engine.evaluate_conditions`), as an
operator; `--json` prints the API's answer.
"""

from __future__ import annotations

import click

from engine import Caller
from workflows.schemas.conditions import ConditionResultSchema, condition_answer

from .root import echo_json, engine_errors, json_arg, main, make_engine


@main.group()
def conditions() -> None:
    """Conditional start events (as Camunda's POST /condition)."""


@conditions.command("evaluate")
@click.option("--data", default="{}", help="the variables, as a JSON object")
@click.option("--business-key", default=None, help="the business key of the cases started")
@click.option("--process", "process_key", default=None,
              help="evaluate this process's conditional start events only")
@click.option("--json", "as_json", is_flag=True, help="print the API's JSON answer")
@click.option("--actor", default="cli", show_default=True, help="who starts the cases")
@engine_errors
def evaluate(data: str, business_key: str | None, process_key: str | None, as_json: bool,
             actor: str) -> None:
    """Start a case of every process whose conditional start event holds for --data."""
    outcomes = make_engine().evaluate_conditions(
        json_arg(data, "--data"), business_key=business_key, process_key=process_key,
        caller=Caller.operator(actor))
    if as_json:
        echo_json(ConditionResultSchema().dump(condition_answer(outcomes)))
        return
    if not outcomes:
        click.echo("no conditional start event holds: nothing started")
    for outcome in outcomes:
        instance = outcome.instance
        incident = f" (incident {outcome.incident.id})" if outcome.incident else ""
        click.echo(f"{instance.id} {instance.process_key} {instance.status}{incident}")
        for task in outcome.ready_tasks or []:
            click.echo(f"  ready: {task.id}  {task.activity_id}  "
                       f"[{','.join(task.candidate_groups)}]")
