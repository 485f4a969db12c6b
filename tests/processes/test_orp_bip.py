"""Every path of `bpmn/orp_bip.bpmn`: the BIP hands placeable AP/R to the ORP.

Why: the seed says only AP/R "dont l'aptitude au placement a été préalablement
validée" are announced, and that the ORP then "conseillent, placent et
traitent" them like any job seeker. The scenarios prove the gate (not
eligible → returned), the ORP's steps in its own group, the counselling
assigned to the named counsellor, and both placement outcomes.
"""

from __future__ import annotations

import pytest

from engine import ManualClock
from tests.processes import payloads as p
from tests.processes.driver import Case, Tracker, scenario

ORP = "orp-haut-valais"


def at_counselling(track: Tracker, clock: ManualClock) -> Case:
    case = track.start("orp_bip", p.bip_announcement(), actor="oasi-bip/bip")
    registration = case.task("orp_registration_task")
    assert registration.candidate_groups == [ORP]
    case.complete("orp_registration_task", {"registration_date": "2026-01-06",
                                            "jobroom_registered": True}, group=ORP, groups=[ORP])
    case.complete("counsellor_assignment_task", {"orp_counsellor": "orp.zenhaeusern",
                                                 "first_meeting_date": "2026-01-12"},
                  group=ORP, groups=[ORP])
    counselling = case.task("counselling_task")
    assert counselling.assignee == "orp.zenhaeusern"
    return case


@scenario
def test_orp_bip_placed(track: Tracker, clock: ManualClock) -> None:
    case = at_counselling(track, clock)
    case.complete("counselling_task", {"placement_outcome": "placed",
                                       "placement_date": "2026-04-01",
                                       "contract_type": "permanent"},
                  group=ORP, groups=[ORP], assignee="orp.zenhaeusern")
    assert case.status == "completed"
    assert [h.activity_id for h in case.history("task_completed")][-1] == "counselling_task"


@scenario
def test_orp_bip_not_placed(track: Tracker, clock: ManualClock) -> None:
    case = at_counselling(track, clock)
    case.complete("counselling_task", {"placement_outcome": "not_placed",
                                       "contract_type": "none"},
                  group=ORP, assignee="orp.zenhaeusern")
    assert case.status == "completed"


@scenario
@pytest.mark.parametrize("missing", ["placement_ability_validated", "consent_signed"])
def test_orp_bip_announcement_not_eligible_is_returned(track: Tracker, missing: str) -> None:
    case = track.start("orp_bip", p.bip_announcement(**{missing: False}), actor="oasi-bip/bip")
    assert case.status == "completed"
    assert case.rows("orp_registration_task") == 0  # the ORP never saw it
