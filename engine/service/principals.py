"""Principals and their tokens: who a bearer token names; create, list, revoke, rotate.

`authenticate` runs on every API request, so it is one prebuilt query (the
token, its principal and its groups) in one round trip outside any transaction
(a Core connection: no ORM session to build for one row), and it writes a
token's `last_used_at` at most once a minute. A revoked or expired token is
refused at the next request: nothing is cached. A clear token exists only in
the answer that issues it; the table keeps its hash, and a list never shows
either. Only admins (and the console operator) reach these operations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NotFound
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.store.db import READ_ONLY
from engine.store.principals import (
    LAST_USED_GRAIN,
    ROLES,
    ApiToken,
    Principal,
    any_principal,
    create_principal,
    holder_of,
    issue_token,
    name_taken,
    principal_id_named,
    record_use,
    token_rows,
)

__all__ = ["ROLES", "TOKEN_STATUSES", "Issued", "PrincipalService", "TokenView"]

log = logging.getLogger(__name__)

TOKEN_STATUSES = ("active", "expired", "revoked", "disabled")
#: ids above this cannot exist (PostgreSQL INTEGER); asking for one is a plain 404
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Issued:
    """A token just issued (with its principal when it was created), clear this once."""

    name: str
    role: str
    token: str
    token_id: int | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class TokenView:
    """A token as lists show it: whose, its dates and status; never the token or its hash."""

    id: int
    principal: str
    role: str
    status: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken, principal: Principal, now: datetime) -> TokenView:
        if token.revoked_at is not None:
            status = "revoked"
        elif token.expires_at is not None and token.expires_at <= now:
            status = "expired"
        elif principal.disabled_at is not None:
            status = "disabled"
        else:
            status = "active"
        return cls(token.id, principal.name, principal.role, status, token.created_at,
                   token.expires_at, token.revoked_at, token.last_used_at)


class PrincipalService(ServiceBase):
    def authenticate(self, token: str) -> Caller | None:
        """The enabled principal holding `token` as a `Caller`; None for any other token,
        a revoked one or one past its expiry (by the engine's clock)."""
        if not token:
            return None
        now = self.clock.now()
        with self._token_reader().connect() as connection:
            holder = holder_of(connection, token, now)
        if holder is None:
            return None
        if holder.last_used_at is None or now - holder.last_used_at >= LAST_USED_GRAIN:
            self._record_use(holder.token_id, now)
        return Caller(name=holder.name, role=holder.role, groups=holder.groups,
                      topics=holder.topics, principal_id=holder.id)

    def _token_reader(self) -> SqlEngine:
        """Where `authenticate` reads: one statement, so on PostgreSQL it runs without a
        transaction (no BEGIN and ROLLBACK round trips around it); SQLite's readers take
        no lock either way."""
        reader = self.__dict__.get("_token_reader_db")
        if reader is None:
            options = ({"isolation_level": "AUTOCOMMIT"}
                       if self.db.dialect.name == "postgresql" else {READ_ONLY: True})
            reader = self.__dict__["_token_reader_db"] = self.db.execution_options(**options)
        return reader

    def _record_use(self, token_id: int, now: datetime) -> None:
        """Best effort: a busy database must not turn a valid token into a refusal."""
        try:
            with self.sessions.begin() as session:
                record_use(session, token_id, now)
        except SQLAlchemyError as error:
            log.warning("token %s: last use not recorded (%s)", token_id,
                        type(error).__name__)

    def _expiry(self, expires_at: datetime | None,
                expires_in: timedelta | None) -> datetime | None:
        """When a new token expires: at `expires_at`, or `expires_in` from now, or never."""
        if expires_in is not None:
            if expires_at is not None:
                raise InvalidInput("give expires_at or expires_in, not both",
                                   field="expires_in")
            if expires_in <= timedelta(0):
                raise InvalidInput("expires_in must be positive", field="expires_in")
            return self.clock.now() + expires_in
        if expires_at is not None and expires_at <= self.clock.now():
            raise InvalidInput("expires_at must be in the future", field="expires_at")
        return expires_at

    def create_principal(self, name: str, role: str, *, groups: Iterable[str] = (),
                         topics: Iterable[str] = (), expires_at: datetime | None = None,
                         expires_in: timedelta | None = None) -> Issued:
        """A new principal and its token (valid until `expires_at`, or for `expires_in`,
        when given); `Conflict` if the name is taken."""
        name = name.strip()
        if not name:
            raise InvalidInput("a principal needs a name", field="name")
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r}; one of {', '.join(ROLES)}",
                               field="role")
        expires_at = self._expiry(expires_at, expires_in)
        with self.sessions.begin() as session:
            if name_taken(session, name):
                raise Conflict(f"a principal named {name} exists")
            principal, token = create_principal(
                session, name=name, role=role, groups=list(groups), now=self.clock.now(),
                topics=list(topics), expires_at=expires_at)
            token_id = session.scalar(select(ApiToken.id)
                                      .where(ApiToken.principal_id == principal.id))
        return Issued(name, role, token, token_id, expires_at)

    def issue_token(self, principal: str, *, expires_at: datetime | None = None,
                    expires_in: timedelta | None = None) -> Issued:
        """One more token for an existing principal (its other tokens stay valid)."""
        expires_at = self._expiry(expires_at, expires_in)
        with self.sessions.begin() as session:
            found = _principal(session, principal)
            row, token = issue_token(session, principal_id=found.id, now=self.clock.now(),
                                     expires_at=expires_at)
            return Issued(found.name, found.role, token, row.id, expires_at)

    def list_tokens(self, *, principal: str | None = None,
                    status: str | None = None) -> list[TokenView]:
        """Every token, oldest first, with its status; of one principal, or in one status."""
        if status is not None and status not in TOKEN_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(TOKEN_STATUSES)}",
                               field="status")
        now = self.clock.now()
        with self.readers() as session:
            owner = _principal(session, principal).id if principal is not None else None
            views = [TokenView.of(t, p, now) for t, p in token_rows(session, principal_id=owner)]
        return [v for v in views if status is None or v.status == status]

    def revoke_token(self, token_id: int) -> TokenView:
        """Refuse the token from now on (the next request with it is a 401); idempotent."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            row = _token(session, token_id)
            if row.revoked_at is None:
                row.revoked_at = now
            return TokenView.of(row, session.get_one(Principal, row.principal_id), now)

    def rotate_token(self, token_id: int, *, expires_at: datetime | None = None,
                     expires_in: timedelta | None = None) -> Issued:
        """A new token for the same principal, the old one revoked at once.

        Without `expires_at`, the new token lives as long as the old one was meant
        to (an old token without expiry gives one without expiry), so a 90-day
        policy survives rotation. A revoked token cannot be rotated: issue one.
        """
        now = self.clock.now()
        expires_at = self._expiry(expires_at, expires_in)
        with self.sessions.begin() as session:
            old = _token(session, token_id)
            if old.revoked_at is not None:
                raise Conflict(f"token {token_id} is revoked: issue a new token instead")
            if expires_at is None and old.expires_at is not None:
                expires_at = now + (old.expires_at - old.created_at)
            old.revoked_at = now
            owner = session.get_one(Principal, old.principal_id)
            row, token = issue_token(session, principal_id=owner.id, now=now,
                                     expires_at=expires_at)
            return Issued(owner.name, owner.role, token, row.id, expires_at)

    def demo_principals(self, groups: Iterable[str], *,
                        worker_topics: Iterable[str] = ()) -> list[Issued]:
        """On an empty principal table, one principal per role (`demo-<role>`) and one
        institution per group; on any other table nothing (an empty list).

        For `make run` on a laptop: never meant for a database with real principals.
        """
        issued: list[Issued] = []
        with self.sessions.begin() as session:
            if any_principal(session):
                return []
            now = self.clock.now()
            for role in ROLES:
                if role == "institution":
                    continue
                topics = list(worker_topics) if role == "worker" else []
                _, token = create_principal(session, name=f"demo-{role}", role=role,
                                            groups=[], now=now, topics=topics)
                issued.append(Issued(f"demo-{role}", role, token))
            for group in dict.fromkeys(groups):
                _, token = create_principal(session, name=group, role="institution",
                                            groups=[group], now=now)
                issued.append(Issued(group, "institution", token))
        return issued


def _principal(session: Session, name: str) -> Principal:
    found = principal_id_named(session, name)
    if found is None:
        raise NotFound(f"no principal {name}")
    return session.get_one(Principal, found)


def _token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id) if 0 < token_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"no token {token_id}")
    return row
