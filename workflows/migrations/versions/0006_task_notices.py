"""issue 12 overdue and due-soon notices: who has been told, and the scans that find the rest

Two columns on `task` record when the `task.overdue` and `task.due_soon` notices
were sent; a worker claims a notice by setting its column with a conditional
UPDATE (only while it is empty), so a task gets each notice once however many
workers run. Each scan has its index: ready tasks not yet told, by due date.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overdue_notified_at', engine.store.models.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('due_soon_notified_at', engine.store.models.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index('ix_task_overdue_scan',
                              ['state', 'overdue_notified_at', 'due_at'], unique=False)
        batch_op.create_index('ix_task_due_soon_scan',
                              ['state', 'due_soon_notified_at', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_due_soon_scan')
        batch_op.drop_index('ix_task_overdue_scan')
        batch_op.drop_column('due_soon_notified_at')
        batch_op.drop_column('overdue_notified_at')
