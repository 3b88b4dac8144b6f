"""The AMU meeting's notice by e-mail (both databases, a real SMTP server in-process): the
agenda with a calendar invitation goes to every member called with an e-mail address,
`amu_agenda_days` before the meeting, once, whoever runs `remind`."""

from __future__ import annotations

from datetime import date, time, timedelta

import icalendar
from sqlmodel import select

from hms_tracker.amu.forms import MeetingForm
from hms_tracker.amu.meetings import Proposal, plan_meeting
from hms_tracker.amu.models import AmuMeeting
from hms_tracker.appointments.models import Appointment
from hms_tracker.notifications.remind import run_reminders
from tests.factories import make_person
from tests.notifications.conftest import body_of

DAY = date(2026, 11, 30)


def _committee(session):
    for name, email, side in (("Eva Arbeidsgiver", "eva@test.example", "employer"),
                              ("Ola Ansatt", "ola@test.example", "employee"),
                              ("Uten Epost", "", "employee")):  # fmt: skip
        person = make_person(session, name=name, email=email)
        session.add(Appointment(kind="amu_member", person_id=person.id, amu_side=side,
                                starts_on=date(2025, 1, 1)))  # fmt: skip
    session.flush()


def _meeting(session, days_ahead, place="Møterom Fjord"):
    meeting = plan_meeting(
        session=session,
        data=MeetingForm(meets_on=DAY + timedelta(days=days_ahead), starts_at=time(9, 30),
                         ends_at=time(11), place=place),
        today=DAY,
        proposals=[Proposal("Godkjenning av innkalling og saksliste", "", "manual", None),
                   Proposal("Støy i produksjonshallen", "", "manual", None)],
    )  # fmt: skip
    session.commit()
    return meeting


def test_the_agenda_goes_out_a_week_before_with_an_invitation_once(
    engine, session, mail_settings, mailbox
):
    _committee(session)
    soon = _meeting(session, 5)
    later = _meeting(session, 20)
    first = run_reminders(engine, mail_settings, DAY)
    second = run_reminders(engine, mail_settings, DAY)
    assert (first.agendas, second.agendas) == (1, 0)
    assert sorted(m["To"] for m in mailbox.messages) == ["eva@test.example", "ola@test.example"]
    message = mailbox.to("eva@test.example")[0]
    assert message["Subject"] == "Innkalling til AMU-møte 5. des. 2026"
    text = body_of(message)
    assert "1. Godkjenning av innkalling og saksliste" in text
    assert "2. Støy i produksjonshallen" in text
    assert f"https://hms.test.example/amu/meetings/{soon.id}" in text
    [invitation] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert invitation.get_param("method") == "REQUEST"
    parsed = icalendar.Calendar.from_ical(invitation.get_content())
    assert parsed["METHOD"] == "REQUEST"
    [event] = parsed.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert (start.date(), start.time()) == (date(2026, 12, 5), time(9, 30))
    assert str(start.tzinfo) == "Europe/Oslo" or event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert start.utcoffset() == timedelta(hours=1)  # CET in December
    assert event.decoded("DTEND").time() == time(11)
    assert str(event["LOCATION"]) == "Møterom Fjord"
    assert str(event["UID"]) == f"amu-meeting-{soon.id}@hms-tracker"
    session.expire_all()
    assert session.get(AmuMeeting, soon.id).agenda_sent_at is not None
    assert session.get(AmuMeeting, later.id).agenda_sent_at is None


def test_a_summer_meeting_is_in_summer_time(engine, session, mail_settings, mailbox):
    from hms_tracker.amu.documents import meeting_ics

    _committee(session)
    meeting = _meeting(session, 200)  # in June
    parsed = icalendar.Calendar.from_ical(meeting_ics(meeting, [], url="https://x.example"))
    [event] = parsed.walk("VEVENT")
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert not mailbox.messages
    assert session.exec(select(AmuMeeting)).one().agenda_sent_at is None
