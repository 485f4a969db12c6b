"""The `ciiflow` group and what every command shares: the engine, JSON arguments, errors.

Plain click, not Flask's CLI: most commands need the engine, not an app, and
`make run` must work on an empty machine. Every command reads
`CIIFLOW_DATABASE_URL` (default: an SQLite file under var/).
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from engine import Engine
from workflows.runtime import install_webhooks


def make_engine() -> Engine:
    """The engine of the configured database, with the webhook outbox when it is installed."""
    engine = Engine()
    install_webhooks(engine)
    return engine


def json_arg(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not JSON: {exc.msg}", param_hint=what) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint=what)
    return value


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """ciiflow: CII Valais case routing on BPMN."""
