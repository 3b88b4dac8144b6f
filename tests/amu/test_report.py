"""The AMU's yearly report (both databases): written from the year's records with figures
checked against hand-counted ones, edited, approved by the chair and then never changed
(pages and database); a year without an approved report is a gap on /gaps after the first
quarter of the next year."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlmodel import select

from hms_tracker.amu import report
from hms_tracker.amu.models import AmuAgendaItem, AmuAttendance, AmuDecision, AmuMeeting, AmuReport
from hms_tracker.deviations.models import CorrectiveAction, Deviation
from hms_tracker.rules.engine import AppointmentFact, Facts, amu_report_rule
from hms_tracker.rules.findings import Status
from hms_tracker.web.dates import today
from tests.amu.test_meetings import _committee
from tests.factories import make_department, make_person
from tests.login import login_as


def _held(session, day, *, called, present, decisions=()):
    meeting = AmuMeeting(meets_on=day, starts_at=time(9), ends_at=time(10), status="held")
    session.add(meeting)
    session.flush()
    for index, appointment in enumerate(called):
        session.add(AmuAttendance(meeting_id=meeting.id, appointment_id=appointment.id,
                                  attended=index < present))  # fmt: skip
    item = AmuAgendaItem(meeting_id=meeting.id, position=1, title="Sak")
    session.add(item)
    session.flush()
    for text, owner, deadline, done_on in decisions:
        decision = AmuDecision(agenda_item_id=item.id, text=text)
        session.add(decision)
        session.flush()
        session.add(CorrectiveAction(amu_decision_id=decision.id, description=text,
                                     owner_person_id=owner.id, deadline=deadline,
                                     done_on=done_on))  # fmt: skip
    session.flush()
    return meeting


def _deviation(session, department, when, category, *, serious=False, status="closed"):
    session.add(Deviation(title=f"{category} {when}", description="", department_id=department.id,
                          place="", occurred_at=when, category=category, consequence=2,
                          probability=2, serious_injury=serious, status=status,
                          receipt_code_hash=None))  # fmt: skip


def test_the_figures_of_a_year_are_the_ones_counted_by_hand(session):
    _member, _chair, appointments = _committee(session)
    year = today().year - 1
    owner = make_person(session, name="Tone Ansvarlig")
    department = make_department(session, name="Verksted")
    _held(session, date(year, 3, 1), called=appointments, present=5, decisions=[
        ("Kjøpe hørselvern", owner, date(year, 4, 1), date(year, 3, 20)),
        ("Måle støy", owner, date(year, 5, 1), None),
    ])  # fmt: skip
    _held(session, date(year, 9, 1), called=appointments[:4], present=4)
    _held(session, date(year - 1, 9, 1), called=appointments, present=7)  # the year before
    planned = AmuMeeting(meets_on=date(year, 11, 1), starts_at=time(9), ends_at=time(10))
    session.add(planned)  # planned, never held: not counted
    oslo_noon = datetime(year, 6, 1, 10, tzinfo=UTC)
    _deviation(session, department, oslo_noon, "personal_injury", serious=True)
    _deviation(session, department, oslo_noon, "near_miss", status="in_progress")
    _deviation(session, department, oslo_noon, "near_miss")
    _deviation(session, department, datetime(year - 1, 12, 31, 23, 30, tzinfo=UTC), "hazard")
    session.commit()
    found = report.figures(session=session, year=year, today=today())
    assert [(m["date"], m["called"], m["present"]) for m in found["meetings"]] == [
        (f"{year}-03-01", 7, 5), (f"{year}-09-01", 4, 4)
    ]  # fmt: skip
    assert found["decisions"] == 2
    assert found["actions"] == {"done": 1, "open": 0, "overdue": 1, "withdrawn": 0}
    # 31 Dec 23:30 UTC is 00:30 on 1 January in Oslo: that hazard belongs to this year.
    assert found["deviations"]["by_category"] == {"personal_injury": 1, "near_miss": 2,
                                                  "hazard": 1}  # fmt: skip
    assert found["deviations"]["total"] == 4
    assert found["deviations"]["serious_injuries"] == 1
    assert found["deviations"]["still_open"] == 1
    names = {m["name"] for m in found["members"]}
    assert "Eva Arbeidsgiver" in names and "Berit BHT" in names
    text = report.draft_text(found)
    assert "Utvalget holdt 2 møter." in text
    assert "Tiltak: 1 utført, 0 i arbeid, 1 over fristen, 0 trukket tilbake." in text
    assert "Det ble meldt 4 avvik, hvorav 1 alvorlige personskader." in text
    assert found["self_assessment"] is None
    assert "Den årlige gjennomgangen for året er ikke låst ennå." in text


def test_the_report_is_edited_approved_by_the_chair_and_then_never_changed(client, session, engine):
    member, chair, _apps = _committee(session)
    year = today().year
    login_as(client, session, member)
    url = f"/amu/report/{year}"
    page = client.get(url)
    assert page.status_code == 200 and "Arbeidsmiljøutvalgets årsrapport for" in page.text
    assert "Sammensetning" in page.text  # the draft from the records
    empty = client.submit(url, {"text": "   "}, token_page=url)
    assert empty.status_code == 422 and "Skriv rapporten" in empty.text
    assert session.exec(select(AmuReport)).first() is None
    saved = client.submit(url, {"text": "Utvalget har hatt et godt år."}, token_page=url)
    assert saved.status_code == 303
    found = session.exec(select(AmuReport)).one()
    assert client.submit(f"{url}/approve", {"version": str(found.version)},
                         token_page=url).status_code == 403  # a member, not the chair  # fmt: skip
    assert client.get(f"{url}.pdf").status_code == 404  # not approved yet
    login_as(client, session, chair)
    approved = client.submit(f"{url}/approve", {"version": str(found.version)}, token_page=url)
    assert approved.status_code == 303
    session.expire_all()
    found = session.exec(select(AmuReport)).one()
    assert found.is_locked and found.figures["year"] == year
    assert found.approved_by_person_id == chair.person_id
    again = client.submit(url, {"text": "Endret", "version": str(found.version)}, token_page=url)
    assert again.status_code == 303
    session.expire_all()
    assert session.exec(select(AmuReport)).one().text == "Utvalget har hatt et godt år."
    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Utvalget har hatt et godt år." in " ".join(text.split())
    for statement in (sa.update(AmuReport).values(text="Endret i databasen"), sa.delete(AmuReport)):
        with engine.connect() as conn, pytest.raises(sa.exc.DatabaseError):
            conn.execute(statement)
            conn.commit()
    assert client.get(f"/amu/report/{year + 1}").status_code == 404
    assert client.get("/amu/report/1999").status_code == 404


def _sat(start, end=None):
    return AppointmentFact(id=1, kind="amu_member", person_id=1, name="", starts_on=start,
                           ends_on=end)  # fmt: skip


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2026, 3, 31), frozenset(), None),  # 2025's report not due yet; 2024: no AMU
        (date(2026, 4, 1), frozenset(), Status.gap),  # 2025's report is due
        (date(2026, 4, 1), frozenset({2025}), Status.ok),
        (date(2027, 2, 1), frozenset({2025}), Status.ok),  # 2026's not due before April
    ],
)
def test_a_year_without_a_report_is_a_gap_after_the_first_quarter(day, years, expected):
    facts = Facts(appointments=(_sat(date(2025, 1, 1)),), amu_report_years=years)
    found = amu_report_rule(facts, day)
    assert (found[0].status if found else None) == expected
    if found:
        assert found[0].params["year"] == 2025 and found[0].params["due"] == date(2026, 3, 31)


def test_no_committee_no_report_due():
    facts = Facts(appointments=(_sat(date(2020, 1, 1), date(2023, 12, 31)),))
    assert amu_report_rule(facts, date(2026, 6, 1)) == []


def test_gaps_shows_the_missing_report_with_a_link_to_write_it(client, session):
    member, _chair, _apps = _committee(session)
    login_as(client, session, member)
    page = client.get("/gaps", params={"on": f"{today().year + 1}-04-02"}).text
    assert "Årsrapport fra arbeidsmiljøutvalget" in page
    assert f"/amu/report/{today().year}" in page
