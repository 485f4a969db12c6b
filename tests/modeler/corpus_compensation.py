"""A Modeler corpus file with compensation, which ciiflow refuses by name.

Written by `python -m tests.modeler.corpus` with the rest of the corpus. Drawn as
Camunda Modeler 5 draws it: a compensation boundary event on the activity to undo,
joined by an association to its handler (an activity marked *for compensation*),
compensation thrown from an intermediate throw event and from an end event.
"""

from __future__ import annotations

from collections.abc import Callable

from bpmn.tools import writer
from tests.modeler.corpus import chain, end, start, user
from tests.modeler.modeler import El, definitions

ASSOCIATION = ('    <bpmn:association id="Association_1" associationDirection="One" '
               'sourceRef="Event_Refund" targetRef="Refund" />\n')


def _compensate(n: int) -> str:
    return f'<bpmn:compensateEventDefinition id="CompensateEventDefinition_{n}" />'


def compensation() -> str:
    """Pay the allowance; undo it (Refund, its handler) when thrown, twice over."""
    nodes = [start(), user("Pay_Allowance", "Pay allowance", candidateGroups="oai"),
             El("intermediateThrowEvent", "Throw_Compensate", "Undo payment",
                tail=_compensate(1)),
             user("Review", "Review", candidateGroups="sas"),
             end("End_Compensate", _compensate(2), "Undone"),
             El("boundaryEvent", "Event_Refund", None, {"attachedToRef": "Pay_Allowance"},
                tail=_compensate(3)),
             El("userTask", "Refund", "Refund", {"isForCompensation": "true"})]
    flows = chain("StartEvent_1", "Pay_Allowance", "Throw_Compensate", "Review",
                  "End_Compensate")
    text = definitions("compensation", nodes, flows)
    edge = writer.document(writer.edge("Association_1", [(308, 178), (308, 240)]))
    edge_lines = "".join(f"      {line}\n" for line in edge.splitlines()
                         if not line.startswith("<?xml"))
    text = text.replace("  </bpmn:process>\n", ASSOCIATION + "  </bpmn:process>\n", 1)
    return text.replace("    </bpmndi:BPMNPlane>\n", edge_lines + "    </bpmndi:BPMNPlane>\n", 1)


CORPUS: dict[str, Callable[[], str]] = {"compensation.bpmn": compensation}
