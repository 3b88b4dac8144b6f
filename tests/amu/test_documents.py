"""An AMU meeting as files (both databases): the calendar invitation parses and carries the
meeting's local time in Europe/Oslo; the minutes are a PDF once approved, and only then."""

from __future__ import annotations

import io
from datetime import time, timedelta

import icalendar
from pypdf import PdfReader
from sqlmodel import select

from hms_tracker.amu.models import AmuAgendaItem, AmuAttendance, AmuMeeting
from hms_tracker.organisation.models import Person
from hms_tracker.web.dates import today
from tests.amu.test_meetings import _committee, _meeting_url, _plan
from tests.login import login_as


def test_the_invitation_parses_with_the_local_time_and_the_agenda(client, session):
    member, _chair, _apps = _committee(session)
    login_as(client, session, member)
    day = today() + timedelta(days=9)
    url = _meeting_url(_plan(client, day=day, starts_at="13:15", ends_at="15:00"))
    answer = client.get(f"{url}.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(answer.content)
    [event] = parsed.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert (start.date(), start.time()) == (day, time(13, 15))
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert event.decoded("DTEND").time() == time(15)
    assert "Godkjenning av innkalling og saksliste" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Kantina"
    assert client.get("/amu/meetings/999999.ics").status_code == 404


def test_the_minutes_are_a_pdf_once_the_chair_has_approved_them(client, session):
    member, chair, _apps = _committee(session)
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    client.submit(f"{url}/held", {"version": str(meeting.version)}, token_page=url)
    assert client.get(f"{url}.pdf").status_code == 404  # not approved: no document yet
    item = session.exec(select(AmuAgendaItem).order_by(AmuAgendaItem.position)).first()
    client.submit(f"{url}/items/{item.id}/minutes",
                  {"minutes": "Innkallingen ble godkjent uten merknader.",
                   "version": str(item.version)}, token_page=url)  # fmt: skip
    client.submit(f"{url}/decisions", {"item_id": str(item.id), "text": "Saken er avsluttet."},
                  token_page=url)  # fmt: skip
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    present = [str(a.id) for a in session.exec(select(AmuAttendance)).all()][:4]
    client.submit(f"{url}/attendance", {"attended_ids": present, "version": str(meeting.version)},
                  token_page=url)  # fmt: skip
    login_as(client, session, chair)
    session.expire_all()
    meeting = session.get(AmuMeeting, meeting.id)
    approved = client.submit(f"{url}/approve", {"version": str(meeting.version)}, token_page=url)
    assert approved.status_code == 303
    answer = client.get(f"{url}.pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = " ".join(text.split())
    assert "Referat fra AMU-møte" in text
    assert "Innkallingen ble godkjent uten merknader." in text
    assert "Vedtak: Saken er avsluttet." in text
    assert "Eva Arbeidsgiver" in text and "Beslutningsdyktig" in text
    assert f"Godkjent av {session.get(Person, chair.person_id).name}" in text
