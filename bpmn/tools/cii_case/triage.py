"""Triage: the decision table proposes a service, the regional team confirms or overrides.

Why a person confirms what DMN proposes: the typologies are a guide, not a
rule; the team may choose another service, but must give a reason, so that
overrides can be counted and the table improved.
"""

from __future__ import annotations

from bpmn.tools.builder import Node, Process, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.vocabulary import CASE_VARS, INDICATORS, SERVICES, TEAM


def triage(p: Process) -> None:
    p.add(
        Node(
            "triage_rule_task",
            "businessRuleTask",
            "Proposer un service (typologie)",
            lanes.TEAM,
            2,
            decision="cii_triage",
            result_variable="triage",
            doc="DMN cii_triage reads the typology indicators and proposes triage.service, "
            "triage.typology, "
            "triage.rationale.",
        )
    )
    p.add(
        user(
            "triage_confirm_task",
            "Confirmer ou modifier le service proposé",
            lanes.TEAM,
            3,
            groups=TEAM,
            due="P10D",
            priority=60,
            doc="Keep the proposed service (triage.service) or choose another one; a different "
            "choice "
            "asks for a reason in the next task.",
            form=[
                req(
                    "service",
                    "Service retenu (proposition : triage.service)",
                    "enum",
                    values=SERVICES,
                )
            ],
            expose=f"{CASE_VARS},{INDICATORS},situation_summary,triage,consent_scope",
        )
    )
    p.add(Node("override_gw", "exclusiveGateway", "Proposition modifiée ?", lanes.TEAM, 4))
    p.add(
        user(
            "triage_override_task",
            "Motiver la dérogation au triage",
            lanes.TEAM,
            5,
            1,
            groups=TEAM,
            due="P5D",
            form=[
                req(
                    "override_reason",
                    "Motif de la dérogation (obligatoire)",
                    minlength=20,
                    maxlength=1000,
                )
            ],
            expose=f"{CASE_VARS},triage,service",
        )
    )
    p.add(Node("triage_join", "exclusiveGateway", "", lanes.TEAM, 6))
    p.add(Node("service_gw", "exclusiveGateway", "Service retenu ?", lanes.TEAM, 7))


def triage_flows(p: Process) -> None:
    p.flow("triage_rule_task", "triage_confirm_task")
    p.flow("triage_confirm_task", "override_gw")
    p.flow(
        "override_gw",
        "triage_override_task",
        "service_overridden_flow",
        "oui",
        "${service != triage.service}",
    )
    p.flow("override_gw", "triage_join", "service_confirmed_flow", "non", default=True)
    p.flow("triage_override_task", "triage_join")
    p.flow("triage_join", "service_gw")
