"""Camunda 7 execution and task listeners, run as the handlers the bindings file names.

A Camunda 7 file attaches Java code to an activity's life:

    <camunda:executionListener class="org.acme.AuditListener" event="start" />
    <camunda:taskListener delegateExpression="${notifier}" event="create" />

ciiflow runs no Java, but the bundle's bindings file (`engine.camunda.bindings`,
section `listeners:`) binds such a name to a registered handler, which then runs
at the same point of the activity's life, inside the step:

- execution listener `start`: when the activity starts, after its input
  mappings (the handler sees them), before its work (a user task's row is
  written after it, so a value it sets can decide the assignee);
- task listener `create`: on a user task, right after `start`;
- task listener `complete`: when a user task is completed, with the submitted
  values, before `end`;
- execution listener `end`: when the activity ends, before its output mappings.

The variables a handler returns are set in the activity's data, as a service
task's handler's are. Other events (`take` on a flow, listeners on events,
gateways and the process, task events `assignment`, `update`, `delete`,
`timeout`) are refused by the lint, naming the element; so are unbound
listeners and inline scripts. The listeners are resolved when the bundle is
parsed and kept in the spec's `extensions["camunda"]["listeners"]`.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from .bindings import DelegateBindings
from .namespaces import BPMN, CAMUNDA, split, tag

EXECUTION_EVENTS = ("start", "end")
TASK_EVENTS = ("create", "complete")
LISTENER_KINDS = ("class", "delegateExpression", "expression")
ACTIVITIES = frozenset({"userTask", "serviceTask", "sendTask", "businessRuleTask", "task",
                        "manualTask", "subProcess", "callActivity"})
"""The elements whose start and end ciiflow's specs mark (`mappings.InputOutputMixin`)."""


def listener_code(listener: Any) -> tuple[str, str] | None:
    """The kind and name of the code a listener element names, or None."""
    for kind in LISTENER_KINDS:
        value = (listener.get(kind) or "").strip()
        if value:
            return kind, value
    return None


def supports(listener_type: str, event: str, owner: str) -> bool:
    """Whether ciiflow runs a listener of this type and event on this element."""
    if listener_type == "executionListener":
        return event in EXECUTION_EVENTS and owner in ACTIVITIES
    return event in TASK_EVENTS and owner == "userTask"


def parse_listeners(node: Any, bindings: DelegateBindings) -> dict[str, Any]:
    """`{"listeners": [{"event", "handler"}, ...]}` for an activity's bound listeners."""
    _, owner = split(node.tag)
    found: list[dict[str, str]] = []
    extensions = node.find(tag(BPMN, "extensionElements"))
    if extensions is None:
        return {}
    for listener in extensions:
        if not isinstance(listener.tag, str):
            continue
        namespace, local = split(listener.tag)
        if namespace != CAMUNDA or local not in ("executionListener", "taskListener"):
            continue
        event = (listener.get("event") or "").strip()
        code = listener_code(listener)
        target = bindings.listener(*code) if code else None
        if target is None or not supports(local, event, owner):
            continue  # refused by the lint (engine.lint.camunda)
        found.append({"event": event, "handler": target.name})
    return {"listeners": found} if found else {}


def run_listeners(spec: Any, my_task: Any, event: str) -> None:
    """Run the handlers bound to `event` of this activity, in the file's order."""
    ext = getattr(spec, "extensions", None) or {}
    camunda = ext.get("camunda") if isinstance(ext, dict) else None
    listeners = (camunda or {}).get("listeners") or []
    for listener in listeners:
        if listener["event"] != event:
            continue
        host = my_task.workflow.script_engine
        if not hasattr(host, "call_service"):
            raise WorkflowTaskException(
                f"listener {listener['handler']!r} cannot run here", task=my_task)
        result = host.call_service(my_task, kind="handler", name=listener["handler"])
        if result is None:
            continue
        if not isinstance(result, dict):
            raise WorkflowTaskException(
                f"listener handler {listener['handler']!r} of {spec.bpmn_id!r} returned "
                f"{type(result).__name__}, not a mapping", task=my_task)
        my_task.data.update(deepcopy(result))
