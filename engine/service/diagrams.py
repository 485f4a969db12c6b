"""What the control room draws: a version's BPMN diagram, where a case stands on it,
and where the cases of a version stand, per activity (the heatmap).

Coordinators and admins read these (`Caller.reads_all`): the figures cover every
institution's cases. Reading the cases at an activity is logged as a list read.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import NotAllowed, NotFound
from engine.runtime import definitions
from engine.runtime.position import Waiting, waiting_at
from engine.runtime.step import Step
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.service.languages import spec_finder, waits_named
from engine.service.paging import MAX_LIMIT, bounded
from engine.store import activity_stats
from engine.store.activity_stats import ActivityCase, ActivityFigures
from engine.store.models import Incident, Instance
from engine.store.queries import list_incidents


@dataclass(frozen=True)
class Diagram:
    key: str
    version: int
    resource: str
    #: the BPMN XML the version was deployed from, diagram interchange included
    xml: str


@dataclass(frozen=True)
class CasePosition:
    instance: Instance
    waiting_at: list[Waiting]
    open_incidents: list[Incident]


def _coordinator(caller: Caller) -> None:
    if not caller.reads_all:
        raise NotAllowed("only a coordinator or an admin reads the control room's figures")


class DiagramService(ServiceBase):
    def diagram(self, key: str, version: int | None = None) -> Diagram:
        """The BPMN XML of one version (the latest by default), to draw it."""
        with self.readers() as session:
            row = definitions.get(session, key, version)
            xml = row.resources.get(row.bpmn_resource)
            if xml is None:
                raise NotFound(f"definition {key} version {row.version} keeps no diagram")
            return Diagram(row.key, row.version, row.bpmn_resource, xml)

    def case_position(self, instance_id: str, caller: Caller, *,
                      language: str | None = None) -> CasePosition:
        """Where a case stands on its diagram: the elements it waits at (named in
        `language`) and its open incidents with their messages (coordinators)."""
        _coordinator(caller)
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"no instance {instance_id}")
            with Step(self.runtime, session, instance).reading() as wf:
                waiting = waiting_at(wf)
            incidents = list_incidents(session, status="open", instance_id=instance_id,
                                       limit=MAX_LIMIT, offset=0)
            waits = waits_named(waiting, instance.definition_id, language,
                                spec_finder(self.runtime, session))
        return CasePosition(instance, waits, incidents)

    def activity_stats(self, key: str, version: int, caller: Caller) -> list[ActivityFigures]:
        """Per activity of one version: ready tasks, overdue ones, open incidents and the
        median wait of the ready tasks, as of now (one grouped query)."""
        _coordinator(caller)
        with self.readers() as session:
            row = definitions.get(session, key, version)
            return activity_stats.activity_figures(session, row.id, self.clock.now())

    def activity_cases(self, key: str, version: int, activity_id: str, caller: Caller, *,
                       limit: int = 200) -> list[ActivityCase]:
        """The cases at one activity of one version (ready tasks, open incidents), oldest
        first; the read is logged, one row naming the cases shown."""
        _coordinator(caller)
        limit, _ = bounded(limit, 0)
        with self.readers() as session:
            row = definitions.get(session, key, version)
            found = activity_stats.activity_cases(session, row.id, activity_id, limit=limit)
        self.record_list_read(  # type: ignore[attr-defined]
            caller, "activity_cases", (c.instance_id for c in found))
        return found
