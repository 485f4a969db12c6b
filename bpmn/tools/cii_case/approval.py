"""The commune's approval of the measure contract.

Why the commune and not SAS decides: the commune is the social-aid authority
and formally approves the contract (within 30 days); it is reminded after 30
days and the cantonal CII officer is told after 45.
"""

from __future__ import annotations

from bpmn.tools.builder import Node, Process, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.cii_case.deadlines import Deadline, watch, watch_flows
from bpmn.tools.cii_case.measure import MEASURE_VARS
from bpmn.tools.vocabulary import COMMUNE

DEADLINE = Deadline(
    prefix="approval",
    host="commune_approval_task",
    lane=lanes.COMMUNE,
    group=COMMUNE,
    col=18,
    remind_days=30,
    escalate_days=45,
    reminder_name="Rappel : décision communale attendue",
    reminder_field=req("expected_decision_date", "Date prévue de la décision", "date"),
    escalation_name="Escalade : décision communale en retard",
)


def approval(p: Process) -> None:
    p.add(
        user(
            "commune_approval_task",
            "Approuver le contrat de mesure",
            lanes.COMMUNE,
            17,
            groups=COMMUNE,
            due="P30D",
            priority=70,
            doc="The commune is the decision authority for social aid and formally approves the "
            "measure "
            "contract (within 30 days).",
            form=[
                req(
                    "approval_decision",
                    "Décision",
                    "enum",
                    values=[("approved", "Approuvé"), ("refused", "Refusé")],
                ),
                req("approval_reasons", "Motivation de la décision", minlength=10, maxlength=1000),
                req("decision_date", "Date de la décision", "date"),
            ],
            expose=f"{MEASURE_VARS},preavis,preavis_reasons,person_ref",
        )
    )
    watch(p, DEADLINE)
    p.add(
        Node(
            "approval_gw",
            "exclusiveGateway",
            "Contrat approuvé ?",
            lanes.COMMUNE,
            20,
            label_pos="below",
        )
    )


def approval_flows(p: Process) -> None:
    p.flow("commune_approval_task", "approval_gw")
    watch_flows(p, DEADLINE)
    p.flow(
        "approval_gw",
        "measure_rework_task",
        "approval_refused_flow",
        "refusé",
        '${approval_decision == "refused"}',
    )
    p.flow(
        "approval_gw",
        "measure_join",
        "approval_approved_flow",
        "approuvé",
        '${approval_decision == "approved"}',
        route=("hv",),
    )
