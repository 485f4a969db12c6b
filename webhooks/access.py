"""Who may touch which webhook endpoint, decided once for the API and the CLI alike.

An institution or a coordinator manages the endpoints it registered; an admin
(and the console operator, `Caller.operator`) manages all of them. Someone
else's endpoint is answered exactly like a missing one (`NotFound`), so its
existence is not revealed. The rule lives here, not in a blueprint, so the
command line cannot drift from the API.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock
from engine.errors import InvalidInput, NotFound
from engine.service.caller import Caller
from engine.store.principals import Principal

from .models import WebhookEndpoint

ADMIN = "admin"


class Host(Protocol):
    """What an operation needs of the engine: its transactions and its clock."""

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def readers(self) -> sessionmaker[Session]: ...

    @property
    def clock(self) -> Clock: ...


def sees_all(caller: Caller) -> bool:
    """Admins see every endpoint; coordinators only their own (they are not overseers here)."""
    return caller.role == ADMIN


def owns(caller: Caller, endpoint: WebhookEndpoint) -> bool:
    return sees_all(caller) or (caller.principal_id is not None
                                and endpoint.principal_id == caller.principal_id)


def owned_endpoint(session: Session, caller: Caller, endpoint_id: str, *,
                   deleted: bool = False) -> WebhookEndpoint:
    """The endpoint if the caller may manage it; `NotFound` otherwise, as if it did not exist.

    A deleted endpoint is found only when `deleted` is set (to be read): it can no
    longer be changed, rotated, pinged or removed again.
    """
    row = session.get(WebhookEndpoint, endpoint_id)
    if row is None or not owns(caller, row) or (row.deleted_at is not None and not deleted):
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return row


def principal_named(session: Session, name: str) -> int:
    """The id of the principal called `name` (the CLI names owners, the API never does)."""
    found = session.scalar(select(Principal.id).where(Principal.name == name))
    if found is None:
        raise NotFound(f"no principal {name}")
    return found


def owner_for(session: Session, caller: Caller, principal: str | None) -> int:
    """Whose endpoint a registration makes: the caller's own, or the named one (admins only)."""
    if principal is not None:
        owner = principal_named(session, principal)
        if not sees_all(caller) and owner != caller.principal_id:
            raise InvalidInput("only an admin registers endpoints for another principal",
                               field="principal")
        return owner
    if caller.principal_id is None:
        raise InvalidInput("name the principal that owns the endpoint", field="principal")
    return caller.principal_id
