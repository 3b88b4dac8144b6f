"""audit trail read by position: indexes in (occurred_at, id) order per filter

The single-column indexes on occurred_at, entity, actor_person_id and subject_person_id,
and the one on (entity, entity_id), become (…, occurred_at, id): the trail's pages are
read from a position (keyset), newest first, without counting or skipping rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 16:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = {
    "ix_audit_event_occurred_at": ["occurred_at"],
    "ix_audit_event_entity": ["entity"],
    "ix_audit_event_actor_person_id": ["actor_person_id"],
    "ix_audit_event_subject_person_id": ["subject_person_id"],
    "ix_audit_event_entity_entity_id": ["entity", "entity_id"],
}
NEW = {
    "ix_audit_event_time": ["occurred_at", "id"],
    "ix_audit_event_entity_time": ["entity", "occurred_at", "id"],
    "ix_audit_event_actor_time": ["actor_person_id", "occurred_at", "id"],
    "ix_audit_event_subject_time": ["subject_person_id", "occurred_at", "id"],
    # One record's history (a case's timeline), in order.
    "ix_audit_event_record_time": ["entity", "entity_id", "occurred_at", "id"],
}


def upgrade() -> None:
    for name, columns in NEW.items():
        op.create_index(name, "audit_event", columns, unique=False)
    for name in OLD:
        op.drop_index(name, table_name="audit_event")


def downgrade() -> None:
    for name, columns in OLD.items():
        op.create_index(name, "audit_event", columns, unique=False)
    for name in NEW:
        op.drop_index(name, table_name="audit_event")
