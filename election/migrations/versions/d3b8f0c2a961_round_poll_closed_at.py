"""a round's close of poll on its row (ballot_round.poll_closed_at): desks and boxes refuse after it

Revision ID: d3b8f0c2a961
Revises: c5a9e3d71f48
Create Date: 2026-11-30 21:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'd3b8f0c2a961'
down_revision = 'c5a9e3d71f48'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ballot_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poll_closed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ballot_round', schema=None) as batch_op:
        batch_op.drop_column('poll_closed_at')
