"""`ciiflow signal NAME`: broadcast a signal, as `POST /api/v1/signals` does; `ciiflow
trigger ID ACTIVITY`: move on a receive task, as `POST /api/v1/instances/{id}/trigger`.

The same operation (`Engine.broadcast_signal`), as an operator (who reaches every case);
`--json` prints the API's answer.
"""

from __future__ import annotations

import click

from engine import Caller
from workflows.schemas.signals import (
    SignalResultSchema,
    TriggerResultSchema,
    signal_answer,
    trigger_answer,
)

from .root import echo_json, engine_errors, json_arg, main, make_engine


@main.command("signal")
@click.argument("name")
@click.option("--data", default="{}", help="variables for the cases reached, a JSON object")
@click.option("--json", "as_json", is_flag=True, help="print the API's JSON answer")
@click.option("--actor", default="cli", show_default=True, help="who sends the signal")
@engine_errors
def signal(name: str, data: str, as_json: bool, actor: str) -> None:
    """Deliver signal NAME to every case waiting for it; start the processes it starts."""
    reached = make_engine().broadcast_signal(name, json_arg(data, "--data"),
                                             caller=Caller.operator(actor))
    if as_json:
        echo_json(SignalResultSchema().dump(signal_answer(reached)))
        return
    if not reached:
        click.echo(f"nobody listens for signal '{name}': nothing reached")
    for each in reached:
        instance = each.outcome.instance
        how = "started" if each.started else "caught"
        incident = f" (incident {each.outcome.incident.id})" if each.outcome.incident else ""
        click.echo(f"{instance.id} {instance.process_key} {how} {instance.status}{incident}")


@main.command("trigger")
@click.argument("instance_id")
@click.argument("activity_id")
@click.option("--data", default="{}", help="variables for the case, a JSON object")
@click.option("--json", "as_json", is_flag=True, help="print the API's JSON answer")
@click.option("--actor", default="cli", show_default=True, help="who triggers it")
@engine_errors
def trigger(instance_id: str, activity_id: str, data: str, as_json: bool, actor: str) -> None:
    """Move on the receive task ACTIVITY_ID (drawn without a message) of INSTANCE_ID."""
    outcome = make_engine().trigger(instance_id, activity_id, json_arg(data, "--data"),
                                    caller=Caller.operator(actor))
    if as_json:
        echo_json(TriggerResultSchema().dump(trigger_answer(outcome)))
        return
    incident = f" (incident {outcome.incident.id})" if outcome.incident else ""
    click.echo(f"{outcome.instance.id} {outcome.instance.status}{incident}")
