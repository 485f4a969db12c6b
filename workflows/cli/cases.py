"""Cases and tasks at the console: the same operations as the API's, as an operator.

The CLI runs on the server, so its caller is an operator who sees every case
(`Caller.operator`); `--actor` names who acts, for the history and for claims:
a task claimed by another principal is refused here as over HTTP.
"""

from __future__ import annotations

from typing import Any

import click

from engine import Caller
from engine.camunda.form_input import describe
from engine.camunda.translations import DEFAULT_LANGUAGE, LANGUAGES
from engine.service.instances import ACTIONS

from .root import echo_json, engine_errors, json_arg, main, make_engine
from .table import Column, echo_table

STATES = ("ready", "completed", "cancelled")
_TASK_COLUMNS = (Column("TASK", 36), Column("ACTIVITY", 40), Column("BUSINESS KEY", 16),
                 Column("GROUPS", 28), Column("DUE", 32), Column("HOLDER", 16), Column("NAME"))
_CASE_COLUMNS = (Column("CASE", 36), Column("PROCESS", 24), Column("BUSINESS KEY", 16),
                 Column("STATUS", 10), Column("STARTED"))


def _when(value: Any) -> str:
    return value.isoformat() if value else "-"


@main.command()
@click.argument("key")
@click.option("--business-key", default=None)
@click.option("--data", default="{}", help="start variables as a JSON object")
@click.option("--actor", default="cli")
@engine_errors
def start(key: str, business_key: str | None, data: str, actor: str) -> None:
    """Start a case of process KEY (validated against its start form)."""
    outcome = make_engine().start(key, business_key, json_arg(data, "--data"),
                                  caller=Caller.operator(actor))
    click.echo(f"{outcome.instance.id} {outcome.instance.status}")
    for task in outcome.ready_tasks or []:
        click.echo(f"  ready: {task.id}  {task.activity_id}  [{','.join(task.candidate_groups)}]")


@main.command()
@click.option("--group", default=None)
@click.option("--state", default="ready", type=click.Choice(STATES))
@click.option("--activity", default=None)
@click.option("--business-key", default=None)
@click.option("--limit", default=100, show_default=True)
@click.option("--offset", default=0, show_default=True)
@click.option("--language", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE,
              show_default=True, help="the language of the task names")
@engine_errors
def tasks(group: str | None, state: str, activity: str | None, business_key: str | None,
          limit: int, offset: int, language: str) -> None:
    """List tasks (oldest first), with their names."""
    page = make_engine().tasks(state=state, group=group, activity=activity,
                               business_key=business_key, limit=limit, offset=offset,
                               language=language, caller=Caller.operator("cli"))
    echo_table(_TASK_COLUMNS, (
        (t.id, f"{t.process_key}/{t.activity_id}", page.business_key(t) or "-",
         f"[{','.join(t.candidate_groups or [])}]", _when(t.due_at), t.assignee or "-",
         page.name(t) or "-") for t in page),
        empty=f"no {state} task", next_offset=offset + limit if page.has_more else None)


@main.command()
@click.argument("task_id")
@click.option("--language", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE,
              show_default=True, help="the language of the name, labels and enum names")
@engine_errors
def task(task_id: str, language: str) -> None:
    """One task with its form and the variables exposed to it, as JSON."""
    detail = make_engine().task_detail(task_id, Caller.operator("cli"), language=language)
    t = detail.task
    echo_json({"id": t.id, "instance_id": t.instance_id, "business_key": detail.business_key,
               "activity_id": t.activity_id, "name": detail.name, "state": t.state,
               "candidate_groups": t.candidate_groups, "assignee": t.assignee,
               "form": describe(detail.form, detail.values), "variables": detail.variables})


@main.command()
@click.argument("task_id")
@click.option("--actor", required=True, help="who takes the task (a principal's name)")
@engine_errors
def claim(task_id: str, actor: str) -> None:
    """Take a ready task for ACTOR; refused if another principal holds it."""
    row = make_engine().claim(task_id, Caller.operator(actor))
    click.echo(f"{row.id} claimed by {row.assignee}")


@main.command()
@click.argument("task_id")
@click.option("--data", default="{}", help="form fields as a JSON object")
@click.option("--actor", required=True)
@engine_errors
def complete(task_id: str, data: str, actor: str) -> None:
    """Complete a task with its form's data (validated like the API does)."""
    outcome = make_engine().complete_task(task_id, json_arg(data, "--data"),
                                          caller=Caller.operator(actor))
    click.echo(f"{outcome.instance.id} {outcome.instance.status}")


@main.command()
@click.argument("task_id")
@click.option("--reason", default=None, help="why (kept in the case's history)")
@click.option("--actor", default="cli", show_default=True, help="who releases")
@engine_errors
def release(task_id: str, reason: str | None, actor: str) -> None:
    """Release the claim on a ready task: another institution of its groups may claim it."""
    row = make_engine().release_task(task_id, Caller.operator(actor), reason=reason)
    click.echo(f"{row.id} released")


@main.command()
@click.argument("task_id")
@click.option("--group", "groups", multiple=True, required=True,
              help="a new candidate group (repeat for several)")
@click.option("--reason", required=True, help="why (kept in the case's history)")
@click.option("--actor", default="cli", show_default=True, help="who reassigns")
@engine_errors
def reassign(task_id: str, groups: tuple[str, ...], reason: str, actor: str) -> None:
    """Give a ready task other candidate groups; those losing it get task.cancelled."""
    row = make_engine().reassign_task(task_id, list(groups), reason=reason,
                                      caller=Caller.operator(actor))
    click.echo(f"{row.id} now for [{','.join(row.candidate_groups)}]")


@main.command()
@click.option("--process", "process_key", default=None)
@click.option("--status", default=None)
@click.option("--business-key", default=None)
@click.option("--waiting-at", default=None, help="activity id of a ready task")
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0, show_default=True)
@engine_errors
def instances(process_key: str | None, status: str | None, business_key: str | None,
              waiting_at: str | None, limit: int, offset: int) -> None:
    """List cases, newest first (also `ciiflow cases`)."""
    page = make_engine().instances(process_key=process_key, status=status,
                                   business_key=business_key, waiting_at=waiting_at,
                                   limit=limit, offset=offset, caller=Caller.operator("cli"))
    echo_table(_CASE_COLUMNS, (
        (i.id, f"{i.process_key} v{i.definition_version}", i.business_key or "-", i.status,
         _when(i.started_at)) for i in page.items),
        empty="no case", next_offset=offset + limit if page.has_more else None)


main.add_command(instances, name="cases")


@main.command()
@click.argument("instance_id")
@click.option("--actor", default="cli")
@engine_errors
def case(instance_id: str, actor: str) -> None:
    """One case: status, open tasks, history, incidents and data, as JSON (the read is
    logged under ACTOR)."""
    detail = make_engine().case(instance_id, Caller.operator(actor))
    i = detail.instance
    echo_json({
        "id": i.id, "process_key": i.process_key, "version": i.definition_version,
        "business_key": i.business_key, "status": i.status, "started_at": i.started_at,
        "waiting_at": [{"activity_id": w.activity_id, "name": w.name, "kind": w.kind}
                       for w in detail.waiting_at],
        "open_tasks": [{"id": t.id, "activity_id": t.activity_id,
                        "candidate_groups": t.candidate_groups} for t in detail.open_tasks],
        "history": [{"seq": h.seq, "at": h.at, "kind": h.kind, "actor": h.actor,
                     "activity_id": h.activity_id, "detail": h.detail}
                    for h in detail.history],
        "incidents": [{"id": n.id, "activity_id": n.activity_id, "status": n.status}
                      for n in detail.incidents],
        "data": detail.data})


def _status_command(action: str) -> None:
    @main.command(action, help=f"{action.capitalize()} a case, with a mandatory reason.")
    @click.argument("instance_id")
    @click.option("--reason", required=True)
    @click.option("--actor", required=True)
    @engine_errors
    def change(instance_id: str, reason: str, actor: str) -> None:
        instance = make_engine().set_status(instance_id, action, reason=reason, actor=actor)
        click.echo(f"{instance.id} {instance.status}")


for _action in ACTIONS:
    _status_command(_action)


@main.command("access-log")
@click.argument("instance_id")
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0, show_default=True)
@engine_errors
def access_log(instance_id: str, limit: int, offset: int) -> None:
    """Who read a case or its tasks, and when (newest first)."""
    page = make_engine().access_log(instance_id, limit=limit, offset=offset)
    for r in page.items:
        click.echo(f"{_when(r.at)}  {r.principal_name:<24} {r.role:<12} {r.what} {r.object_id}")
