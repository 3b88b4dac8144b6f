"""The demo company: its size and mix, its accounts, determinism, and refusing a second load."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from hms_tracker.accounts.models import User
from hms_tracker.accounts.principal import led_departments
from hms_tracker.appointments.models import (
    AmuChairPeriod,
    Appointment,
    AppointmentArea,
)
from hms_tracker.audit.models import AuditEvent
from hms_tracker.config import get_settings
from hms_tracker.db import create_db_engine
from hms_tracker.demo.builder import (
    COMPANY_NAME,
    DemoAlreadyLoaded,
    ascii_fold,
    build_demo,
    has_people,
    plan_people,
)
from hms_tracker.demo.service import DEMO_ACCOUNTS, DEMO_MARKER, DEMO_PASSWORD
from hms_tracker.migrate import upgrade
from hms_tracker.organisation.models import CompanySetting, Department, DepartmentLeader, Person
from hms_tracker.rules.engine import add_months
from hms_tracker.rules.facts import evaluate_on
from hms_tracker.rules.findings import Status
from hms_tracker.training.models import CourseType, TrainingRecord
from tests.conftest import login
from tests.demo.conftest import TODAY

DEMO_EMAILS = (
    "koordinator@example.com",
    "leder@example.com",
    "ansatt@example.com",
    "verneombud@example.com",
    "amu@example.com",
)


def _people(session: Session) -> list[Person]:
    return list(session.exec(select(Person).order_by(Person.id)).all())


def _by_email(session: Session, email: str) -> Person:
    person = session.exec(select(Person).where(Person.email == email)).one()
    return person


def test_demo_is_a_workshop_of_60_to_120_people_in_4_to_6_departments(demo, session):
    summary = demo  # what build_demo returned

    people = _people(session)
    departments = session.exec(select(Department)).all()
    assert 60 <= len(people) <= 120
    assert 4 <= len(departments) <= 6
    employed = [p for p in people if p.is_active_on(TODAY)]
    appointments = session.exec(select(func.count()).select_from(Appointment)).one()
    records = session.exec(select(func.count()).select_from(TrainingRecord)).one()
    assert appointments > 0 and records > 0
    assert summary == (
        f"Demo loaded: {len(people)} people ({len(employed)} employed today) in "
        f"{len(departments)} departments, with {appointments} appointments and {records} "
        "training records; log in as koordinator@example.com / demo-passord"
    )
    assert session.get(CompanySetting, "company_name").value == COMPANY_NAME
    assert session.get(CompanySetting, DEMO_MARKER).value == "1"
    welding = next(d for d in departments if d.name == "Sveis og montering")
    production = next(d for d in departments if d.name == "Produksjon")
    assert welding.parent_id == production.id
    titles = {p.title for p in people}
    assert {"Sveiser", "CNC-operatør", "Truckfører", "Daglig leder"} <= titles
    assert all(p.department_id is not None and p.phone.startswith("+47 9") for p in people)
    assert all(TODAY.replace(year=TODAY.year - 15) <= p.employed_from <= TODAY for p in people)


def test_demo_mixes_part_time_hired_in_temporary_and_former_employees(demo, session):
    people = _people(session)
    employed = [p for p in people if p.is_active_on(TODAY)]
    assert sum(p.employment_type == "permanent" for p in employed) > len(employed) / 2
    assert any(p.employment_type == "temporary" for p in employed)
    assert any(p.employment_type == "hired_in" for p in employed)
    assert any(p.weekly_hours < Decimal(20) for p in employed)  # below the AMU threshold
    assert any(Decimal(20) <= p.weekly_hours < Decimal("37.5") for p in employed)

    former = [p for p in people if p.employed_to is not None and p.employed_to < TODAY]
    assert len(former) >= 3
    assert all(p.end_reason for p in former)
    last_year = TODAY.year - 1
    within_last_year = [
        p for p in former if p.employed_from.year == last_year and p.employed_to.year == last_year
    ]
    assert within_last_year, "someone must have started and left last calendar year"


def test_the_login_page_lists_no_demo_accounts_before_the_demo_is_loaded(client):
    before = client.get("/login")
    assert before.status_code == 200
    assert "koordinator@example.com" not in before.text


def test_demo_accounts_are_listed_on_the_login_page_after_loading_and_log_in(demo, client):
    after = client.get("/login")
    for email, _role in DEMO_ACCOUNTS:
        assert email in after.text
    assert {"verneombud@example.com", "amu@example.com"} <= {e for e, _r in DEMO_ACCOUNTS}
    assert "Verneombud" in after.text and "AMU-medlem" in after.text
    assert COMPANY_NAME in after.text  # the layout shows the stored company name
    for email in DEMO_EMAILS:
        login(client, email, DEMO_PASSWORD)
        home = client.get("/", follow_redirects=False)
        assert home.status_code == 200
        assert COMPANY_NAME in home.text
        client.submit("/logout", {})


def test_demo_roles_coordinator_is_admin_leader_leads_one_department_with_the_employee(
    demo, session
):
    users = {u.email: u for u in session.exec(select(User)).all()}
    assert set(users) == set(DEMO_EMAILS)
    assert users["koordinator@example.com"].is_admin
    assert not any(users[email].is_admin for email in DEMO_EMAILS[1:])
    for email, user in users.items():
        assert session.get(Person, user.person_id).email == email

    departments = {d.id: d for d in session.exec(select(Department)).all()}
    coordinator = _by_email(session, "koordinator@example.com")
    assert coordinator.title == "HMS-koordinator"
    assert departments[coordinator.department_id].name == "Administrasjon"

    leader = _by_email(session, "leder@example.com")
    led = led_departments(session, leader.id)
    assert len(led) == 1
    employee = _by_email(session, "ansatt@example.com")
    assert employee.department_id in led
    assert led_departments(session, employee.id) == frozenset()
    assert leader.is_active_on(TODAY) and employee.is_active_on(TODAY)

    leaders = session.exec(select(DepartmentLeader)).all()
    assert {row.department_id for row in leaders} == set(departments)
    ceo = session.exec(select(Person).where(Person.title == "Daglig leder")).one()
    assert departments[ceo.department_id].name == "Administrasjon"
    assert any(row.person_id == ceo.id for row in leaders)


def test_demo_emails_are_unique_and_ascii(demo, session):
    emails = [p.email for p in _people(session)]
    assert len(emails) == len(set(emails))
    assert all(e.isascii() for e in emails)
    others = [e for e in emails if e not in DEMO_EMAILS]
    assert all(e.endswith("@nordvik.example") for e in others)


def test_ascii_fold_follows_norwegian_spelling():
    assert ascii_fold("Ødegård") == "odegard"
    assert ascii_fold("Sæther") == "saether"
    assert ascii_fold("Åse") == "ase"
    assert ascii_fold("Håkon") == "hakon"


def _snapshot(session: Session) -> list[tuple]:
    names = {d.id: d.name for d in session.exec(select(Department)).all()}
    return [
        (
            p.name,
            p.email,
            p.phone,
            p.title,
            names[p.department_id],
            p.employed_from,
            p.employed_to,
            p.employment_type,
            p.weekly_hours,
        )
        for p in _people(session)
    ]


def _appointments_snapshot(session: Session) -> list[tuple]:
    emails = {p.id: p.email for p in _people(session)}
    names = {d.id: d.name for d in session.exec(select(Department)).all()}
    areas: dict[int, list[str]] = {}
    for row in session.exec(select(AppointmentArea).order_by(AppointmentArea.id)).all():
        areas.setdefault(row.appointment_id, []).append(names[row.department_id])
    chairs = {
        c.appointment_id: (c.starts_on, c.ends_on) for c in session.exec(select(AmuChairPeriod))
    }
    appointments = [
        (
            a.kind,
            emails.get(a.person_id, a.external_name),
            a.starts_on,
            a.ends_on,
            a.ended_on,
            a.amu_side,
            a.is_deputy,
            areas.get(a.id, []),
            chairs.get(a.id),
        )
        for a in session.exec(select(Appointment).order_by(Appointment.id)).all()
    ]
    courses = {c.id: c.name for c in session.exec(select(CourseType)).all()}
    records = [
        (emails[r.person_id], courses[r.course_type_id], r.completed_on, r.hours, r.provider)
        for r in session.exec(select(TrainingRecord).order_by(TrainingRecord.id)).all()
    ]
    return appointments + records


def test_demo_is_the_same_for_the_same_seed(engine, session, demo_seed_7):
    """Built here, and once before (on SQLite) for this worker's tests."""
    build_demo(engine, today=TODAY, seed=7)
    with Session(demo_seed_7) as other:
        assert _snapshot(other) == _snapshot(session)
        assert _appointments_snapshot(other) == _appointments_snapshot(session)


def test_a_different_seed_gives_other_people():
    first = plan_people(rng=random.Random(1), today=TODAY)
    again = plan_people(rng=random.Random(1), today=TODAY)
    other = plan_people(rng=random.Random(2), today=TODAY)
    assert first == again
    assert [p.name for p in first] != [p.name for p in other]


def test_demo_refuses_a_second_load(demo, engine, session):
    assert has_people(engine)
    count = len(_people(session))

    with pytest.raises(DemoAlreadyLoaded):
        build_demo(engine, today=TODAY)
    session.expire_all()
    assert len(_people(session)) == count


def test_demo_refuses_a_database_that_has_its_own_people(engine, session):
    assert not has_people(engine)
    session.add(Person(name="Kari Nordmann", employed_from=date(2020, 1, 1)))
    session.commit()
    with pytest.raises(DemoAlreadyLoaded):
        build_demo(engine, today=TODAY)
    assert session.get(CompanySetting, DEMO_MARKER) is None


def test_demo_is_audited_with_the_actor_demo(demo, session):
    created = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity == "person", AuditEvent.action == "create")
        .where(AuditEvent.actor_label == "demo")
    ).one()
    assert created == len(_people(session))
    labels = set(session.exec(select(AuditEvent.actor_label).distinct()).all())
    assert labels == {"demo"}


def test_cli_demo_loads_once_and_if_empty_skips_a_loaded_database(tmp_path, monkeypatch):
    from hms_tracker.cli import app

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("HMS_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(app, ["demo"])
        assert first.exit_code == 0, first.output
        assert first.output.startswith("Demo loaded: ")

        skipped = runner.invoke(app, ["demo", "--if-empty"])
        assert skipped.exit_code == 0, skipped.output
        assert "demo not loaded" in skipped.output

        refused = runner.invoke(app, ["demo"])
        assert refused.exit_code == 1
        assert "already has people" in refused.output
    finally:
        get_settings.cache_clear()

    engine = create_db_engine(url)
    try:
        with Session(engine) as session:
            total = session.exec(select(func.count()).select_from(Person)).one()
        assert 60 <= total <= 120
    finally:
        engine.dispose()


# --- appointments and training (issue 3) ---------------------------------------------------


def _active(session: Session, person: Person, kind: str) -> list[Appointment]:
    return [
        a
        for a in session.exec(
            select(Appointment).where(Appointment.person_id == person.id, Appointment.kind == kind)
        ).all()
        if a.starts_on <= TODAY and (a.last_day() is None or a.last_day() >= TODAY)
    ]


def test_demo_verneombud_account_is_an_active_safety_rep_past_grace_without_the_course(
    demo, session
):
    rep = _by_email(session, "verneombud@example.com")
    assert rep.is_active_on(TODAY) and rep.name == "Marius Berntsen"
    [appointment] = _active(session, rep, "safety_rep")
    assert appointment.starts_on < add_months(TODAY, -6)
    area = session.exec(
        select(AppointmentArea).where(AppointmentArea.appointment_id == appointment.id)
    ).all()
    assert 1 <= len(area) <= 2

    report = evaluate_on(session=session, day=TODAY)
    [row] = [
        r
        for r in report.training
        if r.person_id == rep.id and r.course_name == "Grunnopplæring for verneombud"
    ]
    assert row.status is Status.missing
    assert row.hours_done == 0


def test_demo_amu_account_is_an_employee_side_member_trained_in_two_parts(demo, session):
    member = _by_email(session, "amu@example.com")
    assert member.is_active_on(TODAY) and member.name == "Hanne Lunde"
    [appointment] = _active(session, member, "amu_member")
    assert appointment.amu_side == "employee" and not appointment.is_deputy
    course = session.exec(
        select(CourseType).where(CourseType.name == "Grunnopplæring for AMU-medlemmer")
    ).one()
    parts = session.exec(
        select(TrainingRecord).where(
            TrainingRecord.person_id == member.id, TrainingRecord.course_type_id == course.id
        )
    ).all()
    assert len(parts) == 2 and sum(p.hours for p in parts) == course.required_hours

    report = evaluate_on(session=session, day=TODAY)
    [row] = [r for r in report.training if r.person_id == member.id and r.course_id == course.id]
    assert row.status is Status.ok


def test_demo_shows_every_training_status(demo, session):
    report = evaluate_on(session=session, day=TODAY)
    by_status: dict[Status, list] = {}
    for row in report.training:
        by_status.setdefault(row.status, []).append(row)
    assert set(by_status) == {
        Status.ok,
        Status.in_grace,
        Status.missing,
        Status.expired,
        Status.expiring,
    }

    grace = [r for r in by_status[Status.in_grace] if "amu_member" in r.reasons]
    assert grace, "an AMU member appointed lately is within the grace period"
    deputies = {
        a.person_id
        for a in session.exec(select(Appointment).where(col(Appointment.is_deputy).is_(True))).all()
    }
    assert any(r.person_id in deputies for r in grace)

    first_aid = "Førstehjelp"
    assert [r for r in by_status[Status.expired] if r.course_name == first_aid]
    [expiring] = [r for r in by_status[Status.expiring] if r.course_name == first_aid]
    assert TODAY < expiring.expires_on <= TODAY + timedelta(days=60)

    leaders_missing = [
        r
        for r in by_status[Status.missing]
        if r.course_name == "HMS-opplæring for arbeidsgiver" and "leader" in r.reasons
    ]
    assert len(leaders_missing) == 1
    employer_ok = [
        r
        for r in report.training
        if r.course_name == "HMS-opplæring for arbeidsgiver" and r.status is Status.ok
    ]
    assert any("managing_director" in r.reasons for r in employer_ok)


def test_demo_amu_has_equal_sides_unequal_deputies_a_bht_member_and_a_chair_that_alternates(
    demo, session
):
    findings = {f.rule: f for f in evaluate_on(session=session, day=TODAY).findings}
    assert findings["aml-7-1.amu-deputies-equal"].status is Status.gap
    assert findings["aml-7-1.amu-deputies-equal"].params == {"employer": 2, "employee": 1}
    assert findings["aml-7-1.amu-sides-equal"].status is Status.ok
    assert findings["aml-7-1.amu-sides-equal"].params == {"employer": 3, "employee": 3}
    assert findings["aml-7-1.amu-chair"].status is Status.ok
    assert findings["aml-7-1.amu-chair"].params["side"] == "employee"
    assert findings["aml-7-1.amu-ohs-member"].status is Status.ok
    assert findings["aml-7-1.amu-employer-top-management"].status is Status.ok
    assert findings["aml-7-1.amu-safety-rep-member"].status is Status.ok
    assert findings["aml-6-1.chief-safety-rep"].status is Status.ok
    assert findings["forskrift-3-4.term-expired"].status is Status.ok

    externals = session.exec(
        select(Appointment).where(Appointment.external_name == "Marte Fossum")
    ).all()
    assert {a.kind for a in externals} == {"amu_member", "ohs_contact"}
    assert all(
        a.person_id is None and a.external_organisation == "Bedriftshelse Vest AS"
        for a in externals
    )
    ceo = session.exec(select(Person).where(Person.title == "Daglig leder")).one()
    [director] = _active(session, ceo, "managing_director")
    [seat] = _active(session, ceo, "amu_member")
    assert seat.amu_side == "employer"


def test_demo_keeps_ended_appointments_in_history_and_seeds_no_new_course_types(demo, session):
    ended = session.exec(select(Appointment).where(col(Appointment.ended_on).is_not(None))).all()
    kinds = {a.kind for a in ended}
    assert {"safety_rep", "amu_member"} <= kinds
    assert all(a.end_reason and a.ended_on < TODAY for a in ended)
    # The verneombud whose term ended was succeeded the next day, in the same area.
    [former] = [a for a in ended if a.kind == "safety_rep"]
    area_of = {
        row.appointment_id: row.department_id for row in session.exec(select(AppointmentArea))
    }
    successors = session.exec(
        select(Appointment).where(
            Appointment.kind == "safety_rep",
            Appointment.starts_on == former.ended_on + timedelta(days=1),
        )
    ).all()
    assert any(area_of[s.id] == area_of[former.id] for s in successors)

    courses = session.exec(select(CourseType)).all()
    assert len(courses) == 4  # the four seeded by the migration, none added
    first_aid = next(c for c in courses if c.name == "Førstehjelp")
    assert first_aid.required_kinds() == {"safety_rep", "chief_safety_rep"}
