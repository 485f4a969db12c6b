"""Who may act: principals with hashed tokens, roles and the groups they hold.

Principals live beside the tasks because routing is a join between the two:
"the tasks of my groups", "the tasks whose groups nobody holds" (a stuck
reason) and "the webhook endpoints that must hear of this task" are all SQL
over these tables. Tokens are 256-bit random secrets, so a plain SHA-256 is
enough to store them unreadably (no salt or slow hash is needed for secrets
that cannot be guessed); the clear token is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, bindparam, exists, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base, UTCDateTime

ROLES = ("institution", "coordinator", "process-owner", "admin", "worker")
TOKEN_PREFIX = "cii_"


class Principal(Base):
    __tablename__ = "principal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrincipalGroup(Base):
    __tablename__ = "principal_group"
    __table_args__ = (Index("ix_principal_group_group", "group_id"),)

    principal_id: Mapped[int] = mapped_column(ForeignKey("principal.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(255), primary_key=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_principal(session: Session, *, name: str, role: str, groups: list[str],
                     now: datetime, topics: list[str] | None = None) -> tuple[Principal, str]:
    """Create a principal and return it with its clear token (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    principal = Principal(name=name, role=role, token_hash=hash_token(token),
                          topics=list(topics or []), created_at=now)
    session.add(principal)
    session.flush()
    session.add_all(PrincipalGroup(principal_id=principal.id, group_id=g)
                    for g in dict.fromkeys(groups))
    session.flush()
    return principal, token


@dataclass(frozen=True)
class Holder:
    """An enabled principal as a token names it: who, which role, which groups and topics."""

    id: int
    name: str
    role: str
    groups: tuple[str, ...]
    topics: tuple[str, ...]


# One prebuilt query for the principal and its groups: it runs on every API request.
_BY_TOKEN = (
    select(Principal.id, Principal.name, Principal.role, Principal.topics,
           PrincipalGroup.group_id)
    .outerjoin(PrincipalGroup, PrincipalGroup.principal_id == Principal.id)
    .where(Principal.token_hash == bindparam("token_hash"), Principal.disabled_at.is_(None))
)


def holder_of(session: Session, token: str) -> Holder | None:
    """The enabled principal holding `token`, in one round trip; None for any other token."""
    rows = session.execute(_BY_TOKEN, {"token_hash": hash_token(token)}).all()
    if not rows:
        return None
    first = rows[0]
    groups = tuple(sorted(r.group_id for r in rows if r.group_id is not None))
    return Holder(first.id, first.name, first.role, groups, tuple(first.topics or ()))


def name_taken(session: Session, name: str) -> bool:
    return bool(session.scalar(select(exists().where(Principal.name == name))))


def any_principal(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Principal.id.is_not(None)))))
