"""Link events: what runs (a throw and its one catch in a scope) and what is refused.

`engine.camunda.links` runs a pair of intermediate link events as a drawn flow from
the throw to the catch of the same name in the same process or subprocess, as BPMN and
Camunda 7 define it. A file that breaks that shape would deploy and then go nowhere,
or somewhere its owner did not mean, so each malformed use is an error naming the event:

* a link definition on a start, end or boundary event (BPMN allows link events as
  intermediate events only);
* a link without a name (the name is what pairs throw and catch);
* a throw whose scope has no catch of its name (a link does not cross a subprocess
  border), or two catches of one name in a scope (the throw would not know where
  to go);
* a throw with an outgoing sequence flow (the token would go two ways at once).
"""

from __future__ import annotations

from collections import Counter

from lxml import etree

from engine.camunda.links import LINK_DEFINITION, link_catches, link_name
from engine.camunda.namespaces import BPMN, split, tag
from engine.lint.report import Report, owner_id

_THROW = tag(BPMN, "intermediateThrowEvent")
_CATCH = tag(BPMN, "intermediateCatchEvent")


def check_links(root: etree._Element, report: Report) -> None:
    """Refuse link events that would not go on where the Modeler shows them going."""
    sources = {flow.get("sourceRef") for flow in root.iter(tag(BPMN, "sequenceFlow"))}
    for definition in root.iter(LINK_DEFINITION):
        event = definition.getparent()
        if event.tag not in (_THROW, _CATCH):
            report.error(owner_id(definition), f"bpmn:linkEventDefinition on this "
                         f"{split(event.tag)[1]} is not run (BPMN link events are "
                         "intermediate throw or catch events); draw the sequence flow instead")
        elif not link_name(event):
            report.error(event.get("id"), "link event without a name: give the throw and "
                         "the catch link event the same name in the Modeler")
    for scope in {event.getparent() for event in root.iter(_CATCH)
                  if link_name(event)}:
        names = Counter(link_name(event) for event in scope.iterchildren(_CATCH))
        for event in scope.iterchildren(_CATCH):
            name = link_name(event)
            if name and names[name] > 1:
                report.error(event.get("id"), f"{names[name]} catch link events are named "
                             f"{name!r} in this scope: a throw link event would not know "
                             "which one to go on at; rename all but one")
    for event in root.iter(_THROW):
        name = link_name(event)
        if not name:
            continue
        if not link_catches(event.getparent(), name):
            report.error(event.get("id"), f"throw link event {name!r} has no catch link "
                         "event of that name in the same process or subprocess (a link "
                         "does not cross a subprocess border); add it or rename")
        if event.get("id") in sources:
            report.error(event.get("id"), f"throw link event {name!r} has an outgoing "
                         "sequence flow: the case goes on at the catch link event; remove "
                         "the flow")
