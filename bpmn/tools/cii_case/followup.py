"""Follow-up after the measure: intensive coaching by the pair, or supervision by the case manager.

Why periodic reviews are non-interrupting cycle timers: coaching and case
management run for months and end on a decision of the people doing them; a
review every 30 (coaching) or 90 days (CM CII) is a task beside the running
one, never a reason to stop it. Assessment and TRO cases go straight to closure.
"""

from __future__ import annotations

from bpmn.tools.builder import Field, Node, Process, opt, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.cii_case.services import chosen
from bpmn.tools.vocabulary import CASE_VARS, INDICATORS, PAIR, PROGRESS, TEAM


def review_form() -> list[Field]:
    return [
        req("review_progress", "Avancement", "enum", values=PROGRESS),
        opt("review_note", "Note de bilan (sans données identifiantes)", maxlength=1000),
    ]


def review_timer(node_id: str, name: str, host: str, cycle: str) -> Node:
    return Node(
        node_id,
        "boundaryEvent",
        name,
        attached=host,
        cancel=False,
        label_pos="left",
        timer=("timeCycle", cycle),
    )


def coaching(p: Process) -> None:
    p.add(
        user(
            "coaching_task",
            "Coaching intensif vers le 1er marché",
            lanes.PAIR,
            24,
            groups=PAIR,
            due="P6M",
            doc="Runs until the pair decides the exit; a review task is created every 30 days.",
            form=[
                req(
                    "exit_decision",
                    "Décision de sortie",
                    "enum",
                    values=[
                        ("first_labour_market", "Emploi sur le 1er marché"),
                        ("training", "Formation"),
                        ("other_service", "Autre prestation / institution"),
                        ("abandoned", "Abandon"),
                    ],
                ),
                req("exit_date", "Date de sortie", "date"),
            ],
            expose=f"{CASE_VARS},service,coaching_goal,measure_type,approval_decision,person_ref",
        )
    )
    p.add(review_timer("coaching_review_timer", "tous les 30 jours", "coaching_task", "R/P30D"))
    p.add(
        user(
            "coaching_review_task",
            "Bilan périodique du coaching",
            lanes.PAIR,
            25,
            1,
            groups=PAIR,
            due="P10D",
            form=review_form(),
            expose=f"{CASE_VARS},service,coaching_goal,person_ref",
        )
    )
    p.add(Node("coaching_review_end", "endEvent", "Bilan fait", lanes.PAIR, 26, 1))


def supervision_task() -> Node:
    return user(
        "cm_supervision_task",
        "Superviser les mesures et décider la clôture",
        lanes.CASE_MANAGER,
        24,
        groups=TEAM,
        assignee="${case_manager}",
        due="P12M",
        doc="The case manager does not carry out the measures; she supervises them and keeps "
        "the overview. "
        "A review task is created every 90 days until the closure decision.",
        form=[
            req(
                "cm_exit_reason",
                "Motif de clôture proposé",
                "enum",
                values=[
                    ("goals_reached", "Objectifs atteints"),
                    ("handed_back", "Remis à une institution"),
                    ("abandoned", "Abandon"),
                ],
            ),
            req("exit_date", "Date de fin du CM", "date"),
        ],
        expose=f"{CASE_VARS},{INDICATORS},situation_summary,service,plan_ref,measure_type,"
        "approval_decision,person_ref",
    )


def supervision(p: Process) -> None:
    p.add(supervision_task())
    p.add(review_timer("cm_review_timer", "tous les 90 jours", "cm_supervision_task", "R/P90D"))
    p.add(
        user(
            "cm_review_task",
            "Bilan périodique du CM CII",
            lanes.CASE_MANAGER,
            25,
            1,
            groups=TEAM,
            assignee="${case_manager}",
            due="P10D",
            form=[
                *review_form(),
                req(
                    "measures_on_track",
                    "Les mesures des partenaires se déroulent comme prévu",
                    "boolean",
                ),
            ],
            expose=f"{CASE_VARS},service,plan_ref,person_ref",
        )
    )
    p.add(Node("cm_review_end", "endEvent", "Bilan fait", lanes.CASE_MANAGER, 26, 1))


def followup(p: Process) -> None:
    p.add(Node("followup_gw", "exclusiveGateway", "Accompagnement ?", lanes.TEAM, 23))
    coaching(p)
    supervision(p)


def followup_flows(p: Process) -> None:
    p.flow("measure_join", "followup_gw")
    p.flow("followup_gw", "cm_supervision_task", "followup_cm_flow", "CM CII", chosen("cm_cii"))
    p.flow(
        "followup_gw",
        "coaching_task",
        "followup_coaching_flow",
        "Décloisonnement",
        chosen("decloisonnement"),
    )
    p.flow("followup_gw", "closure_join", "followup_none_flow", "autres", default=True)
    p.flow("coaching_review_timer", "coaching_review_task")
    p.flow("coaching_review_task", "coaching_review_end")
    p.flow("cm_review_timer", "cm_review_task")
    p.flow("cm_review_task", "cm_review_end")
    p.flow("coaching_task", "closure_join")
    p.flow("cm_supervision_task", "closure_join")
