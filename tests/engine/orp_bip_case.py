"""An ORP–BIP case (the real file) walked to its end, for the audit and retention tests.

A real case, so the history holds what every kind of step writes (start, tasks
ready, completions with their submitted form data, state changes) and the
workflow state holds real case variables.
"""

from __future__ import annotations

from engine import Engine
from tests.processes import payloads as p
from tests.processes.driver import Case

ORP = "orp-haut-valais"


def walked_case(engine: Engine, business_key: str = "BIP-1") -> Case:
    """Registration, counsellor, placement: the case ends `completed`."""
    outcome = engine.start("orp_bip", business_key, p.bip_announcement(), actor="oasi-bip/bip")
    case = Case(engine, outcome.instance.id, "orp_bip")
    case.complete("orp_registration_task", {"registration_date": "2026-01-06",
                                            "jobroom_registered": True}, group=ORP)
    case.complete("counsellor_assignment_task", {"orp_counsellor": "orp.zenhaeusern",
                                                 "first_meeting_date": "2026-01-12"}, group=ORP)
    case.complete("counselling_task", {"placement_outcome": "placed",
                                       "placement_date": "2026-04-01",
                                       "contract_type": "permanent"},
                  group=ORP, assignee="orp.zenhaeusern")
    assert case.status == "completed"
    return case
