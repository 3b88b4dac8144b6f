"""The barometer answered from the records, against a hand-built company whose truth is
known (both databases): who lacks training, the routines' coverage, the deviation figures
— each answer, its figure and its evidence, and the answer changing at once after a write.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from hms_tracker.appointments.models import Appointment
from hms_tracker.barometer.questions import barometer_for
from hms_tracker.barometer.service import records_answers
from hms_tracker.routines import service as routines
from hms_tracker.routines.models import Routine
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.translation import OSLO
from hms_tracker.web.dates import today
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_person, make_user
from tests.routines.helpers import principal_for, published_routine

LONG_AGO = today() - timedelta(days=800)  # appointed long before: the grace period is over


def _answers(session):
    return {a.question.id: a for a in records_answers(
        session=session, barometer=barometer_for(2025), day=today()
    ).questions}  # fmt: skip


def _course(session, name: str) -> CourseType:
    return session.exec(select(CourseType).where(CourseType.name == name)).one()


def _trained(session, person, course: CourseType) -> None:
    session.add(
        TrainingRecord(
            person_id=person.id,
            course_type_id=course.id,
            completed_on=today() - timedelta(days=30),
            hours=Decimal(course.required_hours),
        )
    )


def test_a_safety_rep_without_training_makes_the_answer_no_until_trained(session):
    department = make_department(session, name="Lager")
    kari = make_person(session, name="Kari Nordmann", department=department)
    ola = make_person(session, name="Ola Hansen", department=department)
    for person in (kari, ola):
        session.add(Appointment(kind="safety_rep", person_id=person.id, starts_on=LONG_AGO))
    _trained(session, ola, _course(session, "Grunnopplæring for verneombud"))
    session.commit()

    answer = _answers(session)["safety_rep_training"]
    assert answer.answer is not None and answer.answer.id == "no"
    assert (answer.measure.count, answer.measure.total) == (1, 2)
    assert [e.label for e in answer.measure.evidence] == ["Kari Nordmann"]
    assert answer.among_national is True  # among the 3 in 10 that lack it

    _trained(session, kari, _course(session, "Grunnopplæring for verneombud"))
    session.commit()
    answer = _answers(session)["safety_rep_training"]  # read back at once after the write
    assert answer.answer.id == "yes" and answer.measure.count == 0
    assert answer.among_national is False


def test_an_amu_deputy_without_training_counts(session):
    department = make_department(session, name="Verksted")
    regular = make_person(session, name="Regular Medlem", department=department)
    deputy = make_person(session, name="Vara Medlem", department=department)
    for person, is_deputy in ((regular, False), (deputy, True)):
        session.add(
            Appointment(
                kind="amu_member", person_id=person.id, starts_on=LONG_AGO, amu_side="employee",
                is_deputy=is_deputy,
            )
        )  # fmt: skip
    _trained(session, regular, _course(session, "Grunnopplæring for AMU-medlemmer"))
    session.commit()
    answer = _answers(session)["amu_training"]
    assert answer.answer.id == "no"
    assert [e.label for e in answer.measure.evidence] == ["Vara Medlem"]


def test_nobody_to_count_is_no_data_not_yes(session):
    make_person(session)
    session.commit()
    answer = _answers(session)["safety_rep_training"]
    assert answer.band is None and answer.answer is None and answer.among_national is None
    assert answer.measure.value is None


@pytest.mark.parametrize(("readers", "expected"), [(4, "often"), (3, "sometimes")])
def test_the_share_of_staff_who_acknowledged_decides_how_often_routines_are_followed(
    session, readers, expected
):
    """One routine for the whole company, five people employed: 4 of 5 (80 %) read it is
    "often" (70 % or more), 3 of 5 (60 %) "sometimes" (50 % or more)."""
    department = make_department(session, name="Kontor")
    admin = make_user(session, is_admin=True, department=department)
    people = [admin] + [make_user(session, department=department) for _ in range(4)]
    day = today()
    coordinator = principal_for(session, admin, day)
    routine = published_routine(session, coordinator, day, title="Brannrutine")
    session.commit()
    for user in people[:readers]:
        routines.acknowledge(
            session=session, routine=session.get_one(Routine, routine.id),
            actor=principal_for(session, user, day), version_number=1, today=day,
        )  # fmt: skip
    session.commit()
    answer = _answers(session)["routines_followed"]
    assert (answer.measure.count, answer.measure.total) == (readers, 5)
    assert answer.answer.id == expected


def test_reports_per_100_employees_decide_how_often_deviations_are_registered(session):
    """Ten people employed all year and two reports in the last 12 months: 20 per 100,
    "often" (15 or more); a report 400 days old does not count."""
    department = make_department(session, name="Produksjon")
    people = [make_person(session, department=department) for _ in range(10)]
    for _ in range(2):
        make_deviation(session, department, reporter=people[0])
    long_ago = datetime.now(UTC) - timedelta(days=400)
    make_deviation(
        session, department, reporter=people[1], created_at=long_ago,
        occurred_at=(long_ago - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    session.commit()
    answer = _answers(session)["deviations_registered"]
    assert answer.measure.count == 2
    assert answer.measure.value == pytest.approx(20, abs=0.5)
    assert answer.answer.id == "often"
    participation = _answers(session)["employee_participation"]
    assert participation.measure.value == 1.0  # nobody here leads a department


def _measure(session, name: str):
    from hms_tracker.barometer.measures import Context, compute

    return compute(name, Context(session=session, day=today()))


def test_days_from_event_to_report_and_closed_cases_where_the_actions_worked(session):
    """Reports made 0, 2 and 10 days after the event, and one the same day: the median
    of 0, 0, 2, 10 is 1. Of three cases closed in the last 12 months with an answer to
    "did the actions work?", two said yes: 2 of 3. A case closed without that answer is
    not counted."""
    from hms_tracker.deviations.models import Deviation

    department = make_department(session, name="Sveis")
    reporter = make_person(session, department=department)
    # Yesterday at noon in Oslo: every day boundary in the test is the same whatever the
    # hour the test runs at (at 00:30 "3 hours ago" was yesterday).
    now = datetime.combine(today() - timedelta(days=1), time(12), tzinfo=OSLO).astimezone(UTC)
    made = []
    for days in (0, 2, 10):
        deviation, _receipt = make_deviation(
            session, department, reporter=reporter, created_at=now - timedelta(hours=2),
            occurred_at=(now - timedelta(days=days, hours=3)).astimezone(OSLO).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        )  # fmt: skip
        made.append(deviation)
    for deviation, effect in zip([*made, None], ["yes", "yes", "no", None], strict=False):
        if deviation is None:
            deviation, _receipt = make_deviation(
                session, department, reporter=reporter, created_at=now,
                occurred_at=(now - timedelta(hours=1)).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M"),
            )  # fmt: skip
        deviation.status, deviation.closed_at, deviation.actions_effect = "closed", now, effect
        session.add(deviation)
    session.commit()
    assert session.exec(select(Deviation)).all()
    delay = _measure(session, "median_days_to_report")
    assert (delay.value, delay.total) == (1.0, 4)
    worked = _measure(session, "share_closed_actions_worked")
    assert (worked.count, worked.total) == (2, 3)
    assert worked.value == pytest.approx(2 / 3)


def test_a_department_that_never_reports_is_named(session):
    quiet = make_department(session, name="Kontor")
    busy = make_department(session, name="Verksted")
    make_person(session, department=quiet)
    reporter = make_person(session, department=busy)
    make_deviation(session, busy, reporter=reporter)
    session.commit()
    measure = _measure(session, "departments_without_reports")
    assert [e.label for e in measure.evidence] == ["Kontor"]
    assert measure.value == 1.0


def test_legal_gaps_count_what_the_gaps_page_counts(session, client):
    from tests.login import login_admin

    for _ in range(6):  # six employed and no verneombud: a gap of AML § 6-1
        make_person(session)
    session.commit()
    gaps = _measure(session, "legal_gaps")
    assert gaps.value is not None and gaps.value >= 1
    assert "aml-6-1.safety-rep-missing" in {e.label for e in gaps.evidence}
    login_admin(client, session)
    page = client.get("/gaps").text
    assert f"{int(gaps.value)} mangler per" in page or f"{int(gaps.value)} mangel per" in page
