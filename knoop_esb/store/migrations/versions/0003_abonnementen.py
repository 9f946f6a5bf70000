"""Area subscriptions (woonplaatsen, postcode ranges, gemeenten) and the woonplaats → gemeente
table the operator loads from CSV, for the distribution of kennisgevingen; a one-row version
counter of both (the processes' in-memory area index).

Revision ID: abonnementen
Revises: 0002
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "abonnementen"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "gebied_abonnement",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("afnemer_oin", sa.String(length=20), nullable=False),
        sa.Column("soort", sa.String(length=16), nullable=False),
        sa.Column("waarde", sa.String(length=100), nullable=False),
        sa.Column("sleutel", sa.String(length=100), nullable=False),
        sa.Column("tot", sa.String(length=10), nullable=False, server_default=""),
        sa.Column("sinds", TS, nullable=False),
        sa.Column("bron", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gebied_abonnement")),
        sa.UniqueConstraint("afnemer_oin", "soort", "sleutel", "tot", name="uq_gebied_abonnement_gebied"),
    )
    op.create_table(
        "woonplaats_gemeente",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("woonplaats", sa.String(length=100), nullable=False),
        sa.Column("woonplaats_norm", sa.String(length=100), nullable=False),
        sa.Column("gemeentecode", sa.String(length=4), nullable=False),
        sa.Column("gemeentenaam", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_woonplaats_gemeente")),
        sa.UniqueConstraint("woonplaats_norm", "gemeentecode", name="uq_woonplaats_gemeente_paar"),
    )
    with op.batch_alter_table("woonplaats_gemeente") as batch_op:
        batch_op.create_index("ix_woonplaats_gemeente_gemeentecode", ["gemeentecode"], unique=False)
    op.create_table(
        "abonnement_versie",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("versie", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abonnement_versie")),
    )


def downgrade() -> None:
    op.drop_table("abonnement_versie")
    with op.batch_alter_table("woonplaats_gemeente") as batch_op:
        batch_op.drop_index("ix_woonplaats_gemeente_gemeentecode")
    op.drop_table("woonplaats_gemeente")
    op.drop_table("gebied_abonnement")
