"""An interrupting event subprocess tells the institutions whose tasks it cancelled.

A Modeler file (tests/modeler/files/esp_message.bpmn): Review (group sas) and Check run;
the message `withdrawn` starts an interrupting event subprocess, which cancels both.
The institution holding Review receives a signed `task.cancelled` over real HTTP, with
the reason `event_subprocess`; the lead receives the event subprocess's task as ready.
"""

from __future__ import annotations

from engine import Engine
from tests.modeler.conftest import corpus
from webhooks.dispatcher import Dispatcher

from .receivers import Receiver
from .test_task_lifecycle import by_path, events, listening, ready


def test_interrupting_message_event_subprocess_sends_task_cancelled(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as receiver:
        sas = listening(wengine, receiver, "sas", ["sas"], ["task.cancelled"])
        lead = listening(wengine, receiver, "lead", ["lead"], ["task.ready"])
        wengine.deploy(corpus("esp_message.bpmn"))
        iid = wengine.start("esp_message", "AVS 756.1234.5678.97").instance.id
        [review] = [t for t in ready(wengine, iid) if t.activity_id == "Review"]
        wengine.correlate("withdrawn", business_key="AVS 756.1234.5678.97")
        assert dispatcher.run_once() == 2
    [(kind, data)] = events(by_path(receiver, "sas"), sas)
    assert kind == "task.cancelled"
    assert data["task_id"] == review.id and data["activity"] == "Review"
    assert data["state"] == "cancelled" and data["reason"] == "event_subprocess"
    assert data["groups"] == ["sas"]
    assert "756.1234" not in by_path(receiver, "sas").received[0].body.decode()
    [(kind, data)] = events(by_path(receiver, "lead"), lead)
    assert (kind, data["activity"]) == ("task.ready", "Archive")
    assert [t.activity_id for t in ready(wengine, iid)] == ["Archive"]
