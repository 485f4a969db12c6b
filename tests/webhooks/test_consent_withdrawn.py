"""A withdrawn consent reaches the institutions holding the case's tasks as `task.cancelled`.

Over real HTTP: the withdrawal is a message (`consent_withdrawn`) like any
other; the engine closes the case and the outbox writes one `task.cancelled`
per institution holding a ready task, reason `consent_withdrawn`, in the same
transaction, and the dispatcher sends them signed. The payload carries no
business key and no case data.
"""

from __future__ import annotations

from engine import Caller, Engine
from tests.engine import processes
from webhooks.dispatcher import Dispatcher

from .receivers import Receiver
from .test_task_lifecycle import events, listening, ready


def test_consent_withdrawn_sends_task_cancelled_to_who_held_the_task(
        wengine: Engine, dispatcher: Dispatcher) -> None:
    with Receiver() as receiver:
        sas = listening(wengine, receiver, "sas", ["sas"])
        wengine.deploy({"b.bpmn": processes.boundary_timer()})
        started = wengine.start("boundary_timer", "AVS 756.1234.5678.97")
        [preavis] = ready(wengine, started.instance.id)
        assert dispatcher.run_once() == 1  # the task.ready
        outcome = wengine.correlate("consent_withdrawn", business_key="AVS 756.1234.5678.97",
                                    caller=Caller(name="coord", role="coordinator"))
        assert outcome.instance.status == "terminated"
        assert dispatcher.run_once() == 1
        assert dispatcher.run_once() == 0  # nothing else: no timer, no escalation
    kinds = [(kind, data["task_id"], data.get("reason"), data["state"])
             for kind, data in events(receiver, sas)]
    assert kinds == [("task.ready", preavis.id, None, "ready"),
                     ("task.cancelled", preavis.id, "consent_withdrawn", "cancelled")]
    assert "756.1234" not in receiver.received[-1].body.decode()
