"""ready work read from partial indexes: `task_candidate.ready_at` and three more

A candidate row repeats its task's `ready_at` while the task is ready (NULL once it
closed), under a partial index `(group_id, ready_at, task_id) WHERE ready_at IS NOT
NULL`. A group's candidate rows pile up with every task it ever had (the history's
visibility reads them), so "the ready tasks of my groups, oldest first" (the task
list, the stuck reasons `no_holder` and `notification_failing`) read all of them
before; now they read the ready ones, in order (bench/stuck.py). Existing rows are
filled from their task. Also partial indexes of the ready tasks without a candidate
group (`no_holder`), of the external tasks a case waits on (`waiting`), and of the
ready tasks' activity, case, times (the control room's figures, index only).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


#: the partial indexes' terms, as engine.store.models says them at this revision
READY = sa.text("ready_at IS NOT NULL")
UNGROUPED = sa.text("(state || ':' || CAST(candidate_groups AS TEXT)) = 'ready:[]'")
EXTERNAL_WAITING = sa.text("state IN ('available', 'locked')")
READY_TASK = sa.text("state = 'ready'")


def upgrade() -> None:
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ready_at', engine.store.models.UTCDateTime(),
                                      nullable=True))
    op.execute("UPDATE task_candidate SET ready_at = (SELECT task.ready_at FROM task"
               " WHERE task.id = task_candidate.task_id AND task.state = 'ready')")
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.create_index('ix_task_candidate_ready', ['group_id', 'ready_at', 'task_id'],
                              unique=False, sqlite_where=READY, postgresql_where=READY)
        batch_op.create_index('ix_task_candidate_ready_since',
                              ['ready_at', 'group_id', 'task_id'], unique=False,
                              sqlite_where=READY, postgresql_where=READY)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_ready_ungrouped', ['ready_at'], unique=False,
                              sqlite_where=UNGROUPED, postgresql_where=UNGROUPED)
        batch_op.create_index('ix_task_ready_activity',
                              ['activity_id', 'instance_id', 'ready_at', 'due_at'],
                              unique=False, sqlite_where=READY_TASK,
                              postgresql_where=READY_TASK)
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.create_index('ix_external_task_waiting', ['created_at'], unique=False,
                              sqlite_where=EXTERNAL_WAITING,
                              postgresql_where=EXTERNAL_WAITING)


def downgrade() -> None:
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.drop_index('ix_external_task_waiting')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_ready_activity')
        batch_op.drop_index('ix_task_ready_ungrouped')
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.drop_index('ix_task_candidate_ready_since')
        batch_op.drop_index('ix_task_candidate_ready')
        batch_op.drop_column('ready_at')
