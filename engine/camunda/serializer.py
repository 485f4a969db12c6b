"""Instance state without the spec, and the spec stored once per definition version.

SpiffWorkflow embeds the whole process spec in every serialized workflow (more
than half the JSON mid-way). A definition version never changes, so the spec is
stored once on the `definition` row, deserialized once per process and cached;
each instance stores only its tasks and data, which halved both the bytes and
the time of a step.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG

from engine.dmn import DecisionTaskConverter, DecisionTaskSpec

from .activities import CONVERTERS as ACTIVITY_CONVERTERS
from .compensation import CONVERTERS as COMPENSATION_CONVERTERS
from .error_variables import CONVERTERS as ERROR_VARIABLE_CONVERTERS
from .event_mappings import CONVERTERS as EVENT_MAPPING_CONVERTERS
from .service_tasks import ServiceTaskConverter, ServiceTaskSpec
from .triggers import CONVERTERS as TRIGGER_CONVERTERS

SpecPair = tuple[BpmnProcessSpec, dict[str, BpmnProcessSpec]]
#: the top workflow's {called process key: definition id} for processes found at run time
CALLED = "called_definitions"


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Writes a workflow without its specs; the caller hands them back on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        called = getattr(workflow, CALLED, None)
        if called:  # processes called from outside the bundle: their versions (call_runtime)
            dct[CALLED] = dict(called)
        return dct

    def from_dict(  # type: ignore[override]
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: Mapping[str, BpmnProcessSpec] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            return super().from_dict(dct)
        workflow = self.target_class(spec, dict(subprocess_specs or {}), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        setattr(workflow, CALLED, dict(dct.get(CALLED) or {}))
        return workflow


_local = threading.local()


def serializer() -> BpmnWorkflowSerializer:
    """One serializer per thread: SpiffWorkflow's registry keeps a mode flag while encoding."""
    current = getattr(_local, "serializer", None)
    if current is None:
        config = dict(CAMUNDA_CONFIG)
        config[BpmnWorkflow] = SpeclessWorkflowConverter
        config[DecisionTaskSpec] = DecisionTaskConverter
        config[ServiceTaskSpec] = ServiceTaskConverter
        config.update(ACTIVITY_CONVERTERS)
        config.update(ERROR_VARIABLE_CONVERTERS)
        config.update(EVENT_MAPPING_CONVERTERS)
        config.update(COMPENSATION_CONVERTERS)
        config.update(TRIGGER_CONVERTERS)
        registry = BpmnWorkflowSerializer.configure(config)
        registry.register(Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]))
        current = _local.serializer = BpmnWorkflowSerializer(registry)
    return current


def dump_spec(spec: BpmnProcessSpec, subprocess_specs: Mapping[str, BpmnProcessSpec]) -> str:
    s = serializer()
    return json.dumps(
        {
            "spec": s.registry.convert(spec),
            "subprocess_specs": {k: s.registry.convert(v) for k, v in subprocess_specs.items()},
        }
    )


def load_spec(text: str) -> SpecPair:
    s = serializer()
    dct = json.loads(text)
    spec = s.registry.restore(dct["spec"])
    subs = {k: s.registry.restore(v) for k, v in dct["subprocess_specs"].items()}
    return spec, subs


def dump_state(workflow: BpmnWorkflow) -> str:
    s = serializer()
    s.registry._encoder_mode = True
    try:
        dct = s.to_dict(workflow)
        dct[s.VERSION_KEY] = s.VERSION
        return json.dumps(dct, cls=s._encoder_cls, separators=(",", ":"))
    finally:
        s.registry._encoder_mode = False


def load_state(text: str, specs: SpecPair,
               called: Callable[[dict[str, int]], Mapping[str, BpmnProcessSpec]] | None = None
               ) -> BpmnWorkflow:
    """The workflow of a case; `called` gives the specs of the processes it called from
    outside its bundle (the versions kept in the state), added to the caller's."""
    s = serializer()
    dct = json.loads(text, cls=s.json_decoder_cls)
    s.migrate(dct)
    spec, subs = specs
    if dct.get(CALLED) and called is not None:
        subs = {**called(dct[CALLED]), **subs}
    return s.registry.restore(dct, spec=spec, subprocess_specs=subs)


class SpecCache:
    """Deserialized specs by definition id; a definition version never changes."""

    def __init__(self) -> None:
        self._specs: dict[int, SpecPair] = {}
        self._lock = threading.Lock()

    def get(self, definition_id: int, text_loader: Any) -> SpecPair:
        pair = self._specs.get(definition_id)
        if pair is None:
            pair = load_spec(text_loader())
            with self._lock:
                self._specs[definition_id] = pair
        return pair
