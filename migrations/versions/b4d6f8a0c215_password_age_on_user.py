"""The password's age and a reset's mark kept on the account (read on every page, not from the history)

Revision ID: b4d6f8a0c215
Revises: 3ac4b4917723
Create Date: 2026-12-02 03:30:00

"""
from alembic import op
import sqlalchemy as sa

import webapp.models


# revision identifiers, used by Alembic.
revision = 'b4d6f8a0c215'
down_revision = '3ac4b4917723'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_changed_at', webapp.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('password_temporary', sa.Boolean(), server_default=sa.false(), nullable=False))
    # What the newest row of each account's password history said.
    op.execute("""
        UPDATE "user" SET password_changed_at = latest.created_at, password_temporary = latest.temporary
        FROM (SELECT DISTINCT ON (user_id) user_id, created_at, temporary FROM password_history
              ORDER BY user_id, id DESC) AS latest
        WHERE latest.user_id = "user".id
    """ if op.get_bind().dialect.name == "postgresql" else """
        UPDATE "user" SET
          password_changed_at = (SELECT created_at FROM password_history h WHERE h.user_id = "user".id
                                 ORDER BY h.id DESC LIMIT 1),
          password_temporary = COALESCE((SELECT temporary FROM password_history h WHERE h.user_id = "user".id
                                         ORDER BY h.id DESC LIMIT 1), 0)
    """)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('password_temporary')
        batch_op.drop_column('password_changed_at')
