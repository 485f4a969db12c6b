"""Service, send and script-free business work, as Camunda 7 binds it.

SpiffWorkflow's Camunda parser turns a service task into a task that parks
forever. Here the task asks the workflow's script engine to run its binding
(`script_engine.call_service`, SpiffWorkflow's own path for service calls; the
runtime's script engine is an `engine.camunda.host.Host` over the engine's
handler registry): a registered handler runs in the step; a topic without a
handler becomes an external task (STARTED in the workflow, a row in
`external_task`) that a worker fetches, locks and completes over the API. A
BPMN error from either is thrown after the run, so the error boundary event
sees a finished run, not a half one.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.helpers.spec import TaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, CamundaTaskParser
from SpiffWorkflow.specs.Simple import Simple
from SpiffWorkflow.util.task import TaskState

from . import handlers
from .bindings import NONE, DelegateBindings
from .error_variables import thrown_error
from .event_subprocess import event_subprocess_catches
from .event_subprocess_scope import catch_in_scopes
from .host import EXTERNAL

PENDING_ERROR = "ciiflow_bpmn_error"


class ServiceTaskSpec(BpmnSpecMixin, Simple):
    def __init__(self, wf_spec: Any, bpmn_id: str, binding_kind: str | None = None,
                 binding_name: str | None = None, result_variable: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.binding_kind = binding_kind
        self.binding_name = binding_name
        self.result_variable = result_variable

    @property
    def external_topic(self) -> str | None:
        """The topic a worker fetches while this task waits STARTED.

        Whether a topic is done in the step or by a worker is decided when the
        task runs, by the runtime's registry (`Host.call_service`); a topic task
        stays STARTED only when no handler took it, so the state records that
        decision even if the registry changes while the task waits.
        """
        return self.binding_name if self.binding_kind == "topic" else None

    def _run_hook(self, my_task: Any) -> bool | None:
        if self.binding_kind is None:
            raise WorkflowTaskException(
                f"service task {self.bpmn_id!r} has no implementation", task=my_task)
        try:
            result = my_task.workflow.script_engine.call_service(
                my_task, kind=self.binding_kind, name=self.binding_name)
        except handlers.BpmnError as error:
            my_task.internal_data[PENDING_ERROR] = {"code": error.code,
                                                    "message": error.message}
            return None
        except Exception as crash:
            # A handler's own failure carries no task: name it, so that the incident
            # opens at this service task (as SpiffWorkflow's errors do), not nowhere.
            if getattr(crash, "task", None) is None:
                try:
                    crash.task = my_task  # type: ignore[attr-defined]
                except AttributeError:  # an exception type with __slots__
                    pass
            raise
        if result is EXTERNAL:
            return None  # an external task: STARTED until a worker completes it
        apply_result(self, my_task, result)
        return True


def apply_result(spec: ServiceTaskSpec, my_task: Any, result: Any) -> None:
    if result is None:
        return
    if spec.result_variable:
        my_task.data[spec.result_variable] = deepcopy(result)
    elif isinstance(result, dict):
        my_task.data.update(deepcopy(result))
    else:
        raise WorkflowTaskException(
            f"handler of {spec.bpmn_id!r} returned {type(result).__name__}, not a mapping; "
            "set camunda:resultVariable to keep it", task=my_task)


def throw_pending_errors(wf: BpmnWorkflow) -> bool:
    """Throw BPMN errors raised by handlers or workers; True if one was thrown."""
    thrown = False
    for workflow in (wf, *wf.subprocesses.values()):
        for task in list(workflow.tasks.values()):
            pending = task.internal_data.pop(PENDING_ERROR, None)
            if pending is None or not task.has_state(TaskState.STARTED):
                continue
            code = pending["code"]
            event = BpmnEvent(thrown_error(code, pending.get("message")),
                              payload=deepcopy(task.data), target=task.workflow)
            if catch_in_scopes(task.workflow, event):
                thrown = True  # an event subprocess of a subprocess holding the task
                continue
            catchers = [t for t in wf.event_manager.tasks.values()
                        if t.task_spec.catches(t, event)]
            if not catchers and not event_subprocess_catches(wf, event):
                # Never end a case silently on an error nobody models: an incident instead.
                raise WorkflowTaskException(
                    f"BPMN error {code!r} from {task.task_spec.bpmn_id!r} is caught by no "
                    "error boundary event nor error event subprocess", task=task)
            wf.catch(event)
            thrown = True
    return thrown


class ServiceTaskParser(CamundaTaskParser):
    def create_task(self) -> ServiceTaskSpec:
        kind, name = binding_of(self.node)
        if kind is not None and kind != "topic":
            # a Java delegate name: the bundle's bindings file says what it stands for
            bound = bundle_bindings(self.process_parser.parser).delegate(kind, name)
            if bound is not None:
                kind, name = bound.kind, bound.name
        result_variable = self.node.get(f"{{{CAMUNDA_MODEL_NS}}}resultVariable")
        return ServiceTaskSpec(self.spec, self.bpmn_id, binding_kind=kind, binding_name=name,
                               result_variable=result_variable, **self.bpmn_attributes)


def bundle_bindings(parser: Any) -> DelegateBindings:
    """The bindings file the bundle's parser was given (none: an empty one)."""
    return getattr(parser, "delegate_bindings", None) or NONE


def binding_of(node: Any) -> tuple[str | None, str | None]:
    def attr(name: str) -> str | None:
        value = node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")
        return value.strip() if value and value.strip() else None

    if attr("type") == "external" and attr("topic"):
        return "topic", attr("topic")
    for kind in ("delegateExpression", "class", "expression"):
        if attr(kind):
            return kind, handlers.normalize(kind, attr(kind))
    return None, None


class ServiceTaskConverter(TaskSpecConverter):
    def to_dict(self, spec: ServiceTaskSpec) -> dict[str, Any]:
        dct = self.get_default_attributes(spec)
        dct.update(binding_kind=spec.binding_kind, binding_name=spec.binding_name,
                   result_variable=spec.result_variable)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> ServiceTaskSpec:
        return self.task_spec_from_dict(dct)
