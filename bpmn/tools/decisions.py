"""The decision tables: CII triage by typology and three LIAS 2021 rules.

Why the rationale is an output column: the regional team sees in the task why
a service was proposed, and ``bpmn/decision_cases.yaml`` checks each row's
answer, so a process owner who edits a table in the Modeler sees what changed.
Typologies A–D are invented (the CII Valais list is not public); the LIAS
amounts are the 2021 values and must be updated yearly.
"""

from __future__ import annotations

from bpmn.tools.dmn import Decision, DmnInput, DmnOutput, DmnRule

B = "boolean"
ANY = "-"  # FEEL: any value matches


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
    """Maintenance flat rate of young adults (18–25), cut by 35 % in the 2021 revision."""
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
    """Whether social aid must be paid back, and on which ground (first ground wins)."""
    return Decision(
        "lias_repayment",
        "LIAS 2021 – obligation de rembourser",
        "FIRST",
        inputs=_repayment_inputs(),
        outputs=_repayment_outputs(),
        rules=_repayment_rules(),
        doc="LIAS revision in force on 1 July 2021. Fortune thresholds follow the LPC amounts "
        "(30,000 single, 50,000 couple, 15,000 per child). median_income_single is an input "
        "(updated yearly).",
    )


def _repayment_inputs() -> list[DmnInput]:
    return [
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
    ]


def _repayment_outputs() -> list[DmnOutput]:
    return [
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
    ]


def _repayment_rules() -> list[DmnRule]:
    """Unlawful aid and advances first, then fortune, then income from new work."""
    return [
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
    ]


def lias_training() -> Decision:
    """How training is supported by age: ordinary aid, repayable aid or a loan."""
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


def all_decisions() -> list[Decision]:
    return [cii_triage(), lias_young_adult(), lias_repayment(), lias_training()]
