"""API principals: tokens for people and systems (create, list, revoke, rotate), demo
principals for `make run`.

The same operations as `/api/v1/tokens`. A command that issues a token prints
the token alone (so a script can capture it): it is shown this once and stored
hashed; `token list` shows its id, dates and status.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import click

from engine.service.principals import ROLES, TOKEN_STATUSES, Issued, TokenView

from .root import engine_errors, main, make_engine

_SHORT_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _duration(text: str | None) -> timedelta | None:
    """`90d`, `12h`, `30m`, `45s`, or an ISO 8601 duration (`P90D`)."""
    if text is None:
        return None
    short = _SHORT_DURATION.match(text.strip().lower())
    if short:
        return timedelta(**{_UNITS[short[2]]: int(short[1])})
    from marshmallow import ValidationError

    from workflows.schemas.common import IsoDuration

    try:
        return IsoDuration().deserialize(text)
    except ValidationError:
        raise click.BadParameter("a duration such as 90d, 12h or P90D",
                                 param_hint="--expires-in") from None


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    from marshmallow import ValidationError

    from workflows.schemas.common import UtcDateTime

    try:
        return UtcDateTime().deserialize(text)
    except ValidationError:
        raise click.BadParameter("an ISO 8601 date-time (UTC when no offset)",
                                 param_hint="--expires-at") from None


def _expiry_options(command: click.Command) -> click.Command:
    command = click.option("--expires-at", default=None,
                           help="when the token stops working (ISO 8601)")(command)
    return click.option("--expires-in", default=None,
                        help="how long the token works: 90d, 12h, P90D")(command)


def _print_issued(issued: Issued) -> None:
    """The token alone, so `$(ciiflow token create …)` captures it; `token list` shows the rest."""
    click.echo(issued.token)


@main.group()
def token() -> None:
    """API tokens: create, list, revoke, rotate."""


@token.command("create")
@click.option("--name", required=True, help="the principal")
@click.option("--role", default=None, type=click.Choice(ROLES),
              help="creates the principal; without it, one more token for an existing one")
@click.option("--group", "groups", multiple=True)
@click.option("--topic", "topics", multiple=True)
@_expiry_options
@engine_errors
def token_create(name: str, role: str | None, groups: tuple[str, ...], topics: tuple[str, ...],
                 expires_in: str | None, expires_at: str | None) -> None:
    """Create a principal (with --role) or one more token of it, and print the token
    (shown once, stored hashed)."""
    expiry = {"expires_in": _duration(expires_in), "expires_at": _moment(expires_at)}
    if role is None:
        if groups or topics:
            raise click.UsageError("--group and --topic need --role (a new principal)")
        _print_issued(make_engine().issue_token(name, **expiry))
        return
    issued = make_engine().create_principal(name, role, groups=groups, topics=topics, **expiry)
    _print_issued(issued)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


@token.command("list")
@click.option("--principal", default=None, help="only this principal's tokens")
@click.option("--status", default=None, type=click.Choice(TOKEN_STATUSES))
@engine_errors
def token_list(principal: str | None, status: str | None) -> None:
    """Tokens, oldest first: id, principal, role, status and dates (never the token)."""
    views: list[TokenView] = make_engine().list_tokens(principal=principal, status=status)
    if not views:
        click.echo("no tokens")
        return
    rows = [("ID", "PRINCIPAL", "ROLE", "STATUS", "CREATED", "EXPIRES", "LAST USED")]
    rows += [(str(v.id), v.principal, v.role, v.status, _when(v.created_at),
              _when(v.expires_at), _when(v.last_used_at)) for v in views]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                   .rstrip())


@token.command("revoke")
@click.argument("token_id", type=int)
@engine_errors
def token_revoke(token_id: int) -> None:
    """Refuse a token from its next request on."""
    view = make_engine().revoke_token(token_id)
    click.echo(f"token {view.id} of {view.principal} revoked")


@token.command("rotate")
@click.argument("token_id", type=int)
@_expiry_options
@engine_errors
def token_rotate(token_id: int, expires_in: str | None, expires_at: str | None) -> None:
    """A new token for the same principal (printed once); the old one is revoked now.

    Without --expires-in/--expires-at the new token lives as long as the old one was
    meant to."""
    issued = make_engine().rotate_token(token_id, expires_in=_duration(expires_in),
                                        expires_at=_moment(expires_at))
    _print_issued(issued)


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
    topics: list[str] = []
    for path in sorted(folder.glob("*.bpmn")):
        topics += re.findall(r'camunda:topic="([^"$]+)"', path.read_text(encoding="utf-8"))
    return list(dict.fromkeys(topics))


@main.command("demo-principals")
@click.option("--directory", default="bpmn/directory.yaml", show_default=True)
@engine_errors
def demo_principals(directory: str) -> None:
    """On an empty principal table: one principal per role and one institution per group."""
    path = Path(directory)
    issued = make_engine().demo_principals(directory_groups(path) or ["demo-group"],
                                           worker_topics=bpmn_topics(path.parent))
    if not issued:
        click.echo("principals exist: nothing done")
    for principal in issued:
        click.echo(f"{principal.role:<14} {principal.name:<32} {principal.token}")
