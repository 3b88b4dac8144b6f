"""risk register, planned measures, routine of a deviation

A risk (risk) with the routines that control it (risk_routine); a corrective action
belongs to a deviation or, as a planned measure, to a risk (exactly one: existing rows all
have a deviation); a deviation of category "brudd på rutine" may name the routine.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:30:41.457393

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("consequence", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("existing_measures", sa.Text(), nullable=False),
        sa.Column("last_assessed_on", sa.Date(), nullable=False),
        sa.Column("owner_person_id", sa.Integer(), nullable=True),
        sa.Column("archived_on", sa.Date(), nullable=True),
        sa.Column("archived_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("consequence BETWEEN 1 AND 5", name=op.f("ck_risk_consequence")),
        sa.CheckConstraint("probability BETWEEN 1 AND 5", name=op.f("ck_risk_probability")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_risk_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["owner_person_id"], ["person.id"], name=op.f("fk_risk_owner_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
    )
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_department_id"), ["department_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_last_assessed_on"), ["last_assessed_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_risk_owner_person_id"), ["owner_person_id"], unique=False
        )

    op.create_table(
        "risk_routine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("routine_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risk.id"], name=op.f("fk_risk_routine_risk_id_risk")
        ),
        sa.ForeignKeyConstraint(
            ["routine_id"], ["routine.id"], name=op.f("fk_risk_routine_routine_id_routine")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_routine")),
        sa.UniqueConstraint("risk_id", "routine_id", name=op.f("uq_risk_routine_risk_id")),
    )
    with op.batch_alter_table("risk_routine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_routine_risk_id"), ["risk_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_risk_routine_routine_id"), ["routine_id"], unique=False
        )

    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("risk_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_corrective_action_risk_id"), ["risk_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_corrective_action_risk_id_risk"), "risk", ["risk_id"], ["id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_corrective_action_deviation_or_risk"),
            "(deviation_id IS NULL) <> (risk_id IS NULL)",
        )

    if op.get_bind().dialect.name == "sqlite":
        # Not through batch mode: recreating `deviation` would drop a table that actions,
        # comments and attachments point at. SQLite adds a nullable column with its
        # foreign key in place.
        op.execute(
            "ALTER TABLE deviation ADD COLUMN routine_id INTEGER "
            "CONSTRAINT fk_deviation_routine_id_routine REFERENCES routine (id)"
        )
        op.create_index(op.f("ix_deviation_routine_id"), "deviation", ["routine_id"])
    else:
        with op.batch_alter_table("deviation", schema=None) as batch_op:
            batch_op.add_column(sa.Column("routine_id", sa.Integer(), nullable=True))
            batch_op.create_index(
                batch_op.f("ix_deviation_routine_id"), ["routine_id"], unique=False
            )
            batch_op.create_foreign_key(
                batch_op.f("fk_deviation_routine_id_routine"), "routine", ["routine_id"], ["id"]
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # Recreating `deviation` drops the table its children point at (a no-op inside a
        # transaction that has already begun; then the tables must be empty).
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        if not sqlite:  # there the column's own REFERENCES goes with the column
            batch_op.drop_constraint(
                batch_op.f("fk_deviation_routine_id_routine"), type_="foreignkey"
            )
        batch_op.drop_index(batch_op.f("ix_deviation_routine_id"))
        batch_op.drop_column("routine_id")
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")

    op.execute("DELETE FROM corrective_action WHERE risk_id IS NOT NULL")
    with op.batch_alter_table("corrective_action", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_corrective_action_deviation_or_risk"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_corrective_action_risk_id_risk"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_corrective_action_risk_id"))
        batch_op.drop_column("risk_id")

    with op.batch_alter_table("risk_routine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_routine_routine_id"))
        batch_op.drop_index(batch_op.f("ix_risk_routine_risk_id"))

    op.drop_table("risk_routine")
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_owner_person_id"))
        batch_op.drop_index(batch_op.f("ix_risk_last_assessed_on"))
        batch_op.drop_index(batch_op.f("ix_risk_department_id"))

    op.drop_table("risk")
