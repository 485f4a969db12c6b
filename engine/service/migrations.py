"""Migrations: move running cases of one process version to another, or plan it.

Process owners and admins only: a migration changes where other institutions'
cases stand. A dry run writes nothing and answers, per case, what the move would
do or why it cannot; a real run moves each case in its own transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.errors import InvalidInput, NotAllowed
from engine.runtime import migration_case
from engine.runtime.migration_case import MigrationReport, MigrationRequest, Progress
from engine.service.base import ServiceBase
from engine.service.caller import Caller

MIGRATORS = ("process-owner", "admin")


class MigrationService(ServiceBase):
    def migrate(self, process_key: str, from_version: int, to_version: int, *,
                caller: Caller, activity_map: Mapping[str, str] | None = None,
                instance_ids: Sequence[str] | None = None, dry_run: bool = True,
                progress: Progress | None = None) -> MigrationReport:
        """Plan (`dry_run`, the default) or migrate the cases of `process_key` on
        `from_version` (all of them, or `instance_ids`) to `to_version`; `activity_map`
        names, for an element the new version lacks, the element that replaces it.
        `progress(done, total)` is called after each case."""
        if caller.role not in MIGRATORS:
            raise NotAllowed(f"the role {caller.role} may not migrate cases")
        for source, target in (activity_map or {}).items():
            if not source or not target:
                raise InvalidInput("an activity map entry needs an old and a new element id",
                                   field="activity_map")
        request = MigrationRequest(
            process_key=process_key, from_version=from_version, to_version=to_version,
            activity_map=dict(activity_map or {}),
            instance_ids=tuple(instance_ids) if instance_ids is not None else None,
            dry_run=dry_run)
        return migration_case.migrate(self, request, actor=caller.name, progress=progress)
