"""A case's history, page by page: what happened, who did it, and what was decided.

The history is where an appeal against a decision starts, so it keeps what was
decided, not only that something happened: the form data each task was
completed with (`task_completed`: `data`), each decision's inputs, matched
rules and outputs (`decision_evaluated`), the branch each gateway took
(`gateway_taken`), what external workers reported (`external_task_completed`:
`outputs`), and the actor and reason of claims and administrative actions.

Who reads what:

* coordinators and admins read every row with its detail;
* an institution reads a case it took part in, and of it only the rows about
  tasks one of its groups was a candidate for (ready, claimed, completed,
  cancelled…), without any detail: the values a task was completed with may be
  another institution's and concern a person, and the detail of its own rows
  adds nothing it does not already hold;
* the institution that started the case (`started_by`) may read it as an
  institution that took part: the rows of the tasks its groups were candidates
  for, none if there were none (as the case view shows it no history then);
* anyone else, or an institution on a case it neither started nor took part
  in, gets `NotFound`, exactly as if the case did not exist.

Every read is logged in the access log (`history`). Each row names its element by
the name drawn in the Modeler, looked up in the case's definition when read (a
row stores ids only, so a renamed element in a new version does not rewrite the
past, and erasing a case's values keeps the names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.camunda.gateways import flow_names
from engine.errors import NotFound
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.service.paging import Page, bounded
from engine.store import queries
from engine.store.case_history import history_page
from engine.store.models import Definition, History, Instance


@dataclass(frozen=True)
class HistoryEntry:
    """One history row as a caller may see it, with the drawn names of its elements."""

    seq: int
    at: datetime
    kind: str
    actor: str | None
    activity_id: str | None
    #: the element's name as drawn (None when it has none)
    activity_name: str | None
    task_id: str | None
    #: None for callers who do not read every case
    detail: dict[str, Any] | None
    #: the sequence flows a gateway took: (id, drawn name)
    flows: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Names:
    """The drawn names of one definition's elements and sequence flows, by id."""

    elements: dict[str, str | None]
    flows: dict[str, str | None]

    def entry(self, row: History, with_detail: bool) -> HistoryEntry:
        detail = row.detail or {}
        taken = detail.get("flow_ids") or ([detail["flow_id"]] if "flow_id" in detail else [])
        return HistoryEntry(
            seq=row.seq, at=row.at, kind=row.kind, actor=row.actor,
            activity_id=row.activity_id,
            activity_name=self.elements.get(row.activity_id) if row.activity_id else None,
            task_id=row.task_id, detail=row.detail if with_detail else None,
            flows=[(flow, self.flows.get(flow)) for flow in taken if isinstance(flow, str)])


class HistoryService(ServiceBase):
    def history(self, instance_id: str, caller: Caller, *, kinds: Sequence[str] | None = None,
                newest_first: bool = False, limit: int = 50,
                offset: int = 0) -> Page[HistoryEntry]:
        """The case's history, oldest first (or newest first), `kinds` only if given.

        What each caller sees is in this module's docstring; the read is logged.
        """
        limit, offset = bounded(limit, offset)
        with self.readers() as session:
            instance = session.get(Instance, instance_id)
            if instance is None or not (caller.reads_all or (caller.is_institution and (
                    instance.started_by == caller.name
                    or queries.took_part(session, instance_id, caller.groups)))):
                raise NotFound(f"no instance {instance_id}")
            rows = history_page(
                session, instance_id, kinds=kinds,
                groups=None if caller.reads_all else caller.groups,
                newest_first=newest_first, limit=limit, offset=offset)
            names = self._names(session, instance.definition_id)
        self.record_read(caller, "history", instance_id, instance_id)  # type: ignore[attr-defined]
        page = Page.of(rows, limit, offset)
        return Page([names.entry(r, caller.reads_all) for r in page.items], limit, offset,
                    page.has_more)

    def _names(self, session: Session, definition_id: int) -> Names:
        spec, subprocess_specs = self.runtime.specs.get(
            definition_id, lambda: session.get(Definition, definition_id).spec)
        elements: dict[str, str | None] = {}
        flows: dict[str, str | None] = {}
        for process in (spec, *subprocess_specs.values()):
            for task_spec in process.task_specs.values():
                bpmn_id = getattr(task_spec, "bpmn_id", None)
                if bpmn_id and bpmn_id not in elements:
                    elements[bpmn_id] = getattr(task_spec, "bpmn_name", None)
            flows.update(flow_names(process))
        return Names(elements, flows)
