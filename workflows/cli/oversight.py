"""What coordinators and operators ask the console: stuck cases, incidents, messages, health.

Each command is the API endpoint of the same name as an operator at the
server: the same engine operation, printed as a table or a line instead of JSON.
"""

from __future__ import annotations

from datetime import timedelta

import click

from engine import Caller
from engine.service.oversight import StuckCase
from workflows.schemas.operations import REASONS

from .root import engine_errors, fail, json_arg, main, make_engine
from .table import Column, echo_table


def _duration(text: str, option: str = "--older-than") -> timedelta:
    """An ISO 8601 duration, read as the API reads it (P10D, PT36H)."""
    from marshmallow import ValidationError

    from workflows.schemas.common import IsoDuration

    try:
        return IsoDuration().deserialize(text)
    except ValidationError as exc:
        raise click.BadParameter(" ".join(exc.messages), param_hint=option) from None


_STUCK_COLUMNS = (Column("REASON", 20), Column("SINCE", 16), Column("WAITING", 8),
                  Column("INSTANCE", 36), Column("PROCESS", 16), Column("ACTIVITY", 36),
                  Column("GROUPS", 24), Column("WHY"))
_INCIDENT_COLUMNS = (Column("ID", 6, right=True), Column("STATUS", 8), Column("OPENED", 32),
                     Column("INSTANCE", 36), Column("ACTIVITY", 24), Column("MESSAGE"))


def _activity(row: StuckCase) -> str:
    if row.activity_id is None:
        return "-"
    shown = f"{row.activity_name} ({row.activity_id})" if row.activity_name else row.activity_id
    if row.child is not None:
        shown += f" > {row.child.activity_name or row.child.activity_id}"
    return shown


@main.command()
@click.option("--older-than", default="P10D", show_default=True,
              help="a wait (user task, message, external task) longer than this ISO 8601 "
                   "duration is stuck")
@click.option("--idle-after", default=None,
              help="a running case without a step this long (ISO 8601) is idle "
                   "[default: CIIFLOW_STUCK_IDLE_DAYS, 30 days]")
@click.option("--reason", default=None, type=click.Choice(REASONS))
@click.option("--activity", default=None,
              help="the BPMN id of the element waited at, or of the call activity leading there")
@click.option("--group", default=None)
@click.option("--institution", default=None, help="an institution principal's name")
@click.option("--process", default=None, help="a process key")
@click.option("--limit", default=100, show_default=True)
@click.option("--offset", default=0, show_default=True)
@engine_errors
def stuck(older_than: str, idle_after: str | None, reason: str | None, activity: str | None,
          group: str | None, institution: str | None, process: str | None, limit: int,
          offset: int) -> None:
    """Stuck cases, longest waiting first: where, since when and why."""
    page = make_engine().stuck(
        _duration(older_than), group=group, activity=activity, reason=reason,
        institution=institution, process=process,
        idle_after=_duration(idle_after, "--idle-after") if idle_after else None,
        limit=limit, offset=offset)
    echo_table(_STUCK_COLUMNS, (
        (r.reason, r.since.strftime("%Y-%m-%d %H:%M"), _days(r.waiting_seconds),
         r.instance_id, r.process_key, _activity(r), f"[{','.join(r.groups)}]", r.message)
        for r in page.items), empty="no stuck case",
        next_offset=offset + limit if page.has_more else None)


def _days(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    return f"{days}d{rest // 3600:02d}h"


@main.command()
@click.option("--status", default="open", show_default=True,
              type=click.Choice(("open", "resolved", "all")))
@click.option("--instance", "instance_id", default=None, help="the incidents of one case")
@click.option("--activity", default=None)
@click.option("--limit", default=100, show_default=True)
@click.option("--offset", default=0, show_default=True)
@engine_errors
def incidents(status: str, instance_id: str | None, activity: str | None, limit: int,
              offset: int) -> None:
    """Incidents, oldest first: the step that failed, on which case, and why."""
    page = make_engine().incidents(status=None if status == "all" else status,
                                   instance_id=instance_id, activity=activity,
                                   limit=limit, offset=offset)
    echo_table(_INCIDENT_COLUMNS, (
        (str(i.id), i.status, i.opened_at.isoformat(), i.instance_id, i.activity_id or "-",
         i.message.splitlines()[0] if i.message else "") for i in page.items),
        empty=f"no {'' if status == 'all' else status + ' '}incident",
        next_offset=offset + limit if page.has_more else None)


@main.command()
@click.argument("incident_id", type=int)
@click.option("--data", default="{}", help="corrected variables as a JSON object")
@click.option("--actor", required=True, help="who repairs the case (kept in its history)")
@click.option("--reason", default=None, help="why (kept in its history)")
@engine_errors
def retry(incident_id: int, data: str, actor: str, reason: str | None) -> None:
    """Run the failed step of an incident again, with corrected data merged in."""
    outcome = make_engine().retry_incident(incident_id, data=json_arg(data, "--data"),
                                           actor=actor, reason=reason)
    if outcome.incident is not None:
        fail(f"incident {incident_id} failed again: {outcome.incident.message}")
    click.echo(f"incident {incident_id} resolved; {outcome.instance.id} "
               f"{outcome.instance.status}")


@main.command()
@click.argument("name")
@click.option("--business-key", default=None)
@click.option("--instance", "instance_id", default=None)
@click.option("--payload", default="{}", help="message variables as a JSON object")
@click.option("--actor", required=True, help="who delivers the message (kept in the history)")
@engine_errors
def correlate(name: str, business_key: str | None, instance_id: str | None, payload: str,
              actor: str) -> None:
    """Deliver message NAME to the case waiting for it, by business key or instance id."""
    if bool(business_key) == bool(instance_id):
        raise click.UsageError("give one of --business-key and --instance")
    outcome = make_engine().correlate(name, business_key=business_key,
                                      instance_id=instance_id,
                                      payload=json_arg(payload, "--payload"),
                                      caller=Caller.operator(actor))
    incident = f" (incident {outcome.incident.id})" if outcome.incident else ""
    click.echo(f"{outcome.instance.id} {outcome.instance.status}{incident}")


@main.command()
def health() -> None:
    """Whether the database answers and is at the newest migration, and whether the stored
    webhook secrets open with this key (with the lagging deliveries); exit 1 if not."""
    from webhooks.health import delivery_health
    from workflows.migrate import schema_heads

    engine = make_engine()
    report = engine.health(schema_heads())
    deliveries = delivery_health(engine) if report.ok else None
    ok = report.ok and deliveries is not None and deliveries.ok
    click.echo(f"status: {'ok' if ok else 'unavailable'}\ndatabase: {report.database}\n"
               f"migrations: {report.migrations} (at {', '.join(report.current) or '-'}; "
               f"expected {', '.join(report.expected)})")
    if deliveries is not None:
        click.echo(f"webhook secrets: {deliveries.secrets} (key: {deliveries.key_source})\n"
                   f"webhook deliveries: {deliveries.retrying} retrying, {deliveries.overdue} "
                   f"overdue, {deliveries.failed_24h} given up in 24 h")
        if deliveries.problem:
            click.echo(f"problem: {deliveries.problem}")
    if not ok:
        raise SystemExit(1)
