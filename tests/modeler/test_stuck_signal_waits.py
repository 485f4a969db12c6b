"""A case waiting for a signal or for a trigger is named as such in the stuck list: both
waits are kept with the message waits (behind `signal:` and `trigger:`), and a coordinator
reading "waiting for message 'signal:rules_changed'" would look for a message nobody sends."""

from __future__ import annotations

from datetime import timedelta

from engine import ManualClock
from tests.modeler.conftest import Case


def test_signal_and_trigger_waits_are_named_as_what_they_wait_for(
        case: Case, clock: ManualClock) -> None:
    case.deploy("signal_catch.bpmn", "receive_without_message.bpmn")
    signalled = case.engine.start("signal_catch", "S-1").instance.id
    triggered = case.engine.start("receive_without_message", "T-1").instance.id
    clock.advance(days=3)
    page = case.engine.stuck(older_than=timedelta(days=2), reason="waiting")
    found = {c.instance_id: c for c in page.items}
    signal, trigger = found[signalled], found[triggered]
    assert (signal.wait, signal.detail) == ("signal", "rules_changed")
    assert signal.message.startswith("waiting 3 days for signal 'rules_changed' at ")
    assert (trigger.wait, trigger.detail) == ("trigger", None)
    assert trigger.message.startswith("waiting 3 days at ")
    assert "Wait_Trigger" in trigger.message and "ciiflow trigger" in trigger.message
