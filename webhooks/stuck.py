"""The stuck reason only the webhooks know: an institution is not hearing of its work.

A task is `notification_failing` when an institution holding one of its groups has
a webhook endpoint that fails: a delivery not delivered after at least one attempt
(`retrying`, or `pending` with attempts as before the `retrying` status), one
given up (`failed`), or the endpoint disabled. Without this the institution keeps
being given work in silence until someone notices the endpoint days later.

The engine reads this reason through `Engine.add_stuck_reason` (installed with the
outbox), so it never names these tables itself. The groups of the institutions
with a failing endpoint are a materialized CTE (a handful of rows); their ready
candidate rows are read oldest first (`task_candidate.ready_at`), so a page reads
the failing groups' ready tasks, the same with a year of history as with a day. The row's
`since` is when the task became ready (it has waited unheard since then, or since
the failure began), `cause_since` since when the deliveries fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from engine.store.models import Instance, Task, TaskCandidate
from engine.store.plan_hints import OneOf, Unindexed
from engine.store.principals import Principal, PrincipalGroup
from engine.store.stuck_reasons import StuckShape, stuck_columns, task_filters

from .models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from engine import Engine

REASON = "notification_failing"
#: endpoints that no longer count: removed by their owner
GONE = ("deleted",)


def _failing_delivery() -> Any:
    """A delivery of the endpoint that an attempt did not deliver."""
    return and_(WebhookDelivery.endpoint_id == WebhookEndpoint.id,
                # an equality range on the index (endpoint, status): delivered ones unread
                WebhookDelivery.status.in_(("pending", "retrying", "failed")),
                or_(WebhookDelivery.status != "pending", WebhookDelivery.attempts >= 1))


def _failing_institutions() -> Any:
    """Each principal with a failing endpoint: since when (its earliest failing endpoint)
    and a last error. A materialized CTE: a handful of rows, computed once per query."""
    first_failure = (select(func.min(WebhookDelivery.created_at)).where(_failing_delivery())
                     .scalar_subquery())
    said = func.coalesce(WebhookDelivery.last_error,
                         literal("HTTP ") + cast(WebhookDelivery.last_status_code, String))
    last_error = (select(said).where(_failing_delivery())
                  .order_by(WebhookDelivery.updated_at.desc(), WebhookDelivery.id.desc())
                  .limit(1).scalar_subquery())
    failing = select(WebhookDelivery.id).where(_failing_delivery()).exists()
    disabled = WebhookEndpoint.status == "disabled"
    since = func.coalesce(WebhookEndpoint.failing_since, first_failure,
                          WebhookEndpoint.disabled_at)
    return (
        select(WebhookEndpoint.principal_id.label("principal_id"),
               func.min(since).label("since"),
               func.max(func.coalesce(last_error, WebhookEndpoint.disabled_reason))
               .label("error"))
        .where(WebhookEndpoint.status.not_in(GONE), or_(disabled, failing))
        .group_by(WebhookEndpoint.principal_id)
        .cte("failing_institution").prefix_with("MATERIALIZED")
    )


def _failing_groups() -> Any:
    """The groups the failing institutions hold, with the institution, since and error."""
    failing = _failing_institutions()
    return (
        select(PrincipalGroup.group_id.label("group_id"), Principal.name.label("institution"),
               failing.c.since.label("since"), failing.c.error.label("error"))
        .select_from(failing)
        .join(Principal, and_(Principal.id == failing.c.principal_id,
                              Principal.disabled_at.is_(None)))
        .join(PrincipalGroup, PrincipalGroup.principal_id == Principal.id)
        .where(failing.c.since.is_not(None))
        .cte("failing_group").prefix_with("MATERIALIZED")
    )


def notification_failing(shape: StuckShape) -> Select[Any]:
    """Ready tasks that a failing institution holds, read from the ready candidate rows
    of the failing groups only (`ix_task_candidate_ready`): none are read when no
    institution fails, and a group's closed tasks never are. A task held by several
    failing institutions is one row naming the first of them by name."""
    failing = _failing_groups()
    candidate = aliased(TaskCandidate)

    def first(column: Any) -> Any:
        return (select(column).join(candidate, candidate.group_id == failing.c.group_id)
                .where(candidate.task_id == Task.id)
                .order_by(failing.c.institution).limit(1).scalar_subquery())

    # the failing groups' ready candidate rows (`ix_task_candidate_ready`), each task
    # once: by the first of its failing groups
    ready = aliased(TaskCandidate)
    earlier = aliased(TaskCandidate)
    failing_ids = select(failing.c.group_id).scalar_subquery()
    first_failing = ~(select(earlier.task_id)
                      .where(earlier.task_id == ready.task_id, OneOf(earlier.group_id, failing_ids),
                             earlier.group_id < ready.group_id)
                      .exists())
    return (
        select(*stuck_columns(
            REASON, "notification", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=ready.ready_at,
            activity_id=Task.activity_id, task_id=Task.id, task_name=Task.name,
            groups=Task.candidate_groups, detail=first(failing.c.error),
            institution=first(failing.c.institution), cause_since=first(failing.c.since)))
        .select_from(ready)
        .join(Task, Task.id == ready.task_id)
        .join(Instance, Instance.id == Task.instance_id)
        .where(OneOf(ready.group_id, failing_ids), ready.ready_at.is_not(None), first_failing,
               # SQLite would otherwise walk every ready task or running case
               Unindexed(Task.state) == "ready", Unindexed(Instance.status) == "running",
               *task_filters(shape))
    )


def install(engine: Engine) -> None:
    """Let the engine's stuck cases say when an institution's webhooks fail."""
    engine.add_stuck_reason(REASON, notification_failing)
