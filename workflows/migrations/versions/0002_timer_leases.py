"""timer leases: workers claim due instance timers instead of all racing for them

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timer_lease_until', engine.store.models.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('timer_lease_by', sa.String(length=64), nullable=True))
        batch_op.drop_index('ix_instance_next_timer_at')
        batch_op.create_index('ix_instance_timer_claim',
                              ['status', 'next_timer_at', 'timer_lease_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_timer_claim')
        batch_op.create_index('ix_instance_next_timer_at', ['next_timer_at'], unique=False)
        batch_op.drop_column('timer_lease_by')
        batch_op.drop_column('timer_lease_until')
