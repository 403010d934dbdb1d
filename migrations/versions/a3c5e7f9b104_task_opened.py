"""when a task was first opened by one who may do it (拿回 is possible only before)

Revision ID: a3c5e7f9b104
Revises: f7b2d4e6a813
Create Date: 2026-12-02 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a3c5e7f9b104'
down_revision = 'f7b2d4e6a813'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('opened_at')
