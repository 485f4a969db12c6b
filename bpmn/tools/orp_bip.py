"""ORP–BIP: the BIP hands job-ready refugees (AP/R) to the ORP, which counsels and places them.

Why eligibility is checked in the BIP's lane: the ORP only takes people whose
placement ability the BIP has validated and who signed the procuration; any
other announcement goes back to the BIP without creating work at the ORP.
"""

from __future__ import annotations

from bpmn.tools.builder import Field, Lane, Node, Process, opt, req, user
from bpmn.tools.vocabulary import REGIONS

BIP_LANE, ORP_LANE = "lane_bip", "lane_orp"
GROUP = "orp-${region}"


def orp_bip_lanes() -> list[Lane]:
    return [
        Lane(BIP_LANE, "BIP – Office de l'asile", 130, (65,), "Candidate group oasi-bip."),
        Lane(
            ORP_LANE,
            "ORP régional / Regional employment office",
            200,
            (55, 150),
            "Candidate group orp-${region}: the ORP counsellors dedicated to the collaboration.",
        ),
    ]


def announcement_form() -> list[Field]:
    return [
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
    ]


def announcement(p: Process) -> None:
    p.add(
        Node(
            "bip_announcement_start",
            "startEvent",
            "AP/R annoncé·e à l'ORP",
            BIP_LANE,
            0,
            form=announcement_form(),
        )
    )
    p.add(
        Node("eligibility_gw", "exclusiveGateway", "Aptitude validée et procuration ?", BIP_LANE, 1)
    )
    p.add(Node("announcement_returned_end", "endEvent", "Annonce retournée au BIP", BIP_LANE, 2))


def registration(p: Process) -> None:
    """Registration at the ORP and a dedicated counsellor."""
    p.add(
        user(
            "orp_registration_task",
            "Inscrire la personne à l'ORP",
            ORP_LANE,
            2,
            groups=GROUP,
            due="P10D",
            form=[
                req("registration_date", "Date d'inscription", "date"),
                req("jobroom_registered", "Inscrite sur Job-Room", "boolean"),
            ],
            expose="region,placement_ability_validated,validation_date,target_occupation,"
            "language_level,person_ref",
        )
    )
    p.add(
        user(
            "counsellor_assignment_task",
            "Attribuer un·e conseiller·ère ORP",
            ORP_LANE,
            3,
            groups=GROUP,
            due="P5D",
            form=[
                req("orp_counsellor", "Conseiller·ère (identifiant utilisateur)", maxlength=64),
                req("first_meeting_date", "Premier entretien", "date"),
            ],
            expose="region,target_occupation,language_level,person_ref",
        )
    )


def placement(p: Process) -> None:
    """Counselling like any registered job seeker, ending placed or not placed."""
    contract_types = [
        ("permanent", "Durée indéterminée"),
        ("fixed_term", "Durée déterminée"),
        ("apprenticeship", "Apprentissage"),
        ("none", "Aucun"),
    ]
    p.add(
        user(
            "counselling_task",
            "Conseiller et placer",
            ORP_LANE,
            4,
            groups=GROUP,
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
                opt("contract_type", "Type de contrat", "enum", values=contract_types),
            ],
            expose="region,target_occupation,language_level,orientation_done,person_ref",
        )
    )
    p.add(Node("placement_gw", "exclusiveGateway", "Placé·e ?", ORP_LANE, 5))
    p.add(Node("orp_bip_placed_end", "endEvent", "Placé·e", ORP_LANE, 6))
    p.add(Node("orp_bip_not_placed_end", "endEvent", "Non placé·e", ORP_LANE, 6, 1))


def orp_bip_flows(p: Process) -> None:
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


def orp_bip() -> Process:
    p = Process(
        "orp_bip",
        "Collaboration ORP – BIP",
        orp_bip_lanes(),
        doc="The BIP announces refugees and provisionally admitted persons (AP/R) whose "
        "placement ability "
        "has been validated; the ORP counsels and places them like any registered job seeker.",
    )
    announcement(p)
    registration(p)
    placement(p)
    orp_bip_flows(p)
    return p
