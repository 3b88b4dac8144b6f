"""The AMU's meetings through the pages (both databases): planned with the members called
and an agenda proposed from a known set of gaps; attendance and quorum; minutes; decisions
that become actions and come back on the next agenda until done; the chair's approval,
after which neither the pages nor the database change the meeting."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hms_tracker.amu.meetings import Called, quorum
from hms_tracker.amu.models import (
    AmuAgendaItem,
    AmuAttendance,
    AmuDecision,
    AmuMeeting,
    MeetingStatus,
)
from hms_tracker.appointments.models import AmuChairPeriod, Appointment
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.routines.models import Routine, RoutineVersion
from hms_tracker.web.dates import today
from tests.factories import make_department, make_person, make_user
from tests.login import login_admin, login_as


def _member(session, person_id, side, *, deputy=False, start=date(2024, 1, 1)):
    appointment = Appointment(kind="amu_member", person_id=person_id, amu_side=side,
                              is_deputy=deputy, starts_on=start)  # fmt: skip
    session.add(appointment)
    session.flush()
    return appointment


def _committee(session):
    """Two members of each side (one a deputy), a BHT member; the employee side's regular
    member chairs this year. Returns (member user, chair user, appointments)."""
    department = make_department(session, name="Produksjon")
    chair = make_user(session, department=department)
    member = make_user(session, department=department)
    employer = make_person(session, name="Eva Arbeidsgiver", department=department)
    employer_deputy = make_person(session, name="Dag Vara", department=department)
    employee_deputy = make_person(session, name="Per Vara", department=department)
    ohs = make_person(session, name="Berit BHT", department=department)
    appointments = [
        _member(session, employer.id, "employer"),
        _member(session, member.person_id, "employer"),
        _member(session, chair.person_id, "employee"),
        _member(
            session, make_person(session, name="Ola Ansatt", department=department).id, "employee"
        ),  # fmt: skip
        _member(session, employer_deputy.id, "employer", deputy=True),
        _member(session, employee_deputy.id, "employee", deputy=True),
        _member(session, ohs.id, "ohs"),
    ]
    chair_appointment = appointments[2]
    year = today().year
    session.add(AmuChairPeriod(appointment_id=chair_appointment.id, starts_on=date(year, 1, 1),
                               ends_on=date(year, 12, 31)))  # fmt: skip
    session.flush()
    return member, chair, appointments


def _overdue_routine(session, title="Stillasarbeid"):
    routine = Routine(title=title, review_interval_months=12,
                      next_review_on=today() - timedelta(days=30))  # fmt: skip
    session.add(routine)
    session.flush()
    session.add(
        RoutineVersion(
            routine_id=routine.id,
            number=1,
            status="published",
            title=title,
            purpose="",
            body="Slik gjør vi det.",
            published_on=today() - timedelta(days=400),
        )  # fmt: skip
    )
    session.flush()
    return routine


def _plan(client, day=None, **fields):
    data = {"meets_on": (day or today()).isoformat(), "starts_at": "09:00", "ends_at": "11:00",
            "place": "Kantina", **fields}  # fmt: skip
    return client.submit("/amu/meetings", data, token_page="/amu/meetings")


def _meeting_url(response):
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"]


def test_a_member_plans_a_meeting_everyone_is_called_and_the_agenda_is_proposed_from_the_gaps(
    client, session
):
    member, _chair, appointments = _committee(session)
    _overdue_routine(session)
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    called = session.exec(select(AmuAttendance.appointment_id)).all()
    assert sorted(called) == sorted(a.id for a in appointments)  # regular, deputies and BHT
    titles = session.exec(select(AmuAgendaItem.title).order_by(AmuAgendaItem.position)).all()
    assert titles[0] == "Godkjenning av innkalling og saksliste"
    assert "Rutiner som skulle vært gjennomgått (1)" in titles
    assert titles[-1] == "Eventuelt"
    routine_item = session.exec(
        select(AmuAgendaItem).where(AmuAgendaItem.source_key == "routines")
    ).one()
    assert routine_item.source == "gap" and "Stillasarbeid" in routine_item.description
    page = client.get(url)
    assert page.status_code == 200
    assert "Stillasarbeid" in page.text and "Eva Arbeidsgiver" in page.text
    assert "uten stemmerett" in page.text  # the BHT member
    assert meeting.status == MeetingStatus.planned.value


def test_a_meeting_that_ends_before_it_begins_comes_back_with_what_was_typed(client, session):
    member, _chair, _apps = _committee(session)
    login_as(client, session, member)
    refused = _plan(client, starts_at="14:00", ends_at="13:00", place="Møterom Fjord")
    assert refused.status_code == 422
    assert "Møtet må slutte etter at det begynner." in refused.text
    assert 'value="Møterom Fjord"' in refused.text
    bad_time = _plan(client, starts_at="25:99")
    assert bad_time.status_code == 422 and "Skriv et klokkeslett" in bad_time.text
    assert session.exec(select(AmuMeeting)).first() is None
    assert session.exec(select(AmuAgendaItem)).first() is None


def test_the_agenda_is_edited_ordered_and_added_to(client, session):
    member, _chair, _apps = _committee(session)
    login_as(client, session, member)
    url = _meeting_url(_plan(client, day=today() + timedelta(days=14)))
    items = session.exec(select(AmuAgendaItem).order_by(AmuAgendaItem.position)).all()
    first, second = items[0], items[1]
    moved = client.submit(f"{url}/items/{second.id}/move", {"direction": "up"}, token_page=url)
    assert moved.status_code == 303
    session.expire_all()
    order = session.exec(select(AmuAgendaItem.id).order_by(AmuAgendaItem.position)).all()
    assert order[:2] == [second.id, first.id]
    added = client.submit(f"{url}/items", {"title": "Sykefravær", "description": "Tall for Q3"},
                          token_page=url)  # fmt: skip
    assert added.status_code == 303
    empty = client.submit(f"{url}/items", {"title": "  ", "description": "Noe"}, token_page=url)
    assert empty.status_code == 422 and "Noe</textarea>" in empty.text
    edited = client.submit(f"{url}/items/{first.id}/edit",
                           {"title": "Innkalling og saksliste", "description": "",
                            "version": str(first.version)}, token_page=url)  # fmt: skip
    assert edited.status_code == 303
    stale = client.submit(f"{url}/items/{first.id}/edit",
                          {"title": "Gammel", "description": "", "version": str(first.version)},
                          token_page=url)  # fmt: skip
    assert stale.status_code == 303  # back to the page with the conflict told
    session.expire_all()
    assert session.get(AmuAgendaItem, first.id).title == "Innkalling og saksliste"
    first_id = first.id
    removed = client.submit(f"{url}/items/{first_id}/remove", {}, token_page=url)
    assert removed.status_code == 303
    session.expire_all()
    assert session.exec(select(AmuAgendaItem).where(AmuAgendaItem.id == first_id)).first() is None
    assert "Sykefravær" in client.get(url).text


def test_quorum_needs_half_the_seats_and_equal_sides():
    def called(side, attended, deputy=False):
        return Called(attendance=AmuAttendance(meeting_id=1, appointment_id=1, attended=attended),
                      person_id=None, name="", side=side, is_deputy=deputy)  # fmt: skip

    seats = [called("employer", True), called("employer", False), called("employee", True),
             called("employee", False), called("ohs", True)]  # fmt: skip
    assert quorum(seats).met  # 2 of 4 seats, one from each side; BHT does not count
    unequal = seats[:-1] + [called("employee", True, deputy=True)]
    assert not quorum(unequal).met and not quorum(unequal).sides_equal
    deputy_in = [called("employer", True), called("employer", False),
                 called("employee", False), called("employee", True, deputy=True)]  # fmt: skip
    assert quorum(deputy_in).met and quorum(deputy_in).seats == 3
    unrecorded = [called("employer", None), called("employee", True)]
    assert not quorum(unrecorded).recorded and not quorum(unrecorded).met


def test_a_decision_becomes_an_action_and_comes_back_on_the_next_agenda_until_done(client, session):
    member, _chair, _apps = _committee(session)
    owner = make_person(session, name="Tone Ansvarlig")
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    held = client.submit(f"{url}/held", {"version": str(meeting.version)}, token_page=url)
    assert held.status_code == 303
    item = session.exec(select(AmuAgendaItem).order_by(AmuAgendaItem.position)).first()
    deadline = (today() + timedelta(days=30)).isoformat()
    missing = client.submit(f"{url}/decisions",
                            {"item_id": str(item.id), "text": "Kjøpe hørselvern",
                             "action": "Bestille hørselvern"}, token_page=url)  # fmt: skip
    assert missing.status_code == 422
    assert "Velg hvem som har ansvaret for tiltaket." in missing.text
    assert "Skriv fristen for tiltaket." in missing.text and "Kjøpe hørselvern" in missing.text
    assert session.exec(select(AmuDecision)).first() is None
    decided = client.submit(f"{url}/decisions",
                            {"item_id": str(item.id), "text": "Kjøpe hørselvern",
                             "votes_for": "4", "votes_against": "0", "votes_abstaining": "",
                             "action": "Bestille hørselvern", "owner_person_id": str(owner.id),
                             "deadline": deadline}, token_page=url)  # fmt: skip
    assert decided.status_code == 303
    action = session.exec(select(CorrectiveAction)).one()
    decision = session.exec(select(AmuDecision)).one()
    assert action.amu_decision_id == decision.id and decision.votes_for == 4
    assert action.owner_person_id == owner.id
    page = client.get(url).text
    assert "Bestille hørselvern" in page and "Tone Ansvarlig" in page
    # The next meeting's agenda carries it over, and /amu lists it.
    next_url = _meeting_url(_plan(client, day=today() + timedelta(days=60)))
    carried = session.exec(select(AmuAgendaItem).where(AmuAgendaItem.source == "carried")).one()
    assert carried.title == "Oppfølging: Bestille hørselvern"
    assert carried.source_key == f"action:{action.id}"
    assert "Tone Ansvarlig" in carried.description
    assert "Bestille hørselvern" in client.get("/amu").text
    # Done: a third meeting no longer carries it.
    done = client.submit(f"/amu/actions/{action.id}/done",
                         {"done_on": today().isoformat(), "done_note": "Levert",
                          "version": str(action.version), "back": next_url},
                         token_page=next_url)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == next_url
    _meeting_url(_plan(client, day=today() + timedelta(days=90)))
    assert (
        len(session.exec(select(AmuAgendaItem).where(AmuAgendaItem.source == "carried")).all()) == 1
    )


def test_only_the_chair_approves_and_approved_minutes_never_change(client, session, engine):
    member, chair, _apps = _committee(session)
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    early = client.submit(f"{url}/approve", {"version": str(meeting.version)}, token_page=url)
    assert early.status_code == 403  # a member, not the chair
    client.submit(f"{url}/held", {"version": str(meeting.version)}, token_page=url)
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    item = session.exec(select(AmuAgendaItem).order_by(AmuAgendaItem.position)).first()
    wrote = client.submit(f"{url}/items/{item.id}/minutes",
                          {"minutes": "Innkallingen godkjent.", "version": str(item.version)},
                          token_page=url)  # fmt: skip
    assert wrote.status_code == 303
    attendance = session.exec(select(AmuAttendance)).all()
    present = [str(a.id) for a in attendance][:4]
    recorded = client.submit(f"{url}/attendance",
                             {"attended_ids": present, "version": str(meeting.version)},
                             token_page=url)  # fmt: skip
    assert recorded.status_code == 303
    login_as(client, session, chair)
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    page = client.get(url).text
    assert "Godkjenn referatet" in page
    approved = client.submit(f"{url}/approve", {"version": str(meeting.version)}, token_page=url)
    assert approved.status_code == 303
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    assert meeting.is_locked and meeting.minutes_approved_by_person_id == chair.person_id
    page = client.get(url).text
    assert "Referat godkjent" in page and "Godkjenn referatet" not in page
    assert "Innkallingen godkjent." in page
    # The pages refuse every change …
    item = session.get(AmuAgendaItem, item.id)
    again = client.submit(
        f"{url}/items/{item.id}/minutes",
        {"minutes": "Endret", "version": str(item.version)},
        token_page=url,
    )
    assert again.status_code == 303
    assert "Referatet er godkjent og kan ikke endres." in client.get(url).text
    added = client.submit(f"{url}/items", {"title": "Ny sak"}, token_page=url)
    assert added.status_code == 303
    session.expire_all()
    assert session.get(AmuAgendaItem, item.id).minutes == "Innkallingen godkjent."
    assert (
        session.exec(select(AmuAgendaItem).where(AmuAgendaItem.title == "Ny sak")).first() is None
    )
    # … and so does the database, whatever writes to it.
    statements = [
        sa.update(AmuMeeting).values(place="Et annet sted"),
        sa.delete(AmuMeeting),
        sa.update(AmuAgendaItem).values(minutes="Endret i databasen"),
        sa.delete(AmuAgendaItem),
        sa.insert(AmuAgendaItem).values(meeting_id=meeting.id, position=99, title="Sneket inn",
                                        description="", source="manual", minutes="",
                                        created_at=meeting.created_at, version=1),
        sa.update(AmuAttendance).values(attended=False),
        sa.insert(AmuDecision).values(agenda_item_id=item.id, text="Sneket inn", dissent="",
                                      created_at=meeting.created_at),
    ]  # fmt: skip
    for statement in statements:
        with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError):
            conn.execute(statement)
            conn.commit()
    session.expire_all()
    assert session.get(AmuMeeting, meeting.id).place == "Kantina"
    assert session.get(AmuAgendaItem, item.id).minutes == "Innkallingen godkjent."


def test_who_reads_and_who_prepares(client, session):
    member, _chair, _apps = _committee(session)
    department = make_department(session, name="Lager")
    employee = make_user(session, department=department)
    safety_rep = make_user(session, department=department)
    session.add(Appointment(kind="safety_rep", person_id=safety_rep.person_id,
                            starts_on=date(2024, 1, 1)))  # fmt: skip
    session.flush()
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    login_as(client, session, employee)
    assert client.get("/amu").status_code == 403
    assert client.get(url).status_code == 403
    assert client.get("/amu/meetings/999999").status_code in (403, 404)
    login_as(client, session, safety_rep)
    assert client.get("/amu").status_code == 200
    assert client.get(url).status_code == 200
    refused = client.submit(f"{url}/items", {"title": "Fra verneombudet"}, token_page=url)
    assert refused.status_code == 403
    login_admin(client, session)
    assert client.get("/amu/meetings/999999").status_code == 404
    assert client.get(url).status_code == 200
    meeting = session.exec(select(AmuMeeting)).one()
    # The coordinator prepares but is not the chair: no approval.
    assert client.submit(f"{url}/approve", {"version": str(meeting.version)},
                         token_page=url).status_code == 403  # fmt: skip


def test_a_meeting_moved_to_another_day_calls_those_in_office_then(client, session):
    member, _chair, appointments = _committee(session)
    newcomer = make_person(session, name="Nina Ny")
    later = today() + timedelta(days=120)
    _member(session, newcomer.id, "employee", start=today() + timedelta(days=100))
    login_as(client, session, member)
    url = _meeting_url(_plan(client, day=today() + timedelta(days=10)))
    meeting = session.exec(select(AmuMeeting)).one()
    assert "Nina Ny" not in client.get(url).text
    moved = client.submit(f"{url}/edit", {"meets_on": later.isoformat(), "starts_at": "10:00",
                                          "ends_at": "12:00", "place": "Kantina",
                                          "version": str(meeting.version)},
                          token_page=url)  # fmt: skip
    assert moved.status_code == 303
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    assert meeting.meets_on == later and meeting.starts_at == time(10, 0)
    assert "Nina Ny" in client.get(url).text
    assert len(session.exec(select(AmuAttendance)).all()) == len(appointments) + 1


def test_no_more_votes_than_voting_members_present(client, session):
    member, _chair, _apps = _committee(session)
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    client.submit(f"{url}/held", {"version": str(meeting.version)}, token_page=url)
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    called = session.exec(select(AmuAttendance)).all()
    present = [str(a.id) for a in called]  # all seven, the BHT member among them
    client.submit(f"{url}/attendance", {"attended_ids": present, "version": str(meeting.version)},
                  token_page=url)  # fmt: skip
    item = session.exec(select(AmuAgendaItem)).first()
    too_many = client.submit(f"{url}/decisions", {
        "item_id": str(item.id), "text": "Nye vernesko", "votes_for": "5", "votes_against": "2",
    }, token_page=url)  # fmt: skip
    assert too_many.status_code == 422
    assert "Flere stemmer enn det var stemmeberettigede til stede (6)" in too_many.text
    assert session.exec(select(AmuDecision)).first() is None
    ok = client.submit(f"{url}/decisions", {
        "item_id": str(item.id), "text": "Nye vernesko", "votes_for": "4", "votes_against": "2",
    }, token_page=url)  # fmt: skip
    assert ok.status_code == 303
