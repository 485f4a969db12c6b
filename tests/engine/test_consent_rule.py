"""The `consent_withdrawn` rule stops the exchanges no user task shows: external work and
awaited messages. A locked external task can no longer be completed by its worker, none is
offered again, and the message the case waited for finds no case.
"""

from __future__ import annotations

import pytest

from engine import Caller, Engine
from engine.errors import EngineError, NoSubscriber
from tests.engine import processes
from tests.workflows import processes as api_processes

WORKER = Caller("registry", "worker", topics=("register-case",))


def test_an_external_task_is_cancelled_even_when_a_worker_holds_it(engine: Engine) -> None:
    engine.deploy({"e.bpmn": api_processes.external()})
    started = engine.start("external_case", "E-1", {})
    (locked,) = engine.fetch_and_lock(WORKER, "w1", [("register-case", 60_000)])
    engine.correlate("consent_withdrawn", business_key="E-1", actor="coord")
    assert engine.instance(started.instance.id).status == "terminated"
    with pytest.raises(EngineError):
        engine.complete_external_task(WORKER, locked["id"], "w1", {"register_ref": "R-7"})
    assert engine.fetch_and_lock(WORKER, "w2", [("register-case", 60_000)]) == []
    assert engine.verify_audit(started.instance.id).ok


def test_a_case_waiting_for_a_message_no_longer_receives_it(engine: Engine) -> None:
    engine.deploy({"m.bpmn": processes.message_wait()})
    started = engine.start("message_wait", "M-1", {})
    engine.correlate("consent_withdrawn", instance_id=started.instance.id, actor="coord")
    with pytest.raises(NoSubscriber):
        engine.correlate("oai_decision", business_key="M-1", actor="oai")
    assert engine.instance(started.instance.id).status == "terminated"
