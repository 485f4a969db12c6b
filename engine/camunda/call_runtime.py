"""A call activity whose called process is found when it is reached, as Camunda 7 does.

A process of the caller's bundle is built into the caller's version at deploy
(`engine.runtime.definitions`); a `calledElement` from outside the bundle is left
out, so SpiffWorkflow's `start_workflow` would not find its spec. Just before it
looks, the workflow's script engine, when it offers `called_process` (the runtime's
step host, `engine.runtime.called`), resolves `camunda:calledElementBinding` at that
moment, puts the called spec into the top workflow's `subprocess_specs` and keeps
which version it used with the case's state, so every restore builds the same
specs. A binding it cannot resolve raises at the call activity: an incident there.
A workflow whose script engine has no `called_process` keeps SpiffWorkflow's own
"called process not found".
"""

from __future__ import annotations

from typing import Any


class RunTimeCallMixin:
    """Asks the host for the called process the first time the case reaches the call."""

    spec: str

    def start_workflow(self, my_task: Any) -> None:
        top = my_task.workflow.top_workflow
        if self.spec not in top.subprocess_specs:
            bring = getattr(top.script_engine, "called_process", None)
            if bring is not None:
                bring(my_task)
        super().start_workflow(my_task)  # type: ignore[misc]
