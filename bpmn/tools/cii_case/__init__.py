"""The CII case: announcement → triage → one of four services → LIAS measure → closure.

Why a package of parts: the case is the largest process and each part is
reviewed by a different institution (the CMS reads the measure, SAS its
préavis, the communes the approval). Every part adds its nodes, then, once all
nodes exist, its flows; the order of parts is the order of the file, so the
generated XML stays stable when a part changes.
"""

from __future__ import annotations

from collections.abc import Callable

from bpmn.tools.builder import Process
from bpmn.tools.cii_case import (
    announcement,
    approval,
    closure,
    followup,
    lanes,
    measure,
    preavis,
    services,
    triage,
)

Step = Callable[[Process], None]

PARTS: list[tuple[Step, Step]] = [
    (announcement.announcement, announcement.announcement_flows),
    (triage.triage, triage.triage_flows),
    (services.services, services.service_flows),
    (measure.measure_draft, measure.measure_draft_flows),
    (preavis.preavis, preavis.preavis_flows),
    (approval.approval, approval.approval_flows),
    (measure.rework, measure.rework_flows),
    (followup.followup, followup.followup_flows),
    (closure.closure, closure.closure_flows),
]


def cii_case() -> Process:
    p = Process(
        "cii_case",
        "Cas CII / CII case",
        lanes.all_lanes(),
        doc=(
            "A complex situation announced by a partner institution, triaged by typology "
            "(DMN cii_triage), followed by one of the four CII services (assessment, TRO, "
            "décloisonnement, CM CII), with LIAS social-aid measures approved by SAS and "
            "the commune, and closed with an outcome code. See docs/processes.md."
        ),
        col_widths={7: 160, 23: 160},
    )
    for add_nodes, _ in PARTS:
        add_nodes(p)
    for _, add_flows in PARTS:
        add_flows(p)
    return p
