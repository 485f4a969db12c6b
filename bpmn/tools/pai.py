"""PAI: quota-controlled financial aid to employers hiring refugees (AP/R).

Why consent comes first: the quota service, the ORP and the employer all learn
about the person; without the signed procuration no partner may, so a
candidate without it ends at once, before any place is counted or any
institution is asked (nFADP/LPD: exchange between partners rests on consent).

Why a service task reserves the place before the employer is checked: the
federal pilot grants Valais 10 places per calendar year, so the place is
counted first and given back (topic ``pai-quota-release``) if the employer is
refused; a refused employer therefore never uses up one of the 10 places.
"""

from __future__ import annotations

from bpmn.tools.builder import Field, Lane, Node, Process, opt, req, user
from bpmn.tools.vocabulary import REGIONS

COUNSELLOR_LANE, QUOTA_LANE, ORP_LANE = "lane_counsellor", "lane_quota", "lane_orp"
COUNSELLOR = "oasi-bip,orp-${region}"


def pai_lanes() -> list[Lane]:
    return [
        Lane(
            COUNSELLOR_LANE,
            "Conseiller·ère BIP ou ORP / BIP or ORP counsellor",
            160,
            (80,),
            "Candidate groups oasi-bip and orp-${region}: the counsellor who identified the "
            "candidate.",
        ),
        Lane(
            QUOTA_LANE,
            "Quota PAI (service automatique)",
            130,
            (65,),
            "External task pai-quota: at most 10 new places per calendar year.",
        ),
        Lane(
            ORP_LANE,
            "ORP régional / Regional employment office",
            130,
            (65,),
            "Candidate group orp-${region}.",
        ),
    ]


def candidate_form() -> list[Field]:
    return [
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
    ]


def quota(p: Process) -> None:
    """The candidate, the consent, the yearly quota, and the end when the quota is used up."""
    p.add(
        Node(
            "pai_candidate_start",
            "startEvent",
            "Candidat·e identifié·e",
            COUNSELLOR_LANE,
            0,
            form=candidate_form(),
        )
    )
    p.add(Node("pai_consent_gw", "exclusiveGateway", "Procuration signée ?", COUNSELLOR_LANE, 1))
    p.add(
        Node(
            "pai_consent_missing_end",
            "endEvent",
            "Procuration manquante : aucun échange",
            COUNSELLOR_LANE,
            2,
            doc="No signed procuration: no place is counted and no partner is asked.",
        )
    )
    p.add(
        Node(
            "pai_quota_task",
            "serviceTask",
            "Réserver une place PAI (quota annuel)",
            QUOTA_LANE,
            2,
            topic="pai-quota",
            outputs="pai_place_granted,pai_refusal_reason,pai_year,pai_place_number",
            doc="Registered handler (workflows/cii/quota.py) counts the places granted in the "
            "current calendar year (max 10, CIIFLOW_PAI_QUOTA) and sets pai_place_granted "
            "(boolean), pai_refusal_reason (string), pai_year and pai_place_number.",
        )
    )
    p.add(Node("quota_gw", "exclusiveGateway", "Place accordée ?", QUOTA_LANE, 3))
    p.add(Node("pai_quota_refused_end", "endEvent", "Quota annuel atteint", QUOTA_LANE, 4))


def employer_validation(p: Process) -> None:
    """No double support at the same employer; a refusal gives the place back."""
    p.add(
        user(
            "employer_validation_task",
            "Valider l'entreprise partenaire",
            ORP_LANE,
            4,
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
            "employer_gw", "exclusiveGateway", "Employeur validé ?", ORP_LANE, 5, label_pos="below"
        )
    )
    p.add(
        Node(
            "pai_quota_release_task",
            "serviceTask",
            "Libérer la place PAI",
            ORP_LANE,
            6,
            topic="pai-quota-release",
            doc="Registered handler (workflows/cii/quota.py) gives the place back to the year it "
            "was counted in, so a refused employer does not use up one of the 10 places.",
        )
    )
    p.add(Node("pai_employer_refused_end", "endEvent", "Employeur refusé", ORP_LANE, 7))


def contract_and_support(p: Process) -> None:
    """Tripartite contract, then a review every 3 months: extend (up to 12) or end."""
    p.add(
        user(
            "collaboration_contract_task",
            "Signer le contrat de collaboration tripartite",
            COUNSELLOR_LANE,
            6,
            groups=COUNSELLOR,
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
            expose="region,identified_by,residence_status,employer_ref,planned_start_date,"
            "person_ref",
        )
    )
    p.add(Node("support_join", "exclusiveGateway", "", COUNSELLOR_LANE, 7))
    p.add(
        Node(
            "support_review_timer",
            "intermediateCatchEvent",
            "3 mois",
            COUNSELLOR_LANE,
            8,
            timer=("timeDuration", "P3M"),
        )
    )
    p.add(support_review())
    p.add(
        Node(
            "support_gw",
            "exclusiveGateway",
            "Prolongation (≤ 12 mois) ?",
            COUNSELLOR_LANE,
            10,
            label_pos="below",
        )
    )


def support_review() -> Node:
    return user(
        "support_review_task",
        "Bilan du soutien : prolonger ou terminer",
        COUNSELLOR_LANE,
        9,
        groups=COUNSELLOR,
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


def payment_and_followup(p: Process) -> None:
    """The last payment, and whether the person is still employed two years later."""
    p.add(
        user(
            "last_payment_task",
            "Enregistrer le dernier versement",
            COUNSELLOR_LANE,
            11,
            groups=COUNSELLOR,
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
            COUNSELLOR_LANE,
            12,
            timer=("timeDuration", "P2Y"),
        )
    )
    p.add(
        user(
            "employment_followup_task",
            "Suivi de l'emploi à 2 ans",
            COUNSELLOR_LANE,
            13,
            groups=COUNSELLOR,
            due="P30D",
            form=[
                req("still_employed", "Toujours en emploi", "boolean"),
                req("same_employer", "Chez le même employeur", "boolean"),
                req("followup_date", "Date du suivi", "date"),
            ],
            expose="region,employer_ref,last_payment_date,person_ref",
        )
    )
    p.add(Node("pai_completed_end", "endEvent", "Suivi PAI terminé", COUNSELLOR_LANE, 14))


def pai_flows(p: Process) -> None:
    p.flow("pai_candidate_start", "pai_consent_gw")
    p.flow(
        "pai_consent_gw",
        "pai_consent_missing_end",
        "pai_consent_missing_flow",
        "non",
        "${consent_signed == false}",
    )
    p.flow("pai_consent_gw", "pai_quota_task", "pai_consent_ok_flow", "oui", default=True)
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
        route=("channel", p.lane_y(COUNSELLOR_LANE, 24), "top", "top"),
    )
    p.flow("support_gw", "last_payment_task", "support_end_flow", "terminer", default=True)
    p.flow("last_payment_task", "followup_timer")
    p.flow("followup_timer", "employment_followup_task")
    p.flow("employment_followup_task", "pai_completed_end")


def pai() -> Process:
    p = Process(
        "pai",
        "PAI – aide financière à l'intégration professionnelle (AP/R)",
        pai_lanes(),
        doc="Federal pilot programme: financial aid to employers hiring refugees and "
        "provisionally admitted "
        "persons (AP/R). Valais: 10 places per year (2021–2023). See docs/processes.md.",
        col_widths={10: 130},
    )
    quota(p)
    employer_validation(p)
    contract_and_support(p)
    payment_and_followup(p)
    pai_flows(p)
    return p
