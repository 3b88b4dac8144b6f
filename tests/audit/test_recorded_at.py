"""`recorded_at`: code that writes history after the fact (the demo, imports) stamps its
audit events with the time of each step; a web request's events always say now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.audit.service import record_event, recorded_at
from hms_tracker.db import utcnow
from tests.factories import make_person
from tests.login import login_admin

PAST = datetime(2025, 10, 30, 9, 15, tzinfo=UTC)


def _events(session, entity: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)
        ).all()
    )


def test_events_flushed_inside_recorded_at_carry_its_time(session):
    with recorded_at(PAST):
        person = make_person(session, name="Kari Nordmann")
        session.flush()
        record_event(session=session, entity="import", entity_id="1", action="import")
        session.flush()
    started = utcnow()
    person.title = "Lagermedarbeider"
    session.add(person)
    session.commit()

    created, updated = _events(session, "person")
    assert created.occurred_at == PAST
    assert _events(session, "import")[0].occurred_at == PAST
    assert updated.occurred_at >= started  # after the block: now again


def test_recorded_at_needs_a_time_zone():
    with pytest.raises(ValueError), recorded_at(datetime(2025, 10, 30, 9, 15)):
        pass


def test_a_web_request_is_stamped_now_even_inside_recorded_at(client, session):
    login_admin(client, session)

    started = utcnow()
    client.submit("/language", {"language": "en", "next": "/"})
    # Even if code around the request had set a time, the request's session ignores it.
    with recorded_at(PAST):
        client.submit("/language", {"language": "nb", "next": "/"})
    finished = utcnow()

    changes = [
        e for e in _events(session, "app_user") if e.action == "update" and "language" in e.after
    ]
    assert [e.after["language"] for e in changes] == ["en", "nb"]
    for event in changes:
        assert started - timedelta(seconds=1) <= event.occurred_at <= finished
