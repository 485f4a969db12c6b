"""Definitions: the database schema, deploy, lint and one-off decisions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.errors import DefinitionRefused

from .root import echo_json, fail, json_arg, main, make_engine


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest migration."""
    from engine.store.db import make_engine as make_db

    from .migrate import upgrade

    database = make_db()
    upgrade(database)
    click.echo(f"database at head: {database.url.render_as_string(hide_password=True)}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--actor", default="cli")
def deploy(paths: tuple[str, ...], actor: str) -> None:
    """Deploy files or folders of .bpmn/.dmn as one bundle."""
    from engine.lint.cli import collect

    try:
        files = collect(list(paths))
    except OSError as exc:
        fail(f"{exc.filename}: {exc.strerror}")
    if not files:
        fail("no .bpmn or .dmn file given")
    try:
        result = make_engine().deploy(files, actor=actor)
    except DefinitionRefused as refused:
        for finding in refused.findings:
            click.echo(str(finding), err=True)
        fail("the bundle was refused")
    for finding in result.findings:
        click.echo(str(finding))
    for d in result.definitions:
        state = "deployed" if d.created else "unchanged"
        click.echo(f"{d.key} version {d.version} {state}")


@main.command()
@click.argument("files", nargs=-1, required=True)
def lint(files: tuple[str, ...]) -> None:
    """Check BPMN/DMN files as deploy would; exit 1 on an error."""
    from engine.lint.cli import lint_cli

    sys.exit(lint_cli(list(files)))


@main.command()
@click.argument("dmn_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("decision_id")
@click.option("--data", default="{}", help="input variables as a JSON object")
def decide(dmn_file: str, decision_id: str, data: str) -> None:
    """Evaluate one decision of a DMN file and print the result rows as JSON."""
    from engine.dmn import DmnError, evaluate_decision, parse_dmn

    context = json_arg(data, "--data")
    try:
        decisions = parse_dmn(Path(dmn_file).read_bytes(), Path(dmn_file).name)
        result = evaluate_decision(decisions, decision_id, context)
    except DmnError as exc:
        fail(str(exc))
    echo_json(list(result))
