"""routine draft keeps its scope tags and interval until published, discarded drafts

A draft of a routine in force stores the coordinator's new scope, tags and review interval
(applied when it is published); a draft can be discarded (status 'discarded', no number).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 15:21:25.686754

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_STATUS = "status IN ('draft', 'published', 'archived')"
NEW_STATUS = "status IN ('draft', 'published', 'archived', 'discarded')"
OLD_NUMBER = "(status = 'draft') = (number IS NULL)"
NEW_NUMBER = "(status IN ('draft', 'discarded')) = (number IS NULL)"


def _replace_checks(status: str, number: str) -> None:
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_routine_version_status"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("ck_routine_version_number_when_published"), type_="check"
        )
        batch_op.create_check_constraint("status", status)
        batch_op.create_check_constraint("number_when_published", number)


def upgrade() -> None:
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_whole_company", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("draft_department_ids", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("draft_tags", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("draft_review_interval_months", sa.Integer(), nullable=True))
    _replace_checks(NEW_STATUS, NEW_NUMBER)


def downgrade() -> None:
    # The old schema has no discarded status: a discarded draft becomes a draft again.
    op.execute("UPDATE routine_version SET status = 'draft' WHERE status = 'discarded'")
    _replace_checks(OLD_STATUS, OLD_NUMBER)
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.drop_column("draft_review_interval_months")
        batch_op.drop_column("draft_tags")
        batch_op.drop_column("draft_department_ids")
        batch_op.drop_column("draft_whole_company")
