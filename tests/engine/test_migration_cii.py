"""The CII case process itself, migrated mid-way: cases at a préavis and in the
follow-up (a 90-day review cycle) move to a new version and run on to their end.

The real `bpmn/` files, the CII handlers, the scenario driver of `tests/processes`;
version 2 only relabels the process, as a process owner's small correction would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import Caller, Engine, ManualClock
from tests.processes import payloads as p
from tests.processes.driver import Case, Tracker, deploy_all, deployable_files

DAY = timedelta(days=1)
OWNER = Caller(name="owner", role="process-owner")


def cm_cii(track: Tracker) -> Case:
    case = track.start("cii_case", p.announcement("cm_cii"),
                       actor="cms-sion-herens-conthey/announcer")
    case.complete("triage_confirm_task", {"service": "cm_cii"}, group=p.TEAM, groups=[p.TEAM])
    case.complete("cm_plan_task", {"case_manager": "rep.martin", "plan_ref": "CM-2026-07",
                                   "social_aid_measure": True}, group=p.TEAM, groups=[p.TEAM])
    case.complete("measure_draft_task", p.measure("M-1"), group=p.CMS, groups=[p.CMS])
    return case


def test_cii_cases_move_to_a_new_version_and_run_on(
        cii_engine: Engine, clock: ManualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CIIFLOW_PAI_QUOTA", raising=False)
    deploy_all(cii_engine)
    track = Tracker(cii_engine, "migration")
    at_preavis = cm_cii(track)
    preavis = at_preavis.task("sas_preavis_task")
    following = cm_cii(track)
    following.complete("sas_preavis_task", p.preavis("unfavourable"), group=p.SAS)
    following.complete("measure_rework_task", p.rework("withdraw"), group=p.CMS,
                       groups=[p.CMS])
    start = clock.now()
    review_due = cii_engine.instance(following.instance_id).next_timer_at
    assert review_due == start + 90 * DAY

    files = deployable_files()
    files["cii_case.bpmn"] = files["cii_case.bpmn"].replace(b'name="', b'name="CII: ', 1)
    deployed = cii_engine.deploy(files, actor="owner")
    assert [(d.key, d.version, d.created) for d in deployed.definitions
            if d.key == "cii_case"] == [("cii_case", 2, True)]
    report = cii_engine.migrate("cii_case", 1, 2, caller=OWNER, dry_run=False)
    assert report.counts == {"cases": 2, "can_move": 2, "cannot_move": 0, "migrated": 2}

    moved = at_preavis.task("sas_preavis_task")
    assert (moved.id, moved.candidate_groups, moved.due_at) == (
        preavis.id, preavis.candidate_groups, preavis.due_at)
    at_preavis.complete("sas_preavis_task", p.preavis("favourable"), group=p.SAS)
    at_preavis.complete("commune_approval_task", p.approval("approved"),
                        group=p.COMMUNE_GROUP, groups=[p.COMMUNE_GROUP])
    at_preavis.complete("cm_supervision_task", {"cm_exit_reason": "goals_reached",
                                                "exit_date": "2026-11-30"},
                        group=p.TEAM, groups=[p.TEAM], assignee="rep.martin")
    at_preavis.complete("closure_task", p.closure("first_labour_market", "none"),
                        group=p.TEAM, groups=[p.TEAM])
    assert at_preavis.status == "completed"
    assert cii_engine.instance(at_preavis.instance_id).definition_version == 2

    # the follow-up's review cycle keeps its due time and fires on the new version
    assert cii_engine.instance(following.instance_id).next_timer_at == review_due
    review = following.fires_at(clock, start + 90 * DAY, "cm_review_task")
    assert review.assignee == "rep.martin"
    following.complete("cm_review_task", {"review_progress": "on_track",
                                          "measures_on_track": True},
                       group=p.TEAM, groups=[p.TEAM], assignee="rep.martin")
    following.complete("cm_supervision_task", {"cm_exit_reason": "goals_reached",
                                               "exit_date": "2026-11-30"},
                       group=p.TEAM, assignee="rep.martin")
    following.complete("closure_task", p.closure("first_labour_market", "none"),
                       group=p.TEAM, groups=[p.TEAM])
    assert following.status == "completed"
