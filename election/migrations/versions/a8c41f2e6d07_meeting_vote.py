"""a meeting's motion voted on secret paper (meeting_vote)

Revision ID: a8c41f2e6d07
Revises: 5d7c3a9e2b14
Create Date: 2026-11-30 11:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8c41f2e6d07'
down_revision = '5d7c3a9e2b14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('meeting_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('motion', sa.Text(), nullable=False),
    sa.Column('electors', sa.Integer(), nullable=True),
    sa.Column('last_attendance', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('called_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['meeting_decision.id'], name=op.f('fk_meeting_vote_decision_id_meeting_decision')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_meeting_vote_election_id_election')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_vote_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_vote')),
    sa.UniqueConstraint('election_id', 'round_number', name=op.f('uq_meeting_vote_election_id_round_number'))
    )
    with op.batch_alter_table('meeting_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_vote_election_id'), ['election_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_vote_meeting_id'), ['meeting_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('meeting_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_vote_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_vote_election_id'))
    op.drop_table('meeting_vote')
