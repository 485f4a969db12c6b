"""The SAS préavis: the cantonal social-action service's opinion on the CMS proposal.

Why three outcomes: a favourable préavis goes to the commune, an unfavourable
one back to the CMS for rework, and a request for more information back to
the draft itself. The SAS gives its préavis within 10 working days (Valais
holidays excluded: the partners' agreed deadline counts working days), is
reminded when they have passed and escalated after 20 working days.
"""

from __future__ import annotations

from bpmn.tools.builder import Node, Process, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.cii_case.deadlines import Deadline, watch, watch_flows
from bpmn.tools.cii_case.measure import MEASURE_VARS

DEADLINE = Deadline(
    prefix="preavis",
    host="sas_preavis_task",
    lane=lanes.SAS,
    group="sas",
    col=14,
    remind_days=10,
    escalate_days=20,
    reminder_name="Rappel : préavis attendu",
    reminder_field=req("expected_preavis_date", "Date prévue du préavis", "date"),
    escalation_name="Escalade : préavis SAS en retard",
    working_days=True,
)


def preavis(p: Process) -> None:
    p.add(
        user(
            "sas_preavis_task",
            "Préavis SAS",
            lanes.SAS,
            13,
            groups="sas",
            due="${workingDays(10)}",
            priority=70,
            doc="SAS opinion on the CMS proposal: favourable, unfavourable (with reasons) or "
            "more information.",
            form=[
                req(
                    "preavis",
                    "Préavis",
                    "enum",
                    values=[
                        ("favourable", "Favorable"),
                        ("unfavourable", "Défavorable"),
                        ("more_information", "Compléments demandés"),
                    ],
                ),
                req("preavis_reasons", "Motivation", minlength=10, maxlength=1000),
            ],
            expose=MEASURE_VARS,
        )
    )
    watch(p, DEADLINE)
    p.add(Node("preavis_gw", "exclusiveGateway", "Préavis ?", lanes.SAS, 16, label_pos="nw"))


def preavis_flows(p: Process) -> None:
    p.flow("sas_preavis_task", "preavis_gw")
    watch_flows(p, DEADLINE)
    p.flow(
        "preavis_gw",
        "measure_draft_task",
        "preavis_more_information_flow",
        "compléments",
        '${preavis == "more_information"}',
        route=("channel", p.lane_y(lanes.CMS, 145), "top", "bottom"),
    )
    p.flow(
        "preavis_gw",
        "measure_rework_task",
        "preavis_unfavourable_flow",
        "défavorable",
        '${preavis == "unfavourable"}',
        route=("split_after", 16, 42),
    )
    p.flow(
        "preavis_gw",
        "commune_approval_task",
        "preavis_favourable_flow",
        "favorable",
        '${preavis == "favourable"}',
    )
