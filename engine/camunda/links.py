"""Link events: a throw link event goes on at the catch link event of the same name.

BPMN 2.0 (10.5.6) and Camunda 7 (User Guide, BPMN 2.0 > Events > Link Events) define
a pair of intermediate link events as a "go to" inside one process scope: the token
reaching a throw link event continues at the catch link event whose
`linkEventDefinition` has the same `name`, in the same process or subprocess; nothing
waits, nothing is sent. Several throws may lead to one catch.

SpiffWorkflow 3.2 has no link event definition (its parsers read the event as a none
event and the catch would wait for ever). We do what Camunda's parser does: the link
is resolved when the file is parsed. `LinkThrowParserMixin` connects the throw event's
spec to the catch event's spec, exactly as a sequence flow would, so the run, the
serialized state and the history are those of a drawn flow through two pass-through
events. A throw without a matching catch, or two catches of a name, are refused by the
lint before parsing (`engine.lint.links`); the parser refuses them too, by name, should
a file reach it unchecked.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import EventDefinitionConverter
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition

from .event_mappings import CatchEventParser, ThrowEventParser
from .namespaces import BPMN, tag
from .throws import CamundaThrowEvent

LINK_DEFINITION = tag(BPMN, "linkEventDefinition")
CATCH = tag(BPMN, "intermediateCatchEvent")


def link_name(event: etree._Element) -> str | None:
    """The link name of a link event ('' when unnamed); None for any other event."""
    definition = event.find(LINK_DEFINITION)
    return None if definition is None else (definition.get("name") or "")


def link_catches(scope: etree._Element, name: str) -> list[etree._Element]:
    """The catch link events of `name` directly in `scope` (not in its subprocesses)."""
    return [event for event in scope.iterchildren(CATCH) if link_name(event) == name]


class LinkEventDefinition(NoneEventDefinition):
    """A link: nothing is thrown or awaited, the parser drew the flow. Kept on the spec
    (with the link's name) so the spec says what the Modeler drew."""


class LinkThrowEvent(CamundaThrowEvent):
    """A throw link event: passes on to the catch link event it is connected to."""


class LinkCatchEvent(CamundaThrowEvent):
    """A catch link event: reached only from its throw events, it passes at once (a
    catching spec would wait for a trigger that never comes)."""


class LinkThrowParserMixin:
    """Throw events: a link event becomes a `LinkThrowEvent` connected to its catch."""

    node: Any
    spec_class: type
    process_parser: Any

    def create_task(self) -> Any:
        name = link_name(self.node)
        if name is None:
            return super().create_task()  # type: ignore[misc]
        self.spec_class = LinkThrowEvent
        return self._create_task(LinkEventDefinition(name=name, description="Link"))  # type: ignore[attr-defined]

    def parse_node(self) -> Any:
        spec = super().parse_node()  # type: ignore[misc]
        name = link_name(self.node)
        if name is None:
            return spec
        catches = link_catches(self.node.getparent(), name)
        if len(catches) != 1:
            raise ValidationException(
                f"link event {name!r} needs exactly one catch link event of that name in "
                f"its scope, found {len(catches)}", node=self.node,
                file_name=self.process_parser.filename)
        spec.connect(self.process_parser.parse_node(catches[0]))
        return spec


class LinkCatchParserMixin:
    """Catch events: a link event becomes a pass-through `LinkCatchEvent`."""

    node: Any
    spec_class: type

    def create_task(self) -> Any:
        name = link_name(self.node)
        if name is None:
            return super().create_task()  # type: ignore[misc]
        self.spec_class = LinkCatchEvent
        return self._create_task(LinkEventDefinition(name=name, description="Link"))  # type: ignore[attr-defined]


class LinkThrowEventParser(LinkThrowParserMixin, ThrowEventParser):
    pass


class LinkCatchEventParser(LinkCatchParserMixin, CatchEventParser):
    pass


CONVERTERS: dict[type, type] = {
    LinkEventDefinition: EventDefinitionConverter,
    LinkThrowEvent: EventConverter,
    LinkCatchEvent: EventConverter,
}
"""Registered by `engine.camunda.serializer.serializer()` (through `activities.CONVERTERS`)."""
