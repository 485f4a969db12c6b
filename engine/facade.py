"""The engine's public face: one object, one transaction per call.

Every operation opens its own transaction and commits it before returning, so
a caller (the Flask service, the CLI, a worker) never holds a half-done step.
The operations live by area in `engine.service`; this class only assembles
them and the parts they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine as SqlEngine

from engine import clock as clock_module
from engine.calendar import Calendars
from engine.camunda.handlers import HandlerRegistry
from engine.clock import Clock, SystemClock
from engine.runtime.domain_events import EventBus, Subscriber
from engine.runtime.signals import broadcast_thrown
from engine.runtime.step import Runtime
from engine.service.batches import BatchService
from engine.service.conditions import ConditionService
from engine.service.definitions import DefinitionService
from engine.service.diagrams import DiagramService
from engine.service.external import ExternalTaskService
from engine.service.figures import FiguresService
from engine.service.history import HistoryService
from engine.service.incidents import IncidentService
from engine.service.instances import InstanceService
from engine.service.messages import MessageService
from engine.service.migrations import MigrationService
from engine.service.notices import NoticeService
from engine.service.oversight import OversightService
from engine.service.principals import PrincipalService
from engine.service.privacy import PrivacyService
from engine.service.signals import SignalService
from engine.service.tasks import TaskService
from engine.service.timers import TimerService
from engine.store.db import make_engine, make_readers, make_sessionmaker

clock_module.install_in_spiffworkflow()


class Engine(PrivacyService,
             DefinitionService, InstanceService, TaskService, IncidentService, MessageService,
             TimerService, ExternalTaskService, OversightService, PrincipalService, HistoryService,
             MigrationService, NoticeService, FiguresService, DiagramService, BatchService,
             ConditionService, SignalService):
    def __init__(
        self,
        db: SqlEngine | str | None = None,
        *,
        clock: Clock | None = None,
        handlers: HandlerRegistry | None = None,
        calendars: Calendars | None = None,
        directory: Mapping[str, Any] | None = None,
    ) -> None:
        """`handlers`: the service-task handlers this engine runs (none by default: every
        topic is then done by external workers, and a class or delegate binding is refused
        at deploy). The application builds the registry when it starts. `calendars`: the
        working-day calendars of the directory's institutions (the canton's by default).
        `directory`: the institution directory as loaded, whose groups the lint knows."""
        self.db = db if isinstance(db, SqlEngine) else make_engine(db)
        self.sessions = make_sessionmaker(self.db)
        self.readers = make_readers(self.db)
        self.bus = EventBus()
        self.directory = directory
        self.runtime = Runtime(clock or SystemClock(), self.bus,
                               handlers=handlers if handlers is not None else HandlerRegistry(),
                               calendars=calendars or Calendars(),
                               broadcast=broadcast_thrown)

    def subscribe(self, subscriber: Subscriber) -> None:
        self.bus.subscribe(subscriber)
