"""issue 12 stuck reasons: indexes for each reason, and since when a case waits for a message

Every stuck reason is read longest-waiting first through an index: idle cases by
(status, updated_at), open incidents by (status, opened_at), external tasks by
(state, created_at), message waits by their new `since` column. A subscription
written before this migration gets the last change of its case as its `since`
(the best known bound: the case has waited there at least since then). A
subscription of a boundary event or an event-subprocess start is marked `beside`:
the case listens there while it waits elsewhere. Rows written before this
migration are not marked (NULL, read as a wait) until their case's subscriptions
next change.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('since', engine.store.models.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column('beside', sa.Boolean(), nullable=True))
    op.execute("UPDATE message_subscription SET since = (SELECT instance.updated_at"
               " FROM instance WHERE instance.id = message_subscription.instance_id)")
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.create_index('ix_message_subscription_since', ['since'], unique=False)
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.create_index('ix_instance_status_updated', ['status', 'updated_at'],
                              unique=False)
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_status_opened', ['status', 'opened_at'],
                              unique=False)
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.create_index('ix_external_task_state_created', ['state', 'created_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.drop_index('ix_external_task_state_created')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_status_opened')
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_status_updated')
    with op.batch_alter_table('message_subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_message_subscription_since')
        batch_op.drop_column('beside')
        batch_op.drop_column('since')
