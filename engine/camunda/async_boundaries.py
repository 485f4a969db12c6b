"""Camunda 7 transaction boundaries (`camunda:asyncBefore` / `camunda:asyncAfter`).

In Camunda 7 an async boundary commits the transaction there and lets the job
executor continue: a service task after `asyncBefore` that fails leaves the
user's completion committed and opens an incident at the service task, after
the retries of `camunda:failedJobRetryTimeCycle`. ciiflow has no such job:
one step runs from the operation that started it (a task completion, a
message, a timer) to the next wait state, in one transaction. The attributes
must therefore never pass as layout metadata: lint names every element that
carries one and says what runs differently (see docs/camunda-constructs.md).
"""

from __future__ import annotations

BOUNDARIES = frozenset({"asyncBefore", "asyncAfter"})
"""The camunda: attributes that mark a transaction boundary in Camunda 7."""

_EFFECT = (
    "if anything after the boundary fails, the whole step is undone (a user's task "
    "completion stays pending in the incident and runs again when the incident is retried) "
    "and the "
    "incident opens at once, without camunda:failedJobRetryTimeCycle retries"
)


def is_boundary(value: str | None) -> bool:
    """Camunda reads the attribute as a boolean; the Modeler writes "true" when ticked."""
    return (value or "").strip().lower() == "true"


def boundary_warning(attribute: str, value: str | None) -> str | None:
    """The lint warning for an async boundary, or None when it is switched off."""
    if attribute not in BOUNDARIES or not is_boundary(value):
        return None
    if attribute == "asyncBefore":
        where = ("ciiflow runs this element in the same transaction as the step that "
                 "reaches it (no commit and no job before it)")
    else:
        where = ("ciiflow runs what follows this element in the same transaction as the "
                 "element itself (no commit and no job after it)")
    return f"camunda:{attribute}=\"true\" is not a transaction boundary: {where}; {_EFFECT}"
