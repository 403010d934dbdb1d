"""Round lists (拟入库名单 as one notice), objection receipts and the case each concerns, round texts

Revision ID: 3ac4b4917723
Revises: a3c5e7f9b104
Create Date: 2026-12-02 01:33:43.412474

"""
from alembic import op
import sqlalchemy as sa

import webapp.models


# revision identifiers, used by Alembic.
revision = '3ac4b4917723'
down_revision = 'a3c5e7f9b104'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notice_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('district', sa.String(length=20), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=True),
    sa.Column('template', sa.String(length=80), nullable=False),
    sa.Column('message', sa.String(length=80), nullable=False),
    sa.Column('created_at', webapp.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_notice_entry_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_notice_entry_notice_id_notice')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_notice_entry_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_entry')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_notice_entry_instance_id'))
    )
    with op.batch_alter_table('notice_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_entry_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_entry_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('published_by', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_notice_round_id'), ['round_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notice_round_id_round'), 'round', ['round_id'], ['id'])

    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('receipt', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_objection_instance_id'), ['instance_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_objection_receipt'), ['receipt'])
        batch_op.create_foreign_key(batch_op.f('fk_objection_instance_id_process_instance'), 'process_instance', ['instance_id'], ['id'])
    # An objection filed before this revision concerns its notice's own case.
    op.execute("UPDATE objection SET instance_id = (SELECT notice.instance_id FROM notice WHERE notice.id = objection.notice_id)")

    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attachment_ids', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('closed_early_at', webapp.models.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('closed_early_at')
        batch_op.drop_column('attachment_ids')
        batch_op.drop_column('body')

    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_objection_instance_id_process_instance'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_objection_receipt'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_objection_instance_id'))
        batch_op.drop_column('receipt')
        batch_op.drop_column('instance_id')

    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notice_round_id_round'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notice_round_id'))
        batch_op.drop_column('published_by')
        batch_op.drop_column('details')
        batch_op.drop_column('round_id')

    with op.batch_alter_table('notice_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_entry_round_id'))
        batch_op.drop_index(batch_op.f('ix_notice_entry_notice_id'))

    op.drop_table('notice_entry')
