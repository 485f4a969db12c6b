"""The lanes of the CII case: who does what, one lane per institution or role.

Why lanes are named constants: every part of the case places its nodes in
them, and a lane's documentation is where a process owner reads which
candidate group stands behind it.
"""

from __future__ import annotations

from bpmn.tools.builder import Lane

ANNOUNCER = "lane_announcer"
TEAM = "lane_regional_team"
CASE_MANAGER = "lane_case_manager"
PAIR = "lane_pair"
CMS = "lane_cms"
SAS = "lane_sas"
COMMUNE = "lane_commune"
CANTONAL = "lane_cantonal"

TWO_ROWS = (55, 150)  # main path above, reminders and detours below


def all_lanes() -> list[Lane]:
    """Top to bottom: announcer, the CII team and its case manager, then the partners."""
    return [
        Lane(
            ANNOUNCER,
            "Institution annonceuse / Announcing institution",
            130,
            (65,),
            "ORP, OAI, CMS, BIP or commune that announces the situation (start form).",
        ),
        Lane(
            TEAM,
            "Team CII régional / Regional CII team",
            200,
            TWO_ROWS,
            "Candidate group cii-team-${region}: répondants CII of the partners in the region.",
        ),
        Lane(
            CASE_MANAGER,
            "Case manager CII (répondant·e)",
            200,
            TWO_ROWS,
            "The répondant CII who claims the CM CII plan task becomes case manager (variable "
            "case_manager).",
        ),
        Lane(
            PAIR,
            "Binôme ORP–CMS (décloisonnement)",
            200,
            TWO_ROWS,
            "Candidate groups orp-${region} and cms-${cmsr}: the ORP counsellor and the CMS "
            "social worker.",
        ),
        Lane(CMS, "CMS régional (CMSR)", 160, (80,), "Candidate group cms-${cmsr}."),
        Lane(SAS, "SAS – Service de l'action sociale", 200, TWO_ROWS, "Candidate group sas."),
        Lane(
            COMMUNE,
            "Commune (autorité d'aide sociale)",
            200,
            TWO_ROWS,
            "Candidate group commune-${commune}.",
        ),
        Lane(
            CANTONAL,
            "Chargé·e cantonal·e CII / Cantonal CII officer",
            130,
            (65,),
            "Candidate group cii-cantonal: reminders that went unanswered are escalated here.",
        ),
    ]
