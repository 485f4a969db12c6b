"""Modeler corpus files with link events (Camunda 7: BPMN 2.0 > Events > Link Events).

Written by `python -m tests.modeler.corpus` with the rest of the corpus. A link is a
"go to" inside one scope: two throws lead to one catch of the process, and an embedded
subprocess uses the same link name for its own pair, which must stay inside it.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, user
from tests.modeler.modeler import El, Fl, definitions


def link(kind: str, id: str, name: str, n: int, link_name: str | None = None) -> El:
    """A link event as the Modeler writes it (the definition's name is the link's)."""
    label = f' name="{link_name}"' if link_name is not None else ""
    return El(kind, id, name,
              tail=f'<bpmn:linkEventDefinition id="LinkEventDefinition_{n}"{label} />')


def link_events() -> str:
    """Review; a complete file jumps to the decision, otherwise documents are requested
    first and jump there too; the archiving subprocess jumps inside itself."""
    sub = El("subProcess", "Archiving", "Archiving", children=[
        start("Event_ArchiveStart"), user("Prepare", "Prepare archive", candidateGroups="oai"),
        link("intermediateThrowEvent", "Link_ToArchive", "To archive", 4, "decision"),
        link("intermediateCatchEvent", "Link_Archive", "Archive", 5, "decision"),
        user("Archive", "Archive", candidateGroups="oai"), end("Event_ArchiveEnd")],
        flows=[*chain("Event_ArchiveStart", "Prepare", "Link_ToArchive", prefix="Flow_A"),
               *chain("Link_Archive", "Archive", "Event_ArchiveEnd", prefix="Flow_B")])
    nodes = [start(), user("Review", "Review", candidateGroups="sas"),
             El("exclusiveGateway", "Gateway_Complete", "Complete?", {"default": "Flow_04"}),
             link("intermediateThrowEvent", "Link_Complete", "To decision", 1, "decision"),
             user("Request_Docs", "Request documents", candidateGroups="oai"),
             link("intermediateThrowEvent", "Link_Docs", "To decision", 2, "decision"),
             link("intermediateCatchEvent", "Link_Decision", "Decision", 3, "decision"),
             user("Decide", "Decide", candidateGroups="lead"), sub, end("Event_Done")]
    flows = [*chain("StartEvent_1", "Review", "Gateway_Complete"),
             Fl("Flow_03", "Gateway_Complete", "Link_Complete", "${complete}"),
             Fl("Flow_04", "Gateway_Complete", "Request_Docs"),
             Fl("Flow_05", "Request_Docs", "Link_Docs"),
             *chain("Link_Decision", "Decide", "Archiving", "Event_Done", prefix="Flow_D")]
    return definitions("link_events", nodes, flows)


def link_unmatched() -> str:
    """Malformed: a throw without its catch, two catches of one name, an unnamed link, a
    throw that also has an outgoing flow."""
    nodes = [start(), link("intermediateThrowEvent", "Link_Nowhere", "To review", 1, "review"),
             link("intermediateCatchEvent", "Link_Twice_1", "Decision", 2, "decision"),
             link("intermediateCatchEvent", "Link_Twice_2", "Decision", 3, "decision"),
             link("intermediateCatchEvent", "Link_Unnamed", None, 4),
             link("intermediateThrowEvent", "Link_Onward", "To decision", 5, "decision"),
             user("Decide", "Decide", candidateGroups="lead"), end("Event_Done")]
    flows = [Fl("Flow_01", "StartEvent_1", "Link_Nowhere"),
             *chain("Link_Twice_1", "Decide", "Event_Done", prefix="Flow_D"),
             Fl("Flow_E1", "Link_Twice_2", "Event_Done"),
             Fl("Flow_E2", "Link_Unnamed", "Event_Done"),
             Fl("Flow_E3", "Link_Onward", "Event_Done")]
    return definitions("link_unmatched", nodes, flows)


CORPUS: dict[str, Callable[[], str]] = {
    "link_events.bpmn": link_events,
    "link_unmatched.bpmn": link_unmatched,
}
