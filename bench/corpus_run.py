"""Corpus driver: run every deployed process of a unit to an end, as a user and workers would.

Deploying is half of "runs what Camunda 7 runs": a file can deploy and still stop at
its first gateway, wait for a message nobody can send, or crash on a step. The driver
starts each process the unit deploys and answers every wait through the engine's
facade only, so what it measures is what the API would do:

- starts: a none start with the start form's values, a message start by correlation, a
  timer start by pushing the clock, a signal start by broadcasting the signal, a
  conditional start by `evaluate_conditions` with variables guessed from the start form
  and the condition (`bench/corpus_facts.py`);
- user tasks: completed with values their forms accept (the field's default, an
  enum's first value, else a value of the field's type); a task without a form
  gets no data;
- external tasks: fetch-and-lock on every topic the files name, completed empty;
- message waits: every message name the unit's files declare is tried against the
  case (a name it does not wait for is `NoSubscriber`, which is no harm);
- receive tasks drawn without a message: triggered (Camunda's `RuntimeService.signal`);
- signal waits: each signal the files declare is broadcast while the case waits on an
  event, until one reaches the case;
- jobs left at transaction boundaries (`asyncBefore`/`asyncAfter`): the worker's job
  pass, the clock pushed forward for a retry cycle's wait;
- timers: the injected clock jumps to the case's next due timer, then the timer pass.

An operation the engine measured does not have (an older commit) is skipped, not an
error, so the same driver measures before and after. A case that is neither finished
nor able to move is reported with where it waits; an incident with its activity and the
first words of its message. Steps are bounded (`MAX_ACTIONS`); the wall-clock bound is
the caller's (corpus.py's alarm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import engine
from bench.corpus_facts import UnitFacts, condition_guesses, form_values, read_facts
from engine.service.caller import Caller

__all__ = ["Run", "UnitFacts", "drive_case", "drive_unit", "form_values", "read_facts"]

MAX_ACTIONS = 200
OPERATOR = Caller.operator("corpus-driver")
WORKER = "corpus-driver"
#: how far the clock is pushed, in turn, to fire a start timer with no case to read it from
START_TIMER_JUMPS = (timedelta(minutes=1), timedelta(hours=1), timedelta(days=1),
                     timedelta(days=8), timedelta(days=32), timedelta(days=367),
                     timedelta(days=3653))
#: how far, in turn, for a job whose failed try waits out its retry cycle (R3/PT5M, …)
JOB_JUMPS = (timedelta(seconds=1), timedelta(minutes=1), timedelta(minutes=5),
             timedelta(minutes=10), timedelta(hours=1), timedelta(days=1))
CONDITION_NOT_MET = "conditional start: condition not met with the driver's values"
_ENDED = ("completed", "terminated", "cancelled", "withdrawn")


@dataclass
class Run:
    """How one process of a unit went: `ended`, or `stopped` with where and why."""

    key: str
    ended: bool
    where: str = ""
    why: str = ""
    actions: int = 0
    #: the case driven (empty when none started): where a reader checks what happened
    instance_id: str = ""

    def line(self) -> str:
        if self.ended:
            return f"{self.key}: ran to an end ({self.actions} actions)"
        return f"{self.key}: stopped at {self.where or '?'}: {self.why}"


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
            names = [k for k, _ in kinds]
            why = (CONDITION_NOT_MET if "conditional" in names else
                   "no start this driver can trigger "
                   f"({', '.join(names) or 'no start event'})")
            runs.append(Run(key, False, "start", why))
            continue
        run = drive_case(eng, clock, facts, key, instance_id)
        run.instance_id = instance_id
        runs.append(run)
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
    broadcast = getattr(eng, "broadcast_signal", None)
    for kind, name in kinds:
        if kind == "signal" and name and broadcast is not None:
            for reached in broadcast(name, {}, actor=WORKER):
                if reached.started and reached.outcome.instance.process_key == key:
                    return reached.outcome.instance.id
    evaluate = getattr(eng, "evaluate_conditions", None)
    if "conditional" in kind_names and evaluate is not None:
        return _conditional_start(evaluate, facts, key, kinds, business_key)
    # A start this driver has no trigger for (or an engine without the operation): ask
    # the engine to start the process and let it say whether it can.
    return eng.start(key, business_key, {}, actor=WORKER).instance.id


def _conditional_start(evaluate: Any, facts: UnitFacts, key: str,
                       kinds: list[tuple[str, str]], business_key: str) -> str | None:
    """Camunda's condition evaluation with the variables a user would give; None when
    none of the driver's guesses makes a condition true."""
    form = facts.start_forms.get(key, [])
    for kind, condition in kinds:
        if kind != "conditional":
            continue
        for variables in condition_guesses(condition, form):
            try:
                started = evaluate(variables, business_key=business_key, process_key=key,
                                   actor=WORKER)
            except engine.InvalidInput:
                continue  # the condition failed on these values, or the form refused them
            if started:
                return started[0].instance.id
    return None


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
    if _run_jobs(eng, clock, instance.id):
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
    if _trigger(eng, facts, instance.id) or _signal(eng, facts, instance.id):
        return True
    if instance.next_timer_at is not None:
        if instance.next_timer_at >= clock.now():
            # a second past the due time: the timer pass takes what is strictly due
            clock.set(instance.next_timer_at + timedelta(seconds=1))
        return eng.run_due_timers() > 0
    return False


def _waits(eng: engine.Engine, instance_id: str) -> set[tuple[str, str]]:
    return {(w.activity_id, w.kind) for w in eng.case(instance_id, OPERATOR).waiting_at}


def _run_jobs(eng: engine.Engine, clock: engine.ManualClock, instance_id: str) -> bool:
    """The worker's job pass; a job waiting out its retry cycle gets the clock pushed."""
    run_due_jobs = getattr(eng, "run_due_jobs", None)
    if run_due_jobs is None:
        return False
    if run_due_jobs() > 0:
        return True
    if not any(kind == "job" for _, kind in _waits(eng, instance_id)):
        return False
    for jump in JOB_JUMPS:
        clock.advance(jump)
        if run_due_jobs() > 0:
            return True
    return False


def _trigger(eng: engine.Engine, facts: UnitFacts, instance_id: str) -> bool:
    """Move on a receive task drawn without a message, as a user would trigger it."""
    trigger = getattr(eng, "trigger", None)
    if trigger is None or not facts.triggers:
        return False
    waiting = {activity for activity, _ in _waits(eng, instance_id)}
    for activity_id in facts.triggers:
        if activity_id in waiting:
            try:
                trigger(instance_id, activity_id, {}, actor=WORKER)
                return True
            except engine.InvalidInput:
                continue  # waits there, but not for a trigger (a boundary, a message)
    return False


def _signal(eng: engine.Engine, facts: UnitFacts, instance_id: str) -> bool:
    """Broadcast the unit's signals, in turn, while the case waits on an event, until one
    reaches it (one that also starts cases starts them, as in Camunda)."""
    broadcast = getattr(eng, "broadcast_signal", None)
    if broadcast is None or not facts.signals:
        return False
    if not any(kind in ("event", "signal") for _, kind in _waits(eng, instance_id)):
        return False
    for name in facts.signals:
        reached = broadcast(name, {}, actor=WORKER)
        if any(not r.started and r.outcome.instance.id == instance_id for r in reached):
            return True
    return False
