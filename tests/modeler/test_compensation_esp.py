"""A compensation event subprocess undoes its completed subprocess its own way.

Camunda 7 (User Guide, Cancel and Compensation Events, "Compensation Start Event"): when
a completed embedded subprocess is compensated, its compensation event subprocess runs
instead of the inner activities' handlers (it consumes the compensation); it may throw
compensation for the activities of the subprocess holding it, in its own order; it sees
the subprocess's local variables as they were when the subprocess completed.
"""

from __future__ import annotations

from typing import Any

from engine.camunda.handlers import HandlerContext, HandlerRegistry
from engine.errors import DefinitionRefused
from tests.modeler.conftest import Case, corpus

TOPICS = ("charge", "book-hotel", "book-flight", "notify-agency", "cancel-hotel",
          "cancel-flight", "refund")


def seen(handlers: HandlerRegistry) -> list[tuple[str, dict[str, Any]]]:
    ran: list[tuple[str, dict[str, Any]]] = []
    results = {"book-hotel": {"booking_ref": "BK-7-H"}, "notify-agency": {"agency_told": True}}
    for topic in TOPICS:
        def run(ctx: HandlerContext, topic: str = topic) -> dict[str, Any]:
            ran.append((topic, {k: ctx.variables.get(k) for k in ("booking_ref", "amount")}))
            return results.get(topic, {})
        handlers.topic(topic)(run)
    return ran


def test_the_event_subprocess_runs_instead_of_the_inner_handlers_in_its_own_order(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = seen(handlers)
    case.deploy("compensation_esp.bpmn")
    iid = case.engine.start("compensation_esp", "C-40", {"amount": 75}).instance.id

    # the booking completed hotel then flight; the event subprocess undoes the hotel
    # first (its own order), after telling the agency; then the charge is refunded
    assert [t for t, _ in ran] == ["charge", "book-hotel", "book-flight", "notify-agency",
                                   "cancel-hotel", "cancel-flight", "refund"]
    saw = dict(ran[3:])
    snapshot = {"booking_ref": "BK-7-H", "amount": 75}  # the local as the booking ended
    assert saw["notify-agency"] == saw["cancel-hotel"] == saw["cancel-flight"] == snapshot
    assert saw["refund"] == {"booking_ref": None, "amount": 75}
    thrown = [(h.activity_id, h.detail) for h in case.history(iid)
              if h.kind == "compensation_thrown"]
    assert thrown == [("Throw_Undo", {"activities": ["Booking", "Charge"]}),
                      ("Throw_Hotel", {"activities": ["Book_Hotel"]}),
                      ("Throw_Flight", {"activities": ["Book_Flight"]})]
    data = case.engine.workflow_data(iid)
    assert data["agency_told"] is True and "booking_ref" not in data
    case.complete(case.only(iid, "Review"))
    assert case.engine.instance(iid).status == "completed"


def test_the_event_subprocess_file_lints_without_findings_on_compensation(case: Case) -> None:
    findings = case.engine.lint(corpus("compensation_esp.bpmn"))
    assert [f for f in findings if f.severity == "error"] == []
    assert [f for f in findings
            if "compensat" in f.message.replace("process 'compensation_", "")] == []


def test_what_camunda_refuses_of_an_event_subprocess_is_refused_by_name(case: Case) -> None:
    text = corpus("compensation_esp.bpmn")["compensation_esp.bpmn"]
    both = text.replace(b'<bpmn:boundaryEvent id="Event_Undo_Charge" attachedToRef="Charge">',
                        b'<bpmn:boundaryEvent id="Event_Undo_Charge" attachedToRef="Booking">')
    findings = case.engine.lint({"both.bpmn": both})
    assert [(f.element_id, f.message.split(":")[0]) for f in findings
            if f.severity == "error" and "event subprocess" in f.message] == [
        ("Event_Undo_Start", "subprocess 'Booking' has both a compensation event subprocess "
                             "and a compensation boundary event (Camunda 7 refuses this); "
                             "keep one of them")]
    try:
        case.engine.deploy({"both.bpmn": both})
        raise AssertionError("deployed")
    except DefinitionRefused:
        pass
