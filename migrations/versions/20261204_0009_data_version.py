"""data version: one row whose token changes with every write to the company's records

The rule engine's report for a day is cached under the token it was computed on
(hms_tracker.db.DataVersion, rules/facts.py ReportCache).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 15:50:00

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "token": secrets.token_hex(16)}])


def downgrade() -> None:
    op.drop_table("data_version")
