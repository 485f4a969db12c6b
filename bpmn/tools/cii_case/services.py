"""The four CII services: assessment, TRO round table, CM CII, décloisonnement pair.

Why every service asks the same question at its end (a social-aid measure in
the proposals?): whatever the service, a measure paid by social aid needs the
LIAS path (CMS draft, SAS préavis, commune approval) before anything goes on.
"""

from __future__ import annotations

from bpmn.tools.builder import Field, Node, Process, opt, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.vocabulary import CASE_VARS, INDICATORS, OUTCOMES, PAIR, TEAM

CASE_FILE = f"{CASE_VARS},{INDICATORS},situation_summary,triage,service,person_ref"


def social_aid_question() -> Field:
    return req(
        "social_aid_measure",
        "Les propositions comprennent une mesure d'insertion payée par l'aide sociale",
        "boolean",
    )


def assessment() -> Node:
    return user(
        "assessment_task",
        "Assessment : analyse 360° et rapport",
        lanes.TEAM,
        8,
        groups=TEAM,
        due="P60D",
        doc="360° analysis of the situation; ends with a report giving advice and proposals "
        "to the parties.",
        form=[
            req("report_ref", "Référence du rapport (GED)", maxlength=100),
            opt("proposals_count", "Nombre de propositions", "long", min=0, max=20),
            social_aid_question(),
        ],
        expose=CASE_FILE,
    )


def round_table() -> list[Node]:
    """TRO: convene the parties, then hold the round table and record the proposals."""
    convene = user(
        "tro_convene_task",
        "Convoquer la TRO (table ronde)",
        lanes.TEAM,
        8,
        1,
        groups=TEAM,
        due="P20D",
        form=[
            req("tro_date", "Date de la table ronde", "date"),
            req("parties_invited", "Nombre de parties invitées", "long", min=2, max=12),
        ],
        expose=CASE_FILE,
    )
    hold = user(
        "tro_round_table_task",
        "Tenir la TRO et formuler les propositions",
        lanes.TEAM,
        9,
        1,
        groups=TEAM,
        due="P30D",
        form=[
            req("report_ref", "Référence du procès-verbal et des propositions", maxlength=100),
            opt("parties_present", "Nombre de parties présentes", "long", min=1, max=12),
            social_aid_question(),
        ],
        expose=f"{CASE_VARS},service,tro_date,parties_invited,person_ref",
    )
    return [convene, hold]


def case_management_plan() -> Node:
    return user(
        "cm_plan_task",
        "Reprendre le cas (CM CII) et établir le plan",
        lanes.CASE_MANAGER,
        8,
        groups=TEAM,
        due="P30D",
        priority=60,
        doc="The répondant CII who claims this task becomes case manager and records the plan.",
        form=[
            req(
                "case_manager", "Case manager (identifiant utilisateur du répondant)", maxlength=64
            ),
            req("plan_ref", "Référence du plan de prise en charge", maxlength=100),
            social_aid_question(),
        ],
        expose=CASE_FILE,
    )


def coaching_plan() -> Node:
    """Décloisonnement: the ORP–CMS pair forms and sets the coaching goal."""
    return user(
        "coaching_plan_task",
        "Constituer le binôme et fixer les objectifs",
        lanes.PAIR,
        8,
        groups=PAIR,
        due="P20D",
        doc="ORP counsellor and CMS social worker form the pair (binôme) and agree the "
        "coaching goal.",
        form=[
            req("orp_counsellor", "Conseiller·ère ORP (identifiant utilisateur)", maxlength=64),
            req("cms_worker", "Assistant·e social·e CMS (identifiant utilisateur)", maxlength=64),
            req("coaching_goal", "Objectif du coaching", "enum", values=OUTCOMES[:2]),
            social_aid_question(),
        ],
        expose=f"{CASE_VARS},{INDICATORS},triage,service,person_ref",
    )


def services(p: Process) -> None:
    p.add(assessment())
    for node in round_table():
        p.add(node)
    p.add(case_management_plan())
    p.add(coaching_plan())
    p.add(Node("services_join", "exclusiveGateway", "", lanes.TEAM, 10))


def chosen(service: str) -> str:
    """JUEL condition: the service the team retained."""
    return '${service == "' + service + '"}'


def service_flows(p: Process) -> None:
    p.flow("service_gw", "assessment_task", "assessment_flow", "Assessment", chosen("assessment"))
    p.flow("service_gw", "tro_convene_task", "tro_flow", "TRO", chosen("tro"))
    p.flow("service_gw", "cm_plan_task", "cm_cii_flow", "CM CII", chosen("cm_cii"))
    p.flow(
        "service_gw",
        "coaching_plan_task",
        "decloisonnement_flow",
        "Décloisonnement",
        chosen("decloisonnement"),
    )
    p.flow("tro_convene_task", "tro_round_table_task")
    for task in ("assessment_task", "tro_round_table_task", "cm_plan_task", "coaching_plan_task"):
        p.flow(task, "services_join")
