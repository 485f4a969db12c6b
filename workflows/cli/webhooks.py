"""`ciiflow webhooks`: what `/api/v1/webhooks` offers, from the server's console.

An operator at the console acts as an admin (`Caller.operator`): every endpoint
is visible, and `add` names the principal that will own the new endpoint. Each
command calls the same operation of `webhooks.manage` or `webhooks.deliveries`
as the matching API view. Single objects print as the API's JSON; lists print
one line per item, like `ciiflow tasks`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import click

from engine.errors import EngineError
from engine.service.caller import Caller
from webhooks import deliveries as delivery_ops
from webhooks import manage
from webhooks.models import DELIVERY_STATUSES, ENDPOINT_STATUSES
from webhooks.payloads import EVENT_TYPES
from webhooks.views import AttemptView, DeliveryView, EndpointView, WithSecret

from .root import echo_json, fail, main, make_engine

OPERATOR = Caller.operator("cli")


def _endpoint(view: EndpointView) -> dict[str, Any]:
    found = asdict(view)
    found["event_types"] = list(view.event_types)
    return found


def _with_secret(found: WithSecret) -> dict[str, Any]:
    return {**_endpoint(found.endpoint), "secret": found.secret}


def _line(view: EndpointView) -> str:
    return (f"{view.id}  {view.principal or view.principal_id}  {view.status:<8}  {view.url}  "
            f"[{','.join(view.event_types)}]")


def _delivery_line(view: DeliveryView) -> str:
    code = view.last_status_code if view.last_status_code is not None else "-"
    upcoming = (f"  next {view.next_attempt_at.isoformat()}"
                if view.status == "retrying" and view.next_attempt_at is not None else "")
    return (f"{view.id}  {view.status:<9}  {view.event_type:<18}  {view.endpoint_id}  "
            f"attempts {view.attempts}  last {code}  {view.created_at.isoformat()}{upcoming}"
            + (f"  {view.last_error}" if view.last_error else ""))


def _attempt_line(attempt: AttemptView) -> str:
    answer = attempt.status_code if attempt.status_code is not None else attempt.error or "-"
    return (f"    #{attempt.number}  {attempt.started_at.isoformat()}  "
            f"{attempt.duration_ms} ms  {answer}")


def _since(text: str) -> datetime:
    from marshmallow import ValidationError

    from workflows.schemas.common import UtcDateTime

    try:
        return UtcDateTime().deserialize(text)
    except ValidationError as exc:
        raise click.BadParameter(str(exc.messages), param_hint="--since") from None


@main.group("webhooks")
def webhooks_group() -> None:
    """Signed webhooks: endpoints and deliveries (as /api/v1/webhooks)."""


@webhooks_group.command("endpoints")
@click.option("--principal", default=None, help="only the endpoints of this principal")
@click.option("--deleted", is_flag=True, help="also the deleted endpoints")
def endpoints_cmd(principal: str | None, deleted: bool) -> None:
    """List endpoints, oldest first: id, owner, status, URL, event types."""
    try:
        views = manage.list_endpoints(make_engine(), OPERATOR, principal=principal,
                                      deleted=deleted)
    except EngineError as exc:
        fail(str(exc))
    for view in views:
        click.echo(_line(view))


@webhooks_group.command("show")
@click.argument("endpoint_id")
def show_cmd(endpoint_id: str) -> None:
    """One endpoint, as JSON (never its secret)."""
    try:
        echo_json(_endpoint(manage.get_endpoint(make_engine(), OPERATOR, endpoint_id)))
    except EngineError as exc:
        fail(str(exc))


@webhooks_group.command("add")
@click.option("--principal", required=True, help="the principal that owns the endpoint")
@click.option("--url", required=True)
@click.option("--event", "events", multiple=True, required=True,
              type=click.Choice(EVENT_TYPES), help="an event type to receive (repeat)")
@click.option("--description", default=None)
def add_cmd(principal: str, url: str, events: tuple[str, ...], description: str | None) -> None:
    """Register a URL (SSRF-checked); prints the endpoint with its secret, shown this once."""
    try:
        found = manage.register_endpoint(make_engine(), OPERATOR, url=url, event_types=events,
                                         description=description, principal=principal)
    except EngineError as exc:
        fail(str(exc))
    echo_json(_with_secret(found))


@webhooks_group.command("update")
@click.argument("endpoint_id")
@click.option("--url", default=None)
@click.option("--event", "events", multiple=True, type=click.Choice(EVENT_TYPES),
              help="replaces the event types (repeat)")
@click.option("--description", default=None)
@click.option("--status", default=None, type=click.Choice(ENDPOINT_STATUSES),
              help="active re-enables an endpoint the dispatcher disabled")
def update_cmd(endpoint_id: str, url: str | None, events: tuple[str, ...],
               description: str | None, status: str | None) -> None:
    """Change the URL (checked again), the event types, the description or the status."""
    try:
        view = manage.change_endpoint(make_engine(), OPERATOR, endpoint_id, url=url,
                                      event_types=events or None, description=description,
                                      status=status)
    except EngineError as exc:
        fail(str(exc))
    echo_json(_endpoint(view))


@webhooks_group.command("remove")
@click.argument("endpoint_id")
def remove_cmd(endpoint_id: str) -> None:
    """Delete an endpoint: nothing more is sent to it, its deliveries stay listable."""
    try:
        manage.remove_endpoint(make_engine(), OPERATOR, endpoint_id)
    except EngineError as exc:
        fail(str(exc))
    click.echo(f"{endpoint_id} removed (its deliveries: webhooks deliveries --endpoint "
               f"{endpoint_id})")


@webhooks_group.command("rotate-secret")
@click.argument("endpoint_id")
def rotate_secret_cmd(endpoint_id: str) -> None:
    """A new secret (printed this once); the old one keeps signing for the overlap."""
    try:
        found = manage.rotate_endpoint_secret(make_engine(), OPERATOR, endpoint_id)
    except EngineError as exc:
        fail(str(exc))
    echo_json(_with_secret(found))


@webhooks_group.command("test")
@click.argument("endpoint_id")
def test_cmd(endpoint_id: str) -> None:
    """Queue a `ping` to the endpoint (the worker sends it); prints the message id."""
    try:
        click.echo(manage.ping_endpoint(make_engine(), OPERATOR, endpoint_id))
    except EngineError as exc:
        fail(str(exc))


@webhooks_group.command("recover")
@click.argument("endpoint_id")
@click.option("--since", required=True, help="ISO 8601 date-time (UTC when no offset)")
def recover_cmd(endpoint_id: str, since: str) -> None:
    """Send again every failed delivery of the endpoint created since --since."""
    moment = _since(since)
    try:
        count = manage.recover_endpoint(make_engine(), OPERATOR, endpoint_id, since=moment)
    except EngineError as exc:
        fail(str(exc))
    click.echo(f"redelivered {count}")


@webhooks_group.command("deliveries")
@click.option("--endpoint", default=None, help="only this endpoint's deliveries")
@click.option("--status", default=None, type=click.Choice(DELIVERY_STATUSES))
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0, show_default=True)
@click.option("--attempts", "show_attempts", is_flag=True,
              help="also every attempt: when, how long, what the receiver answered")
def deliveries_cmd(endpoint: str | None, status: str | None, limit: int, offset: int,
                   show_attempts: bool) -> None:
    """Deliveries, newest first, one line each: status, attempts, the last answer, the next
    attempt of a retrying one and its last error."""
    try:
        page = delivery_ops.list_deliveries(make_engine(), OPERATOR, status=status,
                                            endpoint=endpoint, limit=limit, offset=offset)
    except EngineError as exc:
        fail(str(exc))
    for view in page.items:
        click.echo(_delivery_line(view))
        for attempt in view.attempt_log if show_attempts else ():
            click.echo(_attempt_line(attempt))
    if page.has_more:
        click.echo(f"more: --offset {page.offset + page.limit}")


@webhooks_group.command("redeliver")
@click.argument("delivery_id", type=int)
def redeliver_cmd(delivery_id: int) -> None:
    """Send a delivery again: same message and webhook-id, a fresh attempt budget."""
    try:
        view = delivery_ops.redeliver(make_engine(), OPERATOR, delivery_id)
    except EngineError as exc:
        fail(str(exc))
    click.echo(f"{view.id} {view.status}")
