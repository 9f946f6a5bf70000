"""The outbox per afnemer *endpoint*: one afnemer may have several delivery endpoints (a
gegevensmagazijn and a backoffice application), each with its own order of kennisgevingen.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot change a unique constraint in place.
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("endpoint", sa.String(length=64), nullable=False, server_default=""))
        batch.drop_constraint("uq_outbox_volgorde", type_="unique")
        batch.create_unique_constraint(
            "uq_outbox_volgorde", ["afnemer_oin", "endpoint", "entiteittype", "object_sleutel", "volgnummer"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_volgorde", type_="unique")
        batch.create_unique_constraint("uq_outbox_volgorde", ["afnemer_oin", "entiteittype", "object_sleutel", "volgnummer"])
        batch.drop_column("endpoint")
