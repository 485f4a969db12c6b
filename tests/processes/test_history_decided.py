"""The CII case's history keeps what was decided: an appeal reads it back in order.

A préavis given twice (unfavourable, then favourable after the measure was
revised) must leave both opinions with their reasons, the triage table's
inputs and rule, and the branches the gateways took, named as drawn; an
institution reading the same history sees its own tasks' rows only, without
any value.
"""

from __future__ import annotations

from engine import Caller
from tests.processes import payloads as p
from tests.processes.driver import Tracker
from tests.processes.test_cii_case import triaged

COORDINATOR = Caller("coordinator", "coordinator", principal_id=1)


def test_a_preavis_given_twice_keeps_both_opinions_and_what_routed_them(
        track: Tracker) -> None:
    case = triaged(track, proposed="cm_cii")
    case.complete("cm_plan_task", {"case_manager": "rep.martin", "plan_ref": "CM-2026-07",
                                   "social_aid_measure": True}, group=p.TEAM)
    case.complete("measure_draft_task", p.measure("M-1"), group=p.CMS)
    case.complete("sas_preavis_task", p.preavis("unfavourable"), group=p.SAS)
    case.complete("measure_rework_task", p.rework("revise"), group=p.CMS)
    case.complete("measure_draft_task", p.measure("M-1-bis"), group=p.CMS)
    case.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)

    history = case.engine.history(case.instance_id, COORDINATOR, limit=500).items
    opinions = [(r.actor, r.detail["data"]) for r in history
                if r.kind == "task_completed" and r.activity_id == "sas_preavis_task"]
    assert opinions == [("sas/agent", p.preavis("unfavourable")),
                        ("sas/agent", p.preavis("favourable"))]
    assert case.data["preavis"] == "favourable"  # the case data keeps only the last

    (triage,) = [r for r in history if r.kind == "decision_evaluated"]
    assert triage.detail["matched_rules"] and triage.detail["rules"]
    assert triage.detail["outputs"][0]["service"] == "cm_cii"
    assert triage.detail["inputs"]  # the indicators the table read

    branches = [r for r in history if r.kind == "gateway_taken"]
    assert branches and all(r.activity_name and r.flows for r in branches)
    # each opinion is followed by the branch it sent the case down, in order
    kinds = [(r.kind, r.activity_id) for r in history]
    first, second = (i for i, k in enumerate(kinds) if k == ("task_completed",
                                                              "sas_preavis_task"))
    after_first = next(r for r in history[first:] if r.kind == "gateway_taken")
    after_second = next(r for r in history[second:] if r.kind == "gateway_taken")
    assert after_first.flows != after_second.flows

    # the SAS reads its own préavis rows, not their values, and nothing of the others' tasks
    sas = Caller("sas/agent", "institution", groups=(p.SAS,), principal_id=2)
    seen = case.engine.history(case.instance_id, sas, limit=500).items
    assert {r.activity_id for r in seen} == {"sas_preavis_task"}
    assert [r.kind for r in seen].count("task_completed") == 2
    assert all(r.detail is None for r in seen)
