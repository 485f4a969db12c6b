"""German translations: a file that translates must translate every user task and form.

The Haut-Valais partners read task names and form labels in German
(`engine.camunda.translations`, docs/translations.md); a name left untranslated
falls back to French, which such a partner may not read. Why only a file that
already carries one German text is checked: a process drawn in French only (a
commune's own process, a test file) is a deliberate choice and would otherwise
get a warning per task; once a process owner starts translating, each missing
`name.de`, `label.de` or `value.<id>.de` is one warning naming the element and
the field, and a translation of an enum value the field does not have is named
too (it would never be shown).
"""

from __future__ import annotations

from lxml import etree

from engine.camunda.namespaces import BPMN, CAMUNDA, tag
from engine.camunda.translations import label_property, name_property, value_property
from engine.lint.report import Report, one_line, owner_id

LANGUAGE = "de"
_C = f"{{{CAMUNDA}}}"


def _element_properties(element: etree._Element) -> dict[str, str]:
    """An element's own Extension properties (`camunda:property name=… value=…`)."""
    found: dict[str, str] = {}
    for prop in element.iterfind(f"{{{BPMN}}}extensionElements/{_C}properties/{_C}property"):
        found[prop.get("name") or ""] = prop.get("value") or ""
    return found


def _field_properties(field: etree._Element) -> dict[str, str]:
    """A form field's Properties (`camunda:property id=… value=…`, as the Modeler writes)."""
    return {prop.get("id") or "": prop.get("value") or ""
            for prop in field.iterfind(f"{_C}properties/{_C}property")}


def _given(properties: dict[str, str], key: str) -> bool:
    return bool(properties.get(key, "").strip())


def _translates(root: etree._Element) -> bool:
    """Whether the file carries at least one German text."""
    suffix = f".{LANGUAGE}"
    for prop in root.iter(f"{_C}property"):
        key = prop.get("name") or prop.get("id") or ""
        if key.endswith(suffix) and key.split(".")[0] in ("name", "label", "value"):
            return True
    return False


def check_translations(root: etree._Element, report: Report) -> None:
    if not _translates(root):
        return
    for task in root.iter(tag(BPMN, "userTask")):
        name = task.get("name")
        if name and name.strip() and not _given(_element_properties(task),
                                                name_property(LANGUAGE)):
            report.warning(task.get("id"),
                           f"no German name for user task {one_line(name)!r}: add the "
                           f"Extension property {name_property(LANGUAGE)} (German partners "
                           "see the French name)")
    for field in root.iter(f"{_C}formField"):
        _check_field(field, report)


def _check_field(field: etree._Element, report: Report) -> None:
    props = _field_properties(field)
    fid = field.get("id") or "?"
    label = field.get("label")
    if label and label.strip() and not _given(props, label_property(LANGUAGE)):
        report.warning(owner_id(field),
                       f"form field {fid!r}: no German label for {one_line(label)!r}; add the "
                       f"field property {label_property(LANGUAGE)}")
    values = [v.get("id") or "" for v in field.iterfind(f"{_C}value")]
    for value in field.iterfind(f"{_C}value"):
        vid, vname = value.get("id") or "", value.get("name")
        if vname and vname.strip() and not _given(props, value_property(vid, LANGUAGE)):
            report.warning(owner_id(field),
                           f"form field {fid!r}: no German name for enum value {vid!r} "
                           f"({one_line(vname)!r}); add the field property "
                           f"{value_property(vid, LANGUAGE)}")
    for key in props:
        parts = key.split(".")
        if len(parts) >= 3 and parts[0] == "value" and ".".join(parts[1:-1]) not in values:
            report.warning(owner_id(field),
                           f"form field {fid!r}: property {key!r} translates enum value "
                           f"{'.'.join(parts[1:-1])!r}, which the field does not have")
