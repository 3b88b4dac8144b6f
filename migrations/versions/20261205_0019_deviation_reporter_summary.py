"""deviation reporter summary: what the handler writes for the reporter when closing

Shown to the reporter (logged in, or with the receipt code) with the actions done and
whether they worked, and put in the closure e-mail. Nullable: closing requires nothing new,
and the cases closed before have none.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_summary", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.drop_column("reporter_summary")
