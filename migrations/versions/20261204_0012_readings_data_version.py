"""readings data version: a second version row, for the routines' read-acknowledgements

Every acknowledgement changes row 2 (`db.READINGS`) instead of row 1 (the records): the
routines' coverage counts are cached under both, the rule engine's report under row 1
only, so an employee reading a routine leaves the gaps page's cache alone.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:40:00

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READINGS = 2


def upgrade() -> None:
    table = sa.table("data_version", sa.column("id", sa.Integer), sa.column("token", sa.String))
    op.execute(table.delete().where(table.c.id == READINGS))
    op.bulk_insert(table, [{"id": READINGS, "token": secrets.token_hex(16)}])


def downgrade() -> None:
    table = sa.table("data_version", sa.column("id", sa.Integer))
    op.execute(table.delete().where(table.c.id == READINGS))
