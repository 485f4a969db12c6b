"""The LIAS social-aid measure: the CMS drafts it, and reworks or withdraws it when refused.

Why the measure is a loop and not a straight line: SAS may ask for more
information, give an unfavourable préavis, or the commune may refuse the
contract; each sends the draft back to the CMS, which revises or withdraws it.
The préavis and the approval in between are in ``preavis.py`` and
``approval.py``.
"""

from __future__ import annotations

from bpmn.tools.builder import Node, Process, opt, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.vocabulary import CASE_VARS, CMS

# What SAS and the commune see of a measure.
MEASURE_VARS = f"{CASE_VARS},service,measure_type,measure_ref,measure_cost_chf,measure_months"


def measure_draft(p: Process) -> None:
    p.add(
        Node(
            "social_aid_gw", "exclusiveGateway", "Mesure payée par l'aide sociale ?", lanes.TEAM, 11
        )
    )
    p.add(
        user(
            "measure_draft_task",
            "Élaborer la mesure / le contrat d'insertion",
            lanes.CMS,
            12,
            groups=CMS,
            due="P20D",
            form=[
                req(
                    "measure_type",
                    "Type de mesure",
                    "enum",
                    values=[
                        ("social_insertion", "Insertion sociale"),
                        ("professional_insertion", "Insertion professionnelle"),
                        ("training", "Formation"),
                    ],
                ),
                req("measure_ref", "Référence du projet de contrat d'insertion", maxlength=100),
                req("measure_cost_chf", "Coût estimé (CHF)", "long", min=0, max=200000),
                req("measure_months", "Durée (mois)", "long", min=1, max=24),
            ],
            expose=f"{CASE_VARS},service,report_ref,plan_ref,preavis,preavis_reasons,"
            "approval_decision,approval_reasons,person_ref",
        )
    )


def measure_draft_flows(p: Process) -> None:
    p.flow("services_join", "social_aid_gw")
    p.flow(
        "social_aid_gw",
        "measure_draft_task",
        "social_aid_measure_flow",
        "oui",
        "${social_aid_measure == true}",
    )
    p.flow("social_aid_gw", "measure_join", "no_social_aid_measure_flow", "non", default=True)
    p.flow("measure_draft_task", "sas_preavis_task")


def rework(p: Process) -> None:
    p.add(
        user(
            "measure_rework_task",
            "Réviser ou retirer la mesure",
            lanes.CMS,
            20,
            groups=CMS,
            due="P20D",
            doc="After an unfavourable préavis or a refusal by the commune.",
            form=[
                req(
                    "rework_decision",
                    "Suite",
                    "enum",
                    values=[
                        ("revise", "Réviser la proposition"),
                        ("withdraw", "Retirer la mesure"),
                    ],
                ),
                opt("rework_note", "Note", maxlength=500),
            ],
            expose=f"{MEASURE_VARS},preavis,preavis_reasons,approval_decision,approval_reasons,"
            "person_ref",
        )
    )
    p.add(Node("rework_gw", "exclusiveGateway", "Réviser ?", lanes.CMS, 21, label_pos="below"))
    p.add(Node("measure_join", "exclusiveGateway", "", lanes.TEAM, 22))


def rework_flows(p: Process) -> None:
    p.flow("measure_rework_task", "rework_gw")
    p.flow(
        "rework_gw",
        "measure_draft_task",
        "rework_revise_flow",
        "réviser",
        '${rework_decision == "revise"}',
        route=("channel", p.lane_y(lanes.CMS, 20), "top", "top"),
    )
    p.flow(
        "rework_gw",
        "measure_join",
        "rework_withdraw_flow",
        "retirer",
        '${rework_decision == "withdraw"}',
        route=("hv",),
    )
