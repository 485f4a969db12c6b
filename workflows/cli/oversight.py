"""What coordinators ask the command line: stuck cases."""

from __future__ import annotations

from datetime import timedelta

import click

from .root import fail, main, make_engine


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
        fail(str(exc))
    for r in rows:
        click.echo(f"{r.reason:<9} {r.since.isoformat()}  {r.instance_id}  "
                   f"{r.business_key or '-'}  {r.activity_id or '-'}  "
                   f"[{','.join(r.groups)}]")
