"""Who may act: principals with hashed tokens, roles and the groups they hold.

Principals live beside the tasks because routing is a join between the two:
"the tasks of my groups", "the tasks whose groups nobody holds" (a stuck
reason) and "the webhook endpoints that must hear of this task" are all SQL
over these tables. Tokens are 256-bit random secrets, so a plain SHA-256 is
enough to store them unreadably (no salt or slow hash is needed for secrets
that cannot be guessed); the clear token is shown once, at creation.

A principal may hold several tokens (`ApiToken`), each revoked, expired or
rotated on its own: revoking a leaked token must not disable the principal,
whose webhook endpoints keep receiving. A token is valid while it is not
revoked, not past `expires_at` and its principal is not disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    bindparam,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base, UTCDateTime
from .prepared import PreparedQuery

ROLES = ("institution", "coordinator", "process-owner", "admin", "worker")
TOKEN_PREFIX = "cii_"


class Principal(Base):
    __tablename__ = "principal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrincipalGroup(Base):
    __tablename__ = "principal_group"
    __table_args__ = (Index("ix_principal_group_group", "group_id"),)

    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(255), primary_key=True)


class ApiToken(Base):
    """One bearer token of a principal, stored as its SHA-256; never its clear value."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_principal", "principal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: None: valid until revoked
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last authentication, to the minute (`LAST_USED_GRAIN`)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


#: `last_used_at` is written at most this often per token: authentication runs on every
#: request, and a write per request would serialise them on the token's row
LAST_USED_GRAIN = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, principal_id: int, now: datetime,
                expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token for the principal: the row, and the clear token (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(principal_id=principal_id, token_hash=hash_token(token), created_at=now,
                   expires_at=expires_at)
    session.add(row)
    session.flush()
    return row, token


def create_principal(session: Session, *, name: str, role: str, groups: list[str],
                     now: datetime, topics: list[str] | None = None,
                     expires_at: datetime | None = None) -> tuple[Principal, str]:
    """Create a principal and return it with its first clear token (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    principal = Principal(name=name, role=role, topics=list(topics or []), created_at=now)
    session.add(principal)
    session.flush()
    session.add_all(PrincipalGroup(principal_id=principal.id, group_id=g)
                    for g in dict.fromkeys(groups))
    _, token = issue_token(session, principal_id=principal.id, now=now, expires_at=expires_at)
    return principal, token


@dataclass(frozen=True)
class Holder:
    """An enabled principal as a token names it: who, which role, which groups and topics."""

    id: int
    name: str
    role: str
    groups: tuple[str, ...]
    topics: tuple[str, ...]
    token_id: int = 0
    last_used_at: datetime | None = None


# One prebuilt query for the token, its principal and its groups: it runs on every request.
_BY_TOKEN = (
    select(Principal.id, Principal.name, Principal.role, Principal.topics,
           PrincipalGroup.group_id, ApiToken.id.label("token_id"), ApiToken.last_used_at)
    .join(Principal, Principal.id == ApiToken.principal_id)
    .outerjoin(PrincipalGroup, PrincipalGroup.principal_id == Principal.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
           or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")),
           Principal.disabled_at.is_(None))
)

#: the same, run on the driver (`engine.store.prepared`): authentication's one statement
_BY_TOKEN_ON_DRIVER = PreparedQuery(_BY_TOKEN)


def holder_of(session: Session | Connection, token: str, now: datetime) -> Holder | None:
    """The enabled principal holding `token`, valid at `now`, in one round trip; else None."""
    params = {"token_hash": hash_token(token), "now": now}
    rows = (_BY_TOKEN_ON_DRIVER.all(session, params) if isinstance(session, Connection)
            else session.execute(_BY_TOKEN, params).all())
    if not rows:
        return None
    first = rows[0]
    groups = tuple(sorted(r.group_id for r in rows if r.group_id is not None))
    return Holder(first.id, first.name, first.role, groups, tuple(first.topics or ()),
                  first.token_id, first.last_used_at)


def record_use(session: Session, token_id: int, now: datetime) -> None:
    """Set `last_used_at`, unless another request already did within `LAST_USED_GRAIN`."""
    session.execute(update(ApiToken)
                    .where(ApiToken.id == token_id,
                           or_(ApiToken.last_used_at.is_(None),
                               ApiToken.last_used_at <= now - LAST_USED_GRAIN))
                    .values(last_used_at=now).execution_options(synchronize_session=False))


def name_taken(session: Session, name: str) -> bool:
    return bool(session.scalar(select(exists().where(Principal.name == name))))


def any_principal(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Principal.id.is_not(None)))))


def principal_id_named(session: Session, name: str) -> int | None:
    return session.scalar(select(Principal.id).where(Principal.name == name))


def token_rows(session: Session, *, principal_id: int | None = None
               ) -> list[tuple[ApiToken, Principal]]:
    """Tokens with their principal, oldest first; of one principal when `principal_id` is set."""
    stmt = (select(ApiToken, Principal).join(Principal, Principal.id == ApiToken.principal_id)
            .order_by(ApiToken.created_at, ApiToken.id))
    if principal_id is not None:
        stmt = stmt.where(ApiToken.principal_id == principal_id)
    return [(t, p) for t, p in session.execute(stmt)]
