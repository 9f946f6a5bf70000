"""Sync engine (seed 002): polled Mutatieservice windows (the high-water mark), the last run of
each scheduled job, APScheduler's job store, and the details of a signal next to its raw listing.

Revision ID: sync
Revises: endpoints
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "sync"
down_revision = "endpoints"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSONDOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table('kvk_poll_venster',
    sa.Column('id', BIGID, autoincrement=True, nullable=False),
    sa.Column('abonnement_id', sa.String(length=64), nullable=False),
    sa.Column('vanaf', TS, nullable=False),
    sa.Column('tot', TS, nullable=False),
    sa.Column('signalen', sa.Integer(), nullable=False),
    sa.Column('nieuw', sa.Integer(), nullable=False),
    sa.Column('gepolld_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kvk_poll_venster'))
    )
    with op.batch_alter_table('kvk_poll_venster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kvk_poll_venster_tot'), ['tot'], unique=False)

    op.create_table('sync_taak',
    sa.Column('taak_id', sa.String(length=64), nullable=False),
    sa.Column('gestart_at', TS, nullable=True),
    sa.Column('klaar_at', TS, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('laatste_fout', sa.Text(), nullable=True),
    sa.Column('laatste_fout_at', TS, nullable=True),
    sa.Column('samenvatting', JSONDOC, nullable=True),
    sa.PrimaryKeyConstraint('taak_id', name=op.f('pk_sync_taak'))
    )
    op.create_table('sync_rooster_job',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_rooster_job'))
    )
    with op.batch_alter_table('sync_rooster_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_rooster_job_next_run_time'), ['next_run_time'], unique=False)

    with op.batch_alter_table('kvk_signaal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', JSONDOC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kvk_signaal', schema=None) as batch_op:
        batch_op.drop_column('detail')
    with op.batch_alter_table('sync_rooster_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_rooster_job_next_run_time'))
    op.drop_table('sync_rooster_job')
    op.drop_table('sync_taak')
    with op.batch_alter_table('kvk_poll_venster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kvk_poll_venster_tot'))
    op.drop_table('kvk_poll_venster')
