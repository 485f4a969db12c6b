"""Principals for tests: an institution, a coordinator or a worker, with its clear token.

Tests add principals through the store, not the API, because calling the API
already takes a principal. One helper for every suite, so a change to how a
principal is made (a new column, a new role rule) is made once. It returns both
the id (what webhook endpoints and ownership checks refer to) and the token
(what an HTTP client sends), since tests need one or the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from engine import Engine
from engine.store.principals import create_principal


class Added(NamedTuple):
    id: int
    token: str


def add_principal(engine: Engine, name: str, role: str, groups: Sequence[str] = (), *,
                  topics: Sequence[str] | None = None) -> Added:
    """Create one enabled principal holding `groups` (and, for a worker, `topics`)."""
    with engine.sessions.begin() as session:
        principal, token = create_principal(
            session, name=name, role=role, groups=list(groups), now=engine.clock.now(),
            topics=None if topics is None else list(topics))
        return Added(principal.id, token)


def add_tokens(engine: Engine, spec: Mapping[str, tuple[str, Sequence[str]]]) -> dict[str, str]:
    """Principals named by `spec` (name -> (role, groups)); returns name -> token."""
    return {name: add_principal(engine, name, role, groups).token
            for name, (role, groups) in spec.items()}


def bearer(token: str) -> dict[str, str]:
    """The request header that authenticates as the holder of `token`."""
    return {"Authorization": f"Bearer {token}"}
