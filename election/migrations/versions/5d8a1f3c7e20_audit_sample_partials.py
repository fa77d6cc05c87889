"""audit sample partials: the trustees' partial decryptions of an audit's drawn papers

Revision ID: 5d8a1f3c7e20
Revises: 3c1e0a7d5b92
Create Date: 2026-11-30 11:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5d8a1f3c7e20'
down_revision = '3c1e0a7d5b92'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rla_audit_partial',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('trustee', sa.Integer(), nullable=False),
    sa.Column('partials', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['rla_audit.id'], name=op.f('fk_rla_audit_partial_audit_id_rla_audit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rla_audit_partial')),
    sa.UniqueConstraint('audit_id', 'trustee', name=op.f('uq_rla_audit_partial_audit_id_trustee'))
    )
    with op.batch_alter_table('rla_audit_partial', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rla_audit_partial_audit_id'), ['audit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rla_audit_partial', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rla_audit_partial_audit_id'))
    op.drop_table('rla_audit_partial')
