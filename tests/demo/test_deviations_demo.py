"""The demo company's deviations: every state, overdue work for the demo leader, reports by
the demo employee, anonymous reports with a known receipt code, one serious injury awaiting
notification, and a department without reports in the last 12 months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, col, func, select

from hms_tracker.audit.models import AuditEvent
from hms_tracker.demo.builder import DemoAlreadyLoaded, build_demo
from hms_tracker.demo.deviations import CASES, DEMO_RECEIPT_CODE, hours_worked
from hms_tracker.demo.service import DEMO_PASSWORD
from hms_tracker.deviations.models import (
    CorrectiveAction,
    Deviation,
    DeviationComment,
    DeviationStatus,
)
from hms_tracker.deviations.service import (
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    find_by_receipt,
    normalise_receipt_code,
    overdue_clause,
)
from hms_tracker.deviations.stats import load_stats
from hms_tracker.deviations.timeline import timeline_for
from hms_tracker.organisation.models import CompanySetting, Department, Person
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import RoutineAcknowledgement, RoutineVersion
from hms_tracker.web.i18n import OSLO, format_datetime
from tests.conftest import login
from tests.demo.conftest import TODAY

# Midnight at the start of TODAY in Norway: everything in the demo happened before it.
START_OF_TODAY = datetime.combine(TODAY, datetime.min.time(), OSLO).astimezone(UTC)


def _deviations(session: Session) -> list[Deviation]:
    return list(session.exec(select(Deviation).order_by(Deviation.id)).all())


def _person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def _department(session: Session, name: str) -> Department:
    return session.exec(select(Department).where(Department.name == name)).one()


def _actions(session: Session, deviation: Deviation) -> list[CorrectiveAction]:
    return list(
        session.exec(
            select(CorrectiveAction).where(CorrectiveAction.deviation_id == deviation.id)
        ).all()
    )


def test_demo_deviations_cover_every_state_consistently(demo, session):
    deviations = _deviations(session)
    assert 40 <= len(deviations) <= 60
    by_status: dict[str, list[Deviation]] = {}
    for d in deviations:
        by_status.setdefault(d.status, []).append(d)
    assert set(by_status) == {s.value for s in DeviationStatus}
    assert all(len(rows) >= 3 for rows in by_status.values())

    # Spread over the last year, all in the past; ids follow the registration days.
    created = [d.created_at for d in deviations]
    days = [c.astimezone(OSLO).date() for c in created]
    assert days == sorted(days)
    assert min(created) < START_OF_TODAY - timedelta(days=330)
    assert max(created) < START_OF_TODAY
    assert len({(d.created_at.year, d.created_at.month) for d in deviations}) >= 12
    assert all(d.occurred_at <= d.created_at for d in deviations)

    for d in by_status["registered"]:
        assert d.responsible_person_id is None and d.deadline is None and d.closed_at is None
        assert _actions(session, d) == []
    for d in by_status["in_progress"] + by_status["actions"]:
        assert d.responsible_person_id is not None and d.deadline is not None
        assert d.closed_at is None
    for d in by_status["in_progress"]:  # assigned, no actions yet
        assert _actions(session, d) == [], d.title
    for d in by_status["actions"]:
        assert any(a.is_open for a in _actions(session, d)), d.title
    for d in by_status["closed"]:
        actions = _actions(session, d)
        assert d.root_cause and d.actions_effect and d.closed_by_person_id
        assert d.created_at < d.closed_at < START_OF_TODAY
        assert not any(a.is_open for a in actions)
        assert all(a.done_on <= d.closed_at.astimezone(OSLO).date() for a in actions)
        assert (d.actions_effect == "no_actions") == (actions == [])
        if d.actions_effect in ("partly", "no_actions"):
            assert d.closing_note
    # A few closed cases tell the reporter what was done (reporter_summary).
    assert any(d.reporter_summary for d in by_status["closed"])
    effects = {d.actions_effect for d in by_status["closed"]}
    assert {"yes", "partly", "no_actions"} <= effects
    for d in by_status["rejected"]:
        assert d.rejection_reason and d.closed_at is not None
    duplicate = next(d for d in by_status["rejected"] if "Duplikat" in d.rejection_reason)
    original = session.get(Deviation, int(duplicate.rejection_reason.split("#")[1].split(",")[0]))
    assert original.title == "Sveiserøyk i hall 2 – avsug virker ikke"

    # Reopened: open again with a reason, the earlier closing kept (root cause).
    reopened = [d for d in deviations if d.reopen_reason]
    assert {d.status for d in reopened} == {"in_progress", "actions"}
    assert all(d.closed_at is None and d.root_cause for d in reopened)

    # Actions: done ones have a date and a note, none done in the future.
    actions = session.exec(select(CorrectiveAction)).all()
    done = [a for a in actions if a.done_on]
    assert done and all(a.done_note and a.done_on < TODAY for a in done)
    assert all(a.created_at < START_OF_TODAY for a in actions)


def test_demo_has_one_serious_injury_awaiting_notification_and_injury_figures(demo, session):
    deviations = _deviations(session)
    [waiting] = [d for d in deviations if d.awaits_notification]
    assert waiting.is_open and waiting.category == "personal_injury" and waiting.caused_absence
    assert waiting.created_at > START_OF_TODAY - timedelta(days=7)
    notified = [d for d in deviations if d.serious_injury and d.notified_at is not None]
    assert notified and all(d.notified_by_person_id for d in notified)
    assert all(d.notified_at >= d.occurred_at for d in notified)

    injuries = [d for d in deviations if d.category == "personal_injury"]
    assert any(d.caused_absence for d in injuries)
    assert any(d.caused_absence is False for d in injuries)
    assert all(d.caused_absence is None for d in deviations if d.category != "personal_injury")
    near_misses = [d for d in deviations if d.category == "near_miss"]
    assert len(near_misses) >= 5
    last_year = [d for d in injuries if d.occurred_at.astimezone(OSLO).year == TODAY.year - 1]
    assert any(d.caused_absence for d in last_year), "H1 for last year has something to show"

    # Hours worked, for H1 and H2: last year and this year so far, plain whole numbers.
    for year in (TODAY.year - 1, TODAY.year):
        value = session.get(CompanySetting, f"deviations.hours_worked.{year}").value
        assert value.isdigit()
    full_year = int(session.get(CompanySetting, f"deviations.hours_worked.{TODAY.year - 1}").value)
    so_far = int(session.get(CompanySetting, f"deviations.hours_worked.{TODAY.year}").value)
    assert 100_000 < full_year < 200_000  # about 80 full-time equivalents at 1650 hours
    assert 0 < so_far < full_year


def test_hours_worked_counts_contracted_hours_over_the_days_employed():
    start = TODAY.replace(year=TODAY.year - 1, month=1, day=1)
    end = start.replace(month=12, day=31)
    since = start.replace(year=2010)
    full = Person(name="A", employed_from=since, weekly_hours=Decimal("37.5"))
    half = Person(name="B", employed_from=since, weekly_hours=Decimal("18.75"))
    left = Person(
        name="C",
        employed_from=since,
        employed_to=start - timedelta(days=1),
        weekly_hours=Decimal("37.5"),
    )
    joined = Person(name="D", employed_from=date(start.year, 7, 1), weekly_hours=Decimal(30))
    assert hours_worked([full], start, end) == 1700  # 1650 rounded to hundreds
    assert hours_worked([full, half], start, end) == 2500  # 2475
    assert hours_worked([joined], start, end) == 700  # 184/365 * 30/37.5 * 1650 = 665
    assert hours_worked([left], start, end) == 0


def test_demo_anonymous_reports_have_no_reporter_and_the_printed_code_finds_one(demo, session):
    anonymous = [d for d in _deviations(session) if d.anonymous]
    assert len(anonymous) >= 2
    assert all(d.reporter_person_id is None and d.receipt_code_hash for d in anonymous)
    assert len({d.receipt_code_hash for d in anonymous}) == len(anonymous)
    assert all(d.receipt_code_hash is None for d in _deviations(session) if not d.anonymous)

    # The code in the README is one a user could have been given.
    raw = DEMO_RECEIPT_CODE.replace("-", "")
    assert len(raw) == RECEIPT_LENGTH and set(raw) <= set(RECEIPT_ALPHABET)
    assert normalise_receipt_code(DEMO_RECEIPT_CODE) == raw
    found = find_by_receipt(session=session, code=DEMO_RECEIPT_CODE.lower())
    assert found is not None and found.title == "Trakassering i pausen"
    assert found.anonymous and found.is_open
    visible = session.exec(
        select(DeviationComment).where(
            DeviationComment.deviation_id == found.id, DeviationComment.visibility == "reporter"
        )
    ).all()
    assert len(visible) >= 2  # public updates to see with the receipt code


def test_demo_gives_the_leader_overdue_work_and_the_employee_reports(demo, session):
    leader = _person(session, "leder@example.com")
    warehouse = _department(session, "Lager og logistikk")
    assert leader.department_id == warehouse.id
    overdue = session.exec(select(Deviation).where(overdue_clause(TODAY))).all()
    assert len(overdue) >= 4
    # Overdue as the responsible person, and as the owner of actions past their deadline.
    assert any(d.responsible_person_id == leader.id and d.deadline < TODAY for d in overdue)
    late_actions = session.exec(
        select(CorrectiveAction).where(
            col(CorrectiveAction.deadline) < TODAY, col(CorrectiveAction.done_on).is_(None)
        )
    ).all()
    assert sum(a.owner_person_id == leader.id for a in late_actions) >= 2
    assert {a.owner_person_id for a in late_actions} - {leader.id}, "others are late too"
    assert all(a.deadline > a.created_at.astimezone(OSLO).date() for a in late_actions)

    # The demo employee has reported a few, open and closed, with answers to read.
    employee = _person(session, "ansatt@example.com")
    mine = session.exec(select(Deviation).where(Deviation.reporter_person_id == employee.id)).all()
    assert len(mine) >= 3
    assert {d.status for d in mine} >= {"registered", "actions", "closed"}
    answers = session.exec(
        select(func.count())
        .select_from(DeviationComment)
        .where(
            col(DeviationComment.deviation_id).in_([d.id for d in mine]),
            DeviationComment.visibility == "reporter",
            DeviationComment.author_person_id == leader.id,
        )
    ).one()
    assert answers >= 2

    # The verneombud comments in their own area only.
    rep = _person(session, "verneombud@example.com")
    welding = _department(session, "Sveis og montering")
    rep_comments = session.exec(
        select(DeviationComment).where(DeviationComment.author_person_id == rep.id)
    ).all()
    assert len(rep_comments) >= 3
    assert all(
        session.get(Deviation, c.deviation_id).department_id == welding.id for c in rep_comments
    )
    assert all(c.visibility == "internal" for c in rep_comments)


def test_demo_leaves_administration_without_reports_in_the_last_12_months(demo, session):
    window = START_OF_TODAY - timedelta(days=364)
    recent: dict[int, int] = {}
    for d in _deviations(session):
        if d.created_at >= window:
            recent[d.department_id] = recent.get(d.department_id, 0) + 1
    departments = {d.name: d.id for d in session.exec(select(Department)).all()}
    without = {name for name, dept_id in departments.items() if dept_id not in recent}
    assert without == {"Administrasjon"}
    older = session.exec(
        select(Deviation).where(Deviation.department_id == departments["Administrasjon"])
    ).all()
    assert older and all(d.created_at < window for d in older)

    # The statistics page says so too, and has the figures the demo is meant to show.
    stats = load_stats(session, today=TODAY)
    assert [d.name for d in stats.departments_without_reports] == ["Administrasjon"]
    assert stats.near_misses > 0 and stats.injuries > 0 and stats.overdue_count > 0
    last_year = next(r for r in stats.injury_rates if r.year == TODAY.year - 1)
    assert last_year.hours_worked and last_year.h1 and last_year.h2
    assert last_year.injuries > last_year.injuries_with_absence > 0
    # The monthly chart has reports in every month of the last 12 (13 when they begin
    # inside a month).
    assert len(stats.per_month) in (12, 13)
    whole = stats.per_month[-12:]  # a first month in part may hold only a day or two
    assert all(month.count > 0 for month in whole), stats.per_month


def test_demo_cases_fill_every_month_of_the_last_year_whatever_the_day():
    """The registration days of the cases outside Administrasjon leave no gap of a
    calendar month, from the last few days to the start of the 12-month window."""
    days = sorted(c.days_ago for c in CASES if c.department != "Administrasjon")
    assert days[0] <= 7
    assert 335 <= days[-1] <= 355  # in the window on any day (+2 for a weekend)
    assert max(b - a for a, b in zip(days, days[1:], strict=False)) <= 21
    assert all(c.days_ago > 365 for c in CASES if c.department == "Administrasjon")


def _in_working_hours(moment: datetime) -> bool:
    local = moment.astimezone(OSLO)
    return local.weekday() < 5 and 7 <= local.hour < 16


def test_demo_history_is_recorded_at_the_time_of_each_step(demo, session):
    """Each audit event of the demo's deviations, routines and risks carries the time of
    its own step, not the time the demo was loaded; people act on weekdays, 07–16."""
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    by_entity: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in events:
        by_entity.setdefault((event.entity, event.entity_id), []).append(event)

    def history(row: object) -> list[AuditEvent]:
        return by_entity[(type(row).__tablename__, str(row.id))]

    for d in _deviations(session):
        steps = history(d)
        assert steps[0].action == "create" and steps[0].occurred_at == d.created_at
        assert all(d.created_at <= e.occurred_at < START_OF_TODAY for e in steps), d.title
        assert all(_in_working_hours(e.occurred_at) for e in steps), d.title
        if d.status in ("closed", "rejected"):
            [ending] = [e for e in steps if (e.after or {}).get("status") == d.status]
            assert ending.occurred_at == d.closed_at, d.title
        for action in _actions(session, d):
            created, *later = history(action)
            assert created.occurred_at == action.created_at
            assert d.created_at < action.created_at < START_OF_TODAY
            done = [e for e in later if (e.after or {}).get("done_on")]
            if action.done_on:
                assert done[0].occurred_at.astimezone(OSLO).date() == action.done_on
            assert all(_in_working_hours(e.occurred_at) for e in [created, *later])
    comments = session.exec(select(DeviationComment)).all()
    assert comments
    for comment in comments:
        assert history(comment)[0].occurred_at == comment.created_at < START_OF_TODAY
        assert _in_working_hours(comment.created_at), comment.body

    # Routines: published and read at their own times; risks assessed on their dates.
    for version in session.exec(select(RoutineVersion)).all():
        if version.published_at is not None:
            [published] = [
                e for e in history(version) if (e.after or {}).get("status") == "published"
            ]
            assert published.occurred_at == version.published_at < START_OF_TODAY
    acknowledgements = session.exec(select(RoutineAcknowledgement)).all()
    assert len(acknowledgements) > 300
    for ack in acknowledgements:
        assert history(ack)[0].occurred_at == ack.acknowledged_at < START_OF_TODAY
    for risk in session.exec(select(Risk)).all():
        steps = history(risk)
        assert steps[0].occurred_at == risk.created_at
        assessed = [e for e in steps if "last_assessed_on" in (e.after or {})][-1]
        assert assessed.occurred_at.date() == risk.last_assessed_on


def test_demo_deviation_history_is_in_the_audit_trail_with_the_people_who_acted(demo, session):
    labels = set(session.exec(select(AuditEvent.actor_label).distinct()).all())
    assert labels == {"demo"}
    closed = next(
        d
        for d in _deviations(session)
        if d.status == "closed" and d.title == "Kutt i hånd ved avgrading"
    )
    entries = timeline_for(session=session, deviation=closed, internal=True)
    whats = [e.what for e in entries]
    assert whats[0] == "Avviket ble meldt"
    assert "Tildelt og satt under behandling" in whats
    assert "Tiltak lagt til" in whats and "Tiltak utført" in whats
    closing = whats.index("Avviket ble lukket")
    assert closing > max(i for i, what in enumerate(whats) if what == "Tiltak utført")
    closer = session.get(Person, closed.closed_by_person_id)
    assert closer.title == "Produksjonsleder"
    assert any(e.who == closer.name and e.what == "Avviket ble lukket" for e in entries)

    anonymous = find_by_receipt(session=session, code=DEMO_RECEIPT_CODE)
    handler_view = timeline_for(session=session, deviation=anonymous, internal=True)
    assert handler_view[0].who == "Anonym melder"
    reporter_view = timeline_for(session=session, deviation=anonymous, internal=False)
    assert [e.what for e in reporter_view] == [
        "Avviket ble meldt",
        "Tildelt og satt under behandling",
    ]
    assert all(e.who == "" for e in reporter_view)  # no names for the reporter


def test_demo_deviation_page_dates_its_history_at_its_own_dates(demo, session, client):
    closed = session.exec(
        select(Deviation).where(Deviation.title == "Kutt i hånd ved avgrading")
    ).one()
    assert closed.status == "closed" and closed.closed_at < START_OF_TODAY - timedelta(days=200)

    login(client, "koordinator@example.com", DEMO_PASSWORD)
    page = client.get(f"/deviations/{closed.id}")
    assert page.status_code == 200
    history = page.text.split('id="timeline-heading"')[1]
    entries = {item.split("</strong>")[0]: item for item in history.split("<strong>")[1:]}
    closing = entries["Avviket ble lukket"]
    assert format_datetime(closed.closed_at, "short") in closing
    assert closed.closed_at.astimezone(OSLO).strftime("%d.%m.%Y") in closing
    assert format_datetime(closed.created_at, "short") in entries["Avviket ble meldt"]


def test_demo_deviation_pages_open_for_the_demo_accounts(demo, session, client):
    employee = _person(session, "ansatt@example.com")
    own = session.exec(
        select(Deviation).where(
            Deviation.reporter_person_id == employee.id, Deviation.status == "closed"
        )
    ).first()
    welding = _department(session, "Sveis og montering")
    smoke = session.exec(
        select(Deviation).where(Deviation.title == "Sveiserøyk i hall 2 – avsug virker ikke")
    ).one()
    assert smoke.department_id == welding.id

    # The receipt code printed in the README opens the anonymous report's status page.
    status = client.submit(
        "/report/status", {"code": DEMO_RECEIPT_CODE}, token_page="/report/status"
    )
    assert status.status_code == 200, status.text[:2000]
    assert "Trakassering i pausen" in status.text
    assert "Saken er gitt til HR" in status.text  # a comment visible to the reporter
    assert "Samtaler med de involverte" not in status.text  # an internal one is not

    login(client, "ansatt@example.com", DEMO_PASSWORD)
    page = client.get(f"/deviations/{own.id}")
    assert page.status_code == 200 and own.title in page.text
    assert client.get(f"/deviations/{smoke.id}").status_code == 403
    client.submit("/logout", {})

    login(client, "verneombud@example.com", DEMO_PASSWORD)
    page = client.get(f"/deviations/{smoke.id}")
    assert page.status_code == 200
    assert "Røyken blir liggende i hallen igjen" in page.text  # an internal comment
    assert smoke.reopen_reason in page.text
    client.submit("/logout", {})


def test_demo_deviations_are_the_same_for_the_same_seed_and_not_loaded_twice(
    engine, session, demo_seed_7
):
    """Built here, and once before (on SQLite) for this worker's tests."""

    def snapshot(s: Session) -> list[tuple]:
        emails = {p.id: p.email for p in s.exec(select(Person)).all()}
        return [
            (
                d.title,
                d.status,
                d.created_at,
                d.occurred_at,
                d.deadline,
                emails.get(d.reporter_person_id),
                emails.get(d.responsible_person_id),
                d.receipt_code_hash,
                tuple(
                    (a.description, emails[a.owner_person_id], a.deadline, a.done_on)
                    for a in _actions(s, d)
                ),
            )
            for d in s.exec(select(Deviation).order_by(Deviation.id)).all()
        ]

    build_demo(engine, today=TODAY, seed=7)
    with Session(demo_seed_7) as other:
        assert snapshot(other) == snapshot(session)

    count = len(_deviations(session))
    with pytest.raises(DemoAlreadyLoaded):
        build_demo(engine, today=TODAY, seed=7)
    session.expire_all()
    assert len(_deviations(session)) == count
