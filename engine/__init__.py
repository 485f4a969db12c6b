"""ciiflow's BPMN runtime without HTTP: definitions, instances, tasks, timers, messages.

Nothing here knows Flask or webhooks; subscribers receive domain events in the
transaction of the step that caused them.
"""

from .clock import Clock, ManualClock, SystemClock
from .errors import (
    ConcurrentUpdate,
    Conflict,
    DefinitionRefused,
    EngineError,
    Finding,
    InstanceNotActive,
    InvalidInput,
    NoSubscriber,
    NotFound,
    TaskNotReady,
)
from .facade import Engine
from .service import Caller, Page
from .store import principals  # noqa: F401  (their tables belong to the schema)

__all__ = [
    "Caller",
    "Page",
    "Clock",
    "ConcurrentUpdate",
    "Conflict",
    "DefinitionRefused",
    "Engine",
    "EngineError",
    "Finding",
    "InstanceNotActive",
    "InvalidInput",
    "ManualClock",
    "NoSubscriber",
    "NotFound",
    "SystemClock",
    "TaskNotReady",
]
