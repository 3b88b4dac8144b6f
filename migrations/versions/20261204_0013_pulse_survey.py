"""pulse survey: surveys, who has answered, and the anonymous answers

The answer tables (survey_response, survey_answer, survey_comment) and the participation
table are `WITHOUT ROWID` on SQLite: they are kept in the order of their primary keys
(random tokens for the answers, survey + person for participation), and no hidden rowid
records the order in which people answered (see barometer/models.py). A later batch
migration that recreates one of these tables on SQLite must keep `sqlite_with_rowid=False`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:34:42

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("barometer_year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_survey_period")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_opens_on"), ["opens_on"], unique=False)

    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_survey_response_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_response_survey_id_survey")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_response_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_survey_response_survey_id"), ["survey_id"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("id", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=50), nullable=False),
        sa.Column("option", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_answer_response_id_survey_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_answer")),
        sa.UniqueConstraint(
            "response_id", "question_id", name=op.f("uq_survey_answer_response_id")
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_answer_response_id"), ["response_id"], unique=False
        )

    op.create_table(
        "survey_comment",
        sa.Column("id", sa.String(length=32), autoincrement=False, nullable=False),
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_response.id"],
            name=op.f("fk_survey_comment_response_id_survey_response"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_comment")),
        sa.UniqueConstraint(
            "response_id", "question_id", name=op.f("uq_survey_comment_response_id")
        ),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_comment_response_id"), ["response_id"], unique=False
        )

    op.create_table(
        "survey_participation",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_survey_participation_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_participation_survey_id_survey")
        ),
        sa.PrimaryKeyConstraint("survey_id", "person_id", name=op.f("pk_survey_participation")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_participation_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_participation_person_id"))

    op.drop_table("survey_participation")
    with op.batch_alter_table("survey_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_comment_response_id"))

    op.drop_table("survey_comment")
    with op.batch_alter_table("survey_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_answer_response_id"))

    op.drop_table("survey_answer")
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_response_survey_id"))
        batch_op.drop_index(batch_op.f("ix_survey_response_department_id"))

    op.drop_table("survey_response")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_opens_on"))

    op.drop_table("survey")
