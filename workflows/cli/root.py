"""The `ciiflow` group and what every command shares: the engine, JSON arguments, errors.

Plain click, not Flask's CLI: most commands need the engine, not an app, and
`make run` must work on an empty machine. Every command reads
`CIIFLOW_DATABASE_URL` (default: an SQLite file under var/).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click

from engine import Engine
from engine.errors import EngineError, InvalidInput
from workflows import bodies
from workflows.cii import service_handlers
from workflows.cii.calendars import directory_calendars, directory_data
from workflows.runtime import install_webhooks


def make_engine() -> Engine:
    """The engine of the configured database, with the webhook outbox when it is installed,
    running the CII handlers and those of `CIIFLOW_HANDLER_MODULES`."""
    engine = Engine(handlers=service_handlers(), calendars=directory_calendars(),
                    directory=directory_data())
    install_webhooks(engine)
    return engine


def json_arg(text: str, what: str) -> dict[str, Any]:
    """A JSON object argument, within the limits the API sets on its bodies."""
    try:
        value = bodies.loads(text)
    except bodies.BodyRefused as exc:
        raise click.BadParameter(exc.detail, param_hint=what) from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object", param_hint=what)
    return value


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def engine_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """An engine error is the command's answer: `error: …` (each field at fault), exit 1."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InvalidInput as exc:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in sorted(exc.errors.items()))
            fail(f"{exc} ({details})")
        except EngineError as exc:
            fail(str(exc))

    return run


@click.group()
@click.version_option(package_name="ciiflow", prog_name="ciiflow",
                      message="%(prog)s %(version)s")
def main() -> None:
    """ciiflow: CII Valais case routing on BPMN."""
