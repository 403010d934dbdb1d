"""Complaint receipts (受理编号), as objections have; a round's audit entries found by their subject

Revision ID: b6d2f0a4c817
Revises: b4d6f8a0c215
Create Date: 2026-12-02 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6d2f0a4c817'
down_revision = 'b4d6f8a0c215'
branch_labels = None
depends_on = None

ROUND_EVENTS = "action IN ('round_open', 'round_change', 'round_close')"


def upgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt', sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_complaint_receipt'), ['receipt'])

    # Not in a batch: the audit table keeps its append-only triggers (security/audit_guard.py).
    op.create_index('ix_audit_event_round', 'audit_event', ['element_id'], unique=False,
                    postgresql_where=sa.text(ROUND_EVENTS), sqlite_where=sa.text(ROUND_EVENTS))


def downgrade():
    op.drop_index('ix_audit_event_round', table_name='audit_event')

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_complaint_receipt'), type_='unique')
        batch_op.drop_column('receipt')
