"""What every area of the service layer stands on: the database, the runtime, the clock.

The areas (`definitions`, `instances`, `tasks`, …) are mixins of `Engine`; this
base only declares what `Engine.__init__` gives them, so each area reads as a
plain class and a type checker sees the attributes.
"""

from __future__ import annotations

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock
from engine.runtime.domain_events import EventBus
from engine.runtime.step import Runtime


class ServiceBase:
    db: SqlEngine
    #: write transactions (`with self.sessions.begin() as session:`), committed on exit
    sessions: sessionmaker[Session]
    #: read-only transactions: lists and views
    readers: sessionmaker[Session]
    bus: EventBus
    runtime: Runtime

    @property
    def clock(self) -> Clock:
        return self.runtime.clock
