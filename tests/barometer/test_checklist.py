"""The checklist of internkontrollforskriften § 5 against a small hand-built company (both
databases): what the records answer, what they show broken, and what the coordinator must
confirm."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import jinja2
from sqlmodel import select

from hms_tracker.appointments.models import Appointment
from hms_tracker.barometer import checklist as checklist_module
from hms_tracker.barometer.checklist import GAP, MANUAL, OK, checklist, point_notes
from hms_tracker.barometer.measures import Context
from hms_tracker.barometer.next_steps import steps_for_page
from hms_tracker.barometer.questions import barometer_for
from hms_tracker.barometer.service import records_answers
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.organisation.models import CompanySetting
from hms_tracker.rules.periods import add_months
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.web.dates import today
from hms_tracker.web.jinja import make_environment
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_leader, make_person

LONG_AGO = today() - timedelta(days=800)  # appointed long before: the grace period is over


def points(session):
    day = today()
    answers = records_answers(session=session, barometer=barometer_for(2025), day=day)
    return {p.number: p for p in checklist(Context(session=session, day=day), answers)}


def safety_rep(session, person) -> None:
    session.add(Appointment(kind="safety_rep", person_id=person.id, starts_on=LONG_AGO))


def trained(session, person, course_name: str) -> None:
    course = session.exec(select(CourseType).where(CourseType.name == course_name)).one()
    session.add(
        TrainingRecord(
            person_id=person.id, course_type_id=course.id,
            completed_on=today() - timedelta(days=30), hours=Decimal(course.required_hours),
        )
    )  # fmt: skip


def test_all_eight_points_in_order_and_what_the_records_cannot_answer_is_manual(session):
    make_person(session, department=make_department(session, name="Lager"))
    session.commit()
    found = points(session)
    assert list(found) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert found[1].status == MANUAL
    assert "Bekreft" in point_notes(found[1])[0]
    # No HMS goals set for the year: nr. 4 is a gap, pointing to where they are set.
    assert found[4].status == GAP and found[4].link == "/barometer#goals"
    # No yearly review locked in the last 12 months: nr. 8 is a gap, pointing to where it
    # is done.
    assert found[8].status == GAP and found[8].link == "/barometer"
    assert "lås gjennomgangen" in point_notes(found[8])[0]
    assert found[1].link.startswith("https://lovdata.no/")
    # Nobody must take a course and nothing shows participation yet: confirmed by hand too.
    assert found[2].status == MANUAL and found[3].status == MANUAL


def test_knowledge_is_a_gap_with_an_untrained_verneombud_and_ok_once_trained(session):
    department = make_department(session, name="Lager")
    kari = make_person(session, name="Kari Nordmann", department=department)
    safety_rep(session, kari)
    session.commit()
    point = points(session)[2]
    assert point.status == GAP
    assert point.link == "/training?status=missing"
    assert [f.rule for f in point.findings] == ["training.required"]
    untrained = next(m for m in point.measures if m.id == "safety_reps_untrained")
    assert (untrained.count, untrained.total) == (1, 1)

    trained(session, kari, "Grunnopplæring for verneombud")
    session.commit()
    point = points(session)[2]
    assert point.status == OK and point.findings == ()


def test_a_verneombud_within_the_grace_period_is_not_a_gap(session):
    kari = make_person(session, department=make_department(session))
    session.add(Appointment(kind="safety_rep", person_id=kari.id, starts_on=today()))
    session.commit()
    point = points(session)[2]
    assert point.status == OK
    in_grace = next(m for m in point.measures if m.id == "safety_reps_in_grace")
    assert in_grace.count == 1


def test_deviations_are_a_gap_with_an_overdue_action(session):
    department = make_department(session, name="Verksted")
    ola = make_person(session, name="Ola Hansen", department=department)
    deviation, _receipt = make_deviation(session, department, reporter=ola)
    session.commit()
    assert points(session)[7].status != GAP

    session.add(
        CorrectiveAction(
            deviation_id=deviation.id, description="Skift lyspære", owner_person_id=ola.id,
            deadline=today() - timedelta(days=1),
        )
    )  # fmt: skip
    session.commit()
    point = points(session)[7]
    assert point.status == GAP
    assert point.link == "/deviations?overdue=1"
    overdue = next(f for f in point.findings if f.rule == "ik-5-7.deviations-overdue")
    assert overdue.is_gap and [r.id for r in overdue.evidence] == [deviation.id]
    actions = next(m for m in point.measures if m.id == "overdue_actions")
    assert actions.count == 1


def test_organisation_is_a_gap_without_verneombud_and_names_departments_without_leader(session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    make_department(session, name="Tom avdeling")  # nobody works there: needs no leader
    make_person(session, department=lager)
    make_person(session, department=kontor)
    make_leader(session, department=kontor)
    session.commit()
    point = points(session)[5]
    assert point.status == GAP
    assert "aml-6-1.safety-rep-missing" in [f.rule for f in point.findings]
    assert point.link == "/appointments/new?kind=safety_rep"
    assert point.params["leaderless"] == [(lager.id, "Lager")]
    assert "1 av 2 avdelinger med ansatte har leder." in point_notes(point)


def test_organisation_is_ok_with_a_verneombud_and_every_department_led(session):
    lager = make_department(session, name="Lager")
    hylle = make_department(session, name="Hylle", parent_id=lager.id)  # led from above
    kari = make_person(session, department=hylle)
    safety_rep(session, kari)
    make_leader(session, department=lager)
    session.commit()
    point = points(session)[5]
    assert point.status == OK, [f.rule for f in point.findings]
    assert point.params["leaderless"] == []
    assert point.params["safety_reps"] == 1


def test_an_empty_risk_register_shows_no_risk_mapping(session):
    make_person(session, department=make_department(session))
    session.commit()
    point = points(session)[6]
    assert (point.status, point.params["reason"]) == (GAP, "no_risks")


def test_the_page_part_shows_each_status_as_text_and_colour(session):
    department = make_department(session, name="Lager")
    safety_rep(session, make_person(session, name="Kari Nordmann", department=department))
    session.commit()
    env = make_environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.get_template("barometer/_checklist.html").render(
        checklist=list(points(session).values()), day=today(), **checklist_module.helpers()
    )
    assert "Sjekkliste: internkontrollforskriften § 5" in html
    assert "Nr. 2: Kunnskap og ferdigheter" in html
    assert '<span class="ds-tag" data-color="danger">Mangel</span>' in html
    assert '<span class="ds-tag" data-color="info">Bekreft selv</span>' in html
    assert 'href="/training?status=missing">Rett opp</a>' in html
    assert "Kari Nordmann" not in html  # figures, not names: the people are on /training


def test_the_page_steps_use_the_company_grace_period_and_the_reader_filter(session):
    """The steps as /barometer gets them (barometer/next_steps.py): the grace period is the
    company's setting, and the deviations the reader may not open are left out."""
    department = make_department(session, name="Lager")
    per = make_person(session, name="Per Vo", department=department)
    session.add(Appointment(kind="safety_rep", person_id=per.id, starts_on=today()))
    session.add(CompanySetting(key="rules.grace_months", value="3"))
    deviation, _receipt = make_deviation(session, department, reporter=per)
    session.add(
        CorrectiveAction(
            deviation_id=deviation.id, description="Skift lyspære", owner_person_id=per.id,
            deadline=today() - timedelta(days=1),
        )
    )  # fmt: skip
    session.commit()
    answers = records_answers(session=session, barometer=barometer_for(2025), day=today())

    steps = steps_for_page(session=session, answers=answers, allowed={"deviation": set()})
    grace = next(s for s in steps if s.kind == "training_in_grace")
    assert grace.params["due_on"] == add_months(today(), 3) - timedelta(days=1)
    assert "overdue_action" not in [s.kind for s in steps]
    assert [s.params for s in steps if s.kind == "not_shown"] == [
        {"of": "overdue_action", "num": 1}
    ]
    every = steps_for_page(session=session, answers=answers, allowed={"deviation": {deviation.id}})
    assert [s.url for s in every if s.kind == "overdue_action"] == [f"/deviations/{deviation.id}"]


def test_the_yearly_review_meets_nr_8_for_twelve_months(session):
    from datetime import timedelta

    from hms_tracker.barometer.models import BarometerSnapshot
    from hms_tracker.web.dates import today

    make_person(session, department=make_department(session, name="Lager"))
    session.add(
        BarometerSnapshot(
            year=today().year - 1, barometer_year=2025, content="{}",
            taken_on=today() - timedelta(days=300),
        )
    )  # fmt: skip
    session.commit()
    point = points(session)[8]
    assert point.status == OK and point.link == f"/barometer/{today().year - 1}"
    assert "Siste årlige gjennomgang" in point_notes(point)[0]
