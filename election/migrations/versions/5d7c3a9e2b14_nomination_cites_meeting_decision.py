"""nomination cites the meeting's decision

Revision ID: 5d7c3a9e2b14
Revises: 5d8a1f3c7e20
Create Date: 2026-11-30 11:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5d7c3a9e2b14'
down_revision = '5d8a1f3c7e20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_decision_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_nomination_meeting_decision_id_meeting_decision'),
                                    'meeting_decision', ['meeting_decision_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_nomination_meeting_decision_id_meeting_decision'), type_='foreignkey')
        batch_op.drop_column('meeting_decision_id')
