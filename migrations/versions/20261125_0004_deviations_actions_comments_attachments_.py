"""deviations, actions, comments, attachments, e-mail outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 14:17:13.004113

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_message_dedupe_key")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "deviation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("consequence", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("immediate_action", sa.Text(), nullable=True),
        sa.Column("caused_absence", sa.Boolean(), nullable=True),
        sa.Column("serious_injury", sa.Boolean(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_by_person_id", sa.Integer(), nullable=True),
        sa.Column("notification_note", sa.String(length=500), nullable=True),
        sa.Column("reporter_person_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("receipt_code_hash", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("responsible_person_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("actions_effect", sa.String(length=20), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "category IN ('personal_injury', 'near_miss', 'hazard', 'material_damage', "
            "'environment', 'psychosocial', 'routine_breach', 'other')",
            name=op.f("ck_deviation_category"),
        ),
        sa.CheckConstraint(
            "status IN ('registered', 'in_progress', 'actions', 'closed', 'rejected')",
            name=op.f("ck_deviation_status"),
        ),
        sa.CheckConstraint(
            "NOT anonymous OR reporter_person_id IS NULL",
            name=op.f("ck_deviation_anonymous_has_no_reporter"),
        ),
        sa.CheckConstraint("consequence BETWEEN 1 AND 5", name=op.f("ck_deviation_consequence")),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name=op.f("ck_deviation_probability")),
        sa.ForeignKeyConstraint(
            ["closed_by_person_id"],
            ["person.id"],
            name=op.f("fk_deviation_closed_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_deviation_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["notified_by_person_id"],
            ["person.id"],
            name=op.f("fk_deviation_notified_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_person_id"],
            ["person.id"],
            name=op.f("fk_deviation_reporter_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_person_id"],
            ["person.id"],
            name=op.f("fk_deviation_responsible_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deviation")),
        sa.UniqueConstraint("receipt_code_hash", name=op.f("uq_deviation_receipt_code_hash")),
    )
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deviation_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_deviation_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deviation_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deviation_reporter_person_id"), ["reporter_person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deviation_responsible_person_id"),
            ["responsible_person_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_deviation_status"), ["status"], unique=False)

    op.create_table(
        "reminder_digest",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_reminder_digest_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", "day", name=op.f("pk_reminder_digest")),
    )
    op.create_table(
        "corrective_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deviation_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deviation_id"],
            ["deviation.id"],
            name=op.f("fk_corrective_action_deviation_id_deviation"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_person_id"],
            ["person.id"],
            name=op.f("fk_corrective_action_owner_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_action")),
    )
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_corrective_action_deviation_id"), ["deviation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_corrective_action_owner_person_id"), ["owner_person_id"], unique=False
        )

    op.create_table(
        "deviation_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deviation_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_person_id", sa.Integer(), nullable=True),
        sa.Column("from_reporter", sa.Boolean(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["deviation_id"],
            ["deviation.id"],
            name=op.f("fk_deviation_attachment_deviation_id_deviation"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_person_id"],
            ["person.id"],
            name=op.f("fk_deviation_attachment_uploaded_by_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deviation_attachment")),
    )
    with op.batch_alter_table("deviation_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deviation_attachment_deviation_id"), ["deviation_id"], unique=False
        )

    op.create_table(
        "deviation_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deviation_id", sa.Integer(), nullable=False),
        sa.Column("author_person_id", sa.Integer(), nullable=True),
        sa.Column("from_reporter", sa.Boolean(), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "visibility IN ('internal', 'reporter')", name=op.f("ck_deviation_comment_visibility")
        ),
        sa.ForeignKeyConstraint(
            ["author_person_id"],
            ["person.id"],
            name=op.f("fk_deviation_comment_author_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["deviation_id"],
            ["deviation.id"],
            name=op.f("fk_deviation_comment_deviation_id_deviation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deviation_comment")),
    )
    with op.batch_alter_table("deviation_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deviation_comment_deviation_id"), ["deviation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deviation_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deviation_comment_deviation_id"))

    op.drop_table("deviation_comment")
    with op.batch_alter_table("deviation_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deviation_attachment_deviation_id"))

    op.drop_table("deviation_attachment")
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_corrective_action_owner_person_id"))
        batch_op.drop_index(batch_op.f("ix_corrective_action_deviation_id"))

    op.drop_table("corrective_action")
    op.drop_table("reminder_digest")
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deviation_status"))
        batch_op.drop_index(batch_op.f("ix_deviation_responsible_person_id"))
        batch_op.drop_index(batch_op.f("ix_deviation_reporter_person_id"))
        batch_op.drop_index(batch_op.f("ix_deviation_department_id"))
        batch_op.drop_index(batch_op.f("ix_deviation_created_at"))
        batch_op.drop_index(batch_op.f("ix_deviation_category"))

    op.drop_table("deviation")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_sent_at"))

    op.drop_table("outbox_message")
