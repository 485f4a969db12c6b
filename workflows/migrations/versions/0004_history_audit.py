"""issue 14 tamper-evident history and retention (nFADP/LPD)

- `history`: `digest` (salted digest of the row's values), `row_hash` (the chain)
  and `erased_at`; `instance`: `history_head` (the chain head), `history_salt`
  (the case's key for the digests) and `purged_at`; an index for the retention
  sweep; `definition`: `history_ttl_days` (camunda:historyTimeToLive).
- `access_log`: a list read is one row naming the cases it showed (`listed`), so
  its `object_id` and `instance_id` may be empty.

Existing cases get a key and their rows are chained as they stand, and existing
definitions read their TTL from their stored BPMN file, so `ciiflow audit verify`
and the retention sweep cover what was recorded before this migration.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

import engine.store.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history_ttl_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('history_head', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('history_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('purged_at', engine.store.models.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index('ix_instance_retention', ['definition_id', 'ended_at'],
                              unique=False)
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('erased_at', engine.store.models.UTCDateTime(),
                                      nullable=True))
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.JSON(), nullable=True))
        batch_op.alter_column('object_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.alter_column('instance_id', existing_type=sa.String(length=36), nullable=True)
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    """Chain what is already recorded, and read the TTL of what is already deployed."""
    from engine.runtime import audit, retention

    meta = sa.MetaData()
    definition = sa.Table('definition', meta, autoload_with=conn)
    instance = sa.Table('instance', meta, autoload_with=conn)
    history = sa.Table('history', meta, autoload_with=conn)
    for d in conn.execute(sa.select(definition.c.id, definition.c.key, definition.c.resources,
                                    definition.c.bpmn_resource)).all():
        source = (d.resources or {}).get(d.bpmn_resource)
        ttl = retention.history_ttl(source.encode(), d.key) if source else None
        if ttl is not None:
            conn.execute(definition.update().where(definition.c.id == d.id)
                         .values(history_ttl_days=ttl))
    for i in conn.execute(sa.select(instance.c.id)).all():
        salt = engine.store.models.new_salt()
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(history.c.id, history.c.instance_id, history.c.seq, history.c.at,
                      history.c.kind, history.c.actor, history.c.activity_id,
                      history.c.task_id, history.c.detail)
            .where(history.c.instance_id == i.id).order_by(history.c.seq))]
        for row in rows:  # the column reflects naive: it holds UTC
            row["at"] = row["at"].replace(tzinfo=UTC) if row["at"].tzinfo is None else row["at"]
        head = audit.chain(rows, None, salt) if rows else None
        for row in rows:
            conn.execute(history.update().where(history.c.id == row["id"])
                         .values(digest=row["digest"], row_hash=row["row_hash"]))
        conn.execute(instance.update().where(instance.c.id == i.id)
                     .values(history_salt=salt, history_head=head))


def downgrade() -> None:
    op.execute("DELETE FROM access_log WHERE instance_id IS NULL OR object_id IS NULL")
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.alter_column('instance_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column('object_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column('listed')
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('row_hash')
        batch_op.drop_column('digest')
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_retention')
        batch_op.drop_column('purged_at')
        batch_op.drop_column('history_salt')
        batch_op.drop_column('history_head')
    with op.batch_alter_table('definition', schema=None) as batch_op:
        batch_op.drop_column('history_ttl_days')
