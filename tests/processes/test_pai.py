"""Every path of `bpmn/pai.bpmn`: quota, employer validation, support loop, 2-year follow-up.

Why through the engine: the seed's rules for PAI are enforced by the engine,
not by the drawing alone: "10 places par année" by the `pai-quota` handler
counting places in the database, "3 et 6 mois, voire 12 mois au maximum" by
the support gateway, "au minimum 2 ans après la fin des versements" by a timer
that only the injected clock can move. Each rule is proven on a running case.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import isodate
import pytest
from sqlalchemy import select

from engine import ManualClock
from tests.processes import payloads as p
from tests.processes.driver import Case, Tracker, scenario
from workflows.cii.quota import QuotaCounter

REGION = "bas-valais"
ORP = f"orp-{REGION}"
PAIR = [p.BIP, ORP]  # the counsellor's lane: BIP or ORP
THREE_MONTHS = isodate.parse_duration("P3M")
TWO_YEARS = isodate.parse_duration("P2Y")


def granted(track: Tracker, **overrides: object) -> Case:
    case = track.start("pai", p.pai_candidate(**overrides), actor="oasi-bip/counsellor")
    assert case.data["pai_place_granted"] is True
    assert case.ready_ids() == ["employer_validation_task"]
    return case


def under_contract(track: Tracker, clock: ManualClock, months: int = 6) -> Case:
    case = granted(track)
    validation = case.task("employer_validation_task")
    assert validation.due_at == clock.now() + timedelta(days=10)
    case.complete("employer_validation_task", p.employer_check(), group=ORP, groups=[ORP])
    case.complete("collaboration_contract_task", {
        "contract_signed_date": "2026-01-20", "employment_start_date": "2026-02-01",
        "support_months_planned": months}, group=p.BIP, groups=PAIR)
    return case


def quota_used(case: Case, year: int) -> int:
    with case.engine.sessions() as session:
        return session.scalar(select(QuotaCounter.used).where(
            QuotaCounter.name == "pai", QuotaCounter.period == str(year))) or 0


@scenario
def test_pai_support_extended_up_to_the_12_month_cap_then_followed_up_after_two_years(
        track: Tracker, clock: ManualClock) -> None:
    case = under_contract(track, clock, months=6)
    review_due = clock.now()
    # requested totals at each 3-month review; 15 would pass the cap of 12 months
    for total in (6, 9, 12, 15):
        review_due = review_due + THREE_MONTHS
        review = case.fires_at(clock, review_due, "support_review_task")
        assert sorted(review.candidate_groups) == sorted(PAIR)
        case.complete("support_review_task", {
            "support_decision": "extend", "support_months_total": total,
            "review_note": "Progression conforme."}, group=ORP, groups=PAIR)
        review_due = clock.now()
        expected = ["last_payment_task"] if total > 12 else []
        assert case.ready_ids() == expected, total
    assert case.rows("support_review_task") == 4  # 3 + 3 + 3 + 3 months: 12 in all
    case.complete("last_payment_task", {"last_payment_date": "2027-01-31",
                                        "support_months_final": 12}, group=p.BIP, groups=PAIR)
    paid = clock.now()
    followup = case.fires_at(clock, paid + TWO_YEARS, "employment_followup_task")
    assert sorted(followup.candidate_groups) == sorted(PAIR)
    case.complete("employment_followup_task", {"still_employed": True, "same_employer": False,
                                               "followup_date": "2029-02-01"}, group=ORP)
    assert case.status == "completed"
    fired = [h.activity_id for h in case.history("timer_fired")]
    assert fired == ["support_review_timer"] * 4 + ["followup_timer"]


@scenario
def test_pai_support_ends_at_the_first_review(track: Tracker, clock: ManualClock) -> None:
    case = under_contract(track, clock, months=3)
    case.fires_at(clock, clock.now() + THREE_MONTHS, "support_review_task")
    case.complete("support_review_task", {"support_decision": "end",
                                          "support_months_total": 3}, group=p.BIP)
    case.complete("last_payment_task", {"last_payment_date": "2026-04-30",
                                        "support_months_final": 3}, group=ORP)
    case.fires_at(clock, clock.now() + TWO_YEARS, "employment_followup_task")
    case.complete("employment_followup_task", {"still_employed": False, "same_employer": False,
                                               "followup_date": "2028-05-01"}, group=p.BIP)
    assert case.status == "completed"


@scenario
@pytest.mark.parametrize("support", ["rht", "ait", "other"])
def test_pai_employer_with_double_support_is_refused(track: Tracker, support: str) -> None:
    case = granted(track)
    case.complete("employer_validation_task", p.employer_check(**{support: True}),
                  group=ORP, groups=[ORP])
    assert case.ready_ids() == [] and case.status == "completed"
    assert case.rows("collaboration_contract_task") == 0
    # the place goes back to the year's quota: a refused employer uses none of the 10
    assert quota_used(case, 2026) == 0
    assert case.data["pai_place_released"] is True


@scenario
def test_pai_eleventh_place_of_a_year_is_refused_and_next_year_accepted(
        track: Tracker, clock: ManualClock) -> None:
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    places = [granted(track, person_ref=f"APR-{n:04d}").data["pai_place_number"]
              for n in range(1, 11)]
    assert places == list(range(1, 11))

    clock.set(datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    refused = track.start("pai", p.pai_candidate(person_ref="APR-0011"),
                          actor="orp-bas-valais/counsellor")
    data = refused.data
    assert data["pai_place_granted"] is False
    assert data["pai_refusal_reason"] == (
        "the 10 PAI places of 2026 are all taken; apply again from 1 January 2027")
    assert refused.status == "completed" and refused.rows("employer_validation_task") == 0
    assert quota_used(refused, 2026) == 10  # a refusal takes no place

    clock.set(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    next_year = granted(track, person_ref="APR-0011")
    assert (next_year.data["pai_year"], next_year.data["pai_place_number"]) == (2027, 1)


def test_pai_year_is_the_valais_calendar_year(track: Tracker, clock: ManualClock) -> None:
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    for n in range(10):
        granted(track, person_ref=f"APR-{n:04d}")
    clock.set(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 2027-01-01 00:30 in Sion
    case = track.start("pai", p.pai_candidate(person_ref="APR-NEWYEAR"), actor="oasi-bip/c")
    assert case.data["pai_place_granted"] is True


@scenario
def test_pai_without_consent_grants_no_place_and_asks_no_partner(track: Tracker,
                                                                 clock: ManualClock) -> None:
    case = track.start("pai", p.pai_candidate(consent_signed=False), actor="oasi-bip/counsellor")
    assert case.status == "completed"
    assert [h.activity_id for h in case.history("task_ready")] == []  # no institution asked
    assert "pai_place_granted" not in case.data  # the quota service never ran
    assert quota_used(case, clock.now().year) == 0
    ended = case.history("completed")
    assert len(ended) == 1 and "pai_consent_missing_end" in case.visited()
