"""routines: versions, scope, tags, reviews, read-acknowledgements, attachments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:18:41.791537

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "routine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("whole_company", sa.Boolean(), nullable=False),
        sa.Column("review_interval_months", sa.Integer(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("archived_on", sa.Date(), nullable=True),
        sa.Column("archived_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "review_interval_months >= 1 AND review_interval_months <= 120",
            name=op.f("ck_routine_review_interval"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_routine_owner_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine")),
    )
    with op.batch_alter_table("routine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_next_review_on"), ["next_review_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_routine_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routine_title"), ["title"], unique=False)

    op.create_table(
        "routine_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_person_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["routine_id"], ["routine.id"], name=op.f("fk_routine_attachment_routine_id_routine")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_person_id"],
            ["person.id"],
            name=op.f("fk_routine_attachment_uploaded_by_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_attachment")),
    )
    with op.batch_alter_table("routine_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_attachment_routine_id"), ["routine_id"], unique=False
        )

    op.create_table(
        "routine_department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_routine_department_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["routine_id"], ["routine.id"], name=op.f("fk_routine_department_routine_id_routine")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_department")),
        sa.UniqueConstraint(
            "routine_id", "department_id", name=op.f("uq_routine_department_routine_id")
        ),
    )
    with op.batch_alter_table("routine_department", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_department_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_routine_department_routine_id"), ["routine_id"], unique=False
        )

    op.create_table(
        "routine_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewer_person_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('no_change', 'new_version')", name=op.f("ck_routine_review_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_person_id"],
            ["person.id"],
            name=op.f("fk_routine_review_reviewer_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["routine_id"], ["routine.id"], name=op.f("fk_routine_review_routine_id_routine")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_review")),
    )
    with op.batch_alter_table("routine_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_review_routine_id"), ["routine_id"], unique=False
        )

    op.create_table(
        "routine_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["routine_id"], ["routine.id"], name=op.f("fk_routine_tag_routine_id_routine")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_tag")),
        sa.UniqueConstraint("routine_id", "tag", name=op.f("uq_routine_tag_routine_id")),
    )
    with op.batch_alter_table("routine_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routine_tag_routine_id"), ["routine_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routine_tag_tag"), ["tag"], unique=False)

    op.create_table(
        "routine_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("change_note", sa.String(length=1000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_person_id", sa.Integer(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_person_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'draft') = (number IS NULL)",
            name=op.f("ck_routine_version_number_when_published"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'archived')", name=op.f("ck_routine_version_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_person_id"],
            ["person.id"],
            name=op.f("fk_routine_version_created_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_person_id"],
            ["person.id"],
            name=op.f("fk_routine_version_published_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["routine_id"], ["routine.id"], name=op.f("fk_routine_version_routine_id_routine")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_version")),
        sa.UniqueConstraint("routine_id", "number", name=op.f("uq_routine_version_routine_id")),
    )
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_version_routine_id"), ["routine_id"], unique=False
        )

    op.create_table(
        "routine_acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("routine_version_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_routine_acknowledgement_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["routine_version_id"],
            ["routine_version.id"],
            name=op.f("fk_routine_acknowledgement_routine_version_id_routine_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_acknowledgement")),
        sa.UniqueConstraint(
            "routine_version_id",
            "person_id",
            name=op.f("uq_routine_acknowledgement_routine_version_id"),
        ),
    )
    with op.batch_alter_table("routine_acknowledgement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routine_acknowledgement_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_routine_acknowledgement_routine_version_id"),
            ["routine_version_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("routine_acknowledgement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_acknowledgement_routine_version_id"))
        batch_op.drop_index(batch_op.f("ix_routine_acknowledgement_person_id"))

    op.drop_table("routine_acknowledgement")
    with op.batch_alter_table("routine_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_version_routine_id"))

    op.drop_table("routine_version")
    with op.batch_alter_table("routine_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_tag_tag"))
        batch_op.drop_index(batch_op.f("ix_routine_tag_routine_id"))

    op.drop_table("routine_tag")
    with op.batch_alter_table("routine_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_review_routine_id"))

    op.drop_table("routine_review")
    with op.batch_alter_table("routine_department", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_department_routine_id"))
        batch_op.drop_index(batch_op.f("ix_routine_department_department_id"))

    op.drop_table("routine_department")
    with op.batch_alter_table("routine_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_attachment_routine_id"))

    op.drop_table("routine_attachment")
    with op.batch_alter_table("routine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routine_title"))
        batch_op.drop_index(batch_op.f("ix_routine_owner_id"))
        batch_op.drop_index(batch_op.f("ix_routine_next_review_on"))

    op.drop_table("routine")
