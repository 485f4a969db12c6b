"""The read of one case's history, a page at a time, for a caller who sees all or some.

The rows of a case are found through `uq_history_instance_seq` (instance, seq),
in either direction, so a page costs one index range whatever the case's length.
An institution's page holds the rows about tasks one of its groups was a
candidate for (`task_candidate`), found by one EXISTS per row on that table's key.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .models import History, TaskCandidate


def history_page(session: Session, instance_id: str, *, kinds: Sequence[str] | None,
                 groups: Sequence[str] | None, newest_first: bool, limit: int,
                 offset: int) -> list[History]:
    """`limit + 1` rows of the case from `offset`, oldest first unless `newest_first`;
    `groups` (when not None) keeps the rows about tasks of those candidate groups."""
    stmt = select(History).where(History.instance_id == instance_id)
    if kinds:
        stmt = stmt.where(History.kind.in_(list(kinds)))
    if groups is not None:
        stmt = stmt.where(exists().where(TaskCandidate.task_id == History.task_id,
                                         TaskCandidate.group_id.in_(list(groups))))
    order = History.seq.desc() if newest_first else History.seq
    return list(session.scalars(stmt.order_by(order).limit(limit + 1).offset(offset)))
