"""`ciiflow migrate`: move running cases to another version of their process, or plan it.

The same operation as `POST /api/v1/migrations` (`Engine.migrate`); `--json`
prints the API's answer. A batch shows its progress on stderr, one line per
percent, since each case is its own transaction and a batch of 10,000 takes a
while.
"""

from __future__ import annotations

import click

from engine import Caller
from engine.runtime.migration_case import CasePlan

from .root import echo_json, engine_errors, main, make_engine


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"{value!r}: write OLD_ID=NEW_ID", param_hint="--map")
        mapping[old.strip()] = new.strip()
    return mapping


def _progress(done: int, total: int) -> None:
    if done == total or done % max(1, total // 100) == 0:
        click.echo(f"migrate: {done}/{total} cases", err=True)


def _case_lines(case: CasePlan) -> list[str]:
    state = ("migrated" if case.migrated else "can move" if case.can_move
             else "cannot move")
    lines = [f"{case.instance_id} ({case.status or '-'}): {state}"]
    lines += [f"  why: {reason}" for reason in case.reasons]
    lines += [f"  kept: task {k['task_id']} {k['from']} -> {k['to']}" for k in case.kept]
    lines += [f"  cancelled: task {c['task_id']} at {c['activity_id']}" for c in case.cancelled]
    lines += [f"  created: {c.get('task_id', 'task')} at {c['activity_id']}"
              for c in case.created]
    if case.incident:
        lines.append(f"  incident at {case.incident['activity_id']}: "
                     f"{case.incident['outcome']}")
    return lines


@main.command()
@click.argument("key")
@click.option("--from-version", type=int, required=True)
@click.option("--to-version", type=int, required=True)
@click.option("--map", "maps", multiple=True, metavar="OLD=NEW",
              help="the new version's element for an element of the old one (repeatable)")
@click.option("--instance", "instances", multiple=True, metavar="ID",
              help="only this case (repeatable; default: every running case of the version)")
@click.option("--dry-run", is_flag=True, help="say per case what would happen; write nothing")
@click.option("--json", "as_json", is_flag=True, help="print the API's JSON answer")
@click.option("--actor", default="cli")
@engine_errors
def migrate(key: str, from_version: int, to_version: int, maps: tuple[str, ...],
            instances: tuple[str, ...], dry_run: bool, as_json: bool, actor: str) -> None:
    """Migrate the cases of process KEY from one version to another (or plan it)."""
    report = make_engine().migrate(
        key, from_version, to_version, caller=Caller.operator(actor),
        activity_map=_pairs(maps), instance_ids=list(instances) or None, dry_run=dry_run,
        progress=_progress)
    if as_json:
        echo_json(report.as_dict())
        return
    for case in report.cases:
        for line in _case_lines(case):
            click.echo(line)
    counts = report.counts
    verb = "would move" if dry_run else "moved"
    moved = counts["can_move"] if dry_run else counts["migrated"]
    click.echo(f"{key} {from_version} -> {to_version}: {counts['cases']} case(s), {verb} "
               f"{moved}, cannot move {counts['cannot_move']}"
               + (" (dry run: nothing written)" if dry_run else ""))
