"""`ciiflow`: the command line of the service (database, deploy, lint, cases, tokens, serve).

Plain click, not Flask's CLI: most commands need the engine, not an app, and
`make run` must work on an empty machine. Every command reads
`CIIFLOW_DATABASE_URL` (default: an SQLite file under var/).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from engine import Engine
from engine.errors import DefinitionRefused, EngineError
from engine.store.principals import ROLES, Principal, create_principal
from workflows.runtime import install_webhooks


def make_engine() -> Engine:
    """The engine of the configured database, with the webhook outbox when it is installed."""
    engine = Engine()
    install_webhooks(engine)
    return engine


def _json_arg(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc.msg}", param_hint=what) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint=what)
    return value


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """ciiflow: CII Valais case routing on BPMN."""


# -- database and definitions ---------------------------------------------------


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
        _fail(f"{exc.filename}: {exc.strerror}")
    if not files:
        _fail("no .bpmn or .dmn file given")
    try:
        result = make_engine().deploy(files, actor=actor)
    except DefinitionRefused as refused:
        for finding in refused.findings:
            click.echo(str(finding), err=True)
        _fail("the bundle was refused")
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

    context = _json_arg(data, "--data")
    try:
        decisions = parse_dmn(Path(dmn_file).read_bytes(), Path(dmn_file).name)
        result = evaluate_decision(decisions, decision_id, context)
    except DmnError as exc:
        _fail(str(exc))
    _echo_json(list(result))


# -- cases ----------------------------------------------------------------------


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
    variables = _json_arg(data, "--data")
    try:
        form = start_form(engine.definition(key))
        if form:
            variables = validate_form(form, variables)
        outcome = engine.start(key, business_key, variables, actor=actor)
    except ValidationError as exc:
        _fail(f"the start form does not validate: {exc.normalized_messages()}")
    except EngineError as exc:
        _fail(str(exc))
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
    submitted = _json_arg(data, "--data")
    try:
        row = engine.task(task_id)
        form = form_fields(engine.task_spec(row))
        current = engine.task_data(task_id) if needs_current_values(form, submitted) else {}
        cleaned = validate_form(form, submitted, current)
        outcome = engine.complete_task(task_id, cleaned, actor=actor)
    except ValidationError as exc:
        _fail(f"the form does not validate: {exc.normalized_messages()}")
    except EngineError as exc:
        _fail(str(exc))
    click.echo(f"{outcome.instance.id} {outcome.instance.status}")


@main.command()
@click.option("--older-than", default="P10D", show_default=True)
@click.option("--group", default=None)
@click.option("--activity", default=None)
@click.option("--reason", default=None)
@click.option("--limit", default=100, show_default=True)
def stuck(older_than: str, group: str | None, activity: str | None, reason: str | None,
          limit: int) -> None:
    """Stuck cases: waiting too long, overdue, in incident, or no one holds the group."""
    from marshmallow import ValidationError

    from engine.store.stuck import stuck_cases
    from workflows.schemas.common import IsoDuration

    try:
        duration: timedelta = IsoDuration().deserialize(older_than)
    except ValidationError as exc:
        raise click.BadParameter(str(exc.messages), param_hint="--older-than") from None
    engine = make_engine()
    try:
        with engine.readers() as session:
            rows = stuck_cases(session, engine.clock.now(), duration, group=group,
                               activity=activity, reason=reason, limit=limit)
    except ValueError as exc:
        _fail(str(exc))
    for r in rows:
        click.echo(f"{r.reason:<9} {r.since.isoformat()}  {r.instance_id}  "
                   f"{r.business_key or '-'}  {r.activity_id or '-'}  "
                   f"[{','.join(r.groups)}]")


# -- principals -----------------------------------------------------------------


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--group", "groups", multiple=True)
@click.option("--topic", "topics", multiple=True)
def token_create(name: str, role: str, groups: tuple[str, ...], topics: tuple[str, ...]) -> None:
    """Create a principal and print its token (shown once, stored hashed)."""
    engine = make_engine()
    with engine.sessions.begin() as session:
        if session.query(Principal.id).filter(Principal.name == name).first():
            _fail(f"a principal named {name} exists")
        _, clear = create_principal(session, name=name, role=role, groups=list(groups),
                                    now=engine.clock.now(), topics=list(topics))
    click.echo(clear)


def directory_groups(path: Path) -> list[str]:
    """Every group of `bpmn/directory.yaml`: institutions' groups and one per commune."""
    import yaml

    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups: list[str] = []
    for institution in data.get("institutions", []) or []:
        groups += [g["id"] for g in institution.get("groups", []) or [] if g.get("id")]
    for commune in data.get("communes", []) or []:
        group = commune.get("group") or (f"commune-{commune['id']}" if commune.get("id")
                                         else None)
        if group:
            groups.append(group)
    return list(dict.fromkeys(groups))


def bpmn_topics(folder: Path) -> list[str]:
    """The external-task topics drawn in the BPMN files of a folder (for the demo worker)."""
    import re

    topics: list[str] = []
    for path in sorted(folder.glob("*.bpmn")):
        topics += re.findall(r'camunda:topic="([^"$]+)"', path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(topics))


@main.command("demo-principals")
@click.option("--directory", default="bpmn/directory.yaml", show_default=True)
def demo_principals(directory: str) -> None:
    """On an empty principal table: one principal per role and one institution per group."""
    engine = make_engine()
    with engine.sessions.begin() as session:
        if session.query(Principal.id).first() is not None:
            click.echo("principals exist: nothing done")
            return
        now = engine.clock.now()
        created: list[tuple[str, str, str]] = []
        for role in ROLES:
            if role == "institution":
                continue
            topics = bpmn_topics(Path(directory).parent) if role == "worker" else []
            _, clear = create_principal(session, name=f"demo-{role}", role=role, groups=[],
                                        now=now, topics=topics)
            created.append((f"demo-{role}", role, clear))
        for group in directory_groups(Path(directory)) or ["demo-group"]:
            _, clear = create_principal(session, name=group, role="institution",
                                        groups=[group], now=now)
            created.append((group, "institution", clear))
    for name, role, clear in created:
        click.echo(f"{role:<14} {name:<32} {clear}")


# -- processes ------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the API with the development server (production: gunicorn, see README)."""
    from workflows.app import create_app

    create_app().run(host=host, port=port, threaded=True)


@main.command()
@click.option("--once", is_flag=True, help="one round, then exit")
@click.option("--interval", default=1.0, show_default=True, help="seconds between rounds")
def worker(once: bool, interval: float) -> None:
    """Fire due timers and dispatch webhooks, in a loop."""
    from webhooks import dispatcher as webhook_dispatcher

    engine = make_engine()
    if once:
        fired = engine.run_due_timers()
        sent = webhook_dispatcher.run_once(engine)
        click.echo(f"timers: {fired}, webhooks: {sent}")
        return
    # Deliveries poll every 50 ms in their own thread so a task.ready reaches its
    # institution within a fraction of a second; timers only need `interval`.
    stop = threading.Event()
    deliveries = webhook_dispatcher.dispatcher_for(engine)
    thread = threading.Thread(target=deliveries.run_forever, args=(stop,),
                              kwargs={"poll_interval": 0.05}, name="webhooks", daemon=True)
    thread.start()
    try:
        while True:
            if not engine.run_due_timers():
                time.sleep(interval)
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        pass
    finally:
        stop.set()
        thread.join(timeout=20)
        deliveries.close()


if __name__ == "__main__":  # pragma: no cover
    main()
