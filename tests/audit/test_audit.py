"""The audit trail: every create and update is recorded in the same transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.audit.service import Actor, acting_as
from tests.conftest import login
from tests.factories import make_department, make_person, make_user
from tests.login import login_admin, login_as


def test_create_and_update_write_events_with_before_and_after(session):
    with acting_as(Actor(label="tester")):
        dept = make_department(session, name="Lager")
        person = make_person(session, name="Kari Nordmann", department=dept)
        session.commit()
        person.title = "Lagermedarbeider"
        session.add(person)
        session.commit()
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "person").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].after["name"] == "Kari Nordmann"
    assert events[0].subject_person_id == person.id
    assert events[1].before == {"title": None}
    assert events[1].after == {"title": "Lagermedarbeider"}
    assert {e.actor_label for e in events} == {"tester"}


def test_rolled_back_change_leaves_no_event(session):
    person = make_person(session)
    session.commit()
    before = session.exec(select(sa.func.count()).select_from(AuditEvent)).one()
    person.title = "Noe annet"
    session.add(person)
    session.flush()
    session.rollback()
    after = session.exec(select(sa.func.count()).select_from(AuditEvent)).one()
    assert before == after


def test_password_hash_is_never_in_the_trail(session):
    make_user(session)
    session.commit()
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "app_user")).one()
    assert event.after["password_hash"] == "***"


def test_audit_rows_cannot_be_changed_by_the_app(session):
    make_person(session)
    session.commit()
    event = session.exec(select(AuditEvent)).first()
    event.action = "tampered"
    session.add(event)
    with pytest.raises(RuntimeError, match="append-only"):
        session.flush()
    session.rollback()


def test_audit_rows_cannot_be_changed_in_the_database(session):
    make_person(session)
    session.commit()
    with pytest.raises(sa.exc.DBAPIError):
        session.exec(sa.text("UPDATE audit_event SET action = 'x'"))
    session.rollback()
    with pytest.raises(sa.exc.DBAPIError):
        session.exec(sa.text("DELETE FROM audit_event"))
    session.rollback()


def test_request_actor_is_recorded(client, session):
    admin = login_admin(client, session, email="admin@test.example")
    client.submit("/language", {"language": "en", "next": "/"})
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "app_user", AuditEvent.action == "update")
    ).all()
    (event,) = [e for e in events if "language" in e.after]
    assert event.actor_user_id == admin.id
    assert event.actor_label == "admin@test.example"
    assert event.after == {"language": "en"}


def test_admin_browses_the_trail_filtered_by_entity_and_person(client, session):
    admin = make_user(session, email="admin@test.example", is_admin=True)
    with acting_as(Actor(label="tester")):
        kari = make_person(session, name="Kari Nordmann")
        make_person(session, name="Ola Hansen")
        make_department(session, name="Verksted")
    login_as(client, session, admin)
    page = client.get("/audit", params={"entity": "department"})
    assert page.status_code == 200
    results = _results(page.text)
    assert "Verksted" in results and "Kari Nordmann" not in results
    results = _results(client.get("/audit", params={"person": str(kari.id)}).text)
    assert "Kari Nordmann" in results and "Ola Hansen" not in results
    partial = client.get("/audit", params={"entity": "person"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and 'id="results"' in partial.text


def test_employee_cannot_read_the_trail(client, session):
    make_user(session, email="ansatt@test.example")
    session.commit()
    login(client, "ansatt@test.example")
    assert client.get("/audit").status_code == 403


def _results(html: str) -> str:
    return html[html.index('id="results"') :]


def test_trail_shows_labels_names_and_dates_not_codes(client, session):
    from datetime import date

    admin = make_user(session, email="admin@test.example", is_admin=True)
    with acting_as(Actor(label="tester")):
        dept = make_department(session, name="Sveiseverksted")
        make_person(
            session,
            name="Per Hansen",
            department=dept,
            employed_from=date(2024, 3, 1),
            employment_type="hired_in",
        )
    login_as(client, session, admin)
    results = _results(client.get("/audit", params={"entity": "person"}).text)
    assert "Ansatt fra" in results and "1. mars 2024" in results
    assert "Sveiseverksted" in results and "Innleid" in results
    assert "employed_from" not in results and "department_id" not in results
    assert "created_at" not in results and "Versjon" not in results


def _event(session, when, *, entity="person", actor=None, subject=None) -> AuditEvent:
    event = AuditEvent(
        occurred_at=when, actor_label="tester", entity=entity, entity_id="1",
        action="update", actor_person_id=actor, subject_person_id=subject, after={},
    )  # fmt: skip
    session.add(event)
    return event


def test_the_trail_is_turned_by_position_newest_first_without_gaps_or_repeats(session):
    """Pages of 4 over 11 events, three at the same instant (the id breaks the tie):
    older and older to the end, then newer and newer back to the start."""
    from datetime import UTC, datetime, timedelta

    from hms_tracker.audit.service import list_events

    kari = make_person(session)
    start = datetime(2025, 1, 1, 12, tzinfo=UTC)
    times = [start + timedelta(hours=h) for h in (0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8)]
    made = [_event(session, t, subject=kari.id) for t in times]
    session.commit()
    assert len(made) == 11
    theirs = session.exec(
        select(AuditEvent).where(
            sa.or_(AuditEvent.actor_person_id == kari.id, AuditEvent.subject_person_id == kari.id)
        )
    ).all()  # these and the event of Kari's registration
    newest_first = [e.id for e in sorted(theirs, key=lambda e: (e.occurred_at, e.id), reverse=True)]

    pages, cursor = [], None
    while True:
        events, where = list_events(session=session, person_id=kari.id, before=cursor, size=4)
        pages.append([e.id for e in events])
        assert where.newest == (cursor is None)
        if where.older is None:
            break
        cursor = where.older
    assert [i for page in pages for i in page] == newest_first
    assert [len(p) for p in pages] == [4, 4, 4]

    back = []
    cursor = encode_position(session, pages[-1][0])
    while cursor:
        events, where = list_events(session=session, person_id=kari.id, after=cursor, size=4)
        back.append([e.id for e in events])
        cursor = where.newer
    assert back == pages[:-1][::-1]
    # A cursor that is not one is the newest page.
    events, where = list_events(session=session, person_id=kari.id, before="x-1", size=4)
    assert [e.id for e in events] == pages[0] and where.newest


def encode_position(session, event_id: int) -> str:
    from hms_tracker.web.pagination import encode_cursor

    event = session.get(AuditEvent, event_id)
    return encode_cursor(event.occurred_at, event.id)


def test_a_person_is_found_by_name_and_the_trail_shows_what_they_did_or_concerns_them(
    client, session
):
    from datetime import UTC, datetime

    admin = make_user(session, email="admin@test.example", is_admin=True)
    kari = make_person(session, name="Kari Nordmann", email="kari@test.example")
    make_person(session, name="Karianne Berg")
    ola = make_person(session, name="Ola Hansen")
    now = datetime.now(UTC)
    _event(session, now, entity="routine", actor=kari.id)
    _event(session, now, entity="risk", subject=kari.id)
    _event(session, now, entity="training_record", actor=ola.id, subject=ola.id)
    login_as(client, session, admin)

    several = client.get("/audit", params={"who": "kari"}).text
    assert "Flere personer passer til «kari»" in several
    assert f"person={kari.id}" in several and "Karianne Berg" in several
    assert "Rutine #1" not in several  # nothing listed until one is chosen

    one = _results(client.get("/audit", params={"who": "KARI@test"}).text)
    assert "Rutine #1" in one and "Risiko #1" in one and "Opplæring #1" not in one
    assert "Hendelser der Kari Nordmann" in one

    assert "Ingen personer passer til «zzz»" in client.get("/audit", params={"who": "zzz"}).text
    # Page 1 carries no count and no list of every person.
    page = client.get("/audit").text
    assert "Alle personer" not in page and "<option" not in page.split('name="entity"')[0]
