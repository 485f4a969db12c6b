"""Cases and tasks: start a case, list and complete tasks."""

from __future__ import annotations

import click

from engine.errors import EngineError

from .root import fail, json_arg, main, make_engine


@main.command()
@click.argument("key")
@click.option("--business-key", default=None)
@click.option("--data", default="{}", help="start variables as a JSON object")
@click.option("--actor", default="cli")
def start(key: str, business_key: str | None, data: str, actor: str) -> None:
    """Start a case of process KEY (validated against its start form)."""
    from marshmallow import ValidationError

    from workflows.forms import start_form, validate_form

    engine = make_engine()
    variables = json_arg(data, "--data")
    try:
        form = start_form(engine.definition(key))
        if form:
            variables = validate_form(form, variables)
        outcome = engine.start(key, business_key, variables, actor=actor)
    except ValidationError as exc:
        fail(f"the start form does not validate: {exc.normalized_messages()}")
    except EngineError as exc:
        fail(str(exc))
    click.echo(f"{outcome.instance.id} {outcome.instance.status}")


@main.command()
@click.option("--group", default=None)
@click.option("--state", default="ready", type=click.Choice(["ready", "completed", "cancelled"]))
@click.option("--limit", default=100, show_default=True)
def tasks(group: str | None, state: str, limit: int) -> None:
    """List tasks (oldest first)."""
    from sqlalchemy import select

    from engine.store.models import Task, TaskCandidate

    engine = make_engine()
    stmt = select(Task).where(Task.state == state)
    if group:
        stmt = stmt.join(TaskCandidate, TaskCandidate.task_id == Task.id).where(
            TaskCandidate.group_id == group)
    with engine.readers() as session:
        rows = list(session.scalars(stmt.order_by(Task.ready_at).limit(limit)))
    for t in rows:
        due = t.due_at.isoformat() if t.due_at else "-"
        click.echo(f"{t.id}  {t.process_key}/{t.activity_id}  "
                   f"[{','.join(t.candidate_groups or [])}]  due {due}")


@main.command()
@click.argument("task_id")
@click.option("--data", default="{}", help="form fields as a JSON object")
@click.option("--actor", required=True)
def complete(task_id: str, data: str, actor: str) -> None:
    """Complete a task with its form's data (validated like the API does)."""
    from marshmallow import ValidationError

    from engine.camunda.forms import form_fields
    from workflows.forms import needs_current_values, validate_form

    engine = make_engine()
    submitted = json_arg(data, "--data")
    try:
        row = engine.task(task_id)
        form = form_fields(engine.task_spec(row))
        current = engine.task_data(task_id) if needs_current_values(form, submitted) else {}
        cleaned = validate_form(form, submitted, current)
        outcome = engine.complete_task(task_id, cleaned, actor=actor)
    except ValidationError as exc:
        fail(f"the form does not validate: {exc.normalized_messages()}")
    except EngineError as exc:
        fail(str(exc))
    click.echo(f"{outcome.instance.id} {outcome.instance.status}")
