"""Received kennisgevingen (OntvangAsynchroon): one row per accepted Lk01, and per zender the
last tijdstipBericht (StUF016 / StUF019 across restarts and node processes).

Revision ID: ontvangst
Revises: abonnementen
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "ontvangst"
down_revision = "abonnementen"
branch_labels = None
depends_on = None

# Plain column types, so this migration never changes when application types do.
TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ontvangen_kennisgeving",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("zender_organisatie", sa.String(length=200), nullable=False),
        sa.Column("zender_applicatie", sa.String(length=50), nullable=False),
        sa.Column("zender_administratie", sa.String(length=50), nullable=False),
        sa.Column("referentienummer", sa.String(length=40), nullable=False),
        sa.Column("tijdstip_bericht", sa.String(length=17), nullable=False),
        sa.Column("afnemer_oin", sa.String(length=20), nullable=False),
        sa.Column("berichtcode", sa.String(length=10), nullable=False),
        sa.Column("entiteittype", sa.String(length=10), nullable=False),
        sa.Column("mutatiesoort", sa.String(length=1), nullable=False),
        sa.Column("indicator_overname", sa.String(length=1), nullable=False),
        sa.Column("object_sleutel", sa.String(length=40), nullable=False),
        sa.Column("ontvangen_op", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ontvangen_kennisgeving")),
        sa.UniqueConstraint("zender_organisatie", "zender_applicatie", "zender_administratie", "referentienummer",
                            name="uq_ontvangen_kennisgeving_referentie"),
    )
    with op.batch_alter_table("ontvangen_kennisgeving") as batch_op:
        batch_op.create_index("ix_ontvangen_kennisgeving_object", ["entiteittype", "object_sleutel"], unique=False)
    op.create_table(
        "ontvangst_zender",
        sa.Column("organisatie", sa.String(length=200), nullable=False),
        sa.Column("applicatie", sa.String(length=50), nullable=False),
        sa.Column("administratie", sa.String(length=50), nullable=False),
        sa.Column("laatste_tijdstip", sa.String(length=17), nullable=True),
        sa.Column("laatste_referentienummer", sa.String(length=40), nullable=True),
        sa.Column("bijgewerkt", TS, nullable=False),
        sa.PrimaryKeyConstraint("organisatie", "applicatie", "administratie", name=op.f("pk_ontvangst_zender")),
    )


def downgrade() -> None:
    op.drop_table("ontvangst_zender")
    with op.batch_alter_table("ontvangen_kennisgeving") as batch_op:
        batch_op.drop_index("ix_ontvangen_kennisgeving_object")
    op.drop_table("ontvangen_kennisgeving")
