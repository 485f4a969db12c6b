"""What the corpus driver reads from a unit's XML, and the values it answers forms with.

The driver (`bench/corpus_run.py`) acts as a user and workers would, and those know the
file: how each process starts, what its forms accept, which messages, signals and
external-task topics it names, which receive tasks wait for a trigger. Reading that from
the XML (not from the engine) keeps the driver the same on every engine version it
measures, old ones included.

A conditional start event's condition is read too: a user starting such a process gives
variables that make it true, so the driver guesses them from the condition's simple
comparisons (`${foo == 1}` gives `foo = 1`, a bare `${urgent}` gives `urgent = true`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.camunda.forms import FormField, apply_constraint

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_B, _C = f"{{{BPMN_NS}}}", f"{{{CAMUNDA_NS}}}"
_LITERAL = r"(-?\d+(?:\.\d+)?|'[^']*'|\"[^\"]*\"|true|false|null)"
_COMPARE = re.compile(r"([A-Za-z_]\w*)\s*(==|!=|>=|<=|>|<|\beq\b|\bne\b|\bgt\b|\bge\b|"
                      r"\blt\b|\ble\b)\s*" + _LITERAL)
_IDENT = re.compile(r"(!|\bnot\s+)?\b([A-Za-z_]\w*)\b(?!\s*[(.])")
_WORDS = {"true", "false", "null", "and", "or", "not", "empty", "eq", "ne", "gt", "ge",
          "lt", "le", "div", "mod", "instanceof"}


@dataclass
class UnitFacts:
    """What the driver needs from the unit's XML."""

    starts: dict[str, list[tuple[str, str]]]  # process key -> [(kind, message/signal/condition)]
    start_forms: dict[str, list[FormField]]
    messages: list[str]
    topics: list[str]
    signals: list[str] = field(default_factory=list)
    #: receive tasks drawn without a message: they wait for a trigger (Camunda's signal(id))
    triggers: list[str] = field(default_factory=list)


def read_facts(files: dict[str, bytes]) -> UnitFacts:
    facts = UnitFacts({}, {}, [], [])
    messages: dict[str, None] = {}
    topics: dict[str, None] = {}
    signals: dict[str, None] = {}
    for name, data in files.items():
        if not name.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            continue
        message_names = {m.get("id"): m.get("name") or m.get("id") or ""
                         for m in root.iter(f"{_B}message")}
        signal_names = {s.get("id"): s.get("name") or s.get("id") or ""
                        for s in root.iter(f"{_B}signal")}
        messages.update(dict.fromkeys(n for n in message_names.values() if n))
        signals.update(dict.fromkeys(n for n in signal_names.values() if n))
        for element in root.iter():
            topic = element.get(f"{_C}topic") if isinstance(element.tag, str) else None
            if topic:
                topics[topic] = None
        facts.triggers += [r.get("id") or "" for r in root.iter(f"{_B}receiveTask")
                           if not r.get("messageRef")]
        for process in root.iterfind(f"{_B}process"):
            key = process.get("id") or ""
            kinds = []
            for start in process.iterfind(f"{_B}startEvent"):
                kinds.append(_start_kind(start, message_names, signal_names))
                fields = start.findall(f"{_B}extensionElements/{_C}formData/{_C}formField")
                if fields and key not in facts.start_forms:
                    facts.start_forms[key] = [_form_field(f) for f in fields]
            facts.starts[key] = kinds
    facts.messages, facts.topics, facts.signals = list(messages), list(topics), list(signals)
    return facts


def _start_kind(start: etree._Element, message_names: dict[str | None, str],
                signal_names: dict[str | None, str]) -> tuple[str, str]:
    message = start.find(f"{_B}messageEventDefinition")
    if message is not None:
        ref = message.get("messageRef")
        return "message", message_names.get(ref, ref or "")
    if start.find(f"{_B}timerEventDefinition") is not None:
        return "timer", ""
    signal = start.find(f"{_B}signalEventDefinition")
    if signal is not None:
        ref = signal.get("signalRef")
        return "signal", signal_names.get(ref, ref or "")
    condition = start.find(f"{_B}conditionalEventDefinition/{_B}condition")
    if condition is not None:
        return "conditional", (condition.text or "").strip()
    definitions = [c for c in start if isinstance(c.tag, str) and c.tag.endswith("Definition")]
    return ("other", "") if definitions else ("none", "")


def _form_field(node: etree._Element) -> FormField:
    field_ = FormField(id=node.get("id") or "", label=node.get("label"),
                       type=node.get("type") or "string", default=node.get("defaultValue"))
    for constraint in node.iterfind(f"{_C}validation/{_C}constraint"):
        apply_constraint(field_, constraint.get("name"), constraint.get("config"))
    field_.enum = [(v.get("id") or "", v.get("name")) for v in node.iterfind(f"{_C}value")]
    return field_


def form_values(form: list[FormField]) -> dict[str, Any]:
    """Values each field accepts: its default when typed right, else one of its type."""
    values: dict[str, Any] = {}
    for field_ in form:
        if field_.readonly:
            continue
        value = _typed(field_, field_.default)
        values[field_.id] = value if value is not None else _sample(field_)
    return values


def _typed(field_: FormField, default: Any) -> Any:
    if default is None or (isinstance(default, str) and "${" in default):
        return None
    try:
        if field_.type == "long":
            return int(default)
        if field_.type == "boolean":
            return str(default).lower() == "true"
    except ValueError:
        return None
    if field_.type == "enum":
        return default if default in [v for v, _ in field_.enum] else None
    return str(default) if field_.type == "string" else None


def _sample(field_: FormField) -> Any:
    if field_.type == "long":
        low = int(field_.min) if field_.min is not None else 1
        return max(low, 1) if field_.max is None or field_.max >= 1 else int(field_.max)
    if field_.type == "boolean":
        return True
    if field_.type == "date":
        return "2026-01-05"
    if field_.type == "enum":
        return field_.enum[0][0] if field_.enum else ""
    length = max(field_.minlength or 1, 1)
    return ("x" * length)[: field_.maxlength or length]


def condition_guesses(condition: str, form: list[FormField]) -> list[dict[str, Any]]:
    """Variables to try, in turn, on a conditional start: the start form's values, then
    those with what the condition's comparisons and bare names ask for.

    Only simple shapes are read (`name OP literal`, `name`, `!name`); anything else is
    left to the form's values, and the driver then says the condition was not met."""
    base = form_values(form)
    guess: dict[str, Any] = {}
    for name, operator, literal in _COMPARE.findall(condition):
        guess.setdefault(name, _satisfying(operator, _literal(literal)))
    stripped = _COMPARE.sub(" ", re.sub(r"'[^']*'|\"[^\"]*\"", " ", condition))
    for negated, name in _IDENT.findall(stripped):
        if name not in _WORDS:
            guess.setdefault(name, not negated)
    tries = [base]
    if guess:
        tries.append({**base, **guess})
    return tries


def _literal(text: str) -> Any:
    if text[:1] in "'\"":
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    return float(text) if "." in text else int(text)


def _satisfying(operator: str, value: Any) -> Any:
    """A value for which `x OP value` holds."""
    operator = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<",
                "le": "<="}.get(operator, operator)
    if operator in ("==", ">=", "<="):
        return value
    if operator == "!=":
        if value is None:
            return "x"
        if isinstance(value, bool):
            return not value
        return value + 1 if isinstance(value, int | float) else f"{value}x"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value + 1 if operator == ">" else value - 1
    return value
