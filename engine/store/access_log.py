"""The read-access log: who read which instance or task, and when.

Case data concern vulnerable people; the design asks that every read of case
data be traceable, not only every decision. Decisions are in the engine's
history; reads are here, in their own append-only table, so writing one never
touches the instance row (a read must not conflict with a step). A list read
(tasks, cases) is one row per request naming the cases it showed, not one per
item, so logging a page costs one insert.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime


class AccessLog(Base):
    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_instance_at", "instance_id", "at"),
        Index("ix_access_log_principal_at", "principal_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    principal_id: Mapped[int] = mapped_column(Integer)
    principal_name: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(40))
    # "instance" | "task" | "export", or a list read: "task_list" | "instance_list"
    what: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[str | None] = mapped_column(String(36))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    # a list read is one row whatever its length: the ids of the cases it showed
    listed: Mapped[list[str] | None] = mapped_column(JSON)
