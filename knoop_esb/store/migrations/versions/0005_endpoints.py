"""Delivery endpoints of store afnemers (``knoop-esb afnemers endpoint add``): the CLI's
counterpart of knoop.toml's [[afnemers.afnemer.endpoint]].

Revision ID: endpoints
Revises: ontvangst
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "endpoints"
down_revision = "ontvangst"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
JSONDOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "afnemer_endpoint",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("afnemer_oin", sa.String(length=20), nullable=False),
        sa.Column("naam", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("profiel", sa.String(length=16), nullable=False),
        sa.Column("trust_anchors", sa.String(length=500), nullable=False),
        sa.Column("timeout", sa.Float(), nullable=False),
        sa.Column("parallel", sa.Integer(), nullable=False),
        sa.Column("beginstand", sa.String(length=16), nullable=False),
        sa.Column("entiteittypen", JSONDOC, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["afnemer_oin"], ["afnemer.oin"], name=op.f("fk_afnemer_endpoint_afnemer_oin_afnemer"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_afnemer_endpoint")),
        sa.UniqueConstraint("afnemer_oin", "naam", name="uq_afnemer_endpoint_naam"),
    )


def downgrade() -> None:
    op.drop_table("afnemer_endpoint")
