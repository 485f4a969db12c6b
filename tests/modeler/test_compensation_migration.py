"""A case waiting at a compensation throw moves to a new version and goes on there.

The throw waits for its handlers (here the SAS's refund, a user task); Camunda 7 keeps
the compensating execution and its handler through a migration whose elements keep
their ids. ciiflow keeps the throw waiting with what it started (it is not re-entered:
re-entering would find the payment already undone and go on without the refund), and
the handler task keeps its id; the new version's path follows the throw.
"""

from __future__ import annotations

from engine import Caller
from tests.modeler.conftest import Case, corpus

OWNER = Caller(name="owner", role="process-owner")
V1 = corpus("compensation_user.bpmn")["compensation_user.bpmn"]
V2 = V1.replace(b'<bpmn:userTask id="Archive" name="Archive" camunda:candidateGroups="oai">',
                b'<bpmn:userTask id="Archive" name="Archive" camunda:candidateGroups="sas">')


def waiting_at_the_refund(case: Case) -> tuple[str, str]:
    case.engine.deploy({"compensation_user.bpmn": V1})
    iid = case.engine.start("compensation_user", "C-30").instance.id
    case.complete(case.only(iid, "Pay_Allowance"), {"amount": 300})
    return iid, case.only(iid, "Refund").id


def test_the_plan_keeps_the_handler_task(case: Case) -> None:
    iid, refund = waiting_at_the_refund(case)
    assert V2 != V1
    case.engine.deploy({"compensation_user.bpmn": V2})

    report = case.engine.migrate("compensation_user", 1, 2, caller=OWNER)

    [plan] = report.cases
    assert (plan.can_move, plan.reasons, plan.cancelled, plan.created) == (True, [], [], [])
    assert plan.kept == [{"task_id": refund, "from": "Refund", "to": "Refund"}]
    assert case.engine.instance(iid).definition_version == 1  # a plan writes nothing


def test_a_case_waiting_at_a_compensation_throw_moves_and_goes_on_in_the_new_version(
        case: Case) -> None:
    iid, refund = waiting_at_the_refund(case)
    case.engine.deploy({"compensation_user.bpmn": V2})

    report = case.engine.migrate("compensation_user", 1, 2, caller=OWNER, dry_run=False)

    assert [c.migrated for c in report.cases] == [True], report.cases
    assert case.engine.instance(iid).definition_version == 2
    assert [t.id for t in case.ready(iid)] == [refund]  # the throw still waits for it
    assert case.engine.workflow_data(iid)["amount"] == 300

    case.complete(case.only(iid, "Refund"), {"refunded": 300})

    archive = case.only(iid, "Archive")
    assert archive.candidate_groups == ["sas"]  # the new version's path
    assert case.engine.workflow_data(iid)["refunded"] == 300  # flowed on from the throw
    assert [(h.activity_id, h.detail) for h in case.history(iid)
            if h.kind == "compensation_completed"] == [("Throw_Compensate",
                                                        {"handlers": ["Refund"]})]
    case.complete(archive)
    assert case.engine.instance(iid).status == "completed"
    assert case.rows(iid) == [("Archive", "completed"), ("Pay_Allowance", "completed"),
                              ("Refund", "completed")]
