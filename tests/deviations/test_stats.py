"""Deviation statistics against figures computed by hand on a fixed dataset (both databases),
the definitions' boundaries as pure functions, and the statistics page over HTTP."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from fractions import Fraction

import pytest
from sqlmodel import Session, select

from hms_tracker.deviations.models import CorrectiveAction, Deviation
from hms_tracker.deviations.stats import (
    AGE_BUCKETS,
    InjuryRate,
    age_bucket,
    in_window,
    load_stats,
    median,
    save_hours_worked,
    window_first,
    window_months,
)
from hms_tracker.errors import InvalidInput
from hms_tracker.organisation.models import CompanySetting, Department
from hms_tracker.web.dates import today as real_today
from hms_tracker.web.i18n import OSLO
from tests.conftest import login
from tests.factories import make_department, make_leader, make_person, make_user
from tests.login import login_admin, login_as

TODAY = date(2026, 6, 15)  # the last 12 months: 2025-06-16 .. 2026-06-15 (365 days)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A moment on a Norwegian calendar day."""
    return datetime.combine(day, time(hour, minute), OSLO)


def dev(
    session: Session,
    dept: Department,
    created: datetime,
    *,
    status: str = "registered",
    category: str = "hazard",
    closed: datetime | None = None,
    occurred: datetime | None = None,
    absence: bool | None = None,
) -> Deviation:
    row = Deviation(
        title="Avvik",
        description="Beskrivelse",
        department_id=dept.id,
        occurred_at=occurred or created,
        category=category,
        consequence=2,
        probability=2,
        status=status,
        closed_at=closed,
        caused_absence=absence,
        created_at=created,
    )
    session.add(row)
    session.flush()
    return row


def action(session, deviation, owner, deadline, *, done_on=None, withdrawn=False):
    row = CorrectiveAction(
        deviation_id=deviation.id,
        description=f"Tiltak frist {deadline.isoformat()}",
        owner_person_id=owner.id,
        deadline=deadline,
        done_on=done_on,
        withdrawn_at=at(TODAY - timedelta(days=3)) if withdrawn else None,
        withdrawn_reason="Ikke nødvendig" if withdrawn else None,
    )
    session.add(row)
    session.flush()
    return row


def build(session: Session) -> dict[str, object]:
    """The fixed dataset. Ages are days before TODAY (2026-06-15)."""
    a = make_department(session, name="Lager")
    b = make_department(session, name="Kontor")
    b1 = make_department(session, name="Kontor Nord", parent_id=b.id)
    c = make_department(session, name="Verksted")  # open, no reports
    make_department(session, name="Gammel avdeling", closed_on=date(2025, 12, 31))  # closed
    make_department(session, name="Kantine", closed_on=date(2026, 7, 1))  # closes later: open

    # Headcount over 2025-06-16 .. 2026-06-15 (365 days), everyone whatever hours or type:
    p1 = make_person(session, name="Per Lager", department=a, employed_from=date(2020, 1, 1))
    make_person(
        session,
        department=a,
        employed_from=date(2020, 1, 1),
        weekly_hours="10",
        employment_type="temporary",
    )  # 365 days
    p3 = make_person(session, name="Kari Kontor", department=b, employed_from=date(2020, 1, 1))
    # hired in from 2025-12-16: 16 + 31 + 28 + 31 + 30 + 31 + 15 = 182 days
    make_person(
        session, department=b1, employed_from=date(2025, 12, 16), employment_type="hired_in"
    )
    # left the day before the period: 0 days
    make_person(
        session, department=c, employed_from=date(2020, 1, 1), employed_to=date(2025, 6, 15)
    )
    make_person(session, employed_from=date(2020, 1, 1))  # no department: 365 days

    d = {}
    # Open deviations (age in days → bucket)
    d["d1"] = dev(session, a, at(TODAY))  # age 0 → 0–7
    d["d2"] = dev(session, a, at(date(2026, 6, 8)), status="in_progress", category="near_miss")  # 7
    d["d9"] = dev(session, a, at(date(2026, 6, 10)), category="other")  # 5 → 0–7
    d["d3"] = dev(session, a, at(date(2026, 6, 7)), status="actions", category="near_miss")  # 8
    d["d4"] = dev(session, b, at(date(2026, 5, 16)), category="other")  # 30 → 8–30
    d["d5"] = dev(session, b, at(date(2026, 5, 15)), status="in_progress", category="near_miss")
    # ^ 31 → 31–90
    d["d6"] = dev(
        session, b1, at(date(2026, 3, 17)), category="personal_injury", absence=True
    )  # 90 → 31–90
    d["d7"] = dev(
        session,
        b1,
        at(date(2026, 3, 16)),
        status="actions",
        category="personal_injury",
        absence=False,
    )  # 91 → over 90
    d["d8"] = dev(session, a, at(date(2025, 1, 10)))  # 521 → over 90; registered before the period

    # Closed deviations
    d["c1"] = dev(
        session,
        a,
        at(date(2026, 1, 10)),
        status="closed",
        category="near_miss",
        closed=at(date(2026, 1, 12)),
    )  # 2 days
    d["c2"] = dev(session, a, at(date(2026, 2, 1)), status="closed", closed=at(date(2026, 2, 11)))
    # ^ 10 days
    d["c3"] = dev(
        session,
        b,
        at(date(2025, 12, 1)),
        status="closed",
        category="personal_injury",
        absence=True,
        occurred=at(date(2025, 11, 28)),
        closed=at(date(2026, 1, 5)),
    )  # 31 + 4 = 35 days
    d["c4"] = dev(
        session,
        b,
        at(date(2025, 5, 1)),
        status="closed",
        category="material_damage",
        closed=at(date(2025, 6, 20)),
    )  # registered before the period, closed inside: 31 + 19 = 50 days
    d["c5"] = dev(
        session, a, at(date(2025, 1, 1)), status="closed", closed=at(date(2025, 6, 15))
    )  # closed exactly 365 days ago: outside
    # Registered at 00:30 Norwegian time today (22:30 UTC yesterday), closed today: 0 days
    d["c6"] = dev(
        session,
        a,
        at(TODAY, 0, 30),
        status="closed",
        category="near_miss",
        closed=at(TODAY, 10),
    )
    # Personal injury before the period (for H1/H2 2025: happened 2025-02-27, no absence)
    d["i1"] = dev(
        session,
        b,
        at(date(2025, 3, 1)),
        status="closed",
        category="personal_injury",
        absence=False,
        occurred=at(date(2025, 2, 27)),
        closed=at(date(2025, 3, 10)),
    )
    # Rejected: a registration, but not an injury (happened 2025-12-20, reported late)
    d["r1"] = dev(
        session,
        b1,
        at(date(2026, 4, 1)),
        status="rejected",
        category="personal_injury",
        absence=True,
        occurred=at(date(2025, 12, 20)),
    )
    # The window's edge, in Norwegian time: 2025-06-15 23:30 is 365 days ago (outside);
    # 2025-06-16 00:30 (22:30 UTC on the 15th) is 364 days ago (inside).
    d["w_out"] = dev(
        session, a, at(date(2025, 6, 15), 23, 30), status="rejected", category="near_miss"
    )
    d["w_in"] = dev(
        session, a, at(date(2025, 6, 16), 0, 30), status="rejected", category="near_miss"
    )

    # Actions
    action(session, d["d3"], p1, date(2026, 6, 14))  # yesterday: 1 day overdue
    action(session, d["d3"], p1, TODAY)  # deadline today: not overdue
    action(session, d["d7"], p3, date(2026, 5, 1))  # 45 days overdue
    action(session, d["d4"], p3, date(2026, 5, 1), done_on=date(2026, 5, 2))  # done
    action(session, d["d5"], p3, date(2026, 5, 1), withdrawn=True)  # withdrawn
    session.commit()
    return {"a": a, "b": b, "b1": b1, "c": c, **d}


def test_company_figures_match_the_hand_computed_ones(session):
    data = build(session)
    s = load_stats(session, today=TODAY)

    assert s.window_first == date(2025, 6, 16)
    # Open: 0–7: d1, d2, d9; 8–30: d3, d4; 31–90: d5, d6; over 90: d7, d8
    assert [(b.min_days, b.max_days, b.count) for b in s.open_by_age] == [
        (0, 7, 3),
        (8, 30, 2),
        (31, 90, 2),
        (91, None, 2),
    ]
    assert s.open_total == 9

    # Overdue: the 45-day one (d7, Kari) first, then yesterday's (d3, Per)
    assert s.overdue_count == 2
    overdue = [
        (x.deviation_id, x.owner_name, x.deadline, x.days_overdue) for x in s.overdue_actions
    ]
    assert overdue == [
        (data["d7"].id, "Kari Kontor", date(2026, 5, 1), 45),
        (data["d3"].id, "Per Lager", date(2026, 6, 14), 1),
    ]
    assert s.overdue_actions[0].description == "Tiltak frist 2026-05-01"

    # Closed within the period: c6 0, c1 2, c2 10, c3 35, c4 50 (c5 and i1 closed earlier)
    # → sorted [0, 2, 10, 35, 50], odd count, median = 10
    assert s.closed_count == 5
    assert s.median_days_to_close == 10

    # Registered within the period: Lager d1 d2 d3 d9 c1 c2 c6 w_in = 8;
    # Kontor d4 d5 c3 = 3; Kontor Nord d6 d7 r1 = 3 → 14 (d8, c4, c5, i1, w_out before)
    assert s.registrations == 14
    assert [(c.name, c.count) for c in s.per_department] == [
        ("Lager", 8),
        ("Kontor", 3),
        ("Kontor Nord", 3),
    ]
    # Months 2025-06 .. 2026-06, zero-filled: the window begins on 2025-06-16, so June 2025
    # (in part, w_in) and June 2026 (in part) are both there, and the months sum to the 14.
    assert [(m.month, m.count) for m in s.per_month] == [
        (date(2025, 6, 1), 1),  # w_in
        (date(2025, 7, 1), 0),
        (date(2025, 8, 1), 0),
        (date(2025, 9, 1), 0),
        (date(2025, 10, 1), 0),
        (date(2025, 11, 1), 0),
        (date(2025, 12, 1), 1),  # c3
        (date(2026, 1, 1), 1),  # c1
        (date(2026, 2, 1), 1),  # c2
        (date(2026, 3, 1), 2),  # d6, d7
        (date(2026, 4, 1), 1),  # r1 (rejected still counts)
        (date(2026, 5, 1), 2),  # d4, d5
        (date(2026, 6, 1), 5),  # d1, d2, d3, d9, c6
    ]

    # Average headcount: (4 × 365 + 182 + 0) / 365 = 1642 / 365
    assert s.average_headcount == Fraction(1642, 365)
    # 14 / (1642/365) × 100 = 511000 / 1642 = 311.2…
    assert s.reports_per_100 == Fraction(511000, 1642)

    # No reports: Verksted, and Kantine (closes next month); Gammel avdeling is closed
    assert [dept.name for dept in s.departments_without_reports] == ["Kantine", "Verksted"]

    # Near misses d2 d3 d5 c1 c6 = 5 (w_in rejected); injuries d6 d7 c3 = 3 (r1 rejected)
    assert (s.near_misses, s.injuries) == (5, 3)
    assert s.near_miss_ratio == Fraction(5, 3)

    # No hours entered: last calendar year is shown, not computed.
    # 2025 injuries by the day they happened: c3 (absence), i1 (none); r1 rejected
    assert s.injury_rates == [
        InjuryRate(year=2025, hours_worked=None, injuries_with_absence=1, injuries=2)
    ]
    assert s.injury_rates[0].h1 is None and s.injury_rates[0].h2 is None


def test_department_filter_narrows_the_figures(session):
    data = build(session)
    s = load_stats(session, today=TODAY, department_ids={data["b"].id, data["b1"].id})
    # Open: d4 (30), d5 (31), d6 (90), d7 (91)
    assert [b.count for b in s.open_by_age] == [0, 1, 2, 1]
    assert [a.deviation_id for a in s.overdue_actions] == [data["d7"].id]
    # Closed in the period: c3 35, c4 50 → even count: (35 + 50) / 2 = 42.5
    assert s.closed_count == 2
    assert s.median_days_to_close == Fraction(85, 2)
    assert s.registrations == 6  # d4 d5 c3 + d6 d7 r1
    # People: Kari (365) + the hired-in (182) → 547 / 365
    assert s.average_headcount == Fraction(547, 365)
    assert s.reports_per_100 == Fraction(6 * 365 * 100, 547)  # 400.36…
    assert (s.near_misses, s.injuries) == (1, 3)  # d5; d6 d7 c3
    assert s.departments_without_reports == []
    # H1/H2 stay company-wide
    assert s.injury_rates[0].injuries == 2

    only_c = load_stats(session, today=TODAY, department_ids={data["c"].id})
    assert only_c.registrations == 0 and only_c.median_days_to_close is None
    assert only_c.average_headcount == 0 and only_c.reports_per_100 is None
    assert [m.count for m in only_c.per_month] == [0] * 13
    assert [dept.name for dept in only_c.departments_without_reports] == ["Verksted"]
    assert only_c.near_miss_ratio is None  # no injuries: shown as "—"


def test_h1_and_h2_for_years_with_hours_worked(session):
    build(session)
    save_hours_worked(session=session, values={"year": "2025", "hours": "200 000"})
    save_hours_worked(session=session, values={"year": "2024", "hours": "400000"})
    save_hours_worked(session=session, values={"year": "2026", "hours": "150000"})
    session.commit()
    rates = {r.year: r for r in load_stats(session, today=TODAY).injury_rates}
    assert sorted(rates) == [2024, 2025, 2026]
    # 2025: c3 with absence, i1 without → H1 = 1 × 1 000 000 / 200 000 = 5; H2 = 2 × … = 10
    assert (rates[2025].injuries_with_absence, rates[2025].injuries) == (1, 2)
    assert rates[2025].h1 == 5 and rates[2025].h2 == 10
    # 2024: no injuries → 0 and 0 (computed: hours are there)
    assert rates[2024].h1 == 0 and rates[2024].h2 == 0
    # 2026: d6 with absence, d7 without → H1 = 1 000 000 / 150 000 = 20/3; H2 = 40/3
    assert rates[2026].h1 == Fraction(20, 3) and rates[2026].h2 == Fraction(40, 3)

    # An empty figure removes the year again
    save_hours_worked(session=session, values={"year": "2024", "hours": ""})
    session.commit()
    assert 2024 not in {r.year for r in load_stats(session, today=TODAY).injury_rates}


@pytest.mark.parametrize(
    ("year", "hours", "errors"),
    [
        ("1999", "1000", {"year": "Året må være mellom 2000 og 2100."}),
        ("2101", "1000", {"year": "Året må være mellom 2000 og 2100."}),
        ("tjue", "1000", {"year": "Skriv årstallet med fire sifre, for eksempel 2025."}),
        ("", "1000", {"year": "Fyll ut dette feltet."}),
        ("2025", "0", {"hours": "Antall timer må være mellom 1 og 1 000 000 000."}),
        ("2025", "12,5", {"hours": "Skriv et helt antall timer, uten desimaler."}),
        ("2025", "-5", {"hours": "Skriv et helt antall timer, uten desimaler."}),
        ("2025", "١٢٣", {"hours": "Skriv et helt antall timer, uten desimaler."}),
        ("2025", "", {"hours": "Fyll ut dette feltet."}),  # nothing stored to remove
        ("2025", "1000000001", {"hours": "Antall timer må være mellom 1 og 1 000 000 000."}),
    ],
)
def test_hours_worked_are_validated(session, year, hours, errors):
    with pytest.raises(InvalidInput) as caught:
        save_hours_worked(session=session, values={"year": year, "hours": hours})
    assert caught.value.errors == errors
    assert session.get(CompanySetting, f"deviations.hours_worked.{year}") is None


# --- pure definitions ----------------------------------------------------------------------


def test_median_odd_even_and_empty():
    assert median([]) is None
    assert median([7]) == 7
    assert median([10, 0, 2]) == 2  # sorted [0, 2, 10]
    assert median([1, 4, 2, 10]) == 3  # (2 + 4) / 2
    assert median([35, 50]) == Fraction(85, 2)  # 42.5


def test_window_edges():
    assert window_first(TODAY) == date(2025, 6, 16)
    assert in_window(TODAY - timedelta(days=364), TODAY)
    assert not in_window(TODAY - timedelta(days=365), TODAY)
    assert in_window(TODAY, TODAY) and not in_window(TODAY + timedelta(days=1), TODAY)


def test_age_buckets_edges():
    assert AGE_BUCKETS == ((0, 7), (8, 30), (31, 90), (91, None))
    assert [age_bucket(n) for n in (-1, 0, 7, 8, 30, 31, 90, 91, 5000)] == [
        0,
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
    ]


def test_the_months_of_the_window_cross_the_year():
    months = window_months(date(2026, 1, 31))  # from 2025-02-01: whole months
    assert months[0] == date(2025, 2, 1) and months[-1] == date(2026, 1, 1) and len(months) == 12
    months = window_months(date(2026, 1, 15))  # from 2025-01-16: January 2025 in part
    assert months[0] == date(2025, 1, 1) and months[-1] == date(2026, 1, 1) and len(months) == 13
    assert len(set(months)) == 13


# --- the page ------------------------------------------------------------------------------


def _page_data(session):
    day = real_today()
    lager = make_department(session, name="Lager")
    evil = make_department(session, name="<script>alert(1)</script>")
    make_department(session, name="Stille avdeling")
    for _i in range(2):
        dev(session, lager, at(day, 10))
    dev(session, evil, at(day, 11), category="personal_injury", absence=True)
    dev(session, lager, at(day, 11), category="near_miss")
    session.commit()
    return day


def test_admin_sees_the_figures_in_tables_and_charts(client, session):
    day = _page_data(session)
    login_admin(client, session)
    r = client.get("/deviations/stats")
    assert r.status_code == 200, r.text[:2000]
    html = r.text
    # Three charts, each with its title and role=img
    assert html.count('role="img"') == 3
    assert '<title id="chart-months-title">Registrerte avvik per måned</title>' in html
    # The department table: Lager 3, the evil name 1 — escaped, never raw
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.search(r"<td>Lager</td><td class=\"numeric\">3</td>", html)
    # This month's row in the monthly table has 4
    from babel.dates import format_date

    this_month = format_date(day.replace(day=1), "MMMM y", locale="nb_NO")
    assert re.search(rf"<td>{this_month}</td><td class=\"numeric\">4</td>", html)
    # Open 0–7 days: 4; near misses per injury 1 : 1; a department without reports
    assert re.search(r"<td>0–7 dager</td><td class=\"numeric\">4</td>", html)
    assert re.search(r'id="figure-open">4<', html)
    assert re.search(r'id="figure-ratio">1 : 1 ', html)
    assert "Stille avdeling" in html
    # H1/H2: last year not computed without hours; the admin has the form
    assert "Ikke beregnet" in html
    assert 'action="/deviations/stats/hours"' in html


def test_department_filter_on_the_page(client, session):
    _page_data(session)
    login_admin(client, session)
    lager = session.exec(select(Department).where(Department.name == "Lager")).one()
    html = client.get(f"/deviations/stats?department={lager.id}").text
    assert re.search(r'id="figure-open">3<', html)
    assert re.search(r'id="figure-ratio">— ', html)  # no injuries in Lager
    bad = client.get("/deviations/stats?department=abc").text
    assert "Ukjent avdeling. Viser hele bedriften." in bad
    assert re.search(r'id="figure-open">4<', bad)


@pytest.mark.parametrize("department", ["999", "0", "abc", "99999999999999999999", "-1"])
def test_an_unknown_department_says_the_whole_company_is_shown(client, session, department):
    _page_data(session)
    login_admin(client, session)
    page = client.get("/deviations/stats", params={"department": department})
    assert page.status_code == 200
    # A notice at the top of the page, not only beside the select.
    notice = re.search(
        r'<div class="ds-alert"[^>]*id="department-warning">(.*?)</div>', page.text, re.S
    )
    assert notice and "Ukjent avdeling. Viser hele bedriften." in notice[1]
    assert page.text.index('id="department-warning"') < page.text.index('id="key-figures"')
    assert re.search(r'id="figure-open">4<', page.text)  # the whole company's figures
    assert not re.search(r'<option value="\d+" selected>', page.text)
    # A known department has no notice.
    lager = session.exec(select(Department).where(Department.name == "Lager")).one()
    assert (
        'id="department-warning"' not in client.get(f"/deviations/stats?department={lager.id}").text
    )
    assert 'id="department-warning"' not in client.get("/deviations/stats").text


def test_employee_is_refused_and_leader_sees_the_company(client, session):
    _page_data(session)
    login_as(client, session, make_user(session))
    assert client.get("/deviations/stats").status_code == 403
    client.cookies.clear()
    leader = make_leader(session, department=make_department(session, name="Ledet"))
    session.commit()
    login(client, leader.email)
    r = client.get("/deviations/stats")
    assert r.status_code == 200 and re.search(r'id="figure-open">4<', r.text)
    assert 'action="/deviations/stats/hours"' not in r.text  # only the admin enters hours
    r = client.submit(
        "/deviations/stats/hours", {"year": "2025", "hours": "1000"}, token_page="/deviations/stats"
    )
    assert r.status_code == 403


def test_hours_form_refuses_with_the_typed_values_and_saves(client, session):
    _page_data(session)
    login_admin(client, session)
    r = client.submit(
        "/deviations/stats/hours",
        {"year": "1999", "hours": "12,5"},
        token_page="/deviations/stats",
    )
    assert r.status_code == 422
    assert "Året må være mellom 2000 og 2100." in r.text
    assert "Skriv et helt antall timer, uten desimaler." in r.text
    assert 'value="1999"' in r.text and 'value="12,5"' in r.text
    assert 'aria-invalid="true"' in r.text

    year = real_today().year - 1
    r = client.submit(
        "/deviations/stats/hours",
        {"year": str(year), "hours": "500 000"},
        token_page="/deviations/stats",
    )
    assert r.status_code == 303 and r.headers["location"] == "/deviations/stats#hours"
    session.expire_all()
    assert session.get(CompanySetting, f"deviations.hours_worked.{year}").value == "500000"
    page = client.get("/deviations/stats").text
    assert f"Arbeidstimene for {year} er lagret." in page
    assert "Ikke beregnet" not in page
