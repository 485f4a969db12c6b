"""issue 14 tokens (expiry, last use, revocation) and deliveries (retrying, soft-deleted endpoints) (placeholder: filled in by the change that needs it)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
