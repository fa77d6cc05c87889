"""recount records encrypted at entry

Revision ID: 7b2e9d41c0a3
Revises: e4d5c249296f
Create Date: 2026-11-30 07:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '7b2e9d41c0a3'
down_revision = 'e4d5c249296f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recount_record',
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('d_hash', sa.String(length=64), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('line', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_recount_record_election_id_election')),
    sa.PrimaryKeyConstraint('election_id', 'd_hash', name=op.f('pk_recount_record'))
    )


def downgrade() -> None:
    op.drop_table('recount_record')
