"""A throw reaches into a completed embedded subprocess that has no handler of its own.

Camunda 7 (User Guide, Cancel and Compensation Events): compensation is triggered
hierarchically; the subprocess's completed inner activities are compensated in reverse
order, at the subprocess's place among its siblings; their handlers see the snapshot of
the subprocess's local variables as they were when it completed, and the variables above
as they are at the throw; a subprocess not completed at the throw is not entered.
"""

from __future__ import annotations

from typing import Any

from engine.camunda.handlers import HandlerContext, HandlerRegistry
from tests.modeler.conftest import Case, corpus

TOPICS = ("open-file", "book-room", "book-flight", "charge", "cancel-room", "cancel-flight",
          "close-file", "refund")
RESULTS: dict[str, dict[str, Any]] = {
    "book-flight": {"room": "double", "flight": "LX 1612"},  # `room` is the local
    "charge": {"amount": 90},
    "cancel-room": {"room": "released", "room_cancelled": True},
}


def seen(handlers: HandlerRegistry) -> list[tuple[str, dict[str, Any]]]:
    """Register every topic; note, in order, which ran and the variables it saw."""
    ran: list[tuple[str, dict[str, Any]]] = []
    for topic in TOPICS:
        def run(ctx: HandlerContext, topic: str = topic) -> dict[str, Any]:
            ran.append((topic, {k: ctx.variables.get(k) for k in ("room", "amount", "flight")}))
            return RESULTS.get(topic, {})
        handlers.topic(topic)(run)
    return ran


def test_a_throw_undoes_the_subprocess_inside_latest_first_with_its_snapshot(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = seen(handlers)
    case.deploy("compensation_reach.bpmn")
    iid = case.engine.start("compensation_reach", "C-20", {"amount": 120}).instance.id

    # the subprocess's local `room` was dropped when it ended (Camunda's local scope)
    assert [t for t, _ in ran] == ["open-file", "book-room", "book-flight", "charge",
                                   "refund", "cancel-flight", "cancel-room", "close-file"]
    undo = dict(ran[4:])
    # inside: the snapshot (`room` as the subprocess ended), `amount` as at the throw
    assert undo["cancel-flight"] == {"room": "double", "amount": 90, "flight": "LX 1612"}
    assert undo["cancel-room"] == {"room": "double", "amount": 90, "flight": "LX 1612"}
    # outside the subprocess its locals are not seen
    assert undo["refund"] == {"room": None, "amount": 90, "flight": "LX 1612"}
    assert undo["close-file"] == {"room": None, "amount": 90, "flight": "LX 1612"}
    assert [(h.kind, h.activity_id, h.detail) for h in case.history(iid)
            if h.kind.startswith("compensation_")] == [
        ("compensation_thrown", "Throw_Undo",
         {"activities": ["Charge", "Book_Flight", "Book_Room", "Open_File"]}),
        ("compensation_completed", "Throw_Undo",
         {"handlers": ["Refund", "Cancel_Flight", "Cancel_Room", "Close_File"]})]

    data = case.engine.workflow_data(iid)
    assert data["room_cancelled"] is True  # a handler's own variable flows on
    assert "room" not in data  # the snapshot's variable stays with the snapshot
    assert [t.activity_id for t in case.ready(iid)] == ["Review"]
    case.complete(case.only(iid, "Review"))
    assert case.engine.instance(iid).status == "completed"


def test_activity_ref_naming_the_subprocess_undoes_only_its_inner_activities(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = seen(handlers)
    case.deploy("compensation_reach_ref.bpmn")
    iid = case.engine.start("compensation_reach_ref", "C-21").instance.id

    assert [t for t, _ in ran][4:] == ["cancel-flight", "cancel-room"]
    assert dict(ran[4:])["cancel-room"]["room"] == "double"
    assert [t.activity_id for t in case.ready(iid)] == ["Review"]


def test_a_subprocess_not_completed_at_the_throw_is_not_entered(
        case: Case, handlers: HandlerRegistry) -> None:
    ran = seen(handlers)
    case.deploy("compensation_reach_open.bpmn")
    iid = case.engine.start("compensation_reach_open", "C-22").instance.id

    # Book_Room completed, but its subprocess waits at Confirm: only the charge is undone
    assert [t for t, _ in ran] == ["book-room", "charge", "refund"]
    assert [h.detail for h in case.history(iid) if h.kind == "compensation_thrown"] == [
        {"activities": ["Charge"]}]
    case.complete(case.only(iid, "Confirm"))
    assert "cancel-room" not in [t for t, _ in ran]
    assert case.engine.instance(iid).status == "completed"


def test_each_instance_of_a_multi_instance_subprocess_is_undone_with_its_own_snapshot(
        case: Case, handlers: HandlerRegistry) -> None:
    ran: list[tuple[str, str]] = []
    for topic in ("notify", "retract"):
        def run(ctx: HandlerContext, topic: str = topic) -> dict[str, Any]:
            ran.append((topic, ctx.variables.get("institution")))
            return {}
        handlers.topic(topic)(run)
    case.deploy("compensation_reach_mi.bpmn")
    iid = case.engine.start("compensation_reach_mi", "C-23",
                            {"institutions": ["oai", "orp", "sas"]}).instance.id

    assert ran == [("notify", "oai"), ("notify", "orp"), ("notify", "sas"),
                   ("retract", "sas"), ("retract", "orp"), ("retract", "oai")]
    assert [h.detail for h in case.history(iid) if h.kind == "compensation_thrown"] == [
        {"activities": ["Notify", "Notify", "Notify"]}]
    assert case.engine.instance(iid).status == "completed"


def test_the_reaching_files_lint_without_findings_on_compensation(case: Case) -> None:
    for name in ("compensation_reach.bpmn", "compensation_reach_ref.bpmn",
                 "compensation_reach_open.bpmn", "compensation_reach_mi.bpmn"):
        findings = case.engine.lint(corpus(name))
        assert [f for f in findings if f.severity == "error"] == [], name
        assert [f for f in findings
                if "compensat" in f.message.replace("process 'compensation_", "")] == [], name
