"""专家库: an expert's unit, fields of expertise and declared relations, for 回避 and the random draw

Revision ID: f7b2d4e6a813
Revises: e5a1c3d7b902
Create Date: 2026-12-02 01:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f7b2d4e6a813'
down_revision = 'e5a1c3d7b902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('expertise', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('related_codes', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('related_codes')
        batch_op.drop_column('expertise')
        batch_op.drop_column('unit')
