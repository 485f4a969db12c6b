"""Marshmallow schemas built from a task's `camunda:formData`, and start-event forms.

Process owners define forms in Camunda Modeler, not in code, so the schema that
validates a completion is built at run time from the definition: one field per
form field, with its type (string, long, boolean, date, enum) and constraints
(required, min, max, minlength, maxlength); unknown fields are refused.
Built schemas are cached per definition version and activity (definitions never
change once deployed). Types are strict: "12" is not a long, 1 is not a boolean,
because an institution's system that sends the wrong type has a bug we should
show it, not hide.

SpiffWorkflow keeps `formData` on user tasks only, so the start event's form
(the announcement form) is read here from the stored BPMN XML.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Mapping
from typing import Any
from weakref import WeakKeyDictionary

from lxml import etree
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from engine.errors import InvalidInput

from .forms import FormField, apply_constraint, form_fields
from .namespaces import BPMN as BPMN_NS
from .namespaces import CAMUNDA as CAMUNDA_NS
from .xml import parse

_schema_cache: dict[str, type[Schema]] = {}
_start_form_cache: dict[tuple[str, str], list[FormField]] = {}


class ElementForm(list[FormField]):
    """A task's form with its completion schema, built once per task spec: a completion
    then neither rebuilds the fields nor derives a cache key from their text."""

    schema_class: type[Schema]


#: per task spec object: a deployed definition version never changes, and the runtime's
#: spec cache keeps its specs alive as long as they are used (an evicted spec's entry goes)
_element_forms: WeakKeyDictionary[Any, ElementForm] = WeakKeyDictionary()


class StrictInteger(fields.Integer):
    """An integer that is a JSON integer: no strings, floats or booleans."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        if abs(value) > 2**63 - 1:
            raise ValidationError("out of the range of a long")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing that merely looks like one."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class IsoDate(fields.Date):
    """An ISO 8601 date, kept in the case data as its ISO text (JSON-safe, comparable)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs).isoformat()


class FormSchema(Schema):
    class Meta:
        unknown = RAISE


def _field(form_field: FormField) -> fields.Field:
    kwargs: dict[str, Any] = {"required": form_field.required,
                              "allow_none": not form_field.required}
    checks: list[Any] = []
    kind = form_field.type
    if kind == "long":
        if form_field.min is not None or form_field.max is not None:
            checks.append(validate.Range(min=form_field.min, max=form_field.max))
        return StrictInteger(validate=checks, **kwargs)
    if kind == "boolean":
        return StrictBoolean(**kwargs)
    if kind == "date":
        return IsoDate(**kwargs)
    if kind == "enum":
        return fields.String(validate=validate.OneOf([v for v, _ in form_field.enum]), **kwargs)
    if form_field.minlength is not None or form_field.maxlength is not None:
        checks.append(validate.Length(min=form_field.minlength, max=form_field.maxlength))
    if form_field.required:
        checks.append(validate.Length(min=1, error="Missing data for required field."))
    return fields.String(validate=checks, **kwargs)


def element_form(task_spec: Any) -> ElementForm:
    """The `camunda:formData` of a user task spec with its schema, built once per spec."""
    if task_spec is None:  # no such element: no form
        form = ElementForm()
        form.schema_class = _schema_class(form)
        return form
    form = _element_forms.get(task_spec)
    if form is None:
        form = ElementForm(form_fields(task_spec))
        form.schema_class = _schema_class(form)
        _element_forms[task_spec] = form
    return form


def schema_for(form: list[FormField]) -> Schema:
    """The completion schema of a form; built once per distinct form."""
    if isinstance(form, ElementForm):
        return form.schema_class()
    return _schema_class(form)()


def _schema_class(form: list[FormField]) -> type[Schema]:
    """Keyed by the form's text, for forms not read from a task spec (the start form)."""
    cache_key = repr(form)
    cls = _schema_cache.get(cache_key)
    if cls is None:
        cls = FormSchema.from_dict({f.id: _field(f) for f in form}, name="TaskForm")
        _schema_cache[cache_key] = cls
    return cls


def validate_form(form: list[FormField], data: Any,
                  current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The cleaned data, or `ValidationError` whose messages name every failing field.

    A readonly field may be sent only with its current value (Camunda shows it,
    the institution cannot change it); `current` holds the values the task sees.
    """
    if not isinstance(data, Mapping):
        raise ValidationError({"data": ["must be an object"]})
    errors: dict[str, list[str]] = {}
    try:
        cleaned = schema_for(form).load(data)
    except ValidationError as exc:
        errors.update({k: v if isinstance(v, list) else [str(v)]
                       for k, v in exc.normalized_messages().items()})
        cleaned = {}
    current = current or {}
    for f in form:
        if f.readonly and f.id in data and data[f.id] != current.get(f.id, f.default):
            errors.setdefault(f.id, []).append("readonly: the value cannot be changed")
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_form(form: list[FormField], data: Any, current: Mapping[str, Any] | None = None,
               *, what: str = "the form") -> dict[str, Any]:
    """`validate_form` for the engine's operations: an `InvalidInput` naming every field."""
    try:
        return validate_form(form, data, current)
    except ValidationError as exc:
        errors = {k: v if isinstance(v, list) else [str(v)]
                  for k, v in exc.normalized_messages().items()}
        raise InvalidInput(f"{what} does not validate: " + ", ".join(sorted(errors)),
                           errors=errors) from None


def describe(form: list[FormField], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The form as an institution's system needs it to render and fill it."""
    out = []
    for f in form:
        out.append({
            "id": f.id, "label": f.label, "type": f.type, "required": f.required,
            "readonly": f.readonly, "min": f.min, "max": f.max, "minlength": f.minlength,
            "maxlength": f.maxlength, "default": _json_value(f.default),
            "enum": [{"id": v, "name": n} for v, n in f.enum] if f.type == "enum" else None,
            "value": _json_value(values.get(f.id)),
            "properties": dict(f.properties),
        })
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, dict)):
        return value
    return str(value)


# -- the start event's form ---------------------------------------------------


def _form_field(node: etree._Element) -> FormField:
    c = f"{{{CAMUNDA_NS}}}"
    field = FormField(id=node.get("id") or "", label=node.get("label"),
                      type=(node.get("type") or "string"), default=node.get("defaultValue"))
    for prop in node.iterfind(f"{c}properties/{c}property"):
        field.properties[prop.get("id") or ""] = prop.get("value") or ""
    for rule in node.iterfind(f"{c}validation/{c}constraint"):
        apply_constraint(field, rule.get("name"), rule.get("config"))
    if field.type == "enum":
        field.enum = [(v.get("id") or "", v.get("name"))
                      for v in node.iterfind(f"{c}value")]
    return field


def start_form(definition: Any) -> list[FormField]:
    """The `camunda:formData` of the process's none start event (empty when it has none)."""
    cache_key = (definition.key, definition.checksum)
    cached = _start_form_cache.get(cache_key)
    if cached is not None:
        return cached
    xml = definition.resources.get(definition.bpmn_resource, "")
    root = parse(xml)
    form: list[FormField] = []
    b, c = f"{{{BPMN_NS}}}", f"{{{CAMUNDA_NS}}}"
    for process in root.iterfind(f"{b}process"):
        if process.get("id") != definition.key:
            continue
        for start in process.iterfind(f"{b}startEvent"):
            nodes = start.findall(f"{b}extensionElements/{c}formData/{c}formField")
            if nodes:
                form = [_form_field(n) for n in nodes]
                break
    _start_form_cache[cache_key] = form
    return form
