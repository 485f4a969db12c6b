"""ciiflow's BPMN runtime without HTTP: definitions, instances, tasks, timers, messages.

Nothing here knows Flask or webhooks; subscribers receive domain events in the
transaction of the step that caused them.
"""

from . import principals, quota  # noqa: F401  (their tables belong to the schema)
from .clock import Clock, ManualClock, SystemClock
from .core import Engine
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

__all__ = [
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
