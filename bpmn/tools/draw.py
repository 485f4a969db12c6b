"""Draw the ciiflow process files: ``cii_case``, ``pai``, ``orp_bip`` and the DMN tables.

Run ``.venv/bin/python bpmn/tools/draw.py`` from the repository root; it rewrites
the ``.bpmn`` and ``.dmn`` files in ``bpmn/``. Why the content lives here rather
than in hand-edited XML: the diagrams must carry complete, consistent diagram
interchange (shapes inside lanes, orthogonal edges, labels) and the three
processes share the same vocabularies (regions, CMSR, services, outcomes). Once
generated, the files are ordinary Camunda Modeler files; a process owner who
edits one in the Modeler may keep editing it there and stop using this script.

Engine constraints honoured here (see docs/processes.md): no script tasks, JUEL
``${...}`` conditions on plain case variables, ISO-8601 durations for due dates
and timers, external service tasks only (topics ``pai-quota`` and
``notify-partners``), and ``ciiflow.expose`` listing the case variables (never
personal data) each institution may see on its task.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from builder import (  # noqa: E402
    Decision,
    DmnInput,
    DmnOutput,
    DmnRule,
    Field,
    Lane,
    Node,
    Process,
)

OUT = Path(__file__).resolve().parent.parent

REGIONS = [
    ("haut-valais", "Haut-Valais / Oberwallis"),
    ("valais-central", "Valais central"),
    ("bas-valais", "Bas-Valais"),
]
CMSRS = [
    ("oberwallis", "SMZ Oberwallis"),
    ("sierre", "CMSR Sierre"),
    ("sion-herens-conthey", "CMSR Sion – Hérens – Conthey"),
    ("martigny", "CMSR Martigny"),
    ("bas-valais", "CMSR Bas-Valais"),
]
INSTITUTIONS = [
    ("orp", "ORP (assurance chômage)"),
    ("oai", "Office AI"),
    ("cms", "CMS (aide sociale)"),
    ("oasi-bip", "Office de l'asile – BIP"),
    ("commune", "Commune"),
]
SERVICES = [
    ("assessment", "Assessment (analyse 360°)"),
    ("tro", "TRO (table ronde)"),
    ("decloisonnement", "Décloisonnement (binôme ORP–CMS)"),
    ("cm_cii", "CM CII (case management)"),
]
OUTCOMES = [
    ("first_labour_market", "Premier marché du travail / first labour market"),
    ("training", "Formation / training"),
    ("social_insertion", "Insertion sociale / social insertion"),
    ("handed_back", "Remis à une institution / handed back to one institution"),
    ("abandoned", "Abandon / abandoned"),
]
PROGRESS = [
    ("on_track", "Dans les objectifs"),
    ("at_risk", "À risque"),
    ("off_track", "Hors objectifs"),
]

TEAM = "cii-team-${region}"
CMS = "cms-${cmsr}"
COMMUNE = "commune-${commune}"
PAIR = "orp-${region},cms-${cmsr}"

CASE_VARS = "region,cmsr,commune,announcing_institution"
INDICATORS = (
    "institutions_involved,health_barrier,social_aid_recipient,job_ready,competence_unclear"
)


def req(fid: str, label: str, type_: str = "string", **kw: object) -> Field:
    """A required form field (most fields are)."""
    return Field(fid, label, type_, required=True, **kw)  # type: ignore[arg-type]


def opt(fid: str, label: str, type_: str = "string", **kw: object) -> Field:
    """An optional form field."""
    return Field(fid, label, type_, **kw)  # type: ignore[arg-type]


def user(pid: str, name: str, lane: str, col: int, row: int = 0, **kw: object) -> Node:
    return Node(pid, "userTask", name, lane, col, row, **kw)  # type: ignore[arg-type]


# =========================================================================== cii_case


def cii_case() -> Process:
    """The CII case: announcement → triage → one of four services → LIAS measure → closure."""
    lanes = [
        Lane(
            "lane_announcer",
            "Institution annonceuse / Announcing institution",
            130,
            (65,),
            "ORP, OAI, CMS, BIP or commune that announces the situation (start form).",
        ),
        Lane(
            "lane_regional_team",
            "Team CII régional / Regional CII team",
            200,
            (55, 150),
            "Candidate group cii-team-${region}: répondants CII of the partners in the region.",
        ),
        Lane(
            "lane_case_manager",
            "Case manager CII (répondant·e)",
            200,
            (55, 150),
            "The répondant CII who claims the CM CII plan task becomes case manager (variable "
            "case_manager).",
        ),
        Lane(
            "lane_pair",
            "Binôme ORP–CMS (décloisonnement)",
            200,
            (55, 150),
            "Candidate groups orp-${region} and cms-${cmsr}: the ORP counsellor and the CMS "
            "social worker.",
        ),
        Lane("lane_cms", "CMS régional (CMSR)", 160, (80,), "Candidate group cms-${cmsr}."),
        Lane(
            "lane_sas", "SAS – Service de l'action sociale", 200, (55, 150), "Candidate group sas."
        ),
        Lane(
            "lane_commune",
            "Commune (autorité d'aide sociale)",
            200,
            (55, 150),
            "Candidate group commune-${commune}.",
        ),
        Lane(
            "lane_cantonal",
            "Chargé·e cantonal·e CII / Cantonal CII officer",
            130,
            (65,),
            "Candidate group cii-cantonal: reminders that went unanswered are escalated here.",
        ),
    ]
    p = Process(
        "cii_case",
        "Cas CII / CII case",
        lanes,
        doc=(
            "A complex situation announced by a partner institution, triaged by typology "
            "(DMN cii_triage), followed by one of the four CII services (assessment, TRO, "
            "décloisonnement, CM CII), with LIAS social-aid measures approved by SAS and "
            "the commune, and closed with an outcome code. See docs/processes.md."
        ),
        col_widths={7: 160, 23: 160},
    )
    A, T, CM, PR = "lane_announcer", "lane_regional_team", "lane_case_manager", "lane_pair"
    C, S, CO, K = "lane_cms", "lane_sas", "lane_commune", "lane_cantonal"

    # -- 1. announcement -------------------------------------------------------
    p.add(
        Node(
            "announcement_start",
            "startEvent",
            "Annonce reçue / announcement",
            A,
            0,
            doc="Announcement form (documents d'annonce). Pseudonymous: person_ref only, no "
            "name, no AVS number.",
            form=[
                req(
                    "announcing_institution", "Institution annonceuse", "enum", values=INSTITUTIONS
                ),
                req("region", "Région socio-économique", "enum", values=REGIONS),
                req("cmsr", "CMS régional (CMSR) compétent", "enum", values=CMSRS),
                req(
                    "commune",
                    "Commune de domicile (identifiant du répertoire, p. ex. sion)",
                    minlength=2,
                    maxlength=40,
                ),
                req(
                    "person_ref",
                    "Référence pseudonyme de la personne (jamais nom ni n° AVS)",
                    minlength=6,
                    maxlength=64,
                ),
                req("consent_signed", "Procuration signée / consent signed", "boolean"),
                opt("consent_date", "Date de la procuration", "date"),
                opt("consent_scope", "Portée de la procuration (partenaires, buts)", maxlength=500),
                opt(
                    "situation_summary",
                    "Résumé de la situation (sans données identifiantes)",
                    maxlength=2000,
                ),
                req(
                    "institutions_involved",
                    "Nombre d'institutions impliquées",
                    "long",
                    min=1,
                    max=10,
                ),
                req("health_barrier", "Obstacle de santé à l'emploi", "boolean"),
                req("social_aid_recipient", "Bénéficiaire de l'aide sociale", "boolean"),
                req("job_ready", "Apte au placement (prêt·e pour le 1er marché)", "boolean"),
                req(
                    "competence_unclear",
                    "Compétence institutionnelle peu claire / contestée",
                    "boolean",
                ),
            ],
        )
    )
    p.add(Node("consent_gw", "exclusiveGateway", "Procuration signée ?", A, 1))
    p.add(
        user(
            "refusal_notice_task",
            "Motiver le refus et informer l'annonceur",
            T,
            1,
            1,
            groups=TEAM,
            due="P5D",
            doc="No signed consent: the announcement is refused; the team tells the announcing "
            "institution why.",
            form=[
                req(
                    "refusal_reason",
                    "Motif du refus",
                    "enum",
                    values=[
                        ("consent_missing", "Procuration manquante"),
                        ("consent_scope_insufficient", "Procuration insuffisante (portée)"),
                        ("other", "Autre motif"),
                    ],
                ),
                opt("refusal_note", "Précision (sans données personnelles)", maxlength=500),
            ],
            expose=f"{CASE_VARS},consent_signed,consent_date,consent_scope",
        )
    )
    p.add(Node("announcement_refused_end", "endEvent", "Annonce refusée", T, 2, 1))

    # -- 2. triage -----------------------------------------------------------------
    p.add(
        Node(
            "triage_rule_task",
            "businessRuleTask",
            "Proposer un service (typologie)",
            T,
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
            T,
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
    p.add(Node("override_gw", "exclusiveGateway", "Proposition modifiée ?", T, 4))
    p.add(
        user(
            "triage_override_task",
            "Motiver la dérogation au triage",
            T,
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
    p.add(Node("triage_join", "exclusiveGateway", "", T, 6))
    p.add(Node("service_gw", "exclusiveGateway", "Service retenu ?", T, 7))

    # -- 3. the four services ---------------------------------------------------------
    proposals = req(
        "social_aid_measure",
        "Les propositions comprennent une mesure d'insertion payée par l'aide sociale",
        "boolean",
    )
    p.add(
        user(
            "assessment_task",
            "Assessment : analyse 360° et rapport",
            T,
            8,
            groups=TEAM,
            due="P60D",
            doc="360° analysis of the situation; ends with a report giving advice and proposals "
            "to the parties.",
            form=[
                req("report_ref", "Référence du rapport (GED)", maxlength=100),
                opt("proposals_count", "Nombre de propositions", "long", min=0, max=20),
                proposals,
            ],
            expose=f"{CASE_VARS},{INDICATORS},situation_summary,triage,service,person_ref",
        )
    )
    p.add(
        user(
            "tro_convene_task",
            "Convoquer la TRO (table ronde)",
            T,
            8,
            1,
            groups=TEAM,
            due="P20D",
            form=[
                req("tro_date", "Date de la table ronde", "date"),
                req("parties_invited", "Nombre de parties invitées", "long", min=2, max=12),
            ],
            expose=f"{CASE_VARS},{INDICATORS},situation_summary,triage,service,person_ref",
        )
    )
    p.add(
        user(
            "tro_round_table_task",
            "Tenir la TRO et formuler les propositions",
            T,
            9,
            1,
            groups=TEAM,
            due="P30D",
            form=[
                req("report_ref", "Référence du procès-verbal et des propositions", maxlength=100),
                opt("parties_present", "Nombre de parties présentes", "long", min=1, max=12),
                proposals,
            ],
            expose=f"{CASE_VARS},service,tro_date,parties_invited,person_ref",
        )
    )
    p.add(
        user(
            "cm_plan_task",
            "Reprendre le cas (CM CII) et établir le plan",
            CM,
            8,
            groups=TEAM,
            due="P30D",
            priority=60,
            doc="The répondant CII who claims this task becomes case manager and records the plan.",
            form=[
                req(
                    "case_manager",
                    "Case manager (identifiant utilisateur du répondant)",
                    maxlength=64,
                ),
                req("plan_ref", "Référence du plan de prise en charge", maxlength=100),
                proposals,
            ],
            expose=f"{CASE_VARS},{INDICATORS},situation_summary,triage,service,person_ref",
        )
    )
    p.add(
        user(
            "coaching_plan_task",
            "Constituer le binôme et fixer les objectifs",
            PR,
            8,
            groups=PAIR,
            due="P20D",
            doc="ORP counsellor and CMS social worker form the pair (binôme) and agree the "
            "coaching goal.",
            form=[
                req("orp_counsellor", "Conseiller·ère ORP (identifiant utilisateur)", maxlength=64),
                req(
                    "cms_worker", "Assistant·e social·e CMS (identifiant utilisateur)", maxlength=64
                ),
                req("coaching_goal", "Objectif du coaching", "enum", values=OUTCOMES[:2]),
                proposals,
            ],
            expose=f"{CASE_VARS},{INDICATORS},triage,service,person_ref",
        )
    )
    p.add(Node("services_join", "exclusiveGateway", "", T, 10))

    # -- 4. LIAS social-aid measure ------------------------------------------------------
    p.add(Node("social_aid_gw", "exclusiveGateway", "Mesure payée par l'aide sociale ?", T, 11))
    measure_vars = f"{CASE_VARS},service,measure_type,measure_ref,measure_cost_chf,measure_months"
    p.add(
        user(
            "measure_draft_task",
            "Élaborer la mesure / le contrat d'insertion",
            C,
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
            expose=f"{CASE_VARS},service,report_ref,plan_ref,preavis,preavis_reasons,approval_decision,"
            "approval_reasons,person_ref",
        )
    )
    p.add(
        user(
            "sas_preavis_task",
            "Préavis SAS",
            S,
            13,
            groups="sas",
            due="P10D",
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
            expose=measure_vars,
        )
    )
    p.add(
        Node(
            "preavis_escalation_timer",
            "boundaryEvent",
            "20 jours",
            attached="sas_preavis_task",
            slot="left",
            cancel=False,
            timer=("timeDuration", "P20D"),
        )
    )
    p.add(
        Node(
            "preavis_reminder_timer",
            "boundaryEvent",
            "10 jours",
            attached="sas_preavis_task",
            slot="right",
            cancel=False,
            timer=("timeDuration", "P10D"),
        )
    )
    p.add(
        user(
            "preavis_reminder_task",
            "Rappel : préavis attendu",
            S,
            14,
            1,
            groups="sas",
            due="P5D",
            form=[req("expected_preavis_date", "Date prévue du préavis", "date")],
            expose=f"{CASE_VARS},measure_ref",
        )
    )
    p.add(Node("preavis_reminder_end", "endEvent", "Rappel traité", S, 15, 1))
    escalation_form = [
        req(
            "escalation_action",
            "Action",
            "enum",
            values=[
                ("contacted", "Service contacté"),
                ("new_deadline", "Nouveau délai convenu"),
                ("other", "Autre"),
            ],
        ),
        opt("escalation_note", "Note (sans données personnelles)", maxlength=500),
    ]
    p.add(
        user(
            "preavis_escalation_task",
            "Escalade : préavis SAS en retard",
            K,
            14,
            groups="cii-cantonal",
            due="P5D",
            form=escalation_form,
            expose=f"{CASE_VARS},service,measure_ref",
        )
    )
    p.add(Node("preavis_escalation_end", "endEvent", "Escalade traitée", K, 15))
    p.add(Node("preavis_gw", "exclusiveGateway", "Préavis ?", S, 16, label_pos="nw"))
    p.add(
        user(
            "commune_approval_task",
            "Approuver le contrat de mesure",
            CO,
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
            expose=f"{measure_vars},preavis,preavis_reasons,person_ref",
        )
    )
    p.add(
        Node(
            "approval_escalation_timer",
            "boundaryEvent",
            "45 jours",
            attached="commune_approval_task",
            slot="left",
            cancel=False,
            timer=("timeDuration", "P45D"),
        )
    )
    p.add(
        Node(
            "approval_reminder_timer",
            "boundaryEvent",
            "30 jours",
            attached="commune_approval_task",
            slot="right",
            cancel=False,
            timer=("timeDuration", "P30D"),
        )
    )
    p.add(
        user(
            "approval_reminder_task",
            "Rappel : décision communale attendue",
            CO,
            18,
            1,
            groups=COMMUNE,
            due="P5D",
            form=[req("expected_decision_date", "Date prévue de la décision", "date")],
            expose=f"{CASE_VARS},measure_ref",
        )
    )
    p.add(Node("approval_reminder_end", "endEvent", "Rappel traité", CO, 19, 1))
    p.add(
        user(
            "approval_escalation_task",
            "Escalade : décision communale en retard",
            K,
            18,
            groups="cii-cantonal",
            due="P5D",
            form=escalation_form,
            expose=f"{CASE_VARS},service,measure_ref",
        )
    )
    p.add(Node("approval_escalation_end", "endEvent", "Escalade traitée", K, 19))
    p.add(Node("approval_gw", "exclusiveGateway", "Contrat approuvé ?", CO, 20, label_pos="below"))
    p.add(
        user(
            "measure_rework_task",
            "Réviser ou retirer la mesure",
            C,
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
            expose=f"{measure_vars},preavis,preavis_reasons,approval_decision,approval_reasons,person_ref",
        )
    )
    p.add(Node("rework_gw", "exclusiveGateway", "Réviser ?", C, 21, label_pos="below"))
    p.add(Node("measure_join", "exclusiveGateway", "", T, 22))

    # -- services that continue after the measure ----------------------------------------
    p.add(Node("followup_gw", "exclusiveGateway", "Accompagnement ?", T, 23))
    p.add(
        user(
            "coaching_task",
            "Coaching intensif vers le 1er marché",
            PR,
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
    p.add(
        Node(
            "coaching_review_timer",
            "boundaryEvent",
            "tous les 30 jours",
            attached="coaching_task",
            cancel=False,
            label_pos="left",
            timer=("timeCycle", "R/P30D"),
        )
    )
    review_form = [
        req("review_progress", "Avancement", "enum", values=PROGRESS),
        opt("review_note", "Note de bilan (sans données identifiantes)", maxlength=1000),
    ]
    p.add(
        user(
            "coaching_review_task",
            "Bilan périodique du coaching",
            PR,
            25,
            1,
            groups=PAIR,
            due="P10D",
            form=review_form,
            expose=f"{CASE_VARS},service,coaching_goal,person_ref",
        )
    )
    p.add(Node("coaching_review_end", "endEvent", "Bilan fait", PR, 26, 1))
    p.add(
        user(
            "cm_supervision_task",
            "Superviser les mesures et décider la clôture",
            CM,
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
            expose=f"{CASE_VARS},{INDICATORS},situation_summary,service,plan_ref,measure_type,approval_decision,"
            "person_ref",
        )
    )
    p.add(
        Node(
            "cm_review_timer",
            "boundaryEvent",
            "tous les 90 jours",
            attached="cm_supervision_task",
            cancel=False,
            label_pos="left",
            timer=("timeCycle", "R/P90D"),
        )
    )
    p.add(
        user(
            "cm_review_task",
            "Bilan périodique du CM CII",
            CM,
            25,
            1,
            groups=TEAM,
            assignee="${case_manager}",
            due="P10D",
            form=[
                *review_form,
                req(
                    "measures_on_track",
                    "Les mesures des partenaires se déroulent comme prévu",
                    "boolean",
                ),
            ],
            expose=f"{CASE_VARS},service,plan_ref,person_ref",
        )
    )
    p.add(Node("cm_review_end", "endEvent", "Bilan fait", CM, 26, 1))

    # -- 5. closure ----------------------------------------------------------------------
    p.add(Node("closure_join", "exclusiveGateway", "", T, 27))
    p.add(
        user(
            "closure_task",
            "Clôturer le cas (code de résultat)",
            T,
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
            T,
            29,
            topic="notify-partners",
            doc="External topic notify-partners: thin notifications (ids, outcome code, links) "
            "to the partners "
            "of the case; never personal data.",
        )
    )
    # Terminate: closing the case also closes reminders and escalations still open.
    p.add(Node("closure_end", "endEvent", "Cas clôturé", T, 30, terminate=True))

    # -- flows ---------------------------------------------------------------------------
    svc = 'service == "{}"'
    p.flow("announcement_start", "consent_gw")
    p.flow(
        "consent_gw",
        "refusal_notice_task",
        "consent_missing_flow",
        "non",
        "${consent_signed == false}",
    )
    p.flow("consent_gw", "triage_rule_task", "consent_ok_flow", "oui", default=True, route=("hv",))
    p.flow("refusal_notice_task", "announcement_refused_end")
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
    p.flow(
        "service_gw",
        "assessment_task",
        "assessment_flow",
        "Assessment",
        "${" + svc.format("assessment") + "}",
    )
    p.flow("service_gw", "tro_convene_task", "tro_flow", "TRO", "${" + svc.format("tro") + "}")
    p.flow("service_gw", "cm_plan_task", "cm_cii_flow", "CM CII", "${" + svc.format("cm_cii") + "}")
    p.flow(
        "service_gw",
        "coaching_plan_task",
        "decloisonnement_flow",
        "Décloisonnement",
        "${" + svc.format("decloisonnement") + "}",
    )
    p.flow("tro_convene_task", "tro_round_table_task")
    p.flow("assessment_task", "services_join")
    p.flow("tro_round_table_task", "services_join")
    p.flow("cm_plan_task", "services_join")
    p.flow("coaching_plan_task", "services_join")
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
    p.flow("sas_preavis_task", "preavis_gw")
    p.flow("preavis_reminder_timer", "preavis_reminder_task")
    p.flow("preavis_reminder_task", "preavis_reminder_end")
    p.flow("preavis_escalation_timer", "preavis_escalation_task")
    p.flow("preavis_escalation_task", "preavis_escalation_end")
    p.flow(
        "preavis_gw",
        "measure_draft_task",
        "preavis_more_information_flow",
        "compléments",
        '${preavis == "more_information"}',
        route=("channel", p.lane_y(C, 145), "top", "bottom"),
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
    p.flow("commune_approval_task", "approval_gw")
    p.flow("approval_reminder_timer", "approval_reminder_task")
    p.flow("approval_reminder_task", "approval_reminder_end")
    p.flow("approval_escalation_timer", "approval_escalation_task")
    p.flow("approval_escalation_task", "approval_escalation_end")
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
    p.flow("measure_rework_task", "rework_gw")
    p.flow(
        "rework_gw",
        "measure_draft_task",
        "rework_revise_flow",
        "réviser",
        '${rework_decision == "revise"}',
        route=("channel", p.lane_y(C, 20), "top", "top"),
    )
    p.flow(
        "rework_gw",
        "measure_join",
        "rework_withdraw_flow",
        "retirer",
        '${rework_decision == "withdraw"}',
        route=("hv",),
    )
    p.flow("measure_join", "followup_gw")
    p.flow(
        "followup_gw",
        "cm_supervision_task",
        "followup_cm_flow",
        "CM CII",
        "${" + svc.format("cm_cii") + "}",
    )
    p.flow(
        "followup_gw",
        "coaching_task",
        "followup_coaching_flow",
        "Décloisonnement",
        "${" + svc.format("decloisonnement") + "}",
    )
    p.flow("followup_gw", "closure_join", "followup_none_flow", "autres", default=True)
    p.flow("coaching_review_timer", "coaching_review_task")
    p.flow("coaching_review_task", "coaching_review_end")
    p.flow("cm_review_timer", "cm_review_task")
    p.flow("cm_review_task", "cm_review_end")
    p.flow("coaching_task", "closure_join")
    p.flow("cm_supervision_task", "closure_join")
    p.flow("closure_join", "closure_task")
    p.flow("closure_task", "inform_partners_task")
    p.flow("inform_partners_task", "closure_end")
    return p


# =========================================================================== PAI


def pai() -> Process:
    """PAI: quota-controlled financial aid for the employment of refugees (AP/R)."""
    lanes = [
        Lane(
            "lane_counsellor",
            "Conseiller·ère BIP ou ORP / BIP or ORP counsellor",
            160,
            (80,),
            "Candidate groups oasi-bip and orp-${region}: the counsellor who identified the "
            "candidate.",
        ),
        Lane(
            "lane_quota",
            "Quota PAI (service automatique)",
            130,
            (65,),
            "External task pai-quota: at most 10 new places per calendar year.",
        ),
        Lane(
            "lane_orp",
            "ORP régional / Regional employment office",
            130,
            (65,),
            "Candidate group orp-${region}.",
        ),
    ]
    p = Process(
        "pai",
        "PAI – aide financière à l'intégration professionnelle (AP/R)",
        lanes,
        doc="Federal pilot programme: financial aid to employers hiring refugees and "
        "provisionally admitted "
        "persons (AP/R). Valais: 10 places per year (2021–2023). See docs/processes.md.",
        col_widths={9: 130},
    )
    CO, Q, ORP_LANE = "lane_counsellor", "lane_quota", "lane_orp"
    counsellor = "oasi-bip,orp-${region}"
    p.add(
        Node(
            "pai_candidate_start",
            "startEvent",
            "Candidat·e identifié·e",
            CO,
            0,
            form=[
                req(
                    "identified_by",
                    "Identifié·e par",
                    "enum",
                    values=[("oasi-bip", "BIP (Office de l'asile)"), ("orp", "ORP")],
                ),
                req("region", "Région socio-économique", "enum", values=REGIONS),
                req("person_ref", "Référence pseudonyme de la personne", minlength=6, maxlength=64),
                req(
                    "residence_status",
                    "Statut",
                    "enum",
                    values=[
                        ("refugee", "Réfugié·e (R)"),
                        ("provisionally_admitted", "Admis·e à titre provisoire (AP)"),
                    ],
                ),
                req("consent_signed", "Procuration signée", "boolean"),
                req(
                    "employer_ref",
                    "Employeur (IDE/UID, p. ex. CHE-123.456.789)",
                    minlength=3,
                    maxlength=40,
                ),
                req("planned_start_date", "Début prévu de l'emploi", "date"),
            ],
        )
    )
    p.add(
        Node(
            "pai_quota_task",
            "serviceTask",
            "Réserver une place PAI (quota annuel)",
            Q,
            1,
            topic="pai-quota",
            doc="Registered handler (engine/quota.py) counts the places granted in the current "
            "calendar "
            "year (max 10, CIIFLOW_PAI_QUOTA) and sets pai_place_granted (boolean), "
            "pai_refusal_reason "
            "(string), pai_year and pai_place_number.",
        )
    )
    p.add(Node("quota_gw", "exclusiveGateway", "Place accordée ?", Q, 2))
    p.add(Node("pai_quota_refused_end", "endEvent", "Quota annuel atteint", Q, 3))
    p.add(
        user(
            "employer_validation_task",
            "Valider l'entreprise partenaire",
            ORP_LANE,
            3,
            groups="orp-${region}",
            due="P10D",
            doc="No double support at the same employer (RHT short-time work, AIT induction "
            "allowance, ...).",
            form=[
                req("employer_has_rht", "L'employeur bénéficie de RHT", "boolean"),
                req("employer_has_ait", "L'employeur bénéficie d'AIT pour ce poste", "boolean"),
                req("employer_other_support", "Autre double soutien chez cet employeur", "boolean"),
                opt("validation_note", "Note", maxlength=500),
            ],
            expose="region,identified_by,employer_ref,planned_start_date,pai_place_granted",
        )
    )
    p.add(
        Node(
            "employer_gw", "exclusiveGateway", "Employeur validé ?", ORP_LANE, 4, label_pos="below"
        )
    )
    p.add(
        Node(
            "pai_quota_release_task",
            "serviceTask",
            "Libérer la place PAI",
            ORP_LANE,
            5,
            topic="pai-quota-release",
            doc="Registered handler (engine/quota.py) gives the place back to the year it was "
            "counted in, so a refused employer does not use up one of the 10 places.",
        )
    )
    p.add(Node("pai_employer_refused_end", "endEvent", "Employeur refusé", ORP_LANE, 6))
    p.add(
        user(
            "collaboration_contract_task",
            "Signer le contrat de collaboration tripartite",
            CO,
            5,
            groups=counsellor,
            due="P20D",
            doc="Counsellor, candidate and employer sign a collaboration contract on top of the "
            "work contract.",
            form=[
                req("contract_signed_date", "Date de signature", "date"),
                req("employment_start_date", "Début effectif de l'emploi", "date"),
                req(
                    "support_months_planned",
                    "Durée prévue du soutien (mois, 3 à 6)",
                    "long",
                    min=3,
                    max=6,
                ),
            ],
            expose="region,identified_by,residence_status,employer_ref,planned_start_date,person_ref",
        )
    )
    p.add(Node("support_join", "exclusiveGateway", "", CO, 6))
    p.add(
        Node(
            "support_review_timer",
            "intermediateCatchEvent",
            "3 mois",
            CO,
            7,
            timer=("timeDuration", "P3M"),
        )
    )
    p.add(
        user(
            "support_review_task",
            "Bilan du soutien : prolonger ou terminer",
            CO,
            8,
            groups=counsellor,
            due="P10D",
            form=[
                req(
                    "support_decision",
                    "Décision",
                    "enum",
                    values=[("extend", "Prolonger de 3 mois"), ("end", "Terminer le soutien")],
                ),
                req(
                    "support_months_total",
                    "Durée totale du soutien en mois, prolongation demandée comprise",
                    "long",
                    min=3,
                ),
                opt("review_note", "Note de suivi", maxlength=1000),
            ],
            expose="region,employer_ref,support_months_planned,support_months_total,person_ref",
        )
    )
    p.add(
        Node(
            "support_gw", "exclusiveGateway", "Prolongation (≤ 12 mois) ?", CO, 9, label_pos="below"
        )
    )
    p.add(
        user(
            "last_payment_task",
            "Enregistrer le dernier versement",
            CO,
            10,
            groups=counsellor,
            due="P30D",
            doc="Support ends when decided or when an extension would exceed 12 months in total.",
            form=[
                req("last_payment_date", "Date du dernier versement", "date"),
                req("support_months_final", "Durée totale effective (mois)", "long", min=1, max=12),
            ],
            expose="region,employer_ref,support_months_total,person_ref",
        )
    )
    p.add(
        Node(
            "followup_timer",
            "intermediateCatchEvent",
            "2 ans après le dernier versement",
            CO,
            11,
            timer=("timeDuration", "P2Y"),
        )
    )
    p.add(
        user(
            "employment_followup_task",
            "Suivi de l'emploi à 2 ans",
            CO,
            12,
            groups=counsellor,
            due="P30D",
            form=[
                req("still_employed", "Toujours en emploi", "boolean"),
                req("same_employer", "Chez le même employeur", "boolean"),
                req("followup_date", "Date du suivi", "date"),
            ],
            expose="region,employer_ref,last_payment_date,person_ref",
        )
    )
    p.add(Node("pai_completed_end", "endEvent", "Suivi PAI terminé", CO, 13))

    p.flow("pai_candidate_start", "pai_quota_task")
    p.flow("pai_quota_task", "quota_gw")
    p.flow(
        "quota_gw",
        "pai_quota_refused_end",
        "quota_refused_flow",
        "non",
        "${pai_place_granted == false}",
    )
    p.flow("quota_gw", "employer_validation_task", "quota_granted_flow", "oui", default=True)
    p.flow("employer_validation_task", "employer_gw")
    p.flow(
        "employer_gw",
        "pai_quota_release_task",
        "employer_refused_flow",
        "non",
        "${employer_has_rht == true || employer_has_ait == true || employer_other_support == true}",
    )
    p.flow("pai_quota_release_task", "pai_employer_refused_end")
    p.flow("employer_gw", "collaboration_contract_task", "employer_valid_flow", "oui", default=True)
    p.flow("collaboration_contract_task", "support_join")
    p.flow("support_join", "support_review_timer")
    p.flow("support_review_timer", "support_review_task")
    p.flow("support_review_task", "support_gw")
    p.flow(
        "support_gw",
        "support_join",
        "support_extend_flow",
        "prolonger",
        '${support_decision == "extend" && support_months_total <= 12}',
        route=("channel", p.lane_y(CO, 24), "top", "top"),
    )
    p.flow("support_gw", "last_payment_task", "support_end_flow", "terminer", default=True)
    p.flow("last_payment_task", "followup_timer")
    p.flow("followup_timer", "employment_followup_task")
    p.flow("employment_followup_task", "pai_completed_end")
    return p


# =========================================================================== ORP–BIP


def orp_bip() -> Process:
    """ORP–BIP: the BIP hands job-ready AP/R to the ORP, which counsels and places them."""
    lanes = [
        Lane("lane_bip", "BIP – Office de l'asile", 130, (65,), "Candidate group oasi-bip."),
        Lane(
            "lane_orp",
            "ORP régional / Regional employment office",
            200,
            (55, 150),
            "Candidate group orp-${region}: the ORP counsellors dedicated to the collaboration.",
        ),
    ]
    p = Process(
        "orp_bip",
        "Collaboration ORP – BIP",
        lanes,
        doc="The BIP announces refugees and provisionally admitted persons (AP/R) whose "
        "placement ability "
        "has been validated; the ORP counsels and places them like any registered job seeker.",
    )
    BIP_LANE, ORP_LANE = "lane_bip", "lane_orp"
    group = "orp-${region}"
    p.add(
        Node(
            "bip_announcement_start",
            "startEvent",
            "AP/R annoncé·e à l'ORP",
            BIP_LANE,
            0,
            form=[
                req("region", "Région socio-économique", "enum", values=REGIONS),
                req("person_ref", "Référence pseudonyme de la personne", minlength=6, maxlength=64),
                req("placement_ability_validated", "Aptitude au placement validée", "boolean"),
                opt("validation_date", "Date de validation", "date"),
                req("consent_signed", "Procuration signée", "boolean"),
                opt("orientation_done", "Stage d'orientation ou de formation effectué", "boolean"),
                opt("target_occupation", "Projet professionnel (métier visé)", maxlength=100),
                opt(
                    "language_level",
                    "Niveau de langue (CECR)",
                    "enum",
                    values=[(v, v) for v in ("A1", "A2", "B1", "B2", "C1", "C2")],
                ),
            ],
        )
    )
    p.add(
        Node("eligibility_gw", "exclusiveGateway", "Aptitude validée et procuration ?", BIP_LANE, 1)
    )
    p.add(Node("announcement_returned_end", "endEvent", "Annonce retournée au BIP", BIP_LANE, 2))
    p.add(
        user(
            "orp_registration_task",
            "Inscrire la personne à l'ORP",
            ORP_LANE,
            2,
            groups=group,
            due="P10D",
            form=[
                req("registration_date", "Date d'inscription", "date"),
                req("jobroom_registered", "Inscrite sur Job-Room", "boolean"),
            ],
            expose="region,placement_ability_validated,validation_date,target_occupation,language_level,person_ref",
        )
    )
    p.add(
        user(
            "counsellor_assignment_task",
            "Attribuer un·e conseiller·ère ORP",
            ORP_LANE,
            3,
            groups=group,
            due="P5D",
            form=[
                req("orp_counsellor", "Conseiller·ère (identifiant utilisateur)", maxlength=64),
                req("first_meeting_date", "Premier entretien", "date"),
            ],
            expose="region,target_occupation,language_level,person_ref",
        )
    )
    p.add(
        user(
            "counselling_task",
            "Conseiller et placer",
            ORP_LANE,
            4,
            groups=group,
            assignee="${orp_counsellor}",
            due="P6M",
            form=[
                req(
                    "placement_outcome",
                    "Résultat",
                    "enum",
                    values=[("placed", "Placé·e"), ("not_placed", "Non placé·e")],
                ),
                opt("placement_date", "Date d'engagement", "date"),
                opt(
                    "contract_type",
                    "Type de contrat",
                    "enum",
                    values=[
                        ("permanent", "Durée indéterminée"),
                        ("fixed_term", "Durée déterminée"),
                        ("apprenticeship", "Apprentissage"),
                        ("none", "Aucun"),
                    ],
                ),
            ],
            expose="region,target_occupation,language_level,orientation_done,person_ref",
        )
    )
    p.add(Node("placement_gw", "exclusiveGateway", "Placé·e ?", ORP_LANE, 5))
    p.add(Node("orp_bip_placed_end", "endEvent", "Placé·e", ORP_LANE, 6))
    p.add(Node("orp_bip_not_placed_end", "endEvent", "Non placé·e", ORP_LANE, 6, 1))

    p.flow("bip_announcement_start", "eligibility_gw")
    p.flow(
        "eligibility_gw",
        "announcement_returned_end",
        "not_eligible_flow",
        "non",
        "${placement_ability_validated == false || consent_signed == false}",
    )
    p.flow("eligibility_gw", "orp_registration_task", "eligible_flow", "oui", default=True)
    p.flow("orp_registration_task", "counsellor_assignment_task")
    p.flow("counsellor_assignment_task", "counselling_task")
    p.flow("counselling_task", "placement_gw")
    p.flow(
        "placement_gw",
        "orp_bip_placed_end",
        "placed_flow",
        "placé·e",
        '${placement_outcome == "placed"}',
    )
    p.flow("placement_gw", "orp_bip_not_placed_end", "not_placed_flow", "non placé·e", default=True)
    return p


# =========================================================================== DMN

B = "boolean"
ANY = "-"


def cii_triage() -> Decision:
    """Invented typologies A–D (the real 2021 list is not public); see docs/typologies.md."""
    service_values = '"assessment","tro","decloisonnement","cm_cii"'
    return Decision(
        "cii_triage",
        "Triage CII par typologie",
        "FIRST",
        inputs=[
            DmnInput(
                "in_institutions_involved",
                "Institutions impliquées",
                "institutions_involved",
                "integer",
            ),
            DmnInput("in_health_barrier", "Obstacle de santé", "health_barrier", B),
            DmnInput("in_social_aid_recipient", "Aide sociale", "social_aid_recipient", B),
            DmnInput("in_job_ready", "Apte au placement", "job_ready", B),
            DmnInput("in_competence_unclear", "Compétence peu claire", "competence_unclear", B),
        ],
        outputs=[
            DmnOutput("out_typology", "Typologie", "typology", "string", '"A","B","C","D","0"'),
            DmnOutput("out_service", "Service proposé", "service", "string", service_values),
            DmnOutput("out_rationale", "Justification", "rationale", "string"),
        ],
        rules=[
            DmnRule(
                [">= 3", "true", ANY, ANY, ANY],
                [
                    '"D"',
                    '"cm_cii"',
                    '"D: three or more institutions and a health barrier: one case manager keeps '
                    'the overview"',
                ],
                "Typology D – long, multi-barrier situations",
            ),
            DmnRule(
                [ANY, "false", "true", "true", "false"],
                [
                    '"A"',
                    '"decloisonnement"',
                    '"A: job-ready social-aid recipient without health barrier: ORP–CMS pair '
                    'coaching"',
                ],
                "Typology A – placeable, between unemployment insurance and social aid",
            ),
            DmnRule(
                [">= 3", ANY, ANY, ANY, ANY],
                [
                    '"C"',
                    '"tro"',
                    '"C: three or more institutions: a round table aligns the partners"',
                ],
                "Typology C – many partners, shared decision needed",
            ),
            DmnRule(
                [ANY, ANY, ANY, ANY, "true"],
                [
                    '"B"',
                    '"assessment"',
                    '"B: unclear competence: a 360° analysis clarifies who does what"',
                ],
                "Typology B – unclear or disputed competence",
            ),
            DmnRule(
                [ANY, ANY, ANY, ANY, ANY],
                ['"0"', '"assessment"', '"Unclassified: start with a 360° assessment"'],
                "Fallback – no typology matched",
            ),
        ],
        doc="INVENTED typologies for ciiflow (the CII Valais list is not public). Process owners "
        "replace "
        "these rules in Camunda Modeler. Hit policy FIRST: order matters.",
    )


def lias_young_adult() -> Decision:
    return Decision(
        "lias_young_adult",
        "LIAS 2021 – forfait d'entretien jeunes adultes",
        "FIRST",
        inputs=[
            DmnInput("in_age", "Âge (ans)", "age", "integer"),
            DmnInput(
                "in_living_situation",
                "Logement",
                "living_situation",
                "string",
                '"alone","shared","with_parents","other"',
            ),
            DmnInput("in_in_training", "En formation", "in_training", B),
            DmnInput("in_in_measure", "En mesure d'insertion", "in_measure", B),
            DmnInput("in_dependent_child", "Enfant à charge", "has_dependent_child", B),
            DmnInput("in_paid_work", "Activité lucrative", "paid_work", B),
        ],
        outputs=[
            DmnOutput(
                "out_flat_rate",
                "Forfait d'entretien (CHF/mois)",
                "maintenance_flat_rate",
                "integer",
            ),
            DmnOutput("out_reduced", "Réduit de 35 %", "reduced", B),
            DmnOutput("out_rationale", "Justification", "rationale", "string"),
        ],
        rules=[
            DmnRule(
                ["[18..25]", '"alone","shared"', "false", "false", "false", "false"],
                [
                    "648",
                    "true",
                    '"Young adult living alone or sharing, not in training or measure, no child, '
                    'no paid work: flat rate cut by 35 % (2021)"',
                ],
                "LIAS 2021: 648 instead of 997",
            ),
            DmnRule(
                [ANY, '"alone","shared"', ANY, ANY, ANY, ANY],
                ["997", "false", '"Ordinary flat rate for a one-person household (2021)"'],
                "Ordinary rate",
            ),
            DmnRule(
                [ANY, ANY, ANY, ANY, ANY, ANY],
                [
                    "",
                    "false",
                    '"Other household: the household-size scale applies (not in this table)"',
                ],
                "Outside this table",
            ),
        ],
        doc="Young adults = 18 to 25 years (SKOS/CSIAS definition, inferred). Amounts are 2021 "
        "values: "
        "update the output cells each year.",
    )


def lias_repayment() -> Decision:
    return Decision(
        "lias_repayment",
        "LIAS 2021 – obligation de rembourser",
        "FIRST",
        inputs=[
            DmnInput("in_unlawful", "Aide obtenue de manière illicite", "unlawfully_obtained", B),
            DmnInput("in_advance_or_loan", "Avance ou prêt", "advance_or_loan", B),
            DmnInput("in_household", "Ménage", "household", "string", '"single","couple"'),
            DmnInput("in_children", "Enfants", "children", "integer"),
            DmnInput(
                "in_fortune_excess",
                "Fortune moins 15 000 CHF par enfant",
                "fortune - 15000 * children",
                "number",
            ),
            DmnInput(
                "in_income_ratio",
                "Revenu de la reprise d'activité / revenu médian d'une personne seule",
                "income_new_work / median_income_single",
                "number",
            ),
        ],
        outputs=[
            DmnOutput(
                "out_repayment",
                "Remboursement",
                "repayment",
                "string",
                '"owed","not_owed","check_directive"',
            ),
            DmnOutput(
                "out_ground",
                "Motif",
                "ground",
                "string",
                '"unlawful","advance_or_loan","fortune","income","none"',
            ),
            DmnOutput("out_rationale", "Justification", "rationale", "string"),
        ],
        rules=[
            DmnRule(
                ["true", ANY, ANY, ANY, ANY, ANY],
                ['"owed"', '"unlawful"', '"Aid obtained unlawfully"'],
                "Always owed",
            ),
            DmnRule(
                [ANY, "true", ANY, ANY, ANY, ANY],
                ['"owed"', '"advance_or_loan"', '"Paid as an advance or a loan"'],
                "Always owed",
            ),
            DmnRule(
                [ANY, ANY, '"single"', ANY, "> 30000", ANY],
                ['"owed"', '"fortune"', '"Large fortune: above CHF 30,000 (+15,000 per child)"'],
                "Single: 30,000",
            ),
            DmnRule(
                [ANY, ANY, '"couple"', ANY, "> 50000", ANY],
                ['"owed"', '"fortune"', '"Large fortune: above CHF 50,000 (+15,000 per child)"'],
                "Couple: 50,000",
            ),
            DmnRule(
                [ANY, ANY, '"single"', "0", ANY, "> 1"],
                [
                    '"owed"',
                    '"income"',
                    '"Income from new work above the median income of a single person"',
                ],
                "Single: 100 % of the median",
            ),
            DmnRule(
                [ANY, ANY, '"couple"', "0", ANY, "> 1.5"],
                [
                    '"owed"',
                    '"income"',
                    '"Couple without children: income above 150 % of the median"',
                ],
                "Couple without children: 150 %",
            ),
            DmnRule(
                [ANY, ANY, ANY, "> 0", ANY, "> 1"],
                [
                    '"check_directive"',
                    '"income"',
                    '"Household with children above the single median: threshold not in the 2021 '
                    'newsletter"',
                ],
                "Inferred: check the LIAS directive",
            ),
            DmnRule(
                [ANY, ANY, ANY, ANY, ANY, ANY],
                [
                    '"not_owed"',
                    '"none"',
                    '"No repayment ground applies; voluntary repayment stays possible"',
                ],
                "Default",
            ),
        ],
        doc="LIAS revision in force on 1 July 2021. Fortune thresholds follow the LPC amounts "
        "(30,000 single, 50,000 couple, 15,000 per child). median_income_single is an input "
        "(updated yearly).",
    )


def lias_training() -> Decision:
    return Decision(
        "lias_training",
        "LIAS 2021 – encouragement à la formation",
        "FIRST",
        inputs=[
            DmnInput("in_age", "Âge (ans)", "age", "integer"),
            DmnInput(
                "in_first_training", "Première formation achevée", "first_training_completed", B
            ),
        ],
        outputs=[
            DmnOutput(
                "out_support_form",
                "Forme du soutien",
                "support_form",
                "string",
                '"not_repayable_aid","repayable_aid","loan","not_eligible"',
            ),
            DmnOutput("out_repayable", "Remboursable", "repayable", B),
            DmnOutput("out_rationale", "Justification", "rationale", "string"),
        ],
        rules=[
            DmnRule(
                ["< 25", "false"],
                [
                    '"not_repayable_aid"',
                    "false",
                    '"Under 25 without a completed first training: ordinary aid, not repayable"',
                ],
                "< 25",
            ),
            DmnRule(
                ["< 35", "false"],
                [
                    '"repayable_aid"',
                    "true",
                    '"25 to 34 without a completed first training: ordinary aid, repayable"',
                ],
                "25–35",
            ),
            DmnRule(
                ["[35..45]", ANY],
                ['"loan"', "true", '"35 to 45: support as a loan repaid after the training"'],
                "35–45 (condition inferred)",
            ),
            DmnRule(
                [ANY, ANY],
                ['"not_eligible"', "false", '"Not covered by the LIAS training support"'],
                "Default",
            ),
        ],
        doc="Before 2021 limited to 25 years. Whether the 'no completed first training' "
        "condition also "
        "applies from 35 to 45 is not stated in the source: rule 3 ignores it (to confirm).",
    )


def main() -> None:
    """Write every file; print what was written so the commit diff is expected."""
    for proc in (cii_case(), pai(), orp_bip()):
        path = OUT / f"{proc.pid}.bpmn"
        path.write_text(proc.to_xml(), encoding="utf-8")
        print("wrote", path.relative_to(OUT.parent))
    for dec in (cii_triage(), lias_young_adult(), lias_repayment(), lias_training()):
        path = OUT / f"{dec.id}.dmn"
        path.write_text(dec.to_xml(), encoding="utf-8")
        print("wrote", path.relative_to(OUT.parent))


if __name__ == "__main__":
    main()
