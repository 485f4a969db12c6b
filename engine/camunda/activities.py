"""The activity spec classes ciiflow parses Camunda files into, and their converters.

Each is SpiffWorkflow's (or our) class with `engine.camunda.mappings` mixed in, so
`camunda:inputOutput` (and, for call activities, `camunda:in`/`camunda:out`)
run on every kind of activity. The mixins add behaviour only: all their
settings live in `extensions["camunda"]`, which the library serializes, so
each class reuses its base class's converter.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.serializer.default.task_spec import (
    BpmnTaskSpecConverter,
    MultiInstanceTaskConverter,
    SubWorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, ManualTask, NoneTask
from SpiffWorkflow.camunda.serializer.task_spec import UserTaskConverter
from SpiffWorkflow.camunda.specs.user_task import UserTask

from engine.dmn import DecisionTaskConverter, DecisionTaskSpec

from .async_boundaries import AsyncBoundaryMixin
from .async_start import CONVERTERS as ASYNC_START_CONVERTERS
from .call_runtime import RunTimeCallMixin
from .conditional import CONVERTERS as CONDITIONAL_CONVERTERS
from .event_subprocess import CONVERTERS as EVENT_SUBPROCESS_CONVERTERS
from .gateways import CONVERTERS as GATEWAY_CONVERTERS
from .links import CONVERTERS as LINK_CONVERTERS
from .mappings import CallActivityMappingMixin, InputOutputMixin, SubprocessInputOutputMixin
from .multiinstance import ParallelMultiInstance, SequentialMultiInstance
from .service_tasks import ServiceTaskConverter, ServiceTaskSpec
from .throws import CONVERTERS as EVENT_CONVERTERS


class CamundaUserTask(AsyncBoundaryMixin, InputOutputMixin, UserTask):
    """A user task; its inputs are set before the task row's attributes are evaluated."""


class CamundaServiceTask(AsyncBoundaryMixin, InputOutputMixin, ServiceTaskSpec):
    """A service or send task bound to a handler or an external topic."""


class CamundaDecisionTask(AsyncBoundaryMixin, InputOutputMixin, DecisionTaskSpec):
    """A business rule task on ciiflow's DMN engine."""


class CamundaNoneTask(AsyncBoundaryMixin, InputOutputMixin, NoneTask):
    """A plain task (no work; mappings only)."""


class CamundaManualTask(AsyncBoundaryMixin, InputOutputMixin, ManualTask):
    """A manual task (no work in the engine; mappings only)."""


class CamundaSubProcess(AsyncBoundaryMixin, SubprocessInputOutputMixin, CallActivity):
    """An embedded subprocess: shares the caller's data, as SpiffWorkflow does."""


class CamundaCallActivity(AsyncBoundaryMixin, CallActivityMappingMixin, RunTimeCallMixin,
                          CallActivity):
    """A call activity: only `camunda:in` goes in, only `camunda:out` comes back; a
    process from outside its bundle is found when it is reached (`call_runtime`)."""


CONVERTERS: dict[type, type] = {
    CamundaUserTask: UserTaskConverter,
    CamundaServiceTask: ServiceTaskConverter,
    CamundaDecisionTask: DecisionTaskConverter,
    CamundaNoneTask: BpmnTaskSpecConverter,
    CamundaManualTask: BpmnTaskSpecConverter,
    CamundaSubProcess: SubWorkflowConverter,
    CamundaCallActivity: SubWorkflowConverter,
    ParallelMultiInstance: MultiInstanceTaskConverter,
    SequentialMultiInstance: MultiInstanceTaskConverter,
}
"""Registered by `engine.camunda.serializer.serializer()`."""
CONVERTERS.update(EVENT_CONVERTERS)
CONVERTERS.update(GATEWAY_CONVERTERS)
CONVERTERS.update(EVENT_SUBPROCESS_CONVERTERS)
CONVERTERS.update(CONDITIONAL_CONVERTERS)
CONVERTERS.update(LINK_CONVERTERS)
CONVERTERS.update(ASYNC_START_CONVERTERS)


def narrow(task: Any, spec_class: type) -> Any:
    """Give a spec built by a parser we do not own (service, DMN) our subclass.

    Those parsers construct their base class directly; our subclasses only add
    hooks and no state, so switching the class of the fresh object is safe.
    """
    if type(task) is not spec_class and issubclass(spec_class, type(task)):
        task.__class__ = spec_class
    return task
