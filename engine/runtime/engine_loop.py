"""Running a workflow until it waits: what every step does after its action.

Kept apart from the step (`engine.runtime.step`, which re-exports `run_engine`) so that
the unit of work stays one module of reasonable size; this is SpiffWorkflow's loop with
the Camunda additions the engine needs (BPMN errors thrown by handlers, conditional
events), and the one place that decides how many passes over the task tree a step pays.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.camunda.conditional import refresh_conditions
from engine.camunda.service_tasks import throw_pending_errors


def run_engine(wf: BpmnWorkflow) -> None:
    """Run every automatic task, due timer, pending BPMN error and conditional event whose
    condition now holds, until the workflow waits."""
    wf.do_engine_steps()
    wf.refresh_timers()
    if _engine_ready(wf):
        wf.do_engine_steps()
    else:  # what a pass with nothing to run does, without its walk of the task tree
        wf.refresh_timers()
    while throw_pending_errors(wf) or refresh_conditions(wf):
        wf.do_engine_steps()


def _engine_ready(wf: BpmnWorkflow) -> bool:
    """Whether a task the engine runs itself is ready (a timer the refresh fired): only
    then does another pass of `do_engine_steps` have work. A flat scan of the task
    dicts, where the pass walks the task tree."""
    for workflow in (wf, *wf.subprocesses.values()):
        for task in workflow.tasks.values():
            if task._state == TaskState.READY and not task.task_spec.manual:
                return True
    return False
