"""The audit mechanism that cannot be forgotten.

A session listener records every insert and update of a model marked `__audited__` as an
audit event, in the same transaction, with the actor taken from the current request (or
the CLI command). Services never call it for ordinary changes; `record_event` exists for
events that are not a row change (for example an admin ending someone's sessions). The
tables left out of the trail are listed, each with its reason, in `registry.AUDIT_EXEMPT`.

Events are stamped with the current time. Code that writes history after the fact (the
demo builder, imports) wraps each step in `recorded_at(when)` so that its events carry the
step's own time; a request's session never takes that time (see `_event_time`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, col, select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.db import utcnow
from hms_tracker.web.pagination import Keyset, decode_cursor, encode_cursor


@dataclass(frozen=True)
class Actor:
    label: str
    user_id: int | None = None
    person_id: int | None = None


SYSTEM = Actor(label="system")
_current_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar(
    "audit_actor", default=SYSTEM
)


def set_actor(actor: Actor) -> contextvars.Token[Actor]:
    return _current_actor.set(actor)


def current_actor() -> Actor:
    return _current_actor.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    token = _current_actor.set(actor)
    try:
        yield
    finally:
        _current_actor.reset(token)


_audit_time: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "audit_time", default=None
)


@contextmanager
def recorded_at(when: datetime) -> Iterator[None]:
    """Stamp the audit events flushed inside this block with `when` instead of now.

    Only for code that records history after the fact: the demo builder and imports,
    where a step (a report, its assignment, its closing) happened at a known time in the
    past. Never for web requests: what a request does happens now, and a request's session
    ignores this setting. The events are written when the session flushes, so flush
    inside the block.
    """
    if when.tzinfo is None:
        raise ValueError("recorded_at needs a time with a time zone")
    token = _audit_time.set(when.astimezone(UTC))
    try:
        yield
    finally:
        _audit_time.reset(token)


def _event_time(session: OrmSession) -> datetime:
    """Now, or the time set by `recorded_at`; a web request's session always says now."""
    when = _audit_time.get()
    if when is None or session.info.get("web_request"):
        return utcnow()
    return when


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def _snapshot(obj: Any, *, before: bool) -> dict[str, Any]:
    state = inspect(obj)
    redact = getattr(type(obj), "__audit_redact__", frozenset())
    # Columns computed from others (a search text): the others are in the trail.
    derived = getattr(type(obj), "__audit_derived__", frozenset())
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in derived:
            continue
        hist = state.attrs[key].history
        if before:
            if hist.deleted:
                value = hist.deleted[0]
            elif hist.unchanged:
                value = hist.unchanged[0]
            else:
                value = getattr(obj, key, None) if not hist.added else None
        else:
            value = getattr(obj, key, None)
        values[key] = "***" if key in redact and value is not None else _jsonable(value)
    return values


def _entity_id(obj: Any) -> str:
    state = inspect(obj)
    # A row inserted in this flush has its key only after the flush ends: read it off the row.
    identity = state.identity or state.mapper.primary_key_from_instance(obj)
    if identity is None or any(part is None for part in identity):
        return ""
    return ",".join(str(part) for part in identity)


def _subject_person(obj: Any) -> int | None:
    if type(obj).__tablename__ == "person":
        return obj.id
    return getattr(obj, "person_id", None)


def actor_for(session: OrmSession) -> Actor:
    """The request's actor is kept on its database session; the CLI uses the context."""
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else current_actor()


def _rows_for(session: OrmSession) -> list[dict[str, Any]]:
    actor = actor_for(session)
    now = _event_time(session)
    rows: list[dict[str, Any]] = []

    def add(obj: Any, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        rows.append(
            {
                "occurred_at": now,
                "actor_user_id": actor.user_id,
                "actor_person_id": actor.person_id,
                "actor_label": actor.label,
                "entity": type(obj).__tablename__,
                "entity_id": _entity_id(obj),
                "action": action,
                "subject_person_id": _subject_person(obj),
                "before": before,
                "after": after,
            }
        )

    for obj in session.new:
        if getattr(type(obj), "__audited__", False):
            add(obj, "create", None, _snapshot(obj, before=False))
    for obj in session.dirty:
        if not getattr(type(obj), "__audited__", False) or not session.is_modified(obj):
            continue
        before = _snapshot(obj, before=True)
        after = _snapshot(obj, before=False)
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            continue
        action = getattr(obj, "__audit_action__", None) or "update"
        add(obj, action, {k: before[k] for k in changed}, {k: after[k] for k in changed})
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            continue
        if getattr(type(obj), "__audited__", False):
            add(obj, "delete", _snapshot(obj, before=True), {})
    return rows


def _before_flush(session: OrmSession, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise RuntimeError("The audit trail is append-only.")


def _after_flush(session: OrmSession, _ctx: Any) -> None:
    rows = _rows_for(session)
    if rows:
        session.connection().execute(sa.insert(AuditEvent.__table__), rows)  # type: ignore[attr-defined]


event.listen(OrmSession, "before_flush", _before_flush)
event.listen(OrmSession, "after_flush", _after_flush)


def record_event(
    *,
    session: Session,
    entity: str,
    entity_id: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    subject_person_id: int | None = None,
) -> None:
    """Write an event that is not a row change (e.g. sessions ended by an admin)."""
    actor = actor_for(session)
    session.add(
        AuditEvent(
            occurred_at=_event_time(session),
            actor_user_id=actor.user_id,
            actor_person_id=actor.person_id,
            actor_label=actor.label,
            entity=entity,
            entity_id=entity_id,
            action=action,
            subject_person_id=subject_person_id,
            before=before,
            after=after or {},
        )
    )


PAGE_SIZE = 50


def _position(before: tuple[datetime, int] | None, after: tuple[datetime, int] | None,
              query: Any) -> Any:  # fmt: skip
    """`query` from a position: older than `before` newest first, or newer than `after`
    oldest first (the page is turned around by the caller)."""
    key = sa.tuple_(col(AuditEvent.occurred_at), col(AuditEvent.id))
    if after is not None:
        return query.where(key > sa.tuple_(*after)).order_by(
            col(AuditEvent.occurred_at), col(AuditEvent.id)
        )
    if before is not None:
        query = query.where(key < sa.tuple_(*before))
    return query.order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())


def list_events(
    *,
    session: Session,
    entity: str | None = None,
    person_id: int | None = None,
    before: str | None = None,
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> tuple[list[AuditEvent], Keyset]:
    """One page of events newest first, filtered by entity and by a person (who acted or
    whom it concerns), older than the cursor `before` or newer than `after` (the newest
    page without either). Read through the indexes on (…, occurred_at, id): no count, no
    rows skipped, the same few statements on page one and page 20,000."""
    start = decode_cursor(before)
    newer_than = decode_cursor(after) if start is None else None
    sources = [select(AuditEvent.id, AuditEvent.occurred_at)]
    if entity:
        sources = [q.where(AuditEvent.entity == entity) for q in sources]
    if person_id:
        # Two index walks (actor, subject) merged: an OR would read all the person's events.
        sources = [
            sources[0].where(AuditEvent.actor_person_id == person_id),
            sources[0].where(AuditEvent.subject_person_id == person_id),
        ]
    found: dict[int, datetime] = {}
    for query in sources:
        rows = session.exec(_position(start, newer_than, query).limit(size + 1)).all()
        found.update({row_id: when for row_id, when in rows if row_id is not None})
    keys = sorted(((when, row_id) for row_id, when in found.items()), reverse=newer_than is None)
    more = len(keys) > size
    keys = keys[:size]
    if newer_than is not None:
        if not more:  # fewer than a page newer: the newest page
            return list_events(session=session, entity=entity, person_id=person_id, size=size)
        keys.reverse()
    ids = [row_id for _when, row_id in keys]
    by_id = {
        e.id: e for e in session.exec(select(AuditEvent).where(col(AuditEvent.id).in_(ids))).all()
    }
    events = [by_id[i] for i in ids if i in by_id]
    older = newer = None
    if keys:
        first, last = keys[0], keys[-1]
        if newer_than is not None or start is not None:
            newer = encode_cursor(*first)
        if more or newer_than is not None:
            older = encode_cursor(*last)
    return events, Keyset(older=older, newer=newer)


def entities() -> list[str]:
    """The kinds of record the trail holds: every audited table (read from the models, not
    from the trail itself, which grows by the million)."""
    return sorted(
        {
            mapper.class_.__tablename__
            for mapper in SQLModel._sa_registry.mappers
            if getattr(mapper.class_, "__audited__", False)
        }
    )
