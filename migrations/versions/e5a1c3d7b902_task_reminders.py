"""a task is reminded a day before its time limit and escalated once overdue, each once

Revision ID: e5a1c3d7b902
Revises: d0616655ad9b
Create Date: 2026-12-02 01:35:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e5a1c3d7b902'
down_revision = 'd0616655ad9b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('reminded_at')
