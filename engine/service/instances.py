"""Cases: start one, read and list them, suspend, resume or terminate them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.camunda.serializer import dump_state
from engine.errors import InvalidInput, NotFound
from engine.runtime import definitions
from engine.runtime.administration import set_status
from engine.runtime.step import Step, StepOutcome, merged, run_engine
from engine.service.base import ServiceBase
from engine.store.models import Instance
from engine.store.queries import list_instances


class InstanceService(ServiceBase):
    def start(self, process_key: str, business_key: str | None = None,
              data: Mapping[str, Any] | None = None, *, actor: str | None = None,
              version: int | None = None) -> StepOutcome:
        with self.sessions.begin() as session:
            definition = definitions.get(session, process_key, version)
            specs = self.runtime.specs.get(definition.id, lambda: definition.spec)
            wf = BpmnWorkflow(specs[0], dict(specs[1]),
                              script_engine=self.runtime.script_engine())
            initial = merged(data)
            for task in wf.get_tasks(state=TaskState.READY):
                task.data.update(merged(initial))
            now = self.clock.now()
            instance = Instance(
                id=str(uuid.uuid4()), definition_id=definition.id, process_key=process_key,
                definition_version=definition.version, business_key=business_key,
                status="running", state=dump_state(wf), version=1, history_seq=0,
                next_timer_at=None, started_at=now, started_by=actor, updated_at=now,
            )
            session.add(instance)
            session.flush()
            step = Step(self.runtime, session, instance)
            step.record("started", actor=actor, detail={"version": definition.version})
            step.flush_records()
            return step.advance(wf, run_engine, actor=actor, operation={"op": "run"})

    def instance(self, instance_id: str) -> Instance:
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"no instance {instance_id}")
            return instance

    def instances(self, **filters: Any) -> list[Instance]:
        """Instances by process, status, business key, start time or waiting activity."""
        with self.readers() as session:
            return list_instances(session, **filters)

    def workflow_data(self, instance_id: str) -> dict[str, Any]:
        """The case variables as the workflow holds them now (for coordinators and forms)."""
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"no instance {instance_id}")
            wf = Step(self.runtime, session, instance).load()
            return current_data(wf)

    def set_status(self, instance_id: str, action: str, *, reason: str,
                   actor: str | None = None) -> Instance:
        if not reason or not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        return set_status(self, instance_id, action, reason=reason.strip(),  # type: ignore[arg-type]
                          actor=actor)


def current_data(wf: BpmnWorkflow) -> dict[str, Any]:
    """Case data as of now: the data of the newest waiting tasks, merged over the workflow's."""
    data: dict[str, Any] = dict(wf.data)
    waiting = wf.get_tasks(state=TaskState.READY | TaskState.WAITING)
    if not waiting and wf.last_task is not None:
        waiting = [wf.last_task]
    for task in sorted(waiting, key=lambda t: t.last_state_change):
        data.update(task.data)
    return data
