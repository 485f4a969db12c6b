"""Form-valid data for the start events and tasks the scenarios complete.

Values follow the forms in `bpmn/*.bpmn` (see docs/processes.md): the driver
validates every payload against the deployed form before sending it, so a
payload that drifts from the form fails loudly instead of testing nothing.
"""

from __future__ import annotations

from typing import Any

REGION = "valais-central"
CMSR = "sion-herens-conthey"
COMMUNE = "sion"
TEAM = f"cii-team-{REGION}"
ORP = f"orp-{REGION}"
CMS = f"cms-{CMSR}"
COMMUNE_GROUP = f"commune-{COMMUNE}"
SAS = "sas"
CANTONAL = "cii-cantonal"
BIP = "oasi-bip"

# Typology indicators that make `cii_triage` propose each service (typologies.md).
PROPOSES = {
    "cm_cii": dict(institutions_involved=4, health_barrier=True, social_aid_recipient=False,
                   job_ready=False, competence_unclear=False),
    "decloisonnement": dict(institutions_involved=2, health_barrier=False,
                            social_aid_recipient=True, job_ready=True, competence_unclear=False),
    "tro": dict(institutions_involved=3, health_barrier=False, social_aid_recipient=False,
                job_ready=False, competence_unclear=True),
    "assessment": dict(institutions_involved=2, health_barrier=False,
                       social_aid_recipient=False, job_ready=False, competence_unclear=True),
}


def announcement(proposed: str = "assessment", **overrides: Any) -> dict[str, Any]:
    """The announcement form of `cii_case` (start event), with signed consent."""
    data: dict[str, Any] = dict(
        announcing_institution="cms", region=REGION, cmsr=CMSR, commune=COMMUNE,
        person_ref="P-2026-0001", consent_signed=True, consent_date="2026-01-02",
        consent_scope="ORP, CMS, SAS, commune: insertion professionnelle",
        situation_summary="Situation complexe, plusieurs institutions impliquées.",
        **PROPOSES[proposed],
    )
    data.update(overrides)
    return data


def measure(ref: str = "M-2026-01") -> dict[str, Any]:
    return dict(measure_type="professional_insertion", measure_ref=ref,
                measure_cost_chf=4800, measure_months=6)


def preavis(decision: str) -> dict[str, Any]:
    return dict(preavis=decision, preavis_reasons=f"Préavis {decision}: motifs détaillés.")


def approval(decision: str) -> dict[str, Any]:
    return dict(approval_decision=decision, approval_reasons=f"Décision communale: {decision}.",
                decision_date="2026-03-01")


def rework(decision: str) -> dict[str, Any]:
    return dict(rework_decision=decision, rework_note=f"La mesure est {decision}.")


def closure(outcome: str, handed_back_to: str = "none") -> dict[str, Any]:
    return dict(outcome=outcome, handed_back_to=handed_back_to, closure_date="2026-12-15")


def pai_candidate(**overrides: Any) -> dict[str, Any]:
    """The PAI start form: a refugee identified by the BIP, with a planned employer."""
    data: dict[str, Any] = dict(
        identified_by="oasi-bip", region="bas-valais", person_ref="APR-0001",
        residence_status="refugee", consent_signed=True, employer_ref="CHE-123.456.789",
        planned_start_date="2026-02-01")
    data.update(overrides)
    return data


def employer_check(rht: bool = False, ait: bool = False, other: bool = False) -> dict[str, Any]:
    return dict(employer_has_rht=rht, employer_has_ait=ait, employer_other_support=other,
                validation_note="Vérifié auprès de la caisse de chômage.")


def bip_announcement(**overrides: Any) -> dict[str, Any]:
    """The ORP–BIP start form: a placeable AP/R announced by the BIP."""
    data: dict[str, Any] = dict(
        region="haut-valais", person_ref="APR-BIP-0007", placement_ability_validated=True,
        validation_date="2026-01-03", consent_signed=True, orientation_done=True,
        target_occupation="Aide-cuisinier", language_level="B1")
    data.update(overrides)
    return data
