"""camunda: extensions ciiflow reads only where its parser keeps them: named elsewhere.

The vocabulary check (``engine.lint.camunda``) says whether ciiflow knows an
extension at all; this module says whether it reads it *on that element*.
Found by ``bench/corpus.py`` on public Modeler files, each was accepted without
a finding and then had no effect:

* ``camunda:properties`` are kept by ``engine.camunda.parser.ActivityParserMixin`` on
  activities only; on an event, gateway or the process they were dropped.
* ``camunda:formData`` is shown on user tasks and, as the start form, on a
  process's own start event (``engine.camunda.form_input.start_form``); elsewhere (a
  subprocess start, an event subprocess, a boundary event) it was dropped.
* ``camunda:formKey``/``camunda:formRef`` are read on user tasks only (a start
  form is the start event's ``formData``).

These are warnings: the file runs, the owner learns the extension does nothing.
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, split, tag
from engine.lint.dataflow import OUTPUTS_PROPERTY
from engine.lint.report import Report

PROPERTY_OWNERS = frozenset(
    """
    userTask serviceTask sendTask businessRuleTask task manualTask subProcess callActivity
    """.split()
)
"""Elements whose ``camunda:properties`` the parser keeps (``ActivityParserMixin``)."""

LINT_PROPERTIES = frozenset({OUTPUTS_PROPERTY})
"""Properties the lint reads wherever they are: what a message or a worker sets."""

_FORM_ATTRIBUTES = ("formKey", "formRef")


def check_placement(root: etree._Element, report: Report) -> None:
    """Warn for properties and forms on elements where ciiflow does not read them."""
    for properties in root.iter(tag(CAMUNDA, "properties")):
        owner = _extension_owner(properties)
        if owner is None:
            continue  # e.g. a form field's properties: read with the form
        local = split(owner.tag)[1]
        names = {p.get("name") for p in properties.iter(tag(CAMUNDA, "property"))}
        if names and names <= LINT_PROPERTIES:
            continue  # read by the lint itself, on any element (engine.lint.dataflow)
        if local not in PROPERTY_OWNERS:
            report.warning(owner.get("id"), f"camunda:properties on this {local} are not read "
                           "by ciiflow (it keeps properties on tasks, subprocesses and call "
                           "activities only); remove them or move them to an activity")
    for form in root.iter(tag(CAMUNDA, "formData")):
        owner = _extension_owner(form)
        if owner is None or _is_user_task(owner) or _is_process_start(owner):
            continue
        report.warning(owner.get("id"), f"camunda:formData on this {split(owner.tag)[1]} is not "
                       "shown by ciiflow (forms are read on user tasks and on the process's "
                       "own start event); remove it or move it to a user task")
    for element in root.iter(f"{{{BPMN}}}*"):
        if _is_user_task(element):
            continue
        for attribute in _FORM_ATTRIBUTES:
            value = element.get(tag(CAMUNDA, attribute))
            if value is not None:
                report.warning(element.get("id"), f"camunda:{attribute}={value!r} on this "
                               f"{split(element.tag)[1]} is not read by ciiflow (form keys are "
                               "read on user tasks only; a start form is the start event's "
                               "camunda:formData); remove it")


def _extension_owner(extension: etree._Element) -> etree._Element | None:
    """The BPMN element whose extensionElements hold this camunda: element directly."""
    holder = extension.getparent()
    if holder is None or holder.tag != tag(BPMN, "extensionElements"):
        return None
    owner = holder.getparent()
    return owner if owner is not None and isinstance(owner.tag, str) else None


def _is_user_task(element: etree._Element) -> bool:
    return element.tag == tag(BPMN, "userTask")


def _is_process_start(element: etree._Element) -> bool:
    parent = element.getparent()
    return (element.tag == tag(BPMN, "startEvent") and parent is not None
            and parent.tag == tag(BPMN, "process"))
