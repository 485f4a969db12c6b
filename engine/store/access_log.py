"""The read-access log: who read which instance or task, and when.

Case data concern vulnerable people; the design asks that every read of case
data be traceable, not only every decision. Decisions are in the engine's
history; reads are here, in their own append-only table, so writing one never
touches the instance row (a read must not conflict with a step).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
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
    what: Mapped[str] = mapped_column(String(20))  # "instance" | "task"
    object_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[str] = mapped_column(String(36))
