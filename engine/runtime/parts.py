"""The engine as the runtime sees it: what its operations use, not the facade.

Runtime operations (messages, timers, incidents, external tasks, claims, …)
take the engine as their first argument but only read its database, sessions,
runtime and clock. Typing them against this protocol keeps the arrow one way:
the service layer and the facade (`engine.service`, `engine.facade`) call the
runtime; the runtime never names them. `engine.service.base.ServiceBase`, and
so `Engine`, satisfies it.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock

from .step import Runtime


class EngineParts(Protocol):
    db: SqlEngine
    #: write transactions, committed on exit
    sessions: sessionmaker[Session]
    #: read-only transactions
    readers: sessionmaker[Session]
    runtime: Runtime

    @property
    def clock(self) -> Clock: ...
