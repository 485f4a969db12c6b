"""Every path of `bpmn/cii_case.bpmn`, walked through the engine API as the institutions would.

Why scenarios and not unit tests of the file: a path exists only if the
engine can walk it with the data the forms accept, routed to the institution
the seed names (the regional CII team triages, the CMS drafts, the SAS gives
its préavis, the commune approves). Each test is one case from announcement
to an end event; the gateways' branches, the closure outcomes, and the
deadlines drawn as timers are all proven here. `test_zz_coverage.py` checks
that together they leave no element of the diagram unwalked.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from engine import ManualClock
from engine.calendar import CANTON
from tests.processes import payloads as p
from tests.processes.driver import Case, Tracker, scenario

DAY = timedelta(days=1)


def triaged(track: Tracker, proposed: str, chosen: str | None = None,
            **announcement: object) -> Case:
    """Announce a case whose indicators make the table propose `proposed`; the team
    confirms it, or picks `chosen` and gives the required reason."""
    case = track.start("cii_case", p.announcement(proposed, **announcement),
                       actor="cms-sion-herens-conthey/announcer")
    assert case.data["triage"]["service"] == proposed
    case.complete("triage_confirm_task", {"service": chosen or proposed}, group=p.TEAM,
                  groups=[p.TEAM])
    if chosen and chosen != proposed:
        case.complete("triage_override_task", {
            "override_reason": "Le team CII connaît déjà la situation: une table ronde suffit."},
            group=p.TEAM, groups=[p.TEAM])
    return case


def close(case: Case, outcome: str, handed_back_to: str = "none") -> None:
    """Closure by the regional team, then `notify-partners` informs the partners."""
    case.complete("closure_task", p.closure(outcome, handed_back_to), group=p.TEAM,
                  groups=[p.TEAM])
    assert case.ready_ids() == []
    assert case.status == "completed"
    data = case.data
    assert data["outcome"] == outcome
    assert data["partners_informed_at"]  # the notify-partners handler ran


# -- announcement and triage ------------------------------------------------------


@scenario
def test_announcement_without_consent_is_refused_with_a_reason(track: Tracker,
                                                               clock: ManualClock) -> None:
    case = track.start("cii_case", p.announcement(consent_signed=False, consent_date=None),
                       actor="orp-valais-central/announcer")
    assert case.ready_ids() == ["refusal_notice_task"]
    assert case.task("refusal_notice_task").due_at == clock.now() + 5 * DAY
    case.complete("refusal_notice_task", {
        "refusal_reason": "consent_missing",
        "refusal_note": "Procuration manquante: merci de la joindre à une nouvelle annonce."},
        group=p.TEAM, groups=[p.TEAM])
    assert case.status == "completed"
    assert "triage" not in case.data  # no partner looked at a case without consent


@scenario
def test_assessment_confirmed_without_measure_is_handed_back(track: Tracker,
                                                             clock: ManualClock) -> None:
    case = track.start("cii_case", p.announcement("assessment"), actor="oai/announcer")
    triage_task = case.task("triage_confirm_task")
    assert (triage_task.due_at, triage_task.priority) == (clock.now() + 10 * DAY, 60)
    assert case.data["triage"]["typology"] == "B"
    case.complete("triage_confirm_task", {"service": "assessment"}, group=p.TEAM)
    assert case.ready_ids() == ["assessment_task"]  # confirmed: no reason asked
    case.complete("assessment_task", {"report_ref": "ASS-2026-014", "proposals_count": 3,
                                      "social_aid_measure": False}, group=p.TEAM, groups=[p.TEAM])
    assert case.ready_ids() == ["closure_task"]  # no measure, no follow-up for assessment
    close(case, "handed_back", handed_back_to="oai")


@scenario
def test_tro_chosen_over_the_proposal_with_measure_favourable_and_approved(
        track: Tracker, clock: ManualClock) -> None:
    case = triaged(track, proposed="cm_cii", chosen="tro")
    data = case.data
    assert (data["service"], data["triage"]["service"]) == ("tro", "cm_cii")
    assert len(data["override_reason"]) >= 20
    case.complete("tro_convene_task", {"tro_date": "2026-02-10", "parties_invited": 5},
                  group=p.TEAM, groups=[p.TEAM])
    case.complete("tro_round_table_task", {"report_ref": "TRO-2026-003", "parties_present": 4,
                                           "social_aid_measure": True}, group=p.TEAM)
    case.complete("measure_draft_task", p.measure(), group=p.CMS, groups=[p.CMS])
    preavis = case.task("sas_preavis_task")
    assert (preavis.candidate_groups, preavis.priority) == ([p.SAS], 70)
    case.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)
    approval = case.task("commune_approval_task")
    assert approval.due_at == clock.now() + 30 * DAY  # communes decide within 30 days
    case.complete("commune_approval_task", p.approval("approved"), group=p.COMMUNE_GROUP,
                  groups=[p.COMMUNE_GROUP])
    assert case.ready_ids() == ["closure_task"]
    close(case, "social_insertion")


@scenario
def test_cm_cii_measure_unfavourable_revised_then_refused_and_withdrawn(
        track: Tracker, clock: ManualClock) -> None:
    case = triaged(track, proposed="cm_cii")
    assert case.data["triage"]["typology"] == "D"
    case.complete("cm_plan_task", {"case_manager": "rep.martin", "plan_ref": "CM-2026-07",
                                   "social_aid_measure": True}, group=p.TEAM, groups=[p.TEAM])
    case.complete("measure_draft_task", p.measure("M-1"), group=p.CMS)
    case.complete("sas_preavis_task", p.preavis("unfavourable"), group=p.SAS)
    case.complete("measure_rework_task", p.rework("revise"), group=p.CMS, groups=[p.CMS])
    assert case.ready_ids() == ["measure_draft_task"]  # revised: drafted again
    case.complete("measure_draft_task", p.measure("M-1-bis"), group=p.CMS)
    case.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)
    case.complete("commune_approval_task", p.approval("refused"), group=p.COMMUNE_GROUP)
    assert case.ready_ids() == ["measure_rework_task"]  # refused: back to the CMS
    case.complete("measure_rework_task", p.rework("withdraw"), group=p.CMS)

    # CM CII follows up without the measure; the case manager holds the supervision
    supervision = case.task("cm_supervision_task")
    assert (supervision.candidate_groups, supervision.assignee) == ([p.TEAM], "rep.martin")
    start = clock.now()
    for n in (1, 2, 3):  # the review cycle fires every 90 days, again and again
        review = case.fires_at(clock, start + 90 * n * DAY, "cm_review_task")
        assert review.assignee == "rep.martin"
        assert review.due_at == clock.now() + 10 * DAY
        case.complete("cm_review_task", {"review_progress": "on_track",
                                         "measures_on_track": True},
                      group=p.TEAM, groups=[p.TEAM], assignee="rep.martin")
    case.complete("cm_supervision_task", {"cm_exit_reason": "goals_reached",
                                          "exit_date": "2026-11-30"},
                  group=p.TEAM, assignee="rep.martin")
    assert case.engine.instance(case.instance_id).next_timer_at is None  # cycle cancelled
    close(case, "first_labour_market")


@scenario
def test_decloisonnement_preavis_asks_more_information_back_to_the_cms(
        track: Tracker, clock: ManualClock) -> None:
    case = triaged(track, proposed="decloisonnement")
    pair = [p.ORP, p.CMS]
    case.complete("coaching_plan_task", {"orp_counsellor": "orp.anna", "cms_worker": "cms.ben",
                                         "coaching_goal": "training",
                                         "social_aid_measure": True}, group=p.ORP, groups=pair)
    case.complete("measure_draft_task", p.measure("M-2"), group=p.CMS)
    case.complete("sas_preavis_task", p.preavis("more_information"), group=p.SAS)
    assert case.ready_ids() == ["measure_draft_task"]
    case.complete("measure_draft_task", p.measure("M-2-complete"), group=p.CMS)
    case.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)
    case.complete("commune_approval_task", p.approval("approved"), group=p.COMMUNE_GROUP)

    coaching = case.task("coaching_task")
    assert sorted(coaching.candidate_groups) == sorted(pair)
    start = clock.now()
    for n in (1, 2, 3):  # the pair reviews every 30 days while coaching lasts
        case.fires_at(clock, start + 30 * n * DAY, "coaching_review_task")
        case.complete("coaching_review_task", {"review_progress": "at_risk",
                                               "review_note": "Stage en cours."},
                      group=p.CMS, groups=pair)
    case.complete("coaching_task", {"exit_decision": "training", "exit_date": "2026-05-01"},
                  group=p.ORP, groups=pair)
    clock.advance(days=60)
    case.engine.run_due_timers()
    assert case.rows("coaching_review_task") == 3  # no review once coaching has ended
    close(case, "training")


@scenario
def test_decloisonnement_without_measure_abandoned(track: Tracker, clock: ManualClock) -> None:
    case = triaged(track, proposed="decloisonnement")
    case.complete("coaching_plan_task", {"orp_counsellor": "orp.anna", "cms_worker": "cms.ben",
                                         "coaching_goal": "first_labour_market",
                                         "social_aid_measure": False}, group=p.CMS)
    assert case.ready_ids() == ["coaching_task"]  # no measure: straight to coaching
    case.complete("coaching_task", {"exit_decision": "abandoned", "exit_date": "2026-01-20"},
                  group=p.CMS)
    close(case, "abandoned")


# -- deadlines drawn as timers -------------------------------------------------------


def at_preavis(track: Tracker) -> Case:
    case = triaged(track, proposed="assessment")
    case.complete("assessment_task", {"report_ref": "ASS-1", "social_aid_measure": True},
                  group=p.TEAM)
    case.complete("measure_draft_task", p.measure(), group=p.CMS)
    assert case.ready_ids() == ["sas_preavis_task"]
    return case


@scenario
def test_preavis_and_approval_reminders_and_escalations_fire_at_their_due_dates(
        track: Tracker, clock: ManualClock) -> None:
    case = at_preavis(track)
    asked = clock.now()  # the préavis counts working days (Valais holidays excluded)
    assert case.task("sas_preavis_task").due_at == CANTON.deadline(asked, 10)
    reminder = case.fires_at(clock, CANTON.deadline(asked, 10), "preavis_reminder_task")
    assert (reminder.candidate_groups, reminder.due_at) == (
        [p.SAS], CANTON.deadline(clock.now(), 5))
    escalation = case.fires_at(clock, CANTON.deadline(asked, 20), "preavis_escalation_task")
    assert escalation.candidate_groups == [p.CANTONAL]
    assert case.ready_ids() == ["preavis_escalation_task", "preavis_reminder_task",
                                "sas_preavis_task"]  # non-interrupting: the préavis waits
    case.complete("preavis_reminder_task", {"expected_preavis_date": "2026-02-06"},
                  group=p.SAS, groups=[p.SAS])
    case.complete("preavis_escalation_task", {"escalation_action": "contacted",
                                              "escalation_note": "Téléphone au SAS."},
                  group=p.CANTONAL, groups=[p.CANTONAL])
    case.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)

    asked = clock.now()
    reminder = case.fires_at(clock, asked + 30 * DAY, "approval_reminder_task")
    assert reminder.candidate_groups == [p.COMMUNE_GROUP]
    escalation = case.fires_at(clock, asked + 45 * DAY, "approval_escalation_task")
    assert escalation.candidate_groups == [p.CANTONAL]
    case.complete("approval_reminder_task", {"expected_decision_date": "2026-04-01"},
                  group=p.COMMUNE_GROUP, groups=[p.COMMUNE_GROUP])
    case.complete("approval_escalation_task", {"escalation_action": "new_deadline"},
                  group=p.CANTONAL, groups=[p.CANTONAL])
    case.complete("commune_approval_task", p.approval("approved"), group=p.COMMUNE_GROUP)
    assert case.engine.instance(case.instance_id).next_timer_at is None
    close(case, "handed_back", handed_back_to="cms")
    fired = [h.activity_id for h in case.history("timer_fired")]
    assert fired == ["preavis_reminder_timer", "preavis_escalation_timer",
                     "approval_reminder_timer", "approval_escalation_timer"]


def test_preavis_timers_stop_with_the_preavis_and_restart_with_a_new_one(
        track: Tracker, clock: ManualClock) -> None:
    case = at_preavis(track)
    clock.advance(days=6)
    case.complete("sas_preavis_task", p.preavis("more_information"), group=p.SAS)
    clock.advance(days=2)
    case.complete("measure_draft_task", p.measure("M-3"), group=p.CMS)
    again = clock.now()
    # the first préavis's reminder (10 working days) was cancelled with it; the new one
    # counts anew
    case.fires_at(clock, CANTON.deadline(again, 10), "preavis_reminder_task")
    assert case.rows("preavis_reminder_task") == 1


def test_closing_the_case_closes_a_reminder_still_open(track: Tracker,
                                                       clock: ManualClock) -> None:
    """A reminder handed to the SAS stays open after the préavis is given (it ends in its
    own end event), but closing the case ends it: `closure_end` is a terminate event."""
    case = at_preavis(track)
    case.fires_at(clock, CANTON.deadline(clock.now(), 10), "preavis_reminder_task")
    case.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)
    assert case.ready_ids() == ["commune_approval_task", "preavis_reminder_task"]
    case.complete("commune_approval_task", p.approval("approved"), group=p.COMMUNE_GROUP)
    case.complete("closure_task", p.closure("training"), group=p.TEAM)
    assert (case.status, case.ready_ids()) == ("completed", [])
    reminder = case.engine.tasks(instance_id=case.instance_id, state=None,
                                 activity="preavis_reminder_task")
    assert [t.state for t in reminder] == ["cancelled"]


def test_a_timer_fires_once_its_due_instant_has_passed(track: Tracker,
                                                       clock: ManualClock) -> None:
    """At the exact due instant nothing moves (no write either); just after, it fires."""
    case = at_preavis(track)
    due = CANTON.deadline(clock.now(), 10)
    clock.set(due)
    version = case.engine.instance(case.instance_id).version
    assert case.engine.run_due_timers() == 0
    assert case.engine.instance(case.instance_id).version == version
    clock.set(due + timedelta(microseconds=1))
    assert case.engine.run_due_timers() == 1
    assert case.rows("preavis_reminder_task") == 1


def test_each_review_cycle_firing_is_in_the_history(track: Tracker, clock: ManualClock) -> None:
    case = triaged(track, proposed="decloisonnement")
    case.complete("coaching_plan_task", {"orp_counsellor": "orp.anna", "cms_worker": "cms.ben",
                                         "coaching_goal": "training",
                                         "social_aid_measure": False}, group=p.ORP)
    start = clock.now()
    for n in (1, 2):
        case.fires_at(clock, start + 30 * n * DAY, "coaching_review_task")
        case.complete("coaching_review_task", {"review_progress": "on_track"}, group=p.ORP)
    assert case.count("timer_fired", "coaching_review_timer") == 2


# -- the triage table through the deployed business rule task -------------------------


TRIAGE_ROWS = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "bpmn" / "decision_cases.yaml").read_text(
        encoding="utf-8"))["cii_triage"]


@pytest.mark.parametrize("row", TRIAGE_ROWS, ids=[r["name"] for r in TRIAGE_ROWS])
def test_triage_rows_through_the_deployed_rule_task(track: Tracker, row: dict) -> None:
    """tests/bpmn checks the DMN file; this checks that `triage_rule_task` feeds it the
    announcement and hands the same answer to the team's confirmation task."""
    case = track.start("cii_case", p.announcement(**row["inputs"]), actor="cms/announcer")
    triage = case.data["triage"]
    assert {k: triage[k] for k in row["expected"]} == row["expected"]
    assert case.ready_ids() == ["triage_confirm_task"]
