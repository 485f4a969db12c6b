"""Task names in the caller's language, for a page of task rows.

A task row stores the drawn (French) name; its translations are properties of
the deployed definition (`engine.camunda.translations`), read here at read time
from the cached specs, so a list in German costs one query for the page's
definitions and no instance load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.camunda.forms import find_task_spec
from engine.camunda.translations import DEFAULT_LANGUAGE, task_name
from engine.runtime.position import Waiting
from engine.runtime.step import Runtime
from engine.store.models import Definition, Instance, Task

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
    found: dict[tuple[int, str], str | None] = {}  # a page repeats a few activities
    for t in tasks:
        definition_id = definitions.get(t.instance_id)
        if definition_id is None:
            names[t.id] = t.name
            continue
        key = (definition_id, t.activity_id)
        if key not in found:
            found[key] = task_name(spec_of(*key), t.name, language)
        names[t.id] = found[key]
    return names


def spec_finder(runtime: Runtime, session: Session) -> SpecOf:
    """Task specs from the runtime's cache of deployed definitions (no instance load)."""
    def find(definition_id: int, activity_id: str) -> Any:
        specs = runtime.specs.get(definition_id,
                                  lambda: session.get(Definition, definition_id).spec)
        return find_task_spec(specs, activity_id)
    return find


def waits_named(waits: Sequence[Waiting], definition_id: int, language: str | None,
                spec_of: SpecOf) -> list[Waiting]:
    """Where a case waits, each element's name in `language` (`name.<language>`)."""
    if not language or language == DEFAULT_LANGUAGE:
        return list(waits)
    return [replace(w, name=task_name(spec_of(definition_id, w.activity_id), w.name, language))
            for w in waits]
