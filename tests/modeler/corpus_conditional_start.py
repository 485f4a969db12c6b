"""Modeler corpus files with conditional start events: event subprocesses (interrupting
and not, in the process and in an embedded subprocess) and process-level ones.

Written by `python -m tests.modeler.corpus` with the rest of the corpus; read by
`tests/modeler/test_conditional_start_*.py` and `tests/workflows/test_conditions_api.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, user
from tests.modeler.corpus_events import _condition, _event_sub, _fork
from tests.modeler.modeler import El, Fl, definitions


def esp_conditional() -> str:
    """Collect, Review, Check, Decide in a row; `${withdrawn && confirmed}` (watching
    `confirmed`) interrupts the process, `${urgent}` (create, update) runs beside it."""
    ids = ("StartEvent_1", "Collect", "Review", "Check", "Decide", "Event_Done")
    nodes = [start(), user("Collect", "Collect documents", candidateGroups="oai"),
             user("Review", "Review", candidateGroups="sas"),
             user("Check", "Check", candidateGroups="sas"),
             user("Decide", "Decide", candidateGroups="oai"), end("Event_Done"),
             _event_sub("On_Withdrawn", "Withdrawn", "Event_WithdrawnStart",
                        _condition(1, "${withdrawn &amp;&amp; confirmed}",
                                   variableName="confirmed"),
                        user("Close_File", "Close file", candidateGroups="lead"), "Flow_W"),
             _event_sub("On_Urgent", "Urgent", "Event_UrgentStart",
                        _condition(2, "${urgent}", variableName="urgent",
                                   variableEvents="create, update"),
                        user("Notify_Urgent", "Notify urgent", candidateGroups="lead"),
                        "Flow_U", interrupting=False)]
    return definitions("esp_conditional", nodes, chain(*ids))


def esp_conditional_embedded() -> str:
    """`${rejected}` interrupts Assess only (set by Outer_Work beside it); After follows."""
    sub = El("subProcess", "Assess", "Assess", children=[
        start("Event_AStart"), user("Inner_Work", "Inner work", candidateGroups="sas"),
        user("Inner_Check", "Inner check", candidateGroups="sas"), end("Event_AEnd"),
        _event_sub("On_Rejected", "Rejected", "Event_RejectedStart",
                   _condition(1, "${rejected}", variableName="rejected"),
                   user("Inner_Rejected", "Handle rejection", candidateGroups="lead"),
                   "Flow_R")],
        flows=chain("Event_AStart", "Inner_Work", "Inner_Check", "Event_AEnd",
                    prefix="Flow_A"))
    nodes, flows = _fork("Assess", "Outer_Work")
    nodes = [n for n in nodes if n.id != "Event_Done"]
    flows = [f for f in flows if f.target != "Event_Done"]
    nodes += [sub, user("Outer_Work", "Outer work", candidateGroups="oai"),
              user("After", "After", candidateGroups="oai"), end("Event_Done")]
    flows += [Fl("Flow_02", "Gateway_Join", "After"), Fl("Flow_03", "After", "Event_Done")]
    return definitions("esp_conditional_embedded", nodes, flows)


def cond_start_urgent() -> str:
    """Started only by evaluating conditions: `${urgent}` -> Triage."""
    nodes = [start("Event_Urgent", _condition(1, "${urgent}"), "Urgent"),
             user("Triage", "Triage", candidateGroups="sas"), end("Event_Done")]
    return definitions("cond_start_urgent", nodes,
                       chain("Event_Urgent", "Triage", "Event_Done"), name="Urgent triage")


def cond_start_large() -> str:
    """A none start (Register) and a conditional start `${amount > 1000}` (Audit)."""
    nodes = [start(name="Claim filed"),
             start("Event_LargeClaim", _condition(1, "${amount &gt; 1000}"), "Large claim"),
             user("Register", "Register", candidateGroups="oai"),
             user("Audit", "Audit", candidateGroups="oai"),
             end("Event_Registered"), end("Event_Audited")]
    flows = [*chain("StartEvent_1", "Register", "Event_Registered"),
             *chain("Event_LargeClaim", "Audit", "Event_Audited", prefix="Flow_C")]
    return definitions("cond_start_large", nodes, flows, name="Large claim")


CORPUS: dict[str, Callable[[], str]] = {
    "esp_conditional.bpmn": esp_conditional,
    "esp_conditional_embedded.bpmn": esp_conditional_embedded,
    "cond_start_urgent.bpmn": cond_start_urgent,
    "cond_start_large.bpmn": cond_start_large,
}
