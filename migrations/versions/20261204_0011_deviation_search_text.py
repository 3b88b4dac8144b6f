"""deviation search text: title, description and place in lower case in one column

The deviation list's search reads one plain column with LIKE instead of calling lower()
on three columns of every row (on SQLite a Python function: 100,000 deviations took
about 300 ms). Kept by the model's mapper events; filled here for the rows there are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    # In Python, as the model writes it (str.lower(): the same folding for every language).
    connection = op.get_bind()
    table = sa.table(
        "deviation",
        sa.column("id", sa.Integer()),
        sa.column("title", sa.String()),
        sa.column("description", sa.Text()),
        sa.column("place", sa.String()),
        sa.column("search_text", sa.Text()),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.title, table.c.description, table.c.place)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")),
            [
                {
                    "row_id": row_id,
                    "search_text": "\n".join((title or "", description or "", place or "")).lower(),
                }
                for row_id, title, description, place in rows
            ],
        )
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.drop_column("search_text")
