"""Who calls an operation: a principal's name, role and groups, nothing of HTTP.

The API builds one from a bearer token, the CLI from `--actor`; the engine
decides with it what a caller may see and do, so the rules are the same on
both paths.
"""

from __future__ import annotations

from dataclasses import dataclass

READS_ALL = ("coordinator", "admin")


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    groups: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    principal_id: int | None = None

    @classmethod
    def operator(cls, name: str) -> Caller:
        """Someone at the console of the server (the CLI): sees and may do everything."""
        return cls(name=name, role="admin")

    @property
    def id(self) -> int | None:
        """The principal's id (the API's name for it)."""
        return self.principal_id

    @property
    def reads_all(self) -> bool:
        return self.role in READS_ALL

    @property
    def is_institution(self) -> bool:
        return self.role == "institution"

    def sees_groups(self, groups: tuple[str, ...] | list[str] | None) -> bool:
        """Whether a task with these candidate groups is visible to the caller."""
        if self.reads_all:
            return True
        return self.is_institution and bool(set(groups or ()) & set(self.groups))
