"""Processes called from outside the caller's bundle, found when the call is reached.

Camunda 7 resolves `calledElement` when the call activity runs, and so does ciiflow
for a process that is not in the caller's bundle (a process of the bundle is built
into the caller's version at deploy, whatever the binding):

* at deploy, `findings` only warns about a binding nothing deployed satisfies yet
  (`deployment` from outside the bundle is refused by lint);
* when a case reaches the call activity (`engine.camunda.call_runtime`), `bring`
  resolves the binding against the versions deployed at that moment, adds the called
  spec (and the specs it calls) to the case's workflow and records the version in
  the case's state; nothing deployed for it → an incident at the call activity,
  which a retry after the deploy runs;
* every later restore of the case (`called_specs`) builds the specs of the recorded
  versions, so a case inside a called version 1 stays on it after version 2.

One version per called key and case: the first call that reaches it fixes it.
Versions deployed before this change carry their called processes in their own
spec (resources `deployed/<key>/v<version>/...`) and restore as they always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.camunda.call_binding import BINDINGS, CallRequest, outside_calls, version_tag
from engine.camunda.serializer import CALLED
from engine.errors import Finding
from engine.store.models import Definition

if TYPE_CHECKING:
    from .step import Step

PREFIX = "deployed/"
"""Where versions deployed before run-time calls kept the called process's files."""


def _versions(session: Session, key: str) -> list[Definition]:
    return list(session.scalars(select(Definition).where(Definition.key == key)
                                .order_by(Definition.version.desc())))


def _pick(call: CallRequest, versions: list[Definition]) -> Definition | str:
    """The version the call binds now, or why none does (naming key, version or tag)."""
    if call.binding == "deployment" or call.binding not in BINDINGS:
        return (f"camunda:calledElementBinding {call.binding!r} cannot call process "
                f"{call.key!r} from outside the caller's bundle")
    if not versions:
        return f"no deployed process has key {call.key!r}"
    if call.binding == "latest":
        return versions[0]
    if call.binding == "version":
        wanted = (call.version or "").strip()
        if not wanted.isdigit():
            return (f"camunda:calledElementVersion {call.version!r} is not a version number; "
                    f"name a deployed version of {call.key!r}")
        for row in versions:
            if row.version == int(wanted):
                return row
        return (f"process {call.key!r} has no deployed version {wanted} (deployed: "
                f"{', '.join(str(r.version) for r in reversed(versions))})")
    tag = (call.version_tag or "").strip()
    for row in versions:
        if tag and version_tag(row.resources.get(row.bpmn_resource, ""), call.key) == tag:
            return row
    return f"no deployed version of process {call.key!r} has camunda:versionTag {tag!r}"


def findings(session: Session | None, files: Mapping[str, bytes]) -> list[Finding]:
    """Warnings for the bundle's outside calls that would open an incident if reached now."""
    found: list[Finding] = []
    for call in outside_calls(files):
        if call.binding == "deployment" or call.binding not in BINDINGS:
            continue  # lint refuses these
        picked = _pick(call, _versions(session, call.key)) if session is not None \
            else f"no deployed process has key {call.key!r}"
        if isinstance(picked, str):
            found.append(Finding(
                "warning", call.filename, call.element_id,
                f"{picked}: the call activity will open an incident unless it is "
                "deployed before a case reaches it"))
    return found


def bundle_subprocess_specs(parser: Any, key: str) -> dict[str, Any]:
    """The specs process `key` calls or embeds that its bundle defines; the others are
    found when the case reaches them (SpiffWorkflow's own walk requires every one)."""
    used: dict[str, Any] = {}
    pending = [key]
    while pending:
        for task_spec in parser.get_spec(pending.pop()).task_specs.values():
            name = getattr(task_spec, "spec", None)
            if isinstance(task_spec, SubWorkflowTask) and name not in used:
                found = parser.get_spec(name, required=False)
                if found is not None:
                    used[name] = found
                    pending.append(name)
    return used


def _request(step: Step, top: Any, element_id: str, key: str) -> CallRequest:
    """The call's binding, read from the drawn file of the case's version, or of a
    process the case called (a call inside a called process)."""
    ids = [step.instance.definition_id, *(getattr(top, CALLED, None) or {}).values()]
    for definition_id in ids:
        row = step.session.get(Definition, definition_id)
        files = {n: t.encode("utf-8") for n, t in (row.resources or {}).items()} if row else {}
        for call in outside_calls(files):
            if call.element_id == element_id and call.key == key:
                return call
    return CallRequest("", element_id, key, "latest", None, None)


def _add_specs(step: Step, top: Any, definition: Definition) -> None:
    spec, subs = step.runtime.specs.get(definition.id, lambda: definition.spec)
    for name, sub in subs.items():
        top.subprocess_specs.setdefault(name, sub)
    top.subprocess_specs[definition.key] = spec


def bring(step: Step, task: Any) -> None:
    """Resolve the call activity `task` has reached and add the called spec to its case."""
    top = task.workflow.top_workflow
    key = task.task_spec.spec
    call = _request(step, top, task.task_spec.bpmn_id, key)
    picked = _pick(call, _versions(step.session, key))
    if isinstance(picked, str):
        raise WorkflowTaskException(
            f"{picked}: deploy it, then retry this incident", task=task)
    _add_specs(step, top, picked)
    setattr(top, CALLED, {**(getattr(top, CALLED, None) or {}), key: picked.id})


def called_specs(step: Step, versions: Mapping[str, int]) -> dict[str, Any]:
    """The specs of the versions a case recorded (`bring`), for its restore; from the
    spec cache, so a restore asks the database only the first time."""
    specs: dict[str, Any] = {}
    for key, definition_id in versions.items():
        def text(definition_id: int = definition_id) -> str:
            return step.session.get(Definition, definition_id).spec
        spec, subs = step.runtime.specs.get(definition_id, text)
        specs.update({n: s for n, s in subs.items() if n not in specs})
        specs[key] = spec
    return specs
