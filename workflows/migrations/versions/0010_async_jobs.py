"""async continuations (`camunda:asyncBefore` / `camunda:asyncAfter`): the `job` table

A case held at a transaction boundary has one `job` row, written by the step that
reached the boundary; workers lease due jobs as they lease due timers
(engine.store.jobs) and run each on from its boundary (engine.runtime.jobs). A
failing job keeps its attempts, the class of its last error and its next due time;
when its tries are spent it points to the incident opened at its element.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.String(length=36), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('activity_id', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('retry_cycle', sa.String(length=255), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('due_at', engine.store.models.UTCDateTime(), nullable=False),
        sa.Column('created_at', engine.store.models.UTCDateTime(), nullable=False),
        sa.Column('failed_at', engine.store.models.UTCDateTime(), nullable=True),
        sa.Column('error', sa.String(length=255), nullable=True),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('lease_until', engine.store.models.UTCDateTime(), nullable=True),
        sa.Column('lease_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], ),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('task_id', 'kind', name='uq_job_task_kind'),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_claim', ['status', 'due_at', 'lease_until'],
                              unique=False)
        batch_op.create_index('ix_job_instance', ['instance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_instance')
        batch_op.drop_index('ix_job_claim')
    op.drop_table('job')
