"""Signals across cases, from Modeler files (Camunda 7 User Guide, "Signal Events").

A signal thrown by an event of one case reaches every other running case listening for
it (catch event, interrupting boundary event, non-interrupting event subprocess), each
once, and starts a case of every latest process with that signal start event;
`Engine.broadcast_signal` (Camunda's `signalEventReceived`) does the same from outside.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import Engine, InvalidInput
from engine.store.models import History, Instance, MessageSubscription
from tests.modeler.conftest import Case
from tests.webhooks.conftest import dispatcher, secret_key, settings, wengine  # noqa: F401
from tests.webhooks.receivers import Receiver
from tests.webhooks.test_task_lifecycle import by_path, events, listening
from webhooks.dispatcher import Dispatcher

FILES = ("signal_throw.bpmn", "signal_catch.bpmn", "signal_boundary.bpmn", "signal_start.bpmn")


def ready(case: Case, iid: str) -> list[str]:
    return sorted(t.activity_id for t in case.ready(iid))


def kinds(case: Case, iid: str, prefix: str = "signal") -> list[tuple[str, str | None]]:
    return [(h.kind, h.activity_id) for h in case.history(iid) if h.kind.startswith(prefix)]


def cases_of(engine: Engine, process_key: str) -> list[Instance]:
    with engine.sessions() as session:
        return list(session.scalars(select(Instance).where(Instance.process_key == process_key)))


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Instance)) or 0,
                session.scalar(select(func.count()).select_from(History)) or 0)


def test_a_throw_reaches_every_waiting_case_once_and_starts_a_case(case: Case) -> None:
    case.deploy(*FILES)
    b = case.engine.start("signal_catch", "B-1").instance.id
    c = case.engine.start("signal_catch", "C-1").instance.id
    a = case.engine.start("signal_throw", "A-1").instance.id
    assert ready(case, b) == ready(case, c) == []
    case.complete(case.only(a, "Decide_Rules"))
    assert ready(case, a) == ["Publish"]
    assert kinds(case, a) == [("signal_thrown", "Throw_Rules")]
    for waiting in (b, c):
        assert ready(case, waiting) == ["Reassess"]
        assert kinds(case, waiting) == [("signal_received", None)]
    [started] = cases_of(case.engine, "signal_start")
    assert ready(case, started.id) == ["Review_Rules"]
    assert [h.detail for h in case.history(started.id) if h.kind == "started"] == [
        {"version": 1, "signal": "rules_changed", "start_event": "Event_RulesChanged"}]
    with case.engine.sessions() as session:  # nobody waits any more
        assert not session.scalar(select(func.count()).select_from(MessageSubscription))


def test_the_api_broadcast_reaches_the_same_and_says_which(case: Case) -> None:
    case.deploy(*FILES)
    b = case.engine.start("signal_catch", "B-2").instance.id
    d = case.engine.start("signal_boundary", "D-2").instance.id
    reached = case.engine.broadcast_signal("rules_changed", {"ruleset": "2027"})
    assert sorted((r.outcome.instance.id, r.started) for r in reached[:2]) == sorted(
        [(b, False), (d, False)])
    [(key, started)] = [(r.outcome.instance.process_key, r.started) for r in reached[2:]]
    assert (key, started) == ("signal_start", True)
    assert ready(case, b) == ["Reassess"]
    # the interrupting boundary cancelled Assess; the event subprocess runs beside
    assert ready(case, d) == ["Read_Rules", "Reassess"]
    assert ("Assess", "cancelled") in case.rows(d)
    assert case.engine.workflow_data(b)["ruleset"] == "2027"  # the variables came along
    [started] = cases_of(case.engine, "signal_start")
    assert case.engine.workflow_data(started.id)["ruleset"] == "2027"


def test_a_second_signal_runs_the_non_interrupting_subprocess_again(case: Case) -> None:
    case.deploy("signal_boundary.bpmn")
    d = case.engine.start("signal_boundary", "D-3").instance.id
    case.engine.broadcast_signal("rules_changed")
    case.engine.broadcast_signal("rules_changed")
    assert ready(case, d) == ["Read_Rules", "Read_Rules", "Reassess"]


def test_nobody_listening_is_an_empty_answer_that_writes_nothing(case: Case) -> None:
    case.deploy("signal_catch.bpmn")
    case.engine.start("signal_catch", "E-1")
    before = _counts(case.engine)
    assert case.engine.broadcast_signal("other_signal") == []
    assert _counts(case.engine) == before


def test_a_blank_signal_name_is_refused(case: Case) -> None:
    with pytest.raises(InvalidInput) as refused:
        case.engine.broadcast_signal("  ")
    assert refused.value.field == "name"


def test_a_message_may_not_take_a_signal_wait(case: Case) -> None:
    case.deploy("signal_catch.bpmn")
    iid = case.engine.start("signal_catch", "F-1").instance.id
    with pytest.raises(InvalidInput) as refused:
        case.engine.correlate("signal:rules_changed", instance_id=iid)
    assert refused.value.field == "name"


def test_the_interrupting_boundary_tells_the_institution_why(
        wengine: Engine, dispatcher: Dispatcher) -> None:  # noqa: F811
    with Receiver() as receiver:
        oai = listening(wengine, receiver, "oai", ["oai"], ["task.cancelled"])
        Case(wengine).deploy(*FILES)
        d = wengine.start("signal_boundary", "G-1").instance.id
        a = wengine.start("signal_throw", "G-2").instance.id
        case = Case(wengine)
        assess = case.only(d, "Assess")
        case.complete(case.only(a, "Decide_Rules"))
        assert dispatcher.run_once() == 1
    [(kind, data)] = events(by_path(receiver, "oai"), oai)
    assert (kind, data["task_id"], data["reason"]) == ("task.cancelled", assess.id, "boundary")


def test_an_interrupting_signal_event_subprocess_cancels_the_case_work(case: Case) -> None:
    """Camunda 7: the scope's tokens are cancelled, the event subprocess runs, and its end
    ends the case."""
    case.deploy("signal_esp_interrupting.bpmn", "signal_throw.bpmn")
    iid = case.engine.start("signal_esp_interrupting", "I-1").instance.id
    assert ready(case, iid) == ["Assess", "Check"]
    thrower = case.engine.start("signal_throw", "I-2").instance.id
    case.complete(case.only(thrower, "Decide_Rules"))
    assert ready(case, iid) == ["Close_Case"]
    assert ("Assess", "cancelled") in case.rows(iid) and ("Check", "cancelled") in case.rows(iid)
    case.complete(case.only(iid, "Close_Case"))
    assert case.engine.instance(iid).status == "completed"
