"""Modeler corpus files for Camunda 7 transaction boundaries (`asyncBefore`/`asyncAfter`).

Written by `python -m tests.modeler.corpus` with the rest of the corpus; what ciiflow
does with them is in tests/modeler/test_async_boundaries.py.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.modeler.corpus import chain, end, start, user
from tests.modeler.modeler import El, definitions

RETRY = "<camunda:failedJobRetryTimeCycle>R3/PT5M</camunda:failedJobRetryTimeCycle>"


def async_boundaries() -> str:
    """A review, then a service task after an asyncBefore (retried on R3/PT5M in Camunda),
    a user task with asyncAfter, end."""
    review = user("Review_Case", "Review case", candidateGroups="oai")
    notify = El("serviceTask", "Notify_Office", "Notify office",
                {"camunda:asyncBefore": "true", "camunda:type": "external",
                 "camunda:topic": "notify-office"}, ext=RETRY)
    archive = user("Archive_Case", "Archive case", candidateGroups="oai")
    archive.attrs["camunda:asyncAfter"] = "true"
    return definitions("async_boundaries",
                       [start(), review, notify, archive, end("Event_Done")],
                       chain("StartEvent_1", "Review_Case", "Notify_Office", "Archive_Case",
                             "Event_Done"))


CORPUS: dict[str, Callable[[], str]] = {
    "async_boundaries.bpmn": async_boundaries,
}
