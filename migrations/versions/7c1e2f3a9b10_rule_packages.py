"""rule packages: a version keeps its lists, parameters and scenarios with its forms; who approved it;
the workspace's drafts; whether a complaint started its provider's removal; rule changes waiting for a second person's approval

Revision ID: 7c1e2f3a9b10
Revises: 56181b8c3b78
Create Date: 2026-12-01 22:30:00

A version deployed before this migration kept its forms but read its choice lists from forms/lists/ on
the server: it is given the lists found there now, which is what it was reading.
"""
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = '7c1e2f3a9b10'
down_revision = '56181b8c3b78'
branch_labels = None
depends_on = None

LISTS = Path(__file__).resolve().parents[2] / "forms" / "lists"


def upgrade():
    op.create_table(
        'package_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('updated_by', sa.String(length=80), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_package_draft')),
        sa.UniqueConstraint('key', name=op.f('uq_package_draft_key')))
    op.create_table(
        'rule_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('confirm_policy_change', sa.Boolean(), nullable=False),
        sa.Column('author', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.String(length=80), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('opinion', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_rule_change_instance_id_process_instance')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_change')))
    with op.batch_alter_table('rule_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rule_change_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_rule_change_status'), ['status'], unique=False)
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_removal', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lists', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('parameters', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('scenarios', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.String(length=80), nullable=True))
    lists = {p.stem: p.read_text(encoding="utf-8") for p in sorted(LISTS.glob("*.yaml"))}
    table = sa.table('process_definition', sa.column('lists', sa.JSON()))
    op.execute(table.update().values(lists=lists))
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.alter_column('lists', existing_type=sa.JSON(), nullable=False)
        # a restore brings an older version's content back as a new version
        batch_op.drop_constraint('uq_process_definition_key_content_hash', type_='unique')
        batch_op.create_index('ix_process_definition_key_hash', ['key', 'content_hash'], unique=False)


def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('started_removal')
    op.drop_table('rule_change')
    op.drop_table('package_draft')
    with op.batch_alter_table('process_definition', schema=None) as batch_op:
        batch_op.drop_index('ix_process_definition_key_hash')
        batch_op.create_unique_constraint('uq_process_definition_key_content_hash', ['key', 'content_hash'])
        batch_op.drop_column('approved_by')
        batch_op.drop_column('scenarios')
        batch_op.drop_column('parameters')
        batch_op.drop_column('lists')
