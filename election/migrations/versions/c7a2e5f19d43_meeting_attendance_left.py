"""a person recorded leaving a meeting (meeting_attendance.left_at, left_by)

Revision ID: c7a2e5f19d43
Revises: 8e3f1b6a4c27
Create Date: 2026-11-30 14:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'c7a2e5f19d43'
down_revision = '8e3f1b6a4c27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('left_by', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_column('left_by')
        batch_op.drop_column('left_at')
