"""The stuck reason only the webhooks know: an institution is not hearing of its work.

A task is `notification_failing` when an institution holding one of its groups has
a webhook endpoint that fails: a delivery not delivered after at least one attempt
(`retrying`, or `pending` with attempts as before the `retrying` status), one
given up (`failed`), or the endpoint disabled. Without this the institution keeps
being given work in silence until someone notices the endpoint days later.

The engine reads this reason through `Engine.add_stuck_reason` (installed with the
outbox), so it never names these tables itself. The select starts from the
failing endpoints (few) through the groups their principals hold to the ready
tasks (`ix_task_candidate_group`), never from the tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, String, and_, cast, func, literal, or_, select

from engine.store.models import Instance, Task, TaskCandidate
from engine.store.principals import Principal, PrincipalGroup
from engine.store.stuck import StuckQuery, stuck_columns, task_filters

from .models import WebhookDelivery, WebhookEndpoint

if TYPE_CHECKING:
    from engine import Engine

REASON = "notification_failing"
#: endpoints that no longer count: removed by their owner
GONE = ("deleted",)


def _failing_delivery() -> Any:
    """A delivery of the endpoint that an attempt did not deliver."""
    return and_(WebhookDelivery.endpoint_id == WebhookEndpoint.id, or_(
        WebhookDelivery.status.in_(("retrying", "failed")),
        and_(WebhookDelivery.status == "pending", WebhookDelivery.attempts >= 1)))


def _failing_endpoints() -> Any:
    """Each failing endpoint with since when it fails and its last error (the transport
    error, else the HTTP status the receiver answered), as a subquery."""
    first_failure = (select(func.min(WebhookDelivery.created_at)).where(_failing_delivery())
                     .scalar_subquery())
    said = func.coalesce(WebhookDelivery.last_error,
                         literal("HTTP ") + cast(WebhookDelivery.last_status_code, String))
    last_error = (select(said).where(_failing_delivery())
                  .order_by(WebhookDelivery.updated_at.desc(), WebhookDelivery.id.desc())
                  .limit(1).scalar_subquery())
    failing = select(WebhookDelivery.id).where(_failing_delivery()).exists()
    disabled = WebhookEndpoint.status == "disabled"
    return (
        select(WebhookEndpoint.id.label("endpoint_id"),
               WebhookEndpoint.principal_id.label("principal_id"),
               func.coalesce(WebhookEndpoint.failing_since, first_failure,
                             WebhookEndpoint.disabled_at).label("since"),
               func.coalesce(last_error, WebhookEndpoint.disabled_reason).label("error"))
        .where(WebhookEndpoint.status.not_in(GONE), or_(disabled, failing))
        .subquery("failing_endpoint")
    )


def notification_failing(query: StuckQuery) -> Select[Any]:
    endpoint = _failing_endpoints()
    # each task once per institution, however many of its groups the institution holds
    heard = (
        select(TaskCandidate.task_id, Principal.name.label("institution"),
               endpoint.c.since, endpoint.c.error)
        .select_from(endpoint)
        .join(Principal, and_(Principal.id == endpoint.c.principal_id,
                              Principal.disabled_at.is_(None)))
        .join(PrincipalGroup, PrincipalGroup.principal_id == Principal.id)
        .join(TaskCandidate, TaskCandidate.group_id == PrincipalGroup.group_id)
        .where(endpoint.c.since.is_not(None))
        .distinct()
        .subquery("heard")
    )
    return (
        select(*stuck_columns(
            REASON, "notification", instance_id=Task.instance_id,
            business_key=Instance.business_key, process_key=Task.process_key,
            definition_id=Instance.definition_id, since=heard.c.since,
            activity_id=Task.activity_id, task_id=Task.id, task_name=Task.name,
            groups=Task.candidate_groups, detail=heard.c.error,
            institution=heard.c.institution))
        .select_from(heard)
        .join(Task, Task.id == heard.c.task_id)
        .join(Instance, Instance.id == Task.instance_id)
        .where(Task.state == "ready", Instance.status == "running", *task_filters(query))
    )


def install(engine: Engine) -> None:
    """Let the engine's stuck cases say when an institution's webhooks fail."""
    engine.add_stuck_reason(REASON, notification_failing)
