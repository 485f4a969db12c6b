"""ciiflow's BPMN engine without HTTP, laid out by layer (imports point down only).

    engine/
      facade.py     Engine: the one object callers use, assembled from service/
      service/      the use cases, each written once (definitions, instances, tasks,
                    incidents, messages, external tasks, oversight, principals), with
                    the Caller they act for and the pages they answer
      runtime/      the unit of work (step) and what moves a case: read models,
                    deploy and versions, start triggers, timers, messages, incidents,
                    claims, external tasks, administration, domain events
      store/        every table, the database set-up, the read queries (lists,
                    stuck cases), principals and the read-access log
      camunda/      the Camunda 7 flavour over SpiffWorkflow: parser, specs,
                    serializer, forms, the handler registry and the host the specs
                    call back, the one safe XML loader and namespaces
      expressions/  safe JUEL (conditions, timers, mappings): never eval
      dmn/          safe FEEL decision tables
      lint/         the deploy-time checks, with the element at fault named

    service → runtime → store, camunda, expressions, dmn; camunda, expressions and
    dmn know neither runtime nor store; store knows no runtime (tests/engine/test_layers.py).

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
