"""issue 14 tokens (expiry, last use, revocation) and deliveries (retrying, soft-deleted endpoints)

Tokens move out of `principal` into `api_token`, one row per token, so a
principal may hold several and each is revoked, expires or is rotated on its
own; every existing principal keeps its token (the hash is copied). A
delivery that already failed an attempt and waits for the next one becomes
`retrying`; an endpoint gets `deleted_at` (removing it keeps its delivery log).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('principal_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', engine.store.models.UTCDateTime(), nullable=False),
        sa.Column('expires_at', engine.store.models.UTCDateTime(), nullable=True),
        sa.Column('revoked_at', engine.store.models.UTCDateTime(), nullable=True),
        sa.Column('last_used_at', engine.store.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['principal_id'], ['principal.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index('ix_api_token_principal', ['principal_id'], unique=False)
    op.execute("INSERT INTO api_token (principal_id, token_hash, created_at)"
               " SELECT id, token_hash, created_at FROM principal")
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.drop_column('token_hash')

    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', engine.store.models.UTCDateTime(),
                                      nullable=True))
    op.execute("UPDATE webhook_delivery SET status = 'retrying'"
               " WHERE status = 'pending' AND attempts > 0")


def downgrade() -> None:
    op.execute("UPDATE webhook_delivery SET status = 'pending' WHERE status = 'retrying'")
    # a deleted endpoint cannot come back (its secret is gone): drop it and its log
    op.execute("DELETE FROM webhook_attempt WHERE delivery_id IN (SELECT d.id FROM"
               " webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id"
               " WHERE e.deleted_at IS NOT NULL)")
    op.execute("DELETE FROM webhook_delivery WHERE endpoint_id IN (SELECT id FROM"
               " webhook_endpoint WHERE deleted_at IS NOT NULL)")
    op.execute("DELETE FROM webhook_endpoint WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    # each principal keeps its newest token (a revoked one when it has no other)
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
    op.execute("UPDATE principal SET token_hash = (SELECT t.token_hash FROM api_token t"
               " WHERE t.principal_id = principal.id"
               " ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id DESC LIMIT 1)")
    with op.batch_alter_table('principal', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.create_unique_constraint('uq_principal_token_hash', ['token_hash'])
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index('ix_api_token_principal')
    op.drop_table('api_token')
