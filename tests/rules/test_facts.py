"""The loader reads the register into the engine's facts (both databases)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select

from hms_tracker.appointments.models import Appointment, AppointmentArea
from hms_tracker.rules.facts import evaluate_on
from hms_tracker.rules.findings import Status
from hms_tracker.training.models import CourseType, TrainingRecord
from tests.factories import make_department, make_person

DAY = date(2026, 11, 25)


def test_report_from_the_register(session):
    lager = make_department(session, name="Lager")
    verksted = make_department(session, name="Verksted")
    kari = make_person(session, name="Kari Nordmann", department=lager)
    for _ in range(6):
        make_person(session, department=verksted)
    appointment = Appointment(
        kind="safety_rep", person_id=kari.id, starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31)
    )
    session.add(appointment)
    session.flush()
    session.add(AppointmentArea(appointment_id=appointment.id, department_id=lager.id))
    course = session.exec(
        select(CourseType).where(CourseType.name == "Grunnopplæring for verneombud")
    ).one()
    session.add(
        TrainingRecord(
            person_id=kari.id,
            course_type_id=course.id,
            completed_on=date(2025, 3, 1),
            hours=Decimal(24),
        )
    )
    session.add(
        TrainingRecord(
            person_id=kari.id,
            course_type_id=course.id,
            completed_on=date(2025, 4, 1),
            hours=Decimal(16),
        )
    )
    session.commit()

    report = evaluate_on(session=session, day=DAY)
    findings = {f.rule: f for f in report.findings}
    assert findings["aml-6-1.safety-rep"].status is Status.ok
    assert [r.label for r in findings["aml-6-1.safety-areas"].evidence] == ["Verksted"]
    (row,) = [r for r in report.training if r.person_name == "Kari Nordmann"]
    assert row.status is Status.ok and row.completed_on == date(2025, 4, 1)

    # Before the second part was taken, the hours did not add up (and grace was over).
    earlier = evaluate_on(session=session, day=date(2025, 3, 15))
    (row,) = [r for r in earlier.training if r.person_name == "Kari Nordmann"]
    assert row.status is Status.in_grace and row.hours_done == Decimal(24)


def test_rule_thresholds_are_company_settings(session):
    from hms_tracker.organisation.models import CompanySetting

    for _ in range(12):
        make_person(session, employed_from=date(2020, 1, 1))
    session.commit()
    report = evaluate_on(session=session, day=DAY)
    assert "aml-7-1.amu-may-be-demanded" in {f.rule for f in report.findings}
    session.add(CompanySetting(key="rules.amu_required_from", value="12"))
    session.commit()
    report = evaluate_on(session=session, day=DAY)
    assert "aml-7-1.amu-missing" in {f.rule for f in report.findings}
