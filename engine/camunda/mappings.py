"""Camunda 7 variable mappings: `camunda:inputOutput` and call activities' `in`/`out`.

SpiffWorkflow's Camunda parser drops both, so a drawn mapping would silently do
nothing. The parser (`engine.camunda.parser`) stores them as plain JSON in
`extensions["camunda"]` (`inputOutput`, `in`, `out`); the spec classes here
apply them. Values are evaluated by `engine.expressions`, never by Python.

What is implemented, precisely:

* **Input parameters** are evaluated when the activity starts (a user task
  becomes ready, a service or business rule task is about to run, a subprocess
  is about to start), all against the data the activity received, then set
  in its data. They are *local*: when the activity ends they are removed, and an
  outer variable they hid gets its old value back. This is Camunda's local
  scope, approximated on SpiffWorkflow's copied task data.
* **Output parameters** are evaluated when the activity ends, against its data
  (locals included), and written to the data that flows on (the process
  scope). Variables the activity set itself (form fields, a handler's result)
  still flow on, as in Camunda, where they propagate to the process instance;
  only the input-parameter locals are stopped.
* A parameter's value is a text (a `${…}` gives a typed value, plain text a
  string), a `camunda:list` or `camunda:map` (nested freely), or nothing
  (null). `camunda:script` values are refused by the deploy lint.
* **Call activities** (`calledElement`): the called process starts with only
  what `camunda:in` maps (`source`→`target`, `sourceExpression`→`target`,
  `variables="all"`); without any `camunda:in` it gets nothing. The caller
  gets only what `camunda:out` maps back, evaluated on the called process's
  final data. `camunda:in businessKey=…` is accepted: the called process runs
  inside the caller's instance and so has its business key already.
* Embedded subprocesses keep SpiffWorkflow's behaviour: they see the caller's
  data and hand all of their final data back (Camunda's shared variables).
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS

from engine.expressions import ExpressionError, evaluate_text

from .listeners import run_listeners

_LOCALS = "io_locals"
Value = dict[str, Any] | None  # {"text": …} | {"list": […]} | {"map": [[k, v], …]} | None


# -- parsing ----------------------------------------------------------------
def _camunda(local: str) -> str:
    return f"{{{CAMUNDA_MODEL_NS}}}{local}"


def parse_value(node: etree._Element) -> Value:
    """The value written inside a parameter, list value or map entry."""
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag == _camunda("list"):
            return {"list": [parse_value(item) for item in child if isinstance(item.tag, str)]}
        if child.tag == _camunda("map"):
            return {"map": [[entry.get("key"), parse_value(entry)] for entry in child
                            if isinstance(entry.tag, str)]}
        if child.tag == _camunda("script"):
            return {"script": True}
    return None if node.text is None else {"text": node.text}


def parse_mappings(node: etree._Element) -> dict[str, Any]:
    """`inputOutput`, `in` and `out` of one activity, as JSON for `extensions["camunda"]`."""
    found: dict[str, Any] = {}
    ext = node.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements")
    if ext is None:
        return found
    io = ext.find(_camunda("inputOutput"))
    if io is not None:
        found["inputOutput"] = {
            "inputs": [[p.get("name"), parse_value(p)] for p in io.findall(
                _camunda("inputParameter"))],
            "outputs": [[p.get("name"), parse_value(p)] for p in io.findall(
                _camunda("outputParameter"))],
        }
    for kind in ("in", "out"):
        rows = [dict(m.attrib) for m in ext.findall(_camunda(kind))]
        if rows:
            found[kind] = rows
    return found


# -- evaluating -------------------------------------------------------------
def evaluate_value(value: Value, data: dict[str, Any], task: Any) -> Any:
    if value is None:
        return None
    if "list" in value:
        return [evaluate_value(v, data, task) for v in value["list"]]
    if "map" in value:
        return {key: evaluate_value(v, data, task) for key, v in value["map"]}
    if "script" in value:
        raise WorkflowTaskException("camunda:script mappings are not run by ciiflow", task=task)
    try:
        return deepcopy(evaluate_text(value["text"], data))
    except ExpressionError as error:
        raise WorkflowTaskException(
            f"mapping {value['text']!r}: {error}", task=task, exception=error) from error


def _camunda_ext(spec: Any) -> dict[str, Any]:
    ext = getattr(spec, "extensions", None) or {}
    camunda = ext.get("camunda") if isinstance(ext, dict) else None
    return camunda if isinstance(camunda, dict) else {}


def apply_inputs(spec: Any, my_task: Any) -> None:
    """Evaluate the input parameters (once) and set them as the activity's locals."""
    inputs = _camunda_ext(spec).get("inputOutput", {}).get("inputs")
    if not inputs or _LOCALS in my_task.internal_data:
        return
    values = [(name, evaluate_value(value, my_task.data, my_task)) for name, value in inputs]
    names = [name for name, _ in values]
    my_task.internal_data[_LOCALS] = {
        "names": names,
        "hidden": {n: deepcopy(my_task.data[n]) for n in names if n in my_task.data},
    }
    for name, value in values:
        my_task.data[name] = value


def apply_outputs(spec: Any, my_task: Any) -> None:
    """Evaluate the output parameters, drop the locals, write the outputs."""
    outputs = _camunda_ext(spec).get("inputOutput", {}).get("outputs") or []
    values = [(name, evaluate_value(value, my_task.data, my_task)) for name, value in outputs]
    local = my_task.internal_data.pop(_LOCALS, None)
    if local:
        for name in local["names"]:
            my_task.data.pop(name, None)
        my_task.data.update(local["hidden"])
    for name, value in values:
        my_task.data[name] = value


def call_inputs(spec: Any, my_task: Any) -> dict[str, Any]:
    """What a called process starts with: only what `camunda:in` maps.

    A `camunda:in local="true"` reads the call activity's own (local) variables
    only, as Camunda does: its input parameters, not the variables of the
    process around it; `variables="all" local="true"` passes just those.
    """
    result: dict[str, Any] = {}
    for row in _camunda_ext(spec).get("in", []):
        local = (row.get("local") or "").strip().lower() == "true"
        _map_one(row, _local_data(my_task) if local else my_task.data, result, my_task)
    return deepcopy(result)


def _local_data(my_task: Any) -> dict[str, Any]:
    """The activity's local variables: what its input parameters set."""
    names = (my_task.internal_data.get(_LOCALS) or {}).get("names") or []
    return {name: my_task.data[name] for name in names if name in my_task.data}


def call_outputs(spec: Any, my_task: Any, called_data: dict[str, Any]) -> dict[str, Any]:
    """What the caller gets back: only what `camunda:out` maps."""
    result: dict[str, Any] = {}
    for row in _camunda_ext(spec).get("out", []):
        _map_one(row, called_data, result, my_task)
    return deepcopy(result)


def _map_one(row: dict[str, str], source: dict[str, Any], into: dict[str, Any],
             task: Any) -> None:
    if row.get("variables") == "all":
        into.update(source)
        return
    target = row.get("target")
    if row.get("businessKey") is not None and not target:
        return  # same instance, same business key
    if not target:
        raise WorkflowTaskException(f"camunda mapping {row} has no target", task=task)
    if row.get("sourceExpression"):
        into[target] = evaluate_value({"text": row["sourceExpression"]}, source, task)
    elif row.get("source"):
        # Camunda passes null for a source variable that does not exist
        into[target] = source.get(row["source"])
    else:
        raise WorkflowTaskException(f"camunda mapping {row} has no source", task=task)


# -- the spec side ----------------------------------------------------------
class InputOutputMixin:
    """Inputs when the activity becomes ready, outputs when it completes; the bound
    listeners between (`engine.camunda.listeners`): start and create after the inputs,
    complete and end before the outputs."""

    def _on_ready_hook(self, my_task: Any) -> None:
        apply_inputs(self, my_task)
        run_listeners(self, my_task, "start")
        run_listeners(self, my_task, "create")
        super()._on_ready_hook(my_task)  # type: ignore[misc]

    def _on_complete_hook(self, my_task: Any) -> None:
        run_listeners(self, my_task, "complete")
        run_listeners(self, my_task, "end")
        apply_outputs(self, my_task)
        super()._on_complete_hook(my_task)  # type: ignore[misc]


class SubprocessInputOutputMixin(InputOutputMixin):
    """A subprocess copies its data into the child when it starts, before it is ready."""

    def start_workflow(self, my_task: Any) -> None:
        apply_inputs(self, my_task)
        super().start_workflow(my_task)  # type: ignore[misc]


class CallActivityMappingMixin(SubprocessInputOutputMixin):
    """`camunda:in` / `camunda:out` instead of copying all data both ways."""

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True,
                                          spec_name="Start")
        start.set_data(**call_inputs(self, my_task))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        my_task.data.update(call_outputs(self, my_task, subworkflow.last_task.data))
