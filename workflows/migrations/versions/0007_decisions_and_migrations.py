"""issue 11: decisions versioned on their own (decision_definition)

A business rule task bound `latest`, `version` or `versionTag` resolves its
decision in this table when it runs (Camunda 7's decision definitions), so a
corrected DMN table reaches running cases without a new process version.
Migrating running cases needs no table of its own: each case's move is a
`migrated` history row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'decision_definition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('version_tag', sa.String(length=255), nullable=True),
        sa.Column('name', sa.String(length=255), nullable=True),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.Column('resource', sa.String(length=255), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('deployed_at', engine.store.models.UTCDateTime(), nullable=False),
        sa.Column('deployed_by', sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key', 'version', name='uq_decision_definition_key_version'),
    )
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.create_index('ix_decision_definition_key_tag', ['key', 'version_tag'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decision_definition', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_definition_key_tag')
    op.drop_table('decision_definition')
