"""External tasks: a worker fetches and locks service work on its topics, then reports back.

Every operation takes the worker as a `Caller`: a worker sees only the topics
it was granted (an admin sees all), and a task of another topic is `NotFound`
exactly as if it did not exist. The work itself is `engine.runtime.external`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.runtime import external
from engine.service.base import ServiceBase
from engine.service.caller import Caller
from engine.store.queries import external_task_state


@dataclass(frozen=True)
class ExternalResult:
    """Where a reported task and its case stand after the report."""

    task_id: str
    #: available | locked | completed | cancelled | failed; "unknown" if the task is gone
    state: str
    instance_status: str | None
    #: the incident the report ran the case into: a completion or a BPMN error that
    #: failed on, or a failure with no retries left
    incident_id: int | None = None


def allowed_topics(caller: Caller) -> tuple[str, ...] | None:
    """The topics a caller may work on; None means every topic (an admin)."""
    return None if caller.role == "admin" else caller.topics


class ExternalTaskService(ServiceBase):
    def fetch_and_lock(self, caller: Caller, worker_id: str,
                       topics: Sequence[tuple[str, int]], *,
                       max_tasks: int = 10) -> list[dict[str, Any]]:
        """Lock up to `max_tasks` tasks of `topics` (name, lock ms) the caller was granted."""
        return external.fetch_and_lock(self, worker_id, topics,  # type: ignore[arg-type]
                                       max_tasks=max_tasks,
                                       allowed_topics=allowed_topics(caller))

    def complete_external_task(self, caller: Caller, task_id: str, worker_id: str,
                               variables: Mapping[str, Any] | None = None) -> ExternalResult:
        """Complete a task this worker holds locked, setting its variables."""
        outcome = external.complete(self, task_id, worker_id,  # type: ignore[arg-type]
                                    dict(variables or {}),
                                    allowed_topics=allowed_topics(caller))
        return self._result(task_id, outcome.incident.id if outcome.incident else None)

    def report_external_failure(self, caller: Caller, task_id: str, worker_id: str, *,
                                error_message: str, retries: int,
                                retry_timeout_ms: int = 0) -> ExternalResult:
        """A failed attempt: the task comes back after the timeout, or at 0 retries an
        incident opens on the case."""
        incident_id = external.failure(self, task_id, worker_id,  # type: ignore[arg-type]
                                       error_message=error_message, retries=retries,
                                       retry_timeout_ms=retry_timeout_ms,
                                       allowed_topics=allowed_topics(caller))
        return self._result(task_id, incident_id)

    def throw_external_bpmn_error(self, caller: Caller, task_id: str, worker_id: str,
                                  error_code: str,
                                  error_message: str | None = None) -> ExternalResult:
        """Throw a BPMN error at the task (caught by an error boundary event, if drawn)."""
        outcome = external.bpmn_error(self, task_id, worker_id,  # type: ignore[arg-type]
                                      error_code, error_message,
                                      allowed_topics=allowed_topics(caller))
        return self._result(task_id, outcome.incident.id if outcome.incident else None)

    def _result(self, task_id: str, incident_id: int | None) -> ExternalResult:
        with self.readers() as session:
            state, instance_status = external_task_state(session, task_id)
        return ExternalResult(task_id, state or "unknown", instance_status, incident_id)
