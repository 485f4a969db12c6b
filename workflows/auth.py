"""Bearer tokens to principals, and the role check every view makes.

A caller is a principal of the engine, answered by `Engine.authenticate` as a
`Caller`: one role, the groups it holds (institutions) and the topics it may
work on (workers). It is resolved once per request and kept in `flask.g`;
views declare the roles they admit with `@require(...)`. Admin passes every
check.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from engine import Caller

from .problems import ApiProblem
from .runtime import engine

F = TypeVar("F", bound=Callable[..., Any])

INSTITUTION = "institution"
COORDINATOR = "coordinator"
PROCESS_OWNER = "process-owner"
ADMIN = "admin"
WORKER = "worker"



def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, title="Unauthorized",
                      headers={"WWW-Authenticate": 'Bearer realm="ciiflow"'})


def _resolve() -> Caller:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorized("an Authorization: Bearer <token> header is required")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <token>'")
    caller = engine().authenticate(token.strip())
    if caller is None:
        raise _unauthorized("unknown, revoked or expired token")
    return caller


def current_principal() -> Caller:
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
