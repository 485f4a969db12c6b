"""Principals: who a bearer token names, and the creation of principals and their tokens.

`authenticate` runs on every API request, so it is one prebuilt query (the
principal and its groups) in one round trip. A clear token exists only in the
answer to its creation; the table keeps its hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.errors import Conflict, InvalidInput
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.store.principals import ROLES, any_principal, create_principal, holder_of, name_taken

__all__ = ["ROLES", "Issued", "PrincipalService"]


@dataclass(frozen=True)
class Issued:
    """A principal just created, with its clear token (shown this once)."""

    name: str
    role: str
    token: str


class PrincipalService(ServiceBase):
    def authenticate(self, token: str) -> Caller | None:
        """The enabled principal holding `token` as a `Caller`; None for any other token."""
        if not token:
            return None
        with self.readers() as session:
            holder = holder_of(session, token)
        if holder is None:
            return None
        return Caller(name=holder.name, role=holder.role, groups=holder.groups,
                      topics=holder.topics, principal_id=holder.id)

    def create_principal(self, name: str, role: str, *, groups: Iterable[str] = (),
                         topics: Iterable[str] = ()) -> Issued:
        """A new principal and its token; `Conflict` if the name is taken."""
        name = name.strip()
        if not name:
            raise InvalidInput("a principal needs a name", field="name")
        if role not in ROLES:
            raise InvalidInput(f"unknown role {role!r}; one of {', '.join(ROLES)}",
                               field="role")
        with self.sessions.begin() as session:
            if name_taken(session, name):
                raise Conflict(f"a principal named {name} exists")
            _, token = create_principal(session, name=name, role=role, groups=list(groups),
                                        now=self.clock.now(), topics=list(topics))
        return Issued(name, role, token)

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
