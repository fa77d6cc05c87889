"""supervisory committee members chosen by a meeting

Revision ID: 8e3f1b6a4c27
Revises: a8c41f2e6d07
Create Date: 2026-11-30 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '8e3f1b6a4c27'
down_revision = 'a8c41f2e6d07'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chosen_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=20), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('meeting_decision_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_chosen_member_election_id_election')),
    sa.ForeignKeyConstraint(['meeting_decision_id'], ['meeting_decision.id'], name=op.f('fk_chosen_member_meeting_decision_id_meeting_decision')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_chosen_member_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chosen_member')),
    sa.UniqueConstraint('election_id', 'post', 'resident_id', name=op.f('uq_chosen_member_election_id_post_resident_id'))
    )
    with op.batch_alter_table('chosen_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chosen_member_election_id'), ['election_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chosen_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chosen_member_election_id'))
    op.drop_table('chosen_member')
