"""Task names in the caller's language, for a page of task rows.

A task row stores the drawn (French) name; its translations are properties of
the deployed definition (`engine.camunda.translations`), read here at read time
from the cached specs, so a list in German costs one query for the page's
definitions and no instance load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.camunda.translations import DEFAULT_LANGUAGE, task_name
from engine.store.models import Instance, Task

#: (definition id, activity id) -> the task spec
SpecOf = Callable[[int, str], Any]


def task_names(session: Session, tasks: Sequence[Task], language: str | None,
               spec_of: SpecOf) -> dict[str, str | None]:
    """Task id -> its name in `language`; empty for the default language (rows hold it)."""
    if not language or language == DEFAULT_LANGUAGE or not tasks:
        return {}
    ids = {t.instance_id for t in tasks}
    definitions = dict(session.execute(  # type: ignore[arg-type]
        select(Instance.id, Instance.definition_id).where(Instance.id.in_(ids))).all())
    names: dict[str, str | None] = {}
    for t in tasks:
        definition_id = definitions.get(t.instance_id)
        spec = spec_of(definition_id, t.activity_id) if definition_id is not None else None
        names[t.id] = task_name(spec, t.name, language)
    return names
