"""Closure: the team records the outcome code and the partners are told.

Why the end event terminates: closing a case must also close reminders,
escalations and periodic reviews still open on parallel paths. Partners get a
thin notification (ids, outcome code, links), never personal data.
"""

from __future__ import annotations

from bpmn.tools.builder import Node, Process, opt, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.vocabulary import CASE_VARS, INSTITUTIONS, OUTCOMES, TEAM


def closure(p: Process) -> None:
    p.add(Node("closure_join", "exclusiveGateway", "", lanes.TEAM, 27))
    p.add(
        user(
            "closure_task",
            "Clôturer le cas (code de résultat)",
            lanes.TEAM,
            28,
            groups=TEAM,
            due="P10D",
            form=[
                req("outcome", "Résultat / outcome", "enum", values=OUTCOMES),
                opt(
                    "handed_back_to",
                    "Institution reprenant le suivi",
                    "enum",
                    values=[*INSTITUTIONS, ("none", "Aucune")],
                ),
                req("closure_date", "Date de clôture", "date"),
            ],
            expose=f"{CASE_VARS},service,exit_decision,cm_exit_reason,approval_decision,triage",
        )
    )
    p.add(
        Node(
            "inform_partners_task",
            "serviceTask",
            "Informer les partenaires",
            lanes.TEAM,
            29,
            topic="notify-partners",
            doc="External topic notify-partners: thin notifications (ids, outcome code, links) "
            "to the partners "
            "of the case; never personal data.",
        )
    )
    p.add(Node("closure_end", "endEvent", "Cas clôturé", lanes.TEAM, 30, terminate=True))


def closure_flows(p: Process) -> None:
    p.flow("closure_join", "closure_task")
    p.flow("closure_task", "inform_partners_task")
    p.flow("inform_partners_task", "closure_end")
