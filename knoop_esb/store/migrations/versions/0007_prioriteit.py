"""Priority refresh and bulk load: the criteria columns of mac_versie (rechtsvorm, oprichting,
werkzame_personen, sbi_codes, economisch_actief, actief), partial indexes on the actual rows'
fetched_at, operator labels on companies (bedrijf_label) and the load checkpoint (laad_voortgang).

Revision ID: prioriteit
Revises: sync
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = "prioriteit"
down_revision = "sync"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('bedrijf_label',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kvk_nummer', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bedrijf_label')),
    sa.UniqueConstraint('kvk_nummer', 'label', name='uq_bedrijf_label_kvk_nummer_label')
    )
    with op.batch_alter_table('bedrijf_label', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bedrijf_label_label'), ['label'], unique=False)

    op.create_table('laad_voortgang',
    sa.Column('bestand', sa.String(length=64), nullable=False),
    sa.Column('pad', sa.String(length=1000), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('regel', sa.Integer(), nullable=False),
    sa.Column('bedrijven', sa.Integer(), nullable=False),
    sa.Column('nieuw', sa.Integer(), nullable=False),
    sa.Column('gewijzigd', sa.Integer(), nullable=False),
    sa.Column('ongewijzigd', sa.Integer(), nullable=False),
    sa.Column('fouten', sa.Integer(), nullable=False),
    sa.Column('fout_regels', sa.Text(), nullable=False),
    sa.Column('klaar', sa.Boolean(), nullable=False),
    sa.Column('bijgewerkt', TS, nullable=False),
    sa.PrimaryKeyConstraint('bestand', name=op.f('pk_laad_voortgang'))
    )
    with op.batch_alter_table('mac_versie', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rechtsvorm', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('oprichting', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('werkzame_personen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sbi_codes', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('economisch_actief', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('actief', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_mac_versie_verversing', ['fetched_at'], unique=False, sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))

    with op.batch_alter_table('ves_versie', schema=None) as batch_op:
        batch_op.create_index('ix_ves_versie_verversing', ['fetched_at'], unique=False, sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))



def downgrade() -> None:
    with op.batch_alter_table('ves_versie', schema=None) as batch_op:
        batch_op.drop_index('ix_ves_versie_verversing', sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))

    with op.batch_alter_table('mac_versie', schema=None) as batch_op:
        batch_op.drop_index('ix_mac_versie_verversing', sqlite_where=sa.text('actueel'), postgresql_where=sa.text('actueel'))
        batch_op.drop_column('actief')
        batch_op.drop_column('economisch_actief')
        batch_op.drop_column('sbi_codes')
        batch_op.drop_column('werkzame_personen')
        batch_op.drop_column('oprichting')
        batch_op.drop_column('rechtsvorm')

    op.drop_table('laad_voortgang')
    with op.batch_alter_table('bedrijf_label', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bedrijf_label_label'))

    op.drop_table('bedrijf_label')
