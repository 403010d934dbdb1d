"""oversight (issue 17): the dashboard's counts and step times as of their last refresh, and the open tasks
by due date (当前超期, oldest first)

Revision ID: 0a8059bf6921
Revises: b6d2f0a4c817
Create Date: 2026-12-02 03:27:51.143482

"""
from alembic import op
import sqlalchemy as sa

import webapp.models


# revision identifiers, used by Alembic.
revision = '0a8059bf6921'
down_revision = 'b6d2f0a4c817'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oversight_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('district', sa.String(length=20), nullable=True),
    sa.Column('key', sa.String(length=120), nullable=True),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oversight_count'))
    )
    with op.batch_alter_table('oversight_count', schema=None) as batch_op:
        batch_op.create_index('ix_oversight_count_process', ['process_key', 'measure'], unique=False)

    op.create_table('oversight_refresh',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('computed_at', webapp.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oversight_refresh'))
    )
    op.create_table('oversight_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=120), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('district', sa.String(length=20), nullable=True),
    sa.Column('tasks', sa.Integer(), nullable=False),
    sa.Column('median_s', sa.Float(), nullable=False),
    sa.Column('p90_s', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oversight_time'))
    )
    with op.batch_alter_table('oversight_time', schema=None) as batch_op:
        batch_op.create_index('ix_oversight_time_definition', ['definition_id', 'round_id', 'year', 'district'], unique=False)

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_open_due', ['due_at', 'id', 'instance_id'], unique=False, postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))



def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_open_due', postgresql_where=sa.text("state = 'open'"), sqlite_where=sa.text("state = 'open'"))

    with op.batch_alter_table('oversight_time', schema=None) as batch_op:
        batch_op.drop_index('ix_oversight_time_definition')

    op.drop_table('oversight_time')
    op.drop_table('oversight_refresh')
    with op.batch_alter_table('oversight_count', schema=None) as batch_op:
        batch_op.drop_index('ix_oversight_count_process')

    op.drop_table('oversight_count')
