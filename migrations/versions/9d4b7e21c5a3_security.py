"""security (issue 16): revocable sessions and tokens, login throttling, password history; the audit
trail's source address and result, and triggers that make it append-only in the database

Revision ID: 9d4b7e21c5a3
Revises: 7c1e2f3a9b10
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '9d4b7e21c5a3'
down_revision = '7c1e2f3a9b10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_session',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('source_ip', sa.String(length=45), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')))
    op.create_index(op.f('ix_user_session_user_id'), 'user_session', ['user_id'])
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=130), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')))
    op.create_table(
        'password_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('temporary', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_history_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_history')))
    op.create_index(op.f('ix_password_history_user_id'), 'password_history', ['user_id'])
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('source_ip', sa.String(length=45), nullable=True))
        batch.add_column(sa.Column('result', sa.String(length=20), nullable=True))
    from webapp.security import audit_guard
    audit_guard.install(op.get_bind())


def downgrade():
    from webapp.security import audit_guard
    audit_guard.remove(op.get_bind())
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_column('result')
        batch.drop_column('source_ip')
    op.drop_table('password_history')
    op.drop_table('login_throttle')
    op.drop_table('user_session')
