"""task operations (委派 keeps the delegator), 站内信, the mail/SMS outbox, 抄送, 暂存 drafts; a person's e-mail,
mobile, notification channels and language

Revision ID: d0616655ad9b
Revises: 9d4b7e21c5a3
Create Date: 2026-12-02 00:34:36.444850

"""
import sqlalchemy as sa
from alembic import op


revision = 'd0616655ad9b'
down_revision = '9d4b7e21c5a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['username', 'id'], unique=False, postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_notification_username'), ['username'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=120), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['next_attempt_at', 'id'], unique=False, postgresql_where=sa.text('sent_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL'))

    op.create_table('carbon_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('sent_by', sa.String(length=80), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_carbon_copy_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_carbon_copy_task_id_human_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carbon_copy')),
    sa.UniqueConstraint('instance_id', 'username', 'task_id', name=op.f('uq_carbon_copy_instance_id_username_task_id'))
    )
    with op.batch_alter_table('carbon_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carbon_copy_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_carbon_copy_username'), ['username'], unique=False)

    op.create_table('task_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_task_draft_task_id_human_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_draft')),
    sa.UniqueConstraint('task_id', 'username', name=op.f('uq_task_draft_task_id_username'))
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delegated_by', sa.String(length=80), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('channels', sa.JSON(), nullable=False, server_default='["email"]'))
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=False, server_default='zh'))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('channels')
        batch_op.drop_column('mobile')
        batch_op.drop_column('email')

    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('delegated_by')

    op.drop_table('task_draft')
    with op.batch_alter_table('carbon_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carbon_copy_username'))
        batch_op.drop_index(batch_op.f('ix_carbon_copy_instance_id'))

    op.drop_table('carbon_copy')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_due', postgresql_where=sa.text('sent_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_username'))
        batch_op.drop_index('ix_notification_user_unread', postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))

    op.drop_table('notification')
