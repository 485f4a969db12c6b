"""The words the three processes share: regions, CMSR, institutions, services, outcomes.

Why one module: the same enum values appear in forms of several processes and
in ``bpmn/directory.yaml``; reports and candidate groups only line up if every
form offers exactly the same ids. The candidate-group expressions and the lists
of exposed case variables are here too, because an institution's view of a case
must not differ from one task to the next by accident.
"""

from __future__ import annotations

Choice = tuple[str, str]  # (enum id, label shown in the form)

REGIONS: list[Choice] = [
    ("haut-valais", "Haut-Valais / Oberwallis"),
    ("valais-central", "Valais central"),
    ("bas-valais", "Bas-Valais"),
]
CMSRS: list[Choice] = [
    ("oberwallis", "SMZ Oberwallis"),
    ("sierre", "CMSR Sierre"),
    ("sion-herens-conthey", "CMSR Sion – Hérens – Conthey"),
    ("martigny", "CMSR Martigny"),
    ("bas-valais", "CMSR Bas-Valais"),
]
INSTITUTIONS: list[Choice] = [
    ("orp", "ORP (assurance chômage)"),
    ("oai", "Office AI"),
    ("cms", "CMS (aide sociale)"),
    ("oasi-bip", "Office de l'asile – BIP"),
    ("commune", "Commune"),
]
SERVICES: list[Choice] = [
    ("assessment", "Assessment (analyse 360°)"),
    ("tro", "TRO (table ronde)"),
    ("decloisonnement", "Décloisonnement (binôme ORP–CMS)"),
    ("cm_cii", "CM CII (case management)"),
]
OUTCOMES: list[Choice] = [
    ("first_labour_market", "Premier marché du travail / first labour market"),
    ("training", "Formation / training"),
    ("social_insertion", "Insertion sociale / social insertion"),
    ("handed_back", "Remis à une institution / handed back to one institution"),
    ("abandoned", "Abandon / abandoned"),
]
PROGRESS: list[Choice] = [
    ("on_track", "Dans les objectifs"),
    ("at_risk", "À risque"),
    ("off_track", "Hors objectifs"),
]

# Candidate groups, resolved per case from its variables.
TEAM = "cii-team-${region}"
CMS = "cms-${cmsr}"
COMMUNE = "commune-${commune}"
PAIR = "orp-${region},cms-${cmsr}"

# Case variables every CII task may show (never personal data).
CASE_VARS = "region,cmsr,commune,announcing_institution"
INDICATORS = (
    "institutions_involved,health_barrier,social_aid_recipient,job_ready,competence_unclear"
)
