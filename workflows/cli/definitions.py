"""Definitions: the database schema, lint, deploy, read the deployed versions, decisions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.camunda.bindings import FILENAMES as BINDINGS_FILES
from engine.camunda.translations import DEFAULT_LANGUAGE, LANGUAGES
from engine.errors import DefinitionRefused

from .root import echo_json, engine_errors, fail, json_arg, main, make_engine

SUFFIXES = (".bpmn", ".dmn")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest migration."""
    from workflows.migrate import upgrade

    database = make_engine().db
    upgrade(database)
    click.echo(f"database at head: {database.url.render_as_string(hide_password=True)}")


def collect(paths: list[str]) -> dict[str, bytes]:
    """Read files and folders (a folder means every *.bpmn/*.dmn directly in it, and
    its bindings.yaml: the Camunda 7 delegate bindings, `engine.camunda.bindings`).

    Files are named by their base name, as a deployed bundle names them, so a
    finding reads the same in the terminal and at deploy.
    """
    files: dict[str, bytes] = {}
    for raw in paths:
        path = Path(raw)
        members = (
            sorted(p for p in path.iterdir() if p.is_file() and (
                p.suffix.lower() in SUFFIXES or p.name.lower() in BINDINGS_FILES))
            if path.is_dir()
            else [path]
        )
        for member in members:
            name = member.name if member.name not in files else str(member)
            files[name] = member.read_bytes()
    return files


def read_bundle(paths: tuple[str, ...]) -> dict[str, bytes]:
    """The .bpmn/.dmn files of `paths` (a folder gives the files directly in it), by name."""
    try:
        files = collect(list(paths))
    except OSError as exc:
        fail(f"{exc.filename or '?'}: cannot read: {exc.strerror}")
    if not files:
        fail("no .bpmn or .dmn file given")
    return files


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--actor", default="cli")
@click.option("--dry-run", is_flag=True,
              help="lint and say what would get a new version; store nothing")
@engine_errors
def deploy(paths: tuple[str, ...], actor: str, dry_run: bool) -> None:
    """Deploy files or folders of .bpmn/.dmn as one bundle."""
    files = read_bundle(paths)
    try:
        result = make_engine().deploy(files, actor=actor, dry_run=dry_run)
    except DefinitionRefused as refused:
        for finding in refused.findings:
            click.echo(str(finding), err=True)
        fail("the bundle was refused")
    for finding in result.findings:
        click.echo(str(finding))
    new = "would be deployed" if dry_run else "deployed"
    for d in result.definitions:
        state = new if d.created else "unchanged"
        click.echo(f"{d.key} version {d.version} {state}")
    for decision in result.decisions:
        state = new if decision.created else "unchanged"
        click.echo(f"decision {decision.key} version {decision.version} {state}")
    if dry_run:
        click.echo("dry run: nothing stored")


@main.command()
@click.argument("paths", nargs=-1, required=True)
def lint(paths: tuple[str, ...]) -> None:
    """Check files or folders of .bpmn/.dmn as deploy would; exit 1 on an error."""
    files = read_bundle(paths)
    findings = make_engine().lint(files)
    for finding in findings:
        click.echo(str(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    click.echo(f"{len(files)} file(s): {errors} error(s), {len(findings) - errors} warning(s)")
    sys.exit(1 if errors else 0)


@main.command()
@click.argument("key", required=False)
@engine_errors
def definitions(key: str | None) -> None:
    """The latest version of every process, or every version of process KEY."""
    engine = make_engine()
    rows = engine.definition_versions(key) if key else engine.definitions()
    if not rows:
        click.echo("no definition deployed")
        return
    click.echo(f"{'KEY':<32} {'VERSION':>7}  {'DEPLOYED AT':<25}  DEPLOYED BY")
    for d in rows:
        click.echo(f"{d.key:<32} {d.version:>7}  {d.deployed_at.isoformat():<25}  "
                   f"{d.deployed_by or '-'}")


@main.command()
@click.argument("key", required=False)
def decisions(key: str | None) -> None:
    """Every deployed version of every decision, or of decision KEY."""
    rows = make_engine().decision_versions(key)
    if not rows:
        fail(f"no decision {key}" if key else "no decision deployed")
    click.echo(f"{'KEY':<32} {'VERSION':>7}  {'TAG':<12} {'RESOURCE':<28} DEPLOYED AT")
    for d in rows:
        click.echo(f"{d.key:<32} {d.version:>7}  {d.version_tag or '-':<12} {d.resource:<28} "
                   f"{d.deployed_at.isoformat()}")


@main.command()
@click.argument("key")
@click.option("--version", type=int, default=None, help="default: the latest")
@click.option("--resource", default=None, help="print this file of the version, as deployed")
@click.option("--language", type=click.Choice(LANGUAGES), default=DEFAULT_LANGUAGE,
              show_default=True, help="the language of the start form's labels")
@engine_errors
def definition(key: str, version: int | None, resource: str | None, language: str) -> None:
    """One version of process KEY as JSON (its files and start form), or one of its files."""
    from engine.camunda.form_input import describe

    found = make_engine().definition_version(key, version, language=language)
    row = found.definition
    if resource is not None:
        if resource not in row.resources:
            fail(f"{key} version {row.version} has no file {resource} "
                 f"(it has {', '.join(sorted(row.resources))})")
        click.echo(row.resources[resource], nl=False)
        return
    echo_json({"key": row.key, "version": row.version, "name": row.name,
               "deployed_at": row.deployed_at, "deployed_by": row.deployed_by,
               "bpmn_resource": row.bpmn_resource, "resource_names": sorted(row.resources),
               "start_form": describe(found.start_form, {})})


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
