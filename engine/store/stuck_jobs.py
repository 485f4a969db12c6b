"""The stuck reasons of cases held at a transaction boundary (`job` rows).

A job that failed and waits for its next try is shown as an `incident` (wait
`job`): Camunda's cockpit shows a failing job before its retries are spent, and
a coordinator wants to see it before the incident opens (once it opens, the
incident itself is the reason). A job due longer than the waiting threshold
means no worker runs: a `waiting` reason (wait `job`). Both read `ix_job_claim`.

`engine.store.stuck_reasons` lists them among its sources; the helpers of that
module are imported when a select is built, as it imports this one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from .models import Instance, Job


def _job_select(reason: str, since: Any, shape: Any, *conditions: Any) -> Select[Any]:
    from . import stuck_reasons as reasons

    return (
        select(*reasons.stuck_columns(
            reason, "job", instance_id=Instance.id, business_key=Instance.business_key,
            process_key=Instance.process_key, definition_id=Instance.definition_id,
            since=since, activity_id=Job.activity_id, detail=Job.error))
        .join(Instance, Instance.id == Job.instance_id)
        .where(Job.status == "due", Instance.status == "running", *conditions,
               *reasons._case_filters(shape, Job.activity_id))
    )


def failing_jobs(shape: Any) -> Select[Any]:
    """Jobs that failed at least once and wait for their next try."""
    return _job_select("incident", Job.failed_at, shape, Job.attempts > 0)


def waiting_jobs(shape: Any) -> Select[Any]:
    """Jobs never tried, due for longer than the waiting threshold: no worker runs them."""
    from .stuck_reasons import WAITING_BEFORE

    return _job_select("waiting", Job.due_at, shape, Job.attempts == 0,
                       Job.due_at < WAITING_BEFORE)
