"""The PAI quota: at most N new PAI places per calendar year for the canton.

Counting places needs the database, so it is a service task handler registered
in Python (`camunda:type="external" camunda:topic="pai-quota"`), never code in
the diagram. The count and the grant happen under a row lock on the year's
counter, so two cases asking at once cannot both take the last place.
The yearly limit comes from the case data (`pai_quota_per_year`, set in the
diagram) or `CIIFLOW_PAI_QUOTA` (default 10, the 2021–2023 allocation); years are
counted in `CIIFLOW_TIMEZONE` (default Europe/Zurich).
"""

from __future__ import annotations

import os
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from engine.camunda.handlers import HandlerContext, HandlerRegistry
from engine.store.models import Base


class QuotaCounter(Base):
    __tablename__ = "quota_counter"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    period: Mapped[str] = mapped_column(String(20), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


def local_zone() -> ZoneInfo:
    """Calendar years are the canton's, not UTC's: 1 January 00:30 in Sion is a new year."""
    return ZoneInfo(os.environ.get("CIIFLOW_TIMEZONE", "Europe/Zurich"))


def register(registry: HandlerRegistry) -> None:
    """The PAI quota's topics, done in the step (they need the step's row lock)."""
    registry.register("topic", "pai-quota", pai_quota)
    registry.register("topic", "pai-quota-release", pai_quota_release)


def pai_quota(ctx: HandlerContext) -> dict[str, Any]:
    limit = int(ctx.variables.get("pai_quota_per_year")
                or os.environ.get("CIIFLOW_PAI_QUOTA", "10"))
    year = str(ctx.now.astimezone(local_zone()).year)
    session = ctx.session
    stmt = select(QuotaCounter).where(QuotaCounter.name == "pai", QuotaCounter.period == year)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    counter = session.scalars(stmt).first()
    if counter is None:
        counter = QuotaCounter(name="pai", period=year, used=0)
        session.add(counter)
        session.flush()
    if counter.used >= limit:
        return {
            "pai_place_granted": False,
            "pai_refusal_reason": (f"the {limit} PAI places of {year} are all taken; "
                                   f"apply again from 1 January {int(year) + 1}"),
            "pai_year": int(year),
        }
    counter.used += 1
    session.flush()
    return {"pai_place_granted": True, "pai_refusal_reason": None, "pai_year": int(year),
            "pai_place_number": counter.used}


def pai_quota_release(ctx: HandlerContext) -> dict[str, Any]:
    """Give a granted place back (the employer was refused), to the year it counted in."""
    if not ctx.variables.get("pai_place_granted"):
        return {"pai_place_released": False}
    year = str(ctx.variables.get("pai_year") or ctx.now.astimezone(local_zone()).year)
    session = ctx.session
    stmt = select(QuotaCounter).where(QuotaCounter.name == "pai", QuotaCounter.period == year)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    counter = session.scalars(stmt).first()
    if counter is not None and counter.used > 0:
        counter.used -= 1
        session.flush()
    return {"pai_place_granted": False, "pai_place_released": True}
