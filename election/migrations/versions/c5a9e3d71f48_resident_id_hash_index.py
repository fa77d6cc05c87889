"""drop the resident index on id_hash alone, which the unique (election_id, id_hash) serves

Every lookup by ID hash also names the election (the import's on-roll check, one-roll-only,
search_voters), which the unique index serves; the single-column index was written on every
insert, in the hashes' random order (a roll import of 100,000 residents inserts 100,000 keys
all over it). ix_resident_election_id stays: it serves the import's added residents
(election_id = ? AND id > ?, ordered by id) and max(id) as a seek.

Revision ID: c5a9e3d71f48
Revises: c7a2e5f19d43
Create Date: 2026-11-30 14:40:00.000000
"""
from alembic import op


revision = 'c5a9e3d71f48'
down_revision = 'c7a2e5f19d43'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_id_hash'))


def downgrade() -> None:
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_id_hash'), ['id_hash'], unique=False)
