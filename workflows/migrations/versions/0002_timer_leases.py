"""timer leases: workers claim due instance timers instead of all racing for them

Also one `start_timer` row per definition and start event: two workers that saw a
new definition at once on PostgreSQL each wrote its schedule, and every
occurrence then started twice. The duplicates are dropped, the first row kept.

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
    op.execute("DELETE FROM start_timer WHERE id NOT IN (SELECT MIN(id) FROM start_timer"
               " GROUP BY definition_id, activity_id)")
    with op.batch_alter_table('start_timer', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_start_timer_definition_activity',
                                          ['definition_id', 'activity_id'])


def downgrade() -> None:
    with op.batch_alter_table('start_timer', schema=None) as batch_op:
        batch_op.drop_constraint('uq_start_timer_definition_activity', type_='unique')
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_timer_claim')
        batch_op.create_index('ix_instance_next_timer_at', ['next_timer_at'], unique=False)
        batch_op.drop_column('timer_lease_by')
        batch_op.drop_column('timer_lease_until')
