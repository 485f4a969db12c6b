"""Bearer tokens to principals, and the role check every view makes.

A caller is a principal of the engine (`engine.store.principals`): one role, the
groups it holds (institutions) and the topics it may work on (workers). The
principal is resolved once per request and kept in `flask.g`; views declare
the roles they admit with `@require(...)`. Admin passes every check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import bindparam, select

from engine.store.principals import Principal, PrincipalGroup, hash_token

from .problems import ApiProblem
from .runtime import reader

F = TypeVar("F", bound=Callable[..., Any])

INSTITUTION = "institution"
COORDINATOR = "coordinator"
PROCESS_OWNER = "process-owner"
ADMIN = "admin"
WORKER = "worker"

#: who may read every case with its data
READERS_OF_ALL = (COORDINATOR, ADMIN)


@dataclass(frozen=True)
class CurrentPrincipal:
    id: int
    name: str
    role: str
    groups: tuple[str, ...]
    topics: tuple[str, ...]

    @property
    def is_institution(self) -> bool:
        return self.role == INSTITUTION

    @property
    def reads_all(self) -> bool:
        return self.role in READERS_OF_ALL


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, title="Unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="ciiflow"'})


# One prebuilt query for the principal and its groups: it runs on every request.
_PRINCIPAL_QUERY = (
    select(Principal.id, Principal.name, Principal.role, Principal.topics,
           PrincipalGroup.group_id)
    .outerjoin(PrincipalGroup, PrincipalGroup.principal_id == Principal.id)
    .where(Principal.token_hash == bindparam("token_hash"), Principal.disabled_at.is_(None))
)


def _resolve() -> CurrentPrincipal:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorized("an Authorization: Bearer <token> header is required")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <token>'")
    rows = reader().execute(_PRINCIPAL_QUERY, {"token_hash": hash_token(token.strip())}).all()
    if not rows:
        raise _unauthorized("unknown or disabled token")
    first = rows[0]
    groups = tuple(sorted(r.group_id for r in rows if r.group_id is not None))
    return CurrentPrincipal(first.id, first.name, first.role, groups,
                            tuple(first.topics or ()))


def current_principal() -> CurrentPrincipal:
    """The authenticated caller; raises a 401 problem when there is none."""
    principal = g.get("ciiflow_principal")
    if principal is None:
        principal = _resolve()
        g.ciiflow_principal = principal
    return principal


def require(*roles: str) -> Callable[[F], F]:
    """Admit the listed roles (and admin); 401 without a valid token, 403 for other roles."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal.role != ADMIN and principal.role not in roles:
                raise ApiProblem(403, f"the role {principal.role} may not do this",
                                 title="Forbidden")
            return view(*args, **kwargs)

        wrapper._ciiflow_roles = roles  # type: ignore[attr-defined]  (for the docs)
        return wrapper  # type: ignore[return-value]

    return decorate
