"""The corpus driver (bench/corpus_run.py) on files of this repository: it starts each
process the way its start event says and moves the case to an end, or says where and why
it stopped. Each move is checked by what the case's history records, not only by the end:
a trigger, a received signal, a start by condition, failed job tries, a compensation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bench import corpus_facts, corpus_run
from engine import Engine, ManualClock

FILES = Path(__file__).resolve().parent.parent / "modeler" / "files"


def drive(engine: Engine, clock: ManualClock, name: str,
          data: bytes | None = None) -> list[corpus_run.Run]:
    files = {name: data if data is not None else (FILES / name).read_bytes()}
    result = engine.deploy(files)
    return corpus_run.drive_unit(engine, clock, files, sorted({d.key for d in result.definitions}))


def history(engine: Engine, run: corpus_run.Run) -> list[tuple[str, str | None, dict | None]]:
    return [(h.kind, h.activity_id, h.detail)
            for h in engine.history(run.instance_id, corpus_run.OPERATOR, limit=100).items
            if not h.kind.startswith(("task_created", "task_offered", "task_ready"))]


@pytest.mark.parametrize("name", ["message_events.bpmn", "message_start.bpmn",
                                  "timer_start_date.bpmn", "esp_timer.bpmn"])
def test_drives_messages_and_timers_to_an_end(engine: Engine, clock: ManualClock,
                                              name: str) -> None:
    runs = drive(engine, clock, name)
    assert runs and all(r.ended for r in runs), [r.line() for r in runs]


def test_stops_at_an_incident_and_names_it(engine: Engine, clock: ManualClock) -> None:
    [run] = drive(engine, clock, "user_task_attributes.bpmn")
    assert not run.ended
    assert run.why.startswith("incident: variable 'region' is not defined")


def test_triggers_a_receive_task_drawn_without_a_message(engine: Engine,
                                                         clock: ManualClock) -> None:
    [run] = drive(engine, clock, "receive_without_message.bpmn")
    assert run.ended, run.line()
    assert [k for k in history(engine, run) if k[0] in ("triggered", "task_completed")] == [
        ("triggered", "Wait_Trigger", None), ("task_completed", "Assess", None)]


def test_broadcasts_the_signal_a_case_waits_on(engine: Engine, clock: ManualClock) -> None:
    [run] = drive(engine, clock, "signal_catch.bpmn")
    assert run.ended, run.line()
    assert ("signal_received", None, {"signal": "rules_changed"}) in history(engine, run)


def test_starts_a_signal_start_by_broadcasting_it(engine: Engine, clock: ManualClock) -> None:
    [run] = drive(engine, clock, "signal_start.bpmn")
    assert run.ended, run.line()
    assert history(engine, run)[0] == ("started", None, {
        "version": 1, "signal": "rules_changed", "start_event": "Event_RulesChanged"})


def test_starts_a_conditional_start_with_values_that_make_it_true(
        engine: Engine, clock: ManualClock) -> None:
    [run] = drive(engine, clock, "cond_start_urgent.bpmn")
    assert run.ended, run.line()
    assert history(engine, run)[0] == ("started", None,
                                       {"version": 1, "condition": "Event_Urgent"})


def test_says_when_its_values_meet_no_condition(engine: Engine, clock: ManualClock) -> None:
    data = (FILES / "cond_start_urgent.bpmn").read_bytes().replace(
        b"${urgent}", b"${urgent == 'yes' &amp;&amp; urgent == 'no'}")
    [run] = drive(engine, clock, "cond_start_urgent.bpmn", data)
    assert (run.ended, run.where, run.why) == (False, "start", corpus_run.CONDITION_NOT_MET)
    assert engine.instances(process_key="cond_start_urgent").items == []


def test_runs_jobs_at_async_boundaries(engine: Engine, clock: ManualClock) -> None:
    [run] = drive(engine, clock, "async_boundaries.bpmn")
    assert run.ended, run.line()
    assert [k[1] for k in history(engine, run) if k[0] == "task_completed"] == [
        "Review_Case", "Archive_Case"]


def test_waits_out_a_retry_cycle_until_the_incident(engine: Engine, clock: ManualClock) -> None:
    start = clock.now()
    [run] = drive(engine, clock, "async_paths.bpmn")
    assert (run.where, run.why) == (
        "Gateway_Score", "incident: variable 'score' is not defined in expression "
        "'${score > limit}'.")
    tries = [d["attempt"] for k, _, d in history(engine, run) if k == "job_failed" and d]
    assert tries == [1, 2]
    assert clock.now() - start >= timedelta(minutes=1)  # R2/PT1M: the second try a minute on


def test_completes_a_compensation_handler_like_any_user_task(
        engine: Engine, clock: ManualClock) -> None:
    [run] = drive(engine, clock, "compensation_user.bpmn")
    assert run.ended, run.line()
    moves = [(k, a) for k, a, _ in history(engine, run) if k.startswith(("compensation", "task_"))]
    assert moves == [
        ("task_completed", "Pay_Allowance"), ("compensation_thrown", "Throw_Compensate"),
        ("task_completed", "Refund"), ("compensation_completed", "Throw_Compensate"),
        ("task_completed", "Archive")]


START_FORM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:message id="m" name="go" />
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="amount" type="long">
          <camunda:validation><camunda:constraint name="min" config="3" /></camunda:validation>
        </camunda:formField>
        <camunda:formField id="urgent" type="boolean" />
        <camunda:formField id="kind" type="enum">
          <camunda:value id="a" name="A" /><camunda:value id="b" name="B" />
        </camunda:formField>
        <camunda:formField id="note" type="string" defaultValue="hello" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:serviceTask id="t" camunda:type="external" camunda:topic="work" />
  </bpmn:process>
</bpmn:definitions>"""


def test_reads_start_forms_messages_and_topics() -> None:
    facts = corpus_run.read_facts({"f.bpmn": START_FORM})
    assert facts.starts["p"] == [("none", "")]
    assert facts.messages == ["go"]
    assert facts.topics == ["work"]
    assert corpus_run.form_values(facts.start_forms["p"]) == {
        "amount": 3, "urgent": True, "kind": "a", "note": "hello"}


def test_reads_signals_triggers_and_conditions() -> None:
    files = {name: (FILES / name).read_bytes() for name in (
        "receive_without_message.bpmn", "signal_start.bpmn", "cond_start_urgent.bpmn")}
    facts = corpus_run.read_facts(files)
    assert facts.triggers == ["Wait_Trigger"]
    assert facts.signals == ["rules_changed"]
    assert facts.starts["signal_start"] == [("signal", "rules_changed")]
    assert facts.starts["cond_start_urgent"] == [("conditional", "${urgent}")]


@pytest.mark.parametrize(("condition", "guess"), [
    ("${foo == 1}", {"foo": 1}),
    ("${urgent}", {"urgent": True}),
    ("#{!done}", {"done": False}),
    ("${amount > 1000 && kind == 'big'}", {"amount": 1001, "kind": "big"}),
    ("${test != null}", {"test": "x"}),
])
def test_guesses_values_that_make_a_simple_condition_true(condition: str, guess: dict) -> None:
    assert corpus_facts.condition_guesses(condition, []) == [{}, guess]
