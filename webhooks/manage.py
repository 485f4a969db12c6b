"""Endpoint operations for a caller: list, show, register, change, remove, rotate, ping, recover.

Removing is a soft delete (`deleted_at`): the endpoint is no longer listed,
changed or delivered to, and its deliveries stay in the delivery log.

Each function is one use case of `/api/v1/webhooks/endpoints` and of
`ciiflow webhooks`: it checks what the caller may touch (`access`), opens and
commits its own transaction on the engine, and answers plain values (`views`).
The row-level work stays in `endpoints`, which the dispatcher shares. An SSRF
refusal becomes `InvalidInput` naming `url`, so both front ends report it the
same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.service.caller import Caller
from engine.store.principals import Principal

from . import endpoints
from .access import Host, owned_endpoint, owner_for, principal_named, sees_all
from .config import WebhookSettings
from .models import WebhookEndpoint
from .ssrf import Resolver, UnsafeURL
from .views import EndpointView, WithSecret


@contextmanager
def _checked_url() -> Iterator[None]:
    """An `UnsafeURL` as the 422 answer callers already know: the message and `url` at fault."""
    try:
        yield
    except UnsafeURL as error:
        raise InvalidInput(f"the webhook URL is refused: {error}", field=error.field,
                           errors={error.field: [str(error)]}) from None


def _name(session: Session, principal_id: int) -> str | None:
    found = session.get(Principal, principal_id)
    return found.name if found is not None else None


def list_endpoints(host: Host, caller: Caller, *, principal: str | None = None,
                   deleted: bool = False) -> list[EndpointView]:
    """The endpoints the caller may manage, oldest first; `principal` narrows to one owner.

    Deleted endpoints are left out unless `deleted` is set: then they come too,
    so the id whose delivery log one wants to read can be found.
    """
    stmt = (select(WebhookEndpoint, Principal.name)
            .join(Principal, Principal.id == WebhookEndpoint.principal_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id))
    if not deleted:
        stmt = stmt.where(WebhookEndpoint.deleted_at.is_(None))
    if not sees_all(caller):
        stmt = stmt.where(WebhookEndpoint.principal_id == caller.principal_id)
    with host.readers() as session:
        if principal is not None:
            stmt = stmt.where(WebhookEndpoint.principal_id == principal_named(session, principal))
        return [EndpointView.of(row, name) for row, name in session.execute(stmt)]


def get_endpoint(host: Host, caller: Caller, endpoint_id: str) -> EndpointView:
    """One endpoint, a deleted one too (status `deleted`)."""
    with host.readers() as session:
        row = owned_endpoint(session, caller, endpoint_id, deleted=True)
        return EndpointView.of(row, _name(session, row.principal_id))


def register_endpoint(host: Host, caller: Caller, *, url: str, event_types: Iterable[str],
                      description: str | None = None, principal: str | None = None,
                      settings: WebhookSettings | None = None,
                      resolver: Resolver | None = None) -> WithSecret:
    """Register a URL (SSRF-checked) for the caller, or for `principal` when an admin names one.

    The clear secret is in this answer only: it is stored encrypted and never shown again.
    """
    with _checked_url(), host.sessions.begin() as session:
        owner = owner_for(session, caller, principal)
        row, secret = endpoints.create_endpoint(
            session, principal_id=owner, url=url, event_types=event_types,
            description=description, now=host.clock.now(),
            settings=settings or WebhookSettings.from_env(), resolver=resolver)
        return WithSecret(EndpointView.of(row, _name(session, owner)), secret)


def change_endpoint(host: Host, caller: Caller, endpoint_id: str, *, url: str | None = None,
                    event_types: Iterable[str] | None = None, description: str | None = None,
                    status: str | None = None, settings: WebhookSettings | None = None,
                    resolver: Resolver | None = None) -> EndpointView:
    """Change the URL (checked again), the event types, the description or the status.

    Setting `active` again is how a person re-enables an endpoint the dispatcher disabled.
    """
    with _checked_url(), host.sessions.begin() as session:
        row = owned_endpoint(session, caller, endpoint_id)
        endpoints.update_endpoint(session, row, now=host.clock.now(), url=url,
                                  event_types=event_types, description=description,
                                  status=status, settings=settings or WebhookSettings.from_env(),
                                  resolver=resolver)
        return EndpointView.of(row, _name(session, row.principal_id))


def remove_endpoint(host: Host, caller: Caller, endpoint_id: str) -> None:
    """Delete the endpoint: nothing is sent to it any more, its delivery log stays readable."""
    with host.sessions.begin() as session:
        endpoints.delete_endpoint(session, owned_endpoint(session, caller, endpoint_id),
                                  now=host.clock.now())


def rotate_endpoint_secret(host: Host, caller: Caller, endpoint_id: str, *,
                           settings: WebhookSettings | None = None) -> WithSecret:
    """A new secret; the old one keeps signing beside it for the overlap (24 h by default)."""
    with host.sessions.begin() as session:
        row = owned_endpoint(session, caller, endpoint_id)
        secret = endpoints.rotate_secret(session, row, now=host.clock.now(),
                                         settings=settings or WebhookSettings.from_env())
        return WithSecret(EndpointView.of(row, _name(session, row.principal_id)), secret)


def ping_endpoint(host: Host, caller: Caller, endpoint_id: str) -> str:
    """Queue a `ping` to this endpoint alone; answers the message id (its `webhook-id`)."""
    with host.sessions.begin() as session:
        row = owned_endpoint(session, caller, endpoint_id)
        return endpoints.send_test(session, row, now=host.clock.now()).id


def recover_endpoint(host: Host, caller: Caller, endpoint_id: str, *, since: datetime) -> int:
    """Send again every failed delivery of the endpoint created since `since`; answers how many."""
    with host.sessions.begin() as session:
        row = owned_endpoint(session, caller, endpoint_id)
        return endpoints.recover(session, row, since=since, now=host.clock.now())
