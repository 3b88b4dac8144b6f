"""deviation attachment belongs to its comment

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 15:16:21.725668

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deviation_attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_deviation_attachment_comment_id_deviation_comment"),
            "deviation_comment",
            ["comment_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("deviation_attachment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_deviation_attachment_comment_id_deviation_comment"), type_="foreignkey"
        )
        batch_op.drop_column("comment_id")
