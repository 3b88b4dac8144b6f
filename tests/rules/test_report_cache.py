"""The rule engine's report is cached under the data version and never served after a
write it does not include: on this instance or another on the same database, written
through the ORM or as SQL, committed or still in the writer's own transaction (both
databases)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from hms_tracker.accounts.models import LoginThrottle
from hms_tracker.appointments.models import Appointment
from hms_tracker.db import (
    READINGS,
    UNVERSIONED_TABLES,
    VERSIONED_APART,
    DataVersion,
    create_db_engine,
    data_version,
    utcnow,
)
from hms_tracker.deviations.stats import load_stats
from hms_tracker.organisation.models import Department, Person
from hms_tracker.rules.facts import evaluate_on
from hms_tracker.rules.findings import Status
from hms_tracker.web.dates import today
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_person
from tests.sql import statements_on

DAY = date(2026, 11, 25)
SAFETY_REP = "aml-6-1.safety-rep"


@contextmanager
def another_instance(settings: Any) -> Iterator[Session]:
    """A session of a second instance of the app on the same database (its own engine)."""
    other = create_db_engine(settings.resolved_database_url)
    try:
        with Session(other) as session:
            yield session
    finally:
        other.dispose()


def safety_rep(session: Session) -> Status:
    """ok when a verneombud holds office on DAY, gap when one is missing."""
    rules = {f.rule: f.status for f in evaluate_on(session=session, day=DAY).findings}
    return rules.get(SAFETY_REP) or rules[SAFETY_REP + "-missing"]


def company_of_six(session: Session) -> Person:
    department = make_department(session, name="Lager")
    people = [make_person(session, department=department) for _ in range(6)]
    session.commit()
    return people[0]


def appoint(session: Session, person: Person) -> None:
    session.add(Appointment(kind="safety_rep", person_id=person.id, starts_on=date(2025, 1, 1)))


def test_a_second_read_is_served_from_the_cache_in_one_statement(session, engine):
    company_of_six(session)
    first = evaluate_on(session=session, day=DAY)
    with statements_on(engine) as seen:
        again = evaluate_on(session=session, day=DAY)
    assert again is first
    assert len(seen) == 1 and "data_version" in seen[0]
    # Another day is another report.
    assert evaluate_on(session=session, day=date(2026, 1, 1)) is not first


def test_a_write_committed_elsewhere_is_seen_at_once(session, settings, engine):
    """Two instances of the app on one database: each has its own engine and cache."""
    kari = company_of_six(session)
    assert safety_rep(session) is Status.gap
    assert safety_rep(session) is Status.gap  # cached now
    session.commit()

    with another_instance(settings) as elsewhere:
        appoint(elsewhere, elsewhere.get_one(Person, kari.id))
        elsewhere.commit()
    assert safety_rep(session) is Status.ok


def test_the_writers_own_transaction_never_reads_the_cache(session):
    kari = company_of_six(session)
    assert safety_rep(session) is Status.gap
    appoint(session, kari)  # not flushed, not committed
    assert safety_rep(session) is Status.ok
    session.rollback()
    # Rolled back: the cached report (without the appointment) is right again.
    assert safety_rep(session) is Status.gap


def test_a_write_as_sql_changes_the_version(session):
    kari = company_of_six(session)
    assert safety_rep(session) is Status.gap
    before = data_version(session)
    session.commit()
    session.execute(
        sa.insert(Appointment.__table__).values(  # type: ignore[attr-defined]
            kind="safety_rep",
            person_id=kari.id,
            starts_on=date(2025, 1, 1),
            version=1,
            created_at=utcnow(),
        )
    )
    session.commit()
    assert data_version(session) not in (None, before)
    assert safety_rep(session) is Status.ok


def test_a_rolled_back_write_or_bookkeeping_keeps_the_version(session):
    company_of_six(session)
    before = data_version(session)
    session.commit()
    make_person(session)
    session.rollback()
    assert data_version(session) == before
    session.add(LoginThrottle(key="someone", failures=1))  # bookkeeping, not a record
    session.commit()
    assert data_version(session) == before


@pytest.mark.parametrize(
    "table",
    sorted((UNVERSIONED_TABLES | set(VERSIONED_APART)) - {"alembic_version", "data_version"}),
)
def test_the_rule_engine_reads_no_unversioned_table(session, engine, table):
    company_of_six(session)
    session.execute(sa.delete(DataVersion))  # no version: the report is computed
    session.flush()
    with statements_on(engine) as seen:
        evaluate_on(session=session, day=DAY)
    assert len(seen) > 5
    read = re.compile(rf'\b(FROM|JOIN)\s+"?{table}"?(\s|$|,)', re.IGNORECASE)
    assert table in SQLModel.metadata.tables
    assert not [s for s in seen if read.search(s)], f"the rules read {table}"


def test_the_deviation_figures_are_cached_the_same_way(session, settings):
    department = make_department(session, name="Lager")
    make_deviation(session, department)
    session.commit()
    first = load_stats(session, today=today())
    assert load_stats(session, today=today()) is first
    with another_instance(settings) as elsewhere:
        make_deviation(elsewhere, elsewhere.get_one(Department, department.id))
        elsewhere.commit()
    assert load_stats(session, today=today()).registrations == first.registrations + 1


def test_list_counts_are_cached_and_counted_again_after_a_write(session, settings, engine):
    from hms_tracker.audit.models import AuditEvent
    from hms_tracker.deviations.models import Deviation
    from hms_tracker.web.pagination import count_rows

    department = make_department(session, name="Lager")
    make_deviation(session, department)
    session.commit()
    listed = select(Deviation).where(Deviation.department_id == department.id)
    assert count_rows(session, listed) == 1
    with statements_on(engine) as seen:
        assert count_rows(session, listed) == 1
    assert len(seen) == 1 and "data_version" in seen[0]  # no count run
    with another_instance(settings) as elsewhere:
        make_deviation(elsewhere, elsewhere.get_one(Department, department.id))
        elsewhere.commit()
    assert count_rows(session, listed) == 2
    # The audit trail's writes leave the version alone: a select of it is always counted.
    trail = select(AuditEvent)
    before = count_rows(session, trail)
    with statements_on(engine) as seen:
        assert count_rows(session, trail) == before
    assert any("count" in s.lower() for s in seen)


def test_an_acknowledgement_changes_the_readings_version_and_the_coverage_at_once(
    session, settings
):
    """Reading a routine leaves the records' version (the rule engine's cache) alone, and
    changes the readings' version: the coverage counted before it is not served after it,
    on this instance or another."""
    from hms_tracker.routines import service as routines
    from hms_tracker.routines.models import Routine
    from tests.factories import make_user
    from tests.routines.helpers import principal_for, published_routine

    day = today()
    department = make_department(session, name="Lager")
    admin = make_user(session, is_admin=True, department=department)
    reader = make_user(session, department=department)
    coordinator = principal_for(session, admin, day)
    routine = published_routine(session, coordinator, day, title="Truckkjøring")
    session.commit()
    records, readings = data_version(session), data_version(session, (READINGS,))
    assert records and readings
    (before,) = routines.department_coverage(session=session, principal=coordinator, today=day)
    assert (before.acknowledged, before.required) == (0, 2)
    with another_instance(settings) as elsewhere:
        routines.acknowledge(
            session=elsewhere,
            routine=elsewhere.get_one(Routine, routine.id),
            actor=principal_for(elsewhere, elsewhere.get_one(type(reader), reader.id), day),
            version_number=1,
            today=day,
        )
        elsewhere.commit()
    session.rollback()  # a new transaction sees the other instance's commit
    assert data_version(session) == records
    assert data_version(session, (READINGS,)) not in (None, readings)
    (after,) = routines.department_coverage(session=session, principal=coordinator, today=day)
    assert (after.acknowledged, after.required) == (1, 2)
