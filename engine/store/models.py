"""The tables of the engine: definitions, instances and their read models.

The workflow state itself is one JSON text per instance; everything a person or
a query asks about (open tasks, who holds them, what happened, what is stuck)
lives in plain indexed columns beside it, written in the same transaction as
the state, so no query ever needs to deserialize a workflow.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


def new_salt() -> str:
    """A case's own random key for the digests of its history values."""
    return secrets.token_hex(16)


class Definition(Base):
    """One version of one executable process, with what it was built from."""

    __tablename__ = "definition"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_definition_key_version"),
        Index("ix_definition_key_checksum", "key", "checksum"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    resources: Mapped[dict[str, str]] = mapped_column(JSON)
    bpmn_resource: Mapped[str] = mapped_column(String(255))
    spec: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str | None] = mapped_column(String(255))
    # camunda:historyTimeToLive in days: a closed case older than this is erased
    # (engine.runtime.retention); None keeps it (the lint warns)
    history_ttl_days: Mapped[int | None] = mapped_column(Integer)


class DecisionDefinition(Base):
    """One version of one DMN decision, as Camunda 7 versions decision definitions.

    A decision gets a new version when its own element changes, whatever else its
    file or bundle holds; a business rule task bound `latest`, `version` or
    `versionTag` resolves its decision here when it runs, so a corrected table
    reaches running cases without a new process version.
    """

    __tablename__ = "decision_definition"
    __table_args__ = (
        UniqueConstraint("key", "version", name="uq_decision_definition_key_version"),
        Index("ix_decision_definition_key_tag", "key", "version_tag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    version_tag: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    checksum: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deployed_by: Mapped[str | None] = mapped_column(String(255))


class Instance(Base):
    __tablename__ = "instance"
    __table_args__ = (
        Index("ix_instance_status", "status"),
        Index("ix_instance_business_key", "business_key"),
        # the timer claim (engine.store.leases): running, due range in order, lease in the index
        Index("ix_instance_timer_claim", "status", "next_timer_at", "timer_lease_until"),
        Index("ix_instance_process_key_started", "process_key", "started_at"),
        # idle cases (engine.store.stuck): running, least recently moved first
        Index("ix_instance_status_updated", "status", "updated_at"),
        # the retention sweep: closed cases of one definition, oldest first
        Index("ix_instance_retention", "definition_id", "ended_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    process_key: Mapped[str] = mapped_column(String(255))
    definition_version: Mapped[int] = mapped_column(Integer)
    business_key: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    history_seq: Mapped[int] = mapped_column(Integer, default=0)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a worker's claim on the due timer, so several workers share them (engine.store.leases)
    timer_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_lease_by: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the audit chain (engine.runtime.audit): the hash of the last history row, moved by
    # the step's compare-and-set, and the case's key for the digests of recorded values,
    # forgotten when the case is erased so that an erased value cannot be guessed back
    history_head: Mapped[str | None] = mapped_column(String(64))
    history_salt: Mapped[str | None] = mapped_column(String(32), default=new_salt)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)



#: external tasks a case still waits on (failed ones are incidents), as the partial
#: index's queries say it
EXTERNAL_WAITING_SQL = "state IN ('available', 'locked')"
#: ready tasks, as the partial index `ix_task_ready_activity` and its query say it
READY_TASK = "state = 'ready'"
#: the partial index of ready tasks without a candidate group, as its queries say it
UNGROUPED = "(state || ':' || CAST(candidate_groups AS TEXT)) = 'ready:[]'"


class Task(Base):
    """One row per user task that ever became ready: the task list's source."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_instance", "instance_id"),
        Index("ix_task_state_ready_at", "state", "ready_at"),
        Index("ix_task_state_due_at", "state", "due_at"),
        Index("ix_task_state_activity", "state", "activity_id"),
        # the worker's notice scans (engine.runtime.notices): ready, not yet told, by due date
        Index("ix_task_overdue_scan", "state", "overdue_notified_at", "due_at"),
        Index("ix_task_due_soon_scan", "state", "due_soon_notified_at", "due_at"),
        # ready tasks without a candidate group (engine.store.stuck_reasons.no_holder_ungrouped)
        Index("ix_task_ready_ungrouped", "ready_at",
              sqlite_where=text(UNGROUPED), postgresql_where=text(UNGROUPED)),
        # the control room's figures per activity, from the index alone
        # (engine.store.activity_stats)
        Index("ix_task_ready_activity", "activity_id", "instance_id", "ready_at", "due_at",
              sqlite_where=text(READY_TASK), postgresql_where=text(READY_TASK)),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instance.id"))
    process_key: Mapped[str] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    candidate_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    candidate_users: Mapped[list[str]] = mapped_column(JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(String(255))
    priority: Mapped[int | None] = mapped_column(Integer)
    form_key: Mapped[str | None] = mapped_column(String(255))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(255))
    # when the worker that claimed the task.overdue / task.due_soon notice sent it:
    # set by a conditional UPDATE, so one notice per task whichever worker sees it first
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_soon_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TaskCandidate(Base):
    """Candidate groups of a task, one row each, so "tasks of my groups" is an index scan.

    `ready_at` repeats the task's while it is ready and is NULL once it closed: the rows
    of every task that ever was stay (the history's visibility reads them), so a group's
    ready work, oldest first, is read from the partial index `ix_task_candidate_ready`
    without wading through its closed tasks (engine.store.queries, engine.store.stuck).
    """

    __tablename__ = "task_candidate"
    __table_args__ = (
        Index("ix_task_candidate_group", "group_id", "task_id"),
        Index("ix_task_candidate_ready", "group_id", "ready_at", "task_id",
              sqlite_where=text("ready_at IS NOT NULL"),
              postgresql_where=text("ready_at IS NOT NULL")),
        # every group's ready work oldest first (engine.store.stuck_reasons.no_holder)
        Index("ix_task_candidate_ready_since", "ready_at", "group_id", "task_id",
              sqlite_where=text("ready_at IS NOT NULL"),
              postgresql_where=text("ready_at IS NOT NULL")),
    )

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id"), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class History(Base):
    """Append-only account of an instance; `seq` orders it and makes gaps visible."""

    __tablename__ = "history"
    __table_args__ = (UniqueConstraint("instance_id", "seq", name="uq_history_instance_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instance.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(255))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # tamper evidence (engine.runtime.audit): the salted digest of the detail's values,
    # kept when retention erases them, and the hash chaining this row to the previous one
    digest: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_instance", "instance_id"),
        Index("ix_incident_status", "status"),
        # open incidents, oldest first (engine.store.stuck)
        Index("ix_incident_status_opened", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instance.id"))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    operation: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(255))


class MessageSubscription(Base):
    """Which instance waits for which message: correlation is an index lookup."""

    __tablename__ = "message_subscription"
    __table_args__ = (
        Index("ix_message_subscription_name", "message_name", "business_key"),
        Index("ix_message_subscription_instance", "instance_id"),
        # cases waiting for a message, longest first (engine.store.stuck)
        Index("ix_message_subscription_since", "since"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instance.id"))
    message_name: Mapped[str] = mapped_column(String(255))
    business_key: Mapped[str | None] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    #: since when the instance waits there (kept when a step rewrites the subscriptions)
    since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a boundary event or event-subprocess start: listened for beside the work, not a
    #: place where the case waits (the stuck cases leave it out)
    beside: Mapped[bool | None] = mapped_column(Boolean)


class ExternalTask(Base):
    """Service work waiting for an external worker (Camunda's fetch-and-lock pattern)."""

    __tablename__ = "external_task"
    __table_args__ = (
        Index("ix_external_task_topic_state", "topic", "state", "lock_expires_at"),
        Index("ix_external_task_instance", "instance_id"),
        # work waiting for a worker, longest first (engine.store.stuck)
        Index("ix_external_task_state_created", "state", "created_at"),
        # the external tasks a case still waits on, longest first (engine.store.stuck)
        Index("ix_external_task_waiting", "created_at", sqlite_where=text(EXTERNAL_WAITING_SQL),
              postgresql_where=text(EXTERNAL_WAITING_SQL)),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instance.id"))
    process_key: Mapped[str] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(20))  # available locked completed cancelled failed
    worker_id: Mapped[str | None] = mapped_column(String(255))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retries: Mapped[int | None] = mapped_column(Integer)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StartTimer(Base):
    """The next occurrence of one timer start event of the latest version of a process."""

    __tablename__ = "start_timer"
    __table_args__ = (
        Index("ix_start_timer_next_at", "next_at"),
        # one schedule per start event, however many workers see a new definition at once
        UniqueConstraint("definition_id", "activity_id", name="uq_start_timer_definition_activity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definition.id"))
    process_key: Mapped[str] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remaining: Mapped[int | None] = mapped_column(Integer)  # None: without end
    interval_seconds: Mapped[int | None] = mapped_column(Integer)


class Job(Base):
    """A case held at a transaction boundary (`camunda:asyncBefore`/`asyncAfter`), waiting
    for a worker to run on from it (engine.runtime.jobs): Camunda 7's async continuation."""

    __tablename__ = "job"
    __table_args__ = (
        # the due jobs a worker claims, soonest first (engine.store.jobs)
        Index("ix_job_claim", "status", "due_at", "lease_until"),
        Index("ix_job_instance", "instance_id"),
        UniqueConstraint("task_id", "kind", name="uq_job_task_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instance.id"))
    task_id: Mapped[str] = mapped_column(String(36))  # the held SpiffWorkflow task
    activity_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # before after
    status: Mapped[str] = mapped_column(String(20))  # due incident
    retry_cycle: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(255))  # the failure's class, no message
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_by: Mapped[str | None] = mapped_column(String(64))
