"""Corpus driver: run every deployed process of a unit to an end, as a user and workers would.

Deploying is half of "runs what Camunda 7 runs": a file can deploy and still stop at
its first gateway, wait for a message nobody can send, or crash on a step. The driver
starts each process the unit deploys and answers every wait through the engine's
facade only, so what it measures is what the API would do:

- user tasks: completed with values their forms accept (the field's default, an
  enum's first value, else a value of the field's type); a task without a form
  gets no data;
- message waits: every message name the unit's files declare is tried against the
  case (a name it does not wait for is `NoSubscriber`, which is no harm);
- timers: the injected clock jumps to the case's next due timer, then the timer pass;
- external tasks: fetch-and-lock on every topic the files name, completed empty.

A case that is neither finished nor able to move is reported with where it waits;
an incident with its activity and the first words of its message. Steps are bounded
(`MAX_ACTIONS`); the wall-clock bound is the caller's (corpus.py's alarm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from lxml import etree

import engine
from engine.camunda.forms import FormField, apply_constraint
from engine.service.caller import Caller

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
MAX_ACTIONS = 200
OPERATOR = Caller.operator("corpus-driver")
WORKER = "corpus-driver"
#: how far the clock is pushed, in turn, to fire a start timer with no case to read it from
START_TIMER_JUMPS = (timedelta(minutes=1), timedelta(hours=1), timedelta(days=1),
                     timedelta(days=8), timedelta(days=32), timedelta(days=367),
                     timedelta(days=3653))
_B, _C = f"{{{BPMN_NS}}}", f"{{{CAMUNDA_NS}}}"
_ENDED = ("completed", "terminated", "cancelled", "withdrawn")


@dataclass
class Run:
    """How one process of a unit went: `ended`, or `stopped` with where and why."""

    key: str
    ended: bool
    where: str = ""
    why: str = ""
    actions: int = 0

    def line(self) -> str:
        if self.ended:
            return f"{self.key}: ran to an end ({self.actions} actions)"
        return f"{self.key}: stopped at {self.where or '?'}: {self.why}"


@dataclass
class UnitFacts:
    """What the driver needs from the unit's XML: start kinds, forms, messages, topics."""

    starts: dict[str, list[tuple[str, str]]]  # process key -> [(kind, message name)]
    start_forms: dict[str, list[FormField]]
    messages: list[str]
    topics: list[str]


def read_facts(files: dict[str, bytes]) -> UnitFacts:
    starts: dict[str, list[tuple[str, str]]] = {}
    forms: dict[str, list[FormField]] = {}
    messages: dict[str, None] = {}
    topics: dict[str, None] = {}
    for name, data in files.items():
        if not name.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False))
        except etree.XMLSyntaxError:
            continue
        message_names = {m.get("id"): m.get("name") or m.get("id") or ""
                         for m in root.iter(f"{_B}message")}
        messages.update(dict.fromkeys(n for n in message_names.values() if n))
        for element in root.iter():
            topic = element.get(f"{_C}topic") if isinstance(element.tag, str) else None
            if topic:
                topics[topic] = None
        for process in root.iterfind(f"{_B}process"):
            key = process.get("id") or ""
            kinds = []
            for start in process.iterfind(f"{_B}startEvent"):
                kinds.append(_start_kind(start, message_names))
                fields = start.findall(f"{_B}extensionElements/{_C}formData/{_C}formField")
                if fields and key not in forms:
                    forms[key] = [_form_field(f) for f in fields]
            starts[key] = kinds
    return UnitFacts(starts, forms, list(messages), list(topics))


def _start_kind(start: etree._Element, message_names: dict[str | None, str]) -> tuple[str, str]:
    if start.find(f"{_B}messageEventDefinition") is not None:
        ref = start.find(f"{_B}messageEventDefinition").get("messageRef")
        return "message", message_names.get(ref, ref or "")
    if start.find(f"{_B}timerEventDefinition") is not None:
        return "timer", ""
    definitions = [c for c in start if isinstance(c.tag, str) and c.tag.endswith("Definition")]
    return ("other", "") if definitions else ("none", "")


def _form_field(node: etree._Element) -> FormField:
    field = FormField(id=node.get("id") or "", label=node.get("label"),
                      type=node.get("type") or "string", default=node.get("defaultValue"))
    for constraint in node.iterfind(f"{_C}validation/{_C}constraint"):
        apply_constraint(field, constraint.get("name"), constraint.get("config"))
    field.enum = [(v.get("id") or "", v.get("name")) for v in node.iterfind(f"{_C}value")]
    return field


def form_values(form: list[FormField]) -> dict[str, Any]:
    """Values each field accepts: its default when typed right, else one of its type."""
    values: dict[str, Any] = {}
    for field in form:
        if field.readonly:
            continue
        value = _typed(field, field.default)
        values[field.id] = value if value is not None else _sample(field)
    return values


def _typed(field: FormField, default: Any) -> Any:
    if default is None or (isinstance(default, str) and "${" in default):
        return None
    try:
        if field.type == "long":
            return int(default)
        if field.type == "boolean":
            return str(default).lower() == "true"
    except ValueError:
        return None
    if field.type == "enum":
        return default if default in [v for v, _ in field.enum] else None
    return str(default) if field.type == "string" else None


def _sample(field: FormField) -> Any:
    if field.type == "long":
        low = int(field.min) if field.min is not None else 1
        return max(low, 1) if field.max is None or field.max >= 1 else int(field.max)
    if field.type == "boolean":
        return True
    if field.type == "date":
        return "2026-01-05"
    if field.type == "enum":
        return field.enum[0][0] if field.enum else ""
    length = max(field.minlength or 1, 1)
    return ("x" * length)[: field.maxlength or length]


def drive_unit(eng: engine.Engine, clock: engine.ManualClock, files: dict[str, bytes],
               keys: list[str]) -> list[Run]:
    """Start each of `keys` the way its start event allows and drive the case to an end."""
    facts = read_facts(files)
    runs = []
    for n, key in enumerate(keys):
        business_key = f"corpus-{n}"
        kinds = facts.starts.get(key, [("none", "")])
        try:
            instance_id = _start(eng, clock, facts, key, kinds, business_key)
        except engine.EngineError as exc:
            runs.append(Run(key, False, "start", f"{type(exc).__name__}: {str(exc)[:100]}"))
            continue
        if instance_id is None:
            runs.append(Run(key, False, "start", "no start this driver can trigger "
                            f"({', '.join(k for k, _ in kinds) or 'no start event'})"))
            continue
        runs.append(drive_case(eng, clock, facts, key, instance_id))
    return runs


def _start(eng: engine.Engine, clock: engine.ManualClock, facts: UnitFacts, key: str,
           kinds: list[tuple[str, str]], business_key: str) -> str | None:
    kind_names = [k for k, _ in kinds]
    if "none" in kind_names or not kinds:
        outcome = eng.start(key, business_key, form_values(facts.start_forms.get(key, [])),
                            actor=WORKER)
        return outcome.instance.id
    for kind, message in kinds:
        if kind == "message" and message:
            outcome = eng.correlate(message, business_key=business_key, actor=WORKER)
            return outcome.instance.id
    if "timer" in kind_names:
        for jump in START_TIMER_JUMPS:
            clock.advance(jump)
            eng.run_due_timers()
            page = eng.instances(process_key=key, limit=1)
            if page.items:
                return page.items[0].id
        return None
    # A start this driver has no trigger for (conditional, signal): ask the engine to start
    # the process and let it say whether it can.
    return eng.start(key, business_key, {}, actor=WORKER).instance.id


def drive_case(eng: engine.Engine, clock: engine.ManualClock, facts: UnitFacts, key: str,
               instance_id: str) -> Run:
    actions = 0
    while actions < MAX_ACTIONS:
        instance = eng.instance(instance_id)
        if instance.status in _ENDED:
            return Run(key, instance.status == "completed", "",
                       "" if instance.status == "completed" else instance.status, actions)
        if instance.status == "incident":
            return _incident_run(eng, key, instance_id, actions)
        if instance.status != "running":
            return Run(key, False, "", f"case is {instance.status}", actions)
        try:
            moved = _act(eng, clock, facts, instance)
        except engine.EngineError as exc:
            return Run(key, False, _where(eng, instance_id),
                       f"{type(exc).__name__}: {_gist(str(exc))}", actions)
        if not moved:
            waits = eng.case(instance_id, OPERATOR).waiting_at
            where = _where(eng, instance_id)
            kinds = ",".join(sorted({w.kind for w in waits})) or "nothing it can name"
            return Run(key, False, where, f"waiting on {kinds}", actions)
        actions += 1
    return Run(key, False, "", f"step bound ({MAX_ACTIONS} actions)", actions)


def _where(eng: engine.Engine, instance_id: str) -> str:
    return ",".join(w.activity_id for w in eng.case(instance_id, OPERATOR).waiting_at) or "?"


def _incident_run(eng: engine.Engine, key: str, instance_id: str, actions: int) -> Run:
    incidents = eng.incidents(instance_id=instance_id)
    items = getattr(incidents, "items", incidents)
    if not items:
        return Run(key, False, "", "incident (none listed)", actions)
    first = items[0]
    return Run(key, False, first.activity_id or "?", "incident: " + _gist(first.message),
               actions)


def _gist(message: str) -> str:
    """The kind of an incident, not its data: the first clause, cut short."""
    return message.split("\n")[0][:110]


def _act(eng: engine.Engine, clock: engine.ManualClock, facts: UnitFacts,
         instance: Any) -> bool:
    """One action that moves the case; False when nothing this driver can do moves it."""
    ready = eng.tasks(instance_id=instance.id, state="ready", limit=1).items
    if ready:
        task = ready[0]
        form = eng.task_detail(task.id, OPERATOR).form
        eng.complete_task(task.id, form_values(form), actor=WORKER)
        return True
    if facts.topics:
        locked = eng.fetch_and_lock(OPERATOR, WORKER, [(t, 60_000) for t in facts.topics],
                                    max_tasks=1)
        mine = [t for t in locked if t["instance_id"] == instance.id] or locked
        if mine:
            eng.complete_external_task(OPERATOR, mine[0]["id"], WORKER, {})
            return True
    for name in facts.messages:
        try:
            eng.correlate(name, instance_id=instance.id, actor=WORKER)
            return True
        except engine.NoSubscriber:
            continue
    if instance.next_timer_at is not None:
        if instance.next_timer_at >= clock.now():
            # a second past the due time: the timer pass takes what is strictly due
            clock.set(instance.next_timer_at + timedelta(seconds=1))
        return eng.run_due_timers() > 0
    return False
