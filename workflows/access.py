"""Who may see which case, and the record of every read.

An institution sees a task when the task's candidate groups meet its groups,
and an instance when one of the instance's tasks, in any state, ever had one of
its groups (it took part in the case). These are indexed look-ups on the task
read model; a principal who may not see something gets 404, exactly as if it
did not exist, so ids of other institutions' cases leak nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.store.access_log import AccessLog
from engine.store.models import Task, TaskCandidate

from .auth import CurrentPrincipal


def took_part(session: Session, principal: CurrentPrincipal, instance_id: str) -> bool:
    """Whether an institution's groups were candidates of any task of the instance."""
    if principal.reads_all:
        return True
    if not principal.is_institution or not principal.groups:
        return False
    stmt = select(exists().where(
        Task.instance_id == instance_id, TaskCandidate.task_id == Task.id,
        TaskCandidate.group_id.in_(principal.groups)))
    return bool(session.scalar(stmt))


def record_read(engine: Any, principal: CurrentPrincipal, what: str, object_id: str,
                instance_id: str) -> None:
    """Append one access-log row in its own short transaction (never the instance row)."""
    with engine.sessions.begin() as session:
        session.add(AccessLog(at=engine.clock.now(), principal_id=principal.id,
                              principal_name=principal.name, role=principal.role, what=what,
                              object_id=object_id, instance_id=instance_id))
