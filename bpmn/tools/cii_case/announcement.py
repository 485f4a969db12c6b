"""Announcement: a partner institution announces a situation, with the person's consent.

Why consent is checked first: without a signed procuration the partners may
not exchange anything about the person, so the case ends before triage and the
announcing institution is told why.
"""

from __future__ import annotations

from bpmn.tools.builder import Field, Node, Process, opt, req, user
from bpmn.tools.cii_case import lanes
from bpmn.tools.vocabulary import CASE_VARS, CMSRS, INSTITUTIONS, REGIONS, TEAM


def announcement_form() -> list[Field]:
    """The documents d'annonce: where the person lives, consent, typology indicators."""
    return [
        req("announcing_institution", "Institution annonceuse", "enum", values=INSTITUTIONS),
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
        *typology_indicators(),
    ]


def typology_indicators() -> list[Field]:
    """What DMN cii_triage reads to propose a service."""
    return [
        req("institutions_involved", "Nombre d'institutions impliquées", "long", min=1, max=10),
        req("health_barrier", "Obstacle de santé à l'emploi", "boolean"),
        req("social_aid_recipient", "Bénéficiaire de l'aide sociale", "boolean"),
        req("job_ready", "Apte au placement (prêt·e pour le 1er marché)", "boolean"),
        req("competence_unclear", "Compétence institutionnelle peu claire / contestée", "boolean"),
    ]


def refusal_notice() -> Node:
    return user(
        "refusal_notice_task",
        "Motiver le refus et informer l'annonceur",
        lanes.TEAM,
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


def announcement(p: Process) -> None:
    p.add(
        Node(
            "announcement_start",
            "startEvent",
            "Annonce reçue / announcement",
            lanes.ANNOUNCER,
            0,
            doc="Announcement form (documents d'annonce). Pseudonymous: person_ref only, no "
            "name, no AVS number.",
            form=announcement_form(),
        )
    )
    p.add(Node("consent_gw", "exclusiveGateway", "Procuration signée ?", lanes.ANNOUNCER, 1))
    p.add(refusal_notice())
    p.add(Node("announcement_refused_end", "endEvent", "Annonce refusée", lanes.TEAM, 2, 1))


def announcement_flows(p: Process) -> None:
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
