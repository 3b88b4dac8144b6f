"""The HMS year (/calendar) and the per-person calendar feed (both databases): each kind of
item in its month, the person and department filters, who may see it, the feed's secret
address (shown once, revocable) and its iCalendar text (parsed with the `icalendar`
library), and a fixed number of statements whatever the number of records."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time

import icalendar
from sqlmodel import select

from hms_tracker.amu.models import AmuMeeting, AmuReport, CalendarFeed
from hms_tracker.appointments.models import Appointment
from hms_tracker.barometer.models import BarometerSnapshot, Survey
from hms_tracker.db import clear_caches, utcnow
from hms_tracker.organisation.models import DepartmentLeader
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import Routine, RoutineDepartment
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.web.dates import today
from tests.factories import make_department, make_person, make_user
from tests.login import login_as
from tests.sql import statements_on

Y = today().year  # every item below lies in this year, inside the feed's window


def _company(session):
    """A company with one item of each kind in year Y, in known months."""
    production = make_department(session, name="Produksjon")
    storage = make_department(session, name="Lager")
    admin = make_user(session, is_admin=True, department=production)
    anne = make_user(session, person=make_person(session, name="Anne Amu", department=storage))
    kari = make_person(session, name="Kari Verneombud", department=production)
    ola = make_person(session, name="Ola Nordmann", department=storage)
    session.add_all([
        # Anne sits in the AMU: she sees the calendar, and its meetings are hers.
        Appointment(kind="amu_member", person_id=anne.person_id, amu_side="employee",
                    starts_on=date(2020, 1, 1)),
        # Kari's term as verneombud ends on 30 April.
        Appointment(kind="safety_rep", person_id=kari.id, starts_on=date(Y - 2, 5, 1),
                    ends_on=date(Y, 4, 30)),
        # Ola is verneombud, and his first-aid course (valid 24 months) expires 15 June.
        Appointment(kind="safety_rep", person_id=ola.id, starts_on=date(2020, 1, 1)),
        AmuMeeting(meets_on=date(Y, 3, 12), starts_at=time(9, 0), ends_at=time(11, 30),
                   place="Kantina"),
        AmuReport(year=Y - 1, text="Årsrapport"),  # due 31 March, not approved
        Survey(barometer_year=2025, title="Trivsel høst", opens_on=date(Y, 9, 1),
               closes_on=date(Y, 9, 14)),
    ])  # fmt: skip
    course = CourseType(name="Førstehjelp (test)", required_hours=8, validity_months=24,
                        required_for="safety_rep")  # fmt: skip
    session.add(course)
    session.flush()
    session.add(
        TrainingRecord(
            person_id=ola.id, course_type_id=course.id, completed_on=date(Y - 2, 6, 15), hours=8
        )  # fmt: skip
    )
    company_routine = Routine(title="Stillasarbeid", owner_id=anne.person_id,
                              next_review_on=date(Y, 5, 20))  # fmt: skip
    production_routine = Routine(title="Kjølerom", whole_company=False,
                                 next_review_on=date(Y, 5, 21))  # fmt: skip
    session.add_all([company_routine, production_routine])
    session.flush()
    session.add(RoutineDepartment(routine_id=production_routine.id, department_id=production.id))
    session.add_all([
        # Assessed 10 July last year: due again 10 July this year.
        Risk(title="Sveising", department_id=production.id, consequence=4, probability=3,
             last_assessed_on=date(Y - 1, 7, 10), owner_person_id=kari.id),
        Risk(title="Truckkjøring", department_id=storage.id, consequence=3, probability=3,
             last_assessed_on=date(Y - 1, 7, 11)),
        Risk(title="Arkivert fare", department_id=storage.id, consequence=3, probability=3,
             last_assessed_on=date(Y - 1, 7, 12), archived_on=date(Y - 1, 8, 1)),
    ])  # fmt: skip
    session.commit()
    return {"admin": admin, "anne": anne, "kari": kari, "ola": ola,
            "production": production, "storage": storage}  # fmt: skip


def _month(html: str, number: int) -> str:
    found = re.search(rf'<section class="calendar-month" id="month-{number}"(.*?)</section>',
                      html, re.S)  # fmt: skip
    assert found, f"no section for month {number}"
    return found.group(1)


def _item(html: str, title: str) -> str:
    """The list item whose text holds `title`."""
    for item in re.findall(r'<li class="calendar-item">(.*?)</li>', html, re.S):
        if title in item:
            return item
    raise AssertionError(f"no item {title!r}")


def _listed(html: str) -> str:
    """The twelve months' lists (not the page's intro, filters or feed section)."""
    return "".join(_month(html, n) for n in range(1, 13))


def _months_of(html: str, text: str) -> list[int]:
    return [n for n in range(1, 13) if text in _month(html, n)]


def test_the_year_lists_every_kind_of_item_in_its_month(client, session):
    world = _company(session)
    login_as(client, session, world["admin"])
    page = client.get(f"/calendar?year={Y}")
    assert page.status_code == 200, page.text[:500]
    html = page.text
    assert _months_of(html, "AMU-møte") == [3]
    assert "09:00–11:30" in _item(_month(html, 3), "AMU-møte")
    assert "Kantina" in _item(_month(html, 3), "AMU-møte")
    meeting_id = session.exec(select(AmuMeeting.id)).one()
    assert f'href="/amu/meetings/{meeting_id}"' in _item(_month(html, 3), "AMU-møte")
    assert _months_of(html, f"Frist for AMUs årsrapport for {Y - 1}") == [3]
    assert _months_of(html, "Vervet slutter: Verneombud – Kari Verneombud") == [4]
    assert _months_of(html, "Rutinen skal gjennomgås: Stillasarbeid") == [5]
    assert _months_of(html, "Opplæringen utløper: Førstehjelp (test) – Ola Nordmann") == [6]
    assert _months_of(html, "Risikoen skal vurderes på nytt: Sveising") == [7]
    assert _months_of(html, "Risikoen skal vurderes på nytt: Truckkjøring") == [7]
    assert "Arkivert fare" not in html
    assert _months_of(html, "Pulsundersøkelse: Trivsel høst") == [9]
    assert _months_of(html, f"Årlig gjennomgang av internkontrollen {Y}") == [12]
    # The days themselves, and the counts at the top.
    assert f'datetime="{Y}-03-12"' in _month(html, 3)
    assert f'datetime="{Y}-07-10"' in _item(_month(html, 7), "Sveising")
    assert f'datetime="{Y}-09-14"' in _item(_month(html, 9), "Trivsel høst")
    overview = html.split('id="overview-heading"', 1)[1].split("</section>", 1)[0]
    assert f"10 hendelser i {Y}" in overview
    assert re.search(r'href="#month-7">.*?2 hendelser', overview, re.S)
    assert re.search(r'href="#month-2">.*?0 hendelser', overview, re.S)
    assert "Ingenting i denne måneden." in _month(html, 2)


def test_done_items_are_marked_done(client, session):
    world = _company(session)
    session.add(
        BarometerSnapshot(year=Y, barometer_year=2025, content="{}", taken_on=date(Y, 1, 2))
    )
    report = session.exec(select(AmuReport)).one()
    report.approved_at = utcnow()
    session.add(report)
    session.commit()
    login_as(client, session, world["admin"])
    html = client.get(f"/calendar?year={Y}").text
    review = _item(_month(html, 12), "Årlig gjennomgang av internkontrollen")
    assert "Gjennomført" in review and f'href="/barometer/{Y}"' in review
    assert "Gjennomført" in _item(_month(html, 3), "Frist for AMUs årsrapport")
    assert "Gjennomført" not in _item(_month(html, 5), "Stillasarbeid")
    assert "Gjennomført" not in _item(_month(html, 4), "Vervet slutter")


def test_another_year_shows_that_year(client, session):
    world = _company(session)
    login_as(client, session, world["admin"])
    html = client.get(f"/calendar?year={Y + 1}").text
    assert f"HMS-årshjulet {Y + 1}" in html
    assert "Stillasarbeid" not in _listed(html) and "AMU-møte" not in _listed(html)
    assert f"Årlig gjennomgang av internkontrollen {Y + 1}" in _month(html, 12)
    assert f"Frist for AMUs årsrapport for {Y}" in _month(html, 3)


def test_the_person_filter_keeps_what_concerns_the_person_and_the_company_deadlines(
    client, session
):
    world = _company(session)
    login_as(client, session, world["admin"])
    page = client.get(f"/calendar?year={Y}&person={world['kari'].id}").text
    listed = _listed(page)
    assert "Vervet slutter: Verneombud – Kari Verneombud" in _month(page, 4)
    assert "Risikoen skal vurderes på nytt: Sveising" in _month(page, 7)  # she owns it
    assert "Truckkjøring" not in listed  # nobody's, in another department
    assert "Opplæringen utløper" not in listed and "Ola Nordmann" not in listed  # Ola's
    assert "Stillasarbeid" not in listed  # Anne's routine
    assert "AMU-møte" not in listed  # Kari is not in the AMU
    # The company's own deadlines stay.
    assert f"Årlig gjennomgang av internkontrollen {Y}" in _month(page, 12)
    assert "Pulsundersøkelse: Trivsel høst" in _month(page, 9)
    assert "Frist for AMUs årsrapport" in _month(page, 3)
    # An AMU member sees the committee's meetings on hers.
    page = client.get(f"/calendar?year={Y}&person={world['anne'].person_id}").text
    assert "Viser det som gjelder Anne Amu, og bedriftens felles frister." in page
    assert "AMU-møte" in _month(page, 3)
    assert "Rutinen skal gjennomgås: Stillasarbeid" in _month(page, 5)
    assert "Sveising" not in _listed(page) and "Vervet slutter" not in _listed(page)


def test_the_department_filter_keeps_that_departments_items(client, session):
    world = _company(session)
    login_as(client, session, world["admin"])
    storage = client.get(f"/calendar?year={Y}&department={world['storage'].id}").text
    listed = _listed(storage)
    assert "Risikoen skal vurderes på nytt: Truckkjøring" in _month(storage, 7)
    assert "Sveising" not in listed
    assert "Opplæringen utløper: Førstehjelp (test) – Ola Nordmann" in _month(storage, 6)
    assert "Vervet slutter" not in listed  # Kari works in Produksjon
    assert "Rutinen skal gjennomgås: Stillasarbeid" in _month(storage, 5)  # whole company
    assert "Kjølerom" not in listed  # chosen for Produksjon only
    assert "AMU-møte" in _month(storage, 3)  # company-wide
    production = client.get(f"/calendar?year={Y}&department={world['production'].id}").text
    assert "Viser det som gjelder Produksjon, og bedriftens felles frister." in production
    listed = _listed(production)
    assert "Sveising" in _month(production, 7) and "Truckkjøring" not in listed
    assert "Rutinen skal gjennomgås: Kjølerom" in _month(production, 5)
    assert "Vervet slutter: Verneombud – Kari Verneombud" in _month(production, 4)
    assert "Opplæringen utløper" not in listed


def test_odd_filters_are_ignored_and_unknown_ids_are_not_found(client, session):
    world = _company(session)
    login_as(client, session, world["admin"])
    page = client.get("/calendar?year=abc&person=x&department=-1")
    assert page.status_code == 200 and f"HMS-årshjulet {Y}" in page.text
    assert "Sveising" in page.text  # no filter applied
    assert client.get("/calendar?person=999999").status_code == 404
    assert client.get("/calendar?department=999999").status_code == 404
    assert client.get("/calendar?year=" + "9" * 40).status_code == 200


def test_an_employee_who_is_neither_leader_nor_representative_may_not_see_it(client, session):
    world = _company(session)
    employee = make_user(session, department=world["storage"])
    login_as(client, session, employee)
    assert client.get("/calendar").status_code == 403
    assert client.submit("/calendar/feed", {}, token_page="/").status_code == 403
    assert session.exec(select(CalendarFeed)).all() == []
    assert "/calendar" not in client.get("/").text.split("</nav>")[0]


def test_a_leader_sees_it_and_finds_it_in_the_menu(client, session):
    world = _company(session)
    leader = make_user(session, department=world["storage"])
    session.add(DepartmentLeader(department_id=world["storage"].id, person_id=leader.person_id))
    session.commit()
    login_as(client, session, leader)
    assert 'href="/calendar"' in client.get("/").text
    html = client.get("/calendar").text
    # A leader of Lager opens Lager's risks, not Produksjon's (the risk register's rule).
    assert "Truckkjøring" in html and "Sveising" not in html
    # The meeting is on it, but not as a link to the AMU's pages, which a leader may not open.
    meeting = _item(_month(html, 3), "AMU-møte")
    assert "Kantina" in meeting and "/amu/meetings/" not in meeting


def _feed_url(response) -> str:
    assert response.status_code == 200, response.text[:500]
    found = re.search(r'id="feed-url"[^>]*value="([^"]+)"', response.text)
    assert found, "the new address is shown"
    return found.group(1)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_feed_address_is_shown_once_and_only_its_hash_is_kept(client, session):
    world = _company(session)
    login_as(client, session, world["anne"])
    assert "Du har ingen kalenderadresse." in client.get("/calendar").text
    url = _feed_url(client.submit("/calendar/feed", {}, token_page="/calendar"))
    assert url.startswith("http") and url.endswith(".ics")
    token = _path(url).removeprefix("/calendar/feed/").removesuffix(".ics")
    assert len(token) >= 40
    (feed,) = session.exec(select(CalendarFeed)).all()
    assert feed.person_id == world["anne"].person_id and feed.revoked_at is None
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    again = client.get("/calendar").text
    assert token not in again and 'id="feed-url"' not in again
    assert "Du har en kalenderadresse i bruk" in again


def test_the_feed_is_an_icalendar_of_the_persons_items_in_oslo_time(client, session):
    world = _company(session)
    login_as(client, session, world["anne"])
    path = _path(_feed_url(client.submit("/calendar/feed", {}, token_page="/calendar")))
    client.cookies.clear()  # a calendar program has no login
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    text = response.text
    parsed = icalendar.Calendar.from_ical(text)
    assert str(parsed["X-WR-CALNAME"]) == "HMS – Anne Amu"
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Oslo"]
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    meeting_id = session.exec(select(AmuMeeting.id)).one()
    meeting = events[f"amu-meeting-{meeting_id}@hms-tracker"]
    assert meeting["DTSTART"].params["TZID"] == "Europe/Oslo"
    starts = meeting["DTSTART"].dt
    assert (starts.replace(tzinfo=None), str(starts.tzinfo)) == (
        datetime(Y, 3, 12, 9, 0),
        "Europe/Oslo",
    )
    assert meeting["DTEND"].dt.replace(tzinfo=None) == datetime(Y, 3, 12, 11, 30)
    assert str(meeting["LOCATION"]) == "Kantina"
    assert f"DTSTART;TZID=Europe/Oslo:{Y}0312T090000" in text
    routine_id = session.exec(select(Routine.id).where(Routine.title == "Stillasarbeid")).one()
    routine = events[f"routine-review-{routine_id}@hms-tracker"]
    assert routine["DTSTART"].dt == date(Y, 5, 20)  # a whole day
    assert routine["DTEND"].dt == date(Y, 5, 21)
    assert str(routine["SUMMARY"]) == "Rutinen skal gjennomgås: Stillasarbeid"
    assert str(routine["URL"]).endswith(f"/routines/{routine_id}")
    survey = next(e for e in events.values() if "Trivsel høst" in str(e["SUMMARY"]))
    assert (survey["DTSTART"].dt, survey["DTEND"].dt) == (date(Y, 9, 1), date(Y, 9, 15))
    assert events[f"yearly-review-{Y}@hms-tracker"]["DTSTART"].dt == date(Y, 12, 15)
    assert events[f"amu-report-{Y - 1}@hms-tracker"]["DTSTART"].dt == date(Y, 3, 31)
    # What concerns only others is not in Anne's feed.
    summaries = " ".join(str(e["SUMMARY"]) for e in events.values())
    assert "Sveising" not in summaries and "Truckkjøring" not in summaries
    assert "Kari" not in text and "Ola" not in text and "Kjølerom" not in text


def test_a_new_address_revokes_the_old_and_a_revoked_or_unknown_one_is_not_found(client, session):
    world = _company(session)
    login_as(client, session, world["anne"])
    first = _path(_feed_url(client.submit("/calendar/feed", {}, token_page="/calendar")))
    second = _path(_feed_url(client.submit("/calendar/feed", {}, token_page="/calendar")))
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    revoked = client.submit("/calendar/feed/revoke", {}, token_page="/calendar")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/calendar"
    assert client.get(second).status_code == 404
    assert "Du har ingen kalenderadresse." in client.get("/calendar").text
    assert all(f.revoked_at is not None for f in session.exec(select(CalendarFeed)).all())
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404
    assert client.get("/calendar/feed/" + "x" * 300 + ".ics").status_code == 404


def test_the_feed_stops_when_its_owner_may_no_longer_see_the_calendar(client, session):
    world = _company(session)
    employee = make_user(session, department=world["storage"])
    session.add(CalendarFeed(person_id=employee.person_id,
                             token_hash=hashlib.sha256(b"secret-token").hexdigest()))  # fmt: skip
    session.commit()
    assert client.get("/calendar/feed/secret-token.ics").status_code == 404
    # The same feed opens once the person sits in the AMU.
    session.add(Appointment(kind="amu_member", person_id=employee.person_id,
                            amu_side="employer", starts_on=date(2020, 1, 1)))  # fmt: skip
    session.commit()
    assert client.get("/calendar/feed/secret-token.ics").status_code == 200


def _grow(session, world, n: int) -> None:
    """`n` more items of every kind, in several departments."""
    for i in range(n):
        department = world["production"] if i % 2 else world["storage"]
        person = make_person(session, department=department)
        session.add_all([
            Appointment(kind="safety_rep", person_id=person.id, starts_on=date(Y - 1, 1, 1),
                        ends_on=date(Y, 1 + i % 12, 10)),
            AmuMeeting(meets_on=date(Y, 1 + i % 12, 5), starts_at=time(12, 0),
                       ends_at=time(13, 0)),
            Routine(title=f"Rutine {i}", owner_id=world["anne"].person_id,
                    next_review_on=date(Y, 1 + i % 12, 3)),
            Risk(title=f"Risiko {i}", department_id=department.id, consequence=2, probability=2,
                 last_assessed_on=date(Y - 1, 1 + i % 12, 4),
                 owner_person_id=world["anne"].person_id),
            Survey(barometer_year=2025, title=f"Puls {i}", opens_on=date(Y, 1 + i % 12, 1),
                   closes_on=date(Y, 1 + i % 12, 2)),
        ])  # fmt: skip
    session.commit()


def _statements(client, app, path: str) -> int:
    clear_caches()  # the rule engine's report is read afresh each time
    with statements_on(app.state.engine) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return len(seen)


def test_the_page_and_the_feed_read_as_much_with_more_records(app, client, session):
    world = _company(session)
    login_as(client, session, world["anne"])
    feed = _path(_feed_url(client.submit("/calendar/feed", {}, token_page="/calendar")))
    pages = ["/calendar", f"/calendar?person={world['anne'].person_id}",
             f"/calendar?department={world['storage'].id}"]  # fmt: skip
    client.get("/calendar")  # what is read once per process
    few = {p: _statements(client, app, p) for p in [*pages, feed]}
    _grow(session, world, 12)
    many = {p: _statements(client, app, p) for p in [*pages, feed]}
    assert all(n > 0 for n in few.values())
    assert many == few
    html = client.get("/calendar").text
    assert "Rutine 11" in html and "Risiko 11" in html and "Puls 11" in html  # they are shown
