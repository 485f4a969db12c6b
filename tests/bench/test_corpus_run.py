"""The corpus driver (bench/corpus_run.py) on files of this repository: it starts each
process the way its start event says and moves the case to an end, or says where and why
it stopped."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import corpus_run
from engine import Engine, ManualClock

FILES = Path(__file__).resolve().parent.parent / "modeler" / "files"


def drive(engine: Engine, clock: ManualClock, name: str) -> list[corpus_run.Run]:
    files = {name: (FILES / name).read_bytes()}
    result = engine.deploy(files)
    return corpus_run.drive_unit(engine, clock, files, sorted({d.key for d in result.definitions}))


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
