"""Consent: no exchange without it, and a withdrawal stops every exchange at once.

Why on the three real processes: a withdrawn procuration must stop a case
wherever it stands, whatever its owner drew (`engine.runtime.consent`), so each
process is stopped at a point where institutions hold its work: tasks are
cancelled (each with `TaskCancelled`, which the outbox sends as
`task.cancelled`), timers and subscriptions are dropped, the case ends
`terminated` with the reason in its history, and nothing can be completed after.
The refusals without consent at the start are the scenarios
`test_announcement_without_consent_is_refused_with_a_reason` (cii_case),
`test_orp_bip_announcement_not_eligible_is_returned[consent_signed]` and
`test_pai_without_consent_grants_no_place_and_asks_no_partner`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import Caller, Engine, ManualClock
from engine.errors import InstanceNotActive, NoSubscriber, TaskNotReady
from engine.runtime.domain_events import TaskCancelled
from engine.store.models import MessageSubscription
from tests.processes import payloads as p
from tests.processes.driver import Case, Tracker

ORP_HV = "orp-haut-valais"
ORP_BV = "orp-bas-valais"


class Heard:
    """The domain events of the engine's bus, as the outbox hears them."""

    def __init__(self, engine: Engine) -> None:
        self.events: list[object] = []
        engine.subscribe(lambda _session, event: self.events.append(event))

    def cancelled(self) -> list[TaskCancelled]:
        return [e for e in self.events if isinstance(e, TaskCancelled)]


def assert_closed_for_withdrawal(case: Case, ready_before: list[str], actor: str) -> None:
    assert case.status == "terminated"
    assert case.ready_ids() == []
    instance = case.engine.instance(case.instance_id)
    assert instance.next_timer_at is None and instance.ended_at is not None
    rows = case.history()
    kinds = [(h.kind, h.actor) for h in rows]
    assert ("consent_withdrawn", actor) in kinds
    [terminate] = [h for h in rows if h.kind == "terminate"]
    assert terminate.detail == {"reason": "consent_withdrawn"}
    cancelled = [h.activity_id for h in rows if h.kind == "task_cancelled"]
    assert sorted(cancelled) == sorted(ready_before)
    with case.engine.sessions() as session:
        assert session.scalars(select(MessageSubscription).where(
            MessageSubscription.instance_id == case.instance_id)).all() == []
    assert case.engine.verify_audit(case.instance_id).ok


def test_cii_case_withdrawn_at_triage_by_the_announcer(track: Tracker,
                                                       deployed: Engine) -> None:
    heard = Heard(deployed)
    case = track.start("cii_case", p.announcement("assessment"), actor="oai/announcer",
                       business_key="CII-2026-0042")
    before = list(case.ready())
    assert before and all(p.TEAM in t.candidate_groups for t in before)
    # the regional team took part: it relays the person's withdrawal by business key
    team = Caller(name=f"{p.TEAM}/agent", role="institution", groups=(p.TEAM,))
    outcome = deployed.correlate("consent_withdrawn", business_key="CII-2026-0042",
                                 caller=team)
    assert (outcome.instance.id, outcome.instance.status) == (case.instance_id, "terminated")
    assert_closed_for_withdrawal(case, [t.activity_id for t in before], team.name)
    assert sorted((e.task_id, e.reason) for e in heard.cancelled()) == sorted(
        (t.id, "consent_withdrawn") for t in before)
    with pytest.raises((TaskNotReady, InstanceNotActive)):
        deployed.complete_task(before[0].id, {}, caller=team)


def test_pai_withdrawn_while_the_orp_validates_the_employer(track: Tracker,
                                                             deployed: Engine) -> None:
    heard = Heard(deployed)
    case = track.start("pai", p.pai_candidate(), actor="oasi-bip/counsellor")
    [validation] = list(case.ready())
    assert validation.activity_id == "employer_validation_task"
    outcome = deployed.correlate("consent_withdrawn", instance_id=case.instance_id,
                                 actor="cii-cantonal/officer")
    assert outcome.instance.status == "terminated"
    assert_closed_for_withdrawal(case, ["employer_validation_task"], "cii-cantonal/officer")
    [event] = heard.cancelled()
    assert (event.task_id, event.candidate_groups) == (validation.id, (ORP_BV,))


def test_orp_bip_withdrawn_during_counselling_stops_its_timers(track: Tracker,
                                                               deployed: Engine,
                                                               clock: ManualClock) -> None:
    case = track.start("orp_bip", p.bip_announcement(), actor="oasi-bip/bip",
                       business_key="BIP-7")
    case.complete("orp_registration_task", {"registration_date": "2026-01-06",
                                            "jobroom_registered": True}, group=ORP_HV)
    coordinator = Caller(name="coord", role="coordinator")
    deployed.correlate("consent_withdrawn", business_key="BIP-7", caller=coordinator)
    assert_closed_for_withdrawal(case, ["counsellor_assignment_task"], "coord")
    clock.advance(days=400)
    assert deployed.run_due_timers() == 0


def test_an_institution_that_never_took_part_cannot_withdraw(track: Tracker,
                                                             deployed: Engine) -> None:
    case = track.start("orp_bip", p.bip_announcement(), actor="oasi-bip/bip",
                       business_key="BIP-8")
    stranger = Caller(name="sas/agent", role="institution", groups=("sas",))
    with pytest.raises(NoSubscriber):
        deployed.correlate("consent_withdrawn", business_key="BIP-8", caller=stranger)
    with pytest.raises(NoSubscriber):  # an unknown id answers the same to an institution
        deployed.correlate("consent_withdrawn", instance_id="no-such-case", caller=stranger)
    with pytest.raises(NoSubscriber):  # nor can anyone for a key no open case has
        deployed.correlate("consent_withdrawn", business_key="BIP-unknown", actor="coord")
    assert case.status == "running"
    assert case.ready_ids() == ["orp_registration_task"]
