"""The demo company: its size and mix, its accounts, determinism, and refusing a second load."""

from __future__ import annotations

import random
import shutil
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from hms_tracker.accounts.models import User
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
from hms_tracker.web.auth import led_departments
from tests.conftest import login

TODAY = date(2026, 3, 16)
DEMO_EMAILS = ("koordinator@example.com", "leder@example.com", "ansatt@example.com")


def _people(session: Session) -> list[Person]:
    return list(session.exec(select(Person).order_by(Person.id)).all())


def _by_email(session: Session, email: str) -> Person:
    person = session.exec(select(Person).where(Person.email == email)).one()
    return person


def test_demo_is_a_workshop_of_60_to_120_people_in_4_to_6_departments(engine, session):
    summary = build_demo(engine, today=TODAY)

    people = _people(session)
    departments = session.exec(select(Department)).all()
    assert 60 <= len(people) <= 120
    assert 4 <= len(departments) <= 6
    employed = [p for p in people if p.is_active_on(TODAY)]
    assert summary == (
        f"Demo loaded: {len(people)} people ({len(employed)} employed today) in "
        f"{len(departments)} departments; log in as koordinator@example.com / demo-passord"
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


def test_demo_mixes_part_time_hired_in_temporary_and_former_employees(engine, session):
    build_demo(engine, today=TODAY)

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


def test_demo_accounts_are_listed_on_the_login_page_only_after_loading_and_log_in(engine, client):
    before = client.get("/login")
    assert before.status_code == 200
    assert "koordinator@example.com" not in before.text

    build_demo(engine, today=TODAY)

    after = client.get("/login")
    for email, _role in DEMO_ACCOUNTS:
        assert email in after.text
    assert COMPANY_NAME in after.text  # the layout shows the stored company name
    for email in DEMO_EMAILS:
        login(client, email, DEMO_PASSWORD)
        home = client.get("/", follow_redirects=False)
        assert home.status_code == 200
        assert COMPANY_NAME in home.text
        client.submit("/logout", {})


def test_demo_roles_coordinator_is_admin_leader_leads_one_department_with_the_employee(
    engine, session
):
    build_demo(engine, today=TODAY)

    users = {u.email: u for u in session.exec(select(User)).all()}
    assert set(users) == set(DEMO_EMAILS)
    assert users["koordinator@example.com"].is_admin
    assert not users["leder@example.com"].is_admin and not users["ansatt@example.com"].is_admin
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


def test_demo_emails_are_unique_and_ascii(engine, session):
    build_demo(engine, today=TODAY)

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


def test_demo_is_the_same_for_the_same_seed(engine, session, sqlite_template, tmp_path):
    build_demo(engine, today=TODAY, seed=7)
    path = tmp_path / "second.db"
    shutil.copyfile(sqlite_template, path)
    second = create_db_engine(f"sqlite:///{path}")
    try:
        build_demo(second, today=TODAY, seed=7)
        with Session(second) as other:
            assert _snapshot(other) == _snapshot(session)
    finally:
        second.dispose()


def test_a_different_seed_gives_other_people():
    first = plan_people(rng=random.Random(1), today=TODAY)
    again = plan_people(rng=random.Random(1), today=TODAY)
    other = plan_people(rng=random.Random(2), today=TODAY)
    assert first == again
    assert [p.name for p in first] != [p.name for p in other]


def test_demo_refuses_a_second_load(engine, session):
    assert not has_people(engine)
    build_demo(engine, today=TODAY)
    assert has_people(engine)
    count = len(_people(session))

    with pytest.raises(DemoAlreadyLoaded):
        build_demo(engine, today=TODAY)
    session.expire_all()
    assert len(_people(session)) == count


def test_demo_refuses_a_database_that_has_its_own_people(engine, session):
    session.add(Person(name="Kari Nordmann", employed_from=date(2020, 1, 1)))
    session.commit()
    with pytest.raises(DemoAlreadyLoaded):
        build_demo(engine, today=TODAY)
    assert session.get(CompanySetting, DEMO_MARKER) is None


def test_demo_is_audited_with_the_actor_demo(engine, session):
    build_demo(engine, today=TODAY)

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
