"""`ciiflow batch`: retry, release or reassign many at once, as `POST /api/v1/batches` does.

Each target runs in its own transaction and gets its own line; `--dry-run` lists the
targets (how many cases are concerned) and changes nothing. The exit status is 1 when
any item failed, so a script notices.
"""

from __future__ import annotations

import click

from engine import Caller
from engine.service.batches import OPERATIONS

from .root import echo_json, engine_errors, json_arg, main, make_engine


@main.command()
@click.argument("operation", type=click.Choice(OPERATIONS))
@click.option("--process", "process_key", default=None, help="the process of --activity")
@click.option("--version", type=int, default=None, help="only this version of --process")
@click.option("--activity", "activity_id", default=None,
              help="every target at this activity: its open incidents (retry), claimed tasks "
                   "(release) or ready tasks (reassign)")
@click.option("--incident", "incident_ids", type=int, multiple=True,
              help="an incident to retry (repeatable)")
@click.option("--task", "task_ids", multiple=True, help="a task to release or reassign "
                                                         "(repeatable)")
@click.option("--groups", default=None, help="reassign: the new candidate groups, "
                                             "comma-separated")
@click.option("--reason", default=None, help="why (kept in each case's history)")
@click.option("--data", default=None, help="retry: corrected variables as a JSON object")
@click.option("--dry-run", is_flag=True, help="list the targets, change nothing")
@click.option("--actor", required=True, help="who runs the batch (kept in the histories)")
@click.option("--json", "as_json", is_flag=True, help="print the API's answer")
@engine_errors
def batch(operation: str, process_key: str | None, version: int | None,
          activity_id: str | None, incident_ids: tuple[int, ...], task_ids: tuple[str, ...],
          groups: str | None, reason: str | None, data: str | None, dry_run: bool,
          actor: str, as_json: bool) -> None:
    """Run OPERATION (retry, release, reassign) on many incidents or tasks at once."""
    report = make_engine().batch(
        operation, caller=Caller.operator(actor), process_key=process_key, version=version,
        activity_id=activity_id, incident_ids=list(incident_ids) or None,
        task_ids=list(task_ids) or None,
        groups=[g.strip() for g in groups.split(",") if g.strip()] if groups else None,
        reason=reason, data=json_arg(data, "--data") if data else None, dry_run=dry_run)
    if as_json:
        echo_json(report.as_dict())
    else:
        for item in report.items:
            target = (f"incident {item.incident_id}" if item.incident_id is not None
                      else f"task {item.task_id}")
            why = f"  {item.error}: {item.detail}" if item.status == "error" else ""
            click.echo(f"{item.status:<8} {target:<44} {item.instance_id or '-'}{why}")
        planned = "planned" if dry_run else f"{report.ok} ok, {report.failed} failed"
        click.echo(f"{operation}: {len(report.items)} target(s), {planned}"
                   + ("; more remain: run it again" if report.more else ""))
    if report.failed:
        raise SystemExit(1)
