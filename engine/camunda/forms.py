"""The form of a user task, as the process owner drew it with `camunda:formData`.

Institutions complete tasks by API without custom code, so the form (fields,
types, enum values, constraints) must be readable from the definition alone,
and only the variables the process owner chose to expose (the task property
`ciiflow.expose`) may be shown next to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .serializer import SpecPair
from .taskattrs import task_properties

EXPOSE_PROPERTY = "ciiflow.expose"


@dataclass
class FormField:
    id: str
    label: str | None
    type: str
    default: Any = None
    required: bool = False
    readonly: bool = False
    min: float | None = None
    max: float | None = None
    minlength: int | None = None
    maxlength: int | None = None
    enum: list[tuple[str, str | None]] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)


def _number(text: Any) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def apply_constraint(field: FormField, name: str | None, config: str | None) -> None:
    """One `camunda:constraint` (required, readonly, min, max, minlength, maxlength)."""
    if name == "required":
        field.required = True
    elif name == "readonly":
        field.readonly = True
    elif name in ("min", "max"):
        setattr(field, name, _number(config))
    elif name in ("minlength", "maxlength"):
        value = _number(config)
        setattr(field, name, int(value) if value is not None else None)


def form_fields(task_spec: Any) -> list[FormField]:
    form = getattr(task_spec, "form", None)
    fields: list[FormField] = []
    for raw in getattr(form, "fields", []) or []:
        f = FormField(id=raw.id, label=raw.label, type=(raw.type or "string"),
                      default=raw.default_value)
        for prop in getattr(raw, "properties", []) or []:
            f.properties[prop.id] = prop.value
        for rule in getattr(raw, "validation", []) or []:
            apply_constraint(f, rule.name, rule.config)
        if f.type == "enum":
            f.enum = [(opt.id, opt.name) for opt in getattr(raw, "options", []) or []]
        fields.append(f)
    return fields


def exposed_variables(task_spec: Any) -> list[str]:
    text = task_properties(task_spec).get(EXPOSE_PROPERTY, "") or ""
    return [name.strip() for name in text.split(",") if name.strip()]


def find_task_spec(specs: SpecPair, activity_id: str) -> Any:
    spec, subprocess_specs = specs
    for process in (spec, *subprocess_specs.values()):
        for task_spec in process.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == activity_id:
                return task_spec
    return None
