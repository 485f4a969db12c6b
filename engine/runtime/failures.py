"""What an incident says: the BPMN element at fault and one line, from what SpiffWorkflow raised.

SpiffWorkflow's exceptions carry the task (or the task spec) they happened at and
wrap the error of an expression or a handler; an incident names the element a
process owner sees in the Modeler, and a message short enough for a list.
"""

from __future__ import annotations


def describe_failure(exc: Exception) -> tuple[str | None, str]:
    """The BPMN element at fault and a one-line message, from whatever SpiffWorkflow raised."""
    activity_id = None
    task = getattr(exc, "task", None)
    if task is not None:
        activity_id = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
    elif getattr(exc, "task_spec", None) is not None:
        activity_id = getattr(exc.task_spec, "bpmn_id", None) or exc.task_spec.name
    parts = [str(exc).strip() or type(exc).__name__]
    inner = getattr(exc, "exception", None)
    if inner is not None and str(inner) and str(inner) not in parts[0]:
        parts.append(str(inner))
    parts.extend(getattr(exc, "__notes__", []) or [])
    message = ": ".join(p for p in parts if p)
    return activity_id, message[:2000]
