"""The demo's barometer year: a closed pulse survey with enough answers to show results,
an open one that employees can still answer, and the yearly reviews of the two years
before this one (with the coordinator's answers of the time), so /barometer has earlier
years to compare with."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlmodel import Session

from hms_tracker.barometer import review, survey
from hms_tracker.barometer.models import BarometerAssessment, Survey
from hms_tracker.barometer.questions import Barometer, barometer_for
from hms_tracker.barometer.service import records_answers
from hms_tracker.demo.builder import COORDINATOR_EMAIL, DemoCompany
from hms_tracker.organisation.models import Person

# How the demo's employees lean on each survey question: weights per option, worst first.
LEANING = {
    "frequency": [1, 2, 4, 8, 6, 3],
    "quality": [1, 2, 5, 8, 3],
    "participation": [1, 3, 6, 7, 2],
}
WORKS_WELL = [
    "Verneombudet følger opp raskt når vi melder fra.",
    "Vernerundene på lageret er grundige.",
    "Det er lett å melde avvik fra mobilen.",
]
IMPROVE = [
    "Flere korte øvelser på brannrutinen.",
    "Tilbakemelding på hva som skjer med avvikene vi melder.",
    "Opplæring av nye vikarer før første vakt.",
]
# The coordinator's answers of the two earlier reviews: a company that got better.
EARLIER = {
    2: {"safety_rep_training": "no", "amu_training": "no", "routines_followed": "sometimes",
        "deviations_registered": "rarely", "employee_participation": "some",
        "safety_rep_work": "fair", "amu_work": "poor", "hms_work_quality": "fair"},
    1: {"safety_rep_training": "no", "amu_training": "yes", "routines_followed": "often",
        "deviations_registered": "sometimes", "employee_participation": "most",
        "safety_rep_work": "good", "amu_work": "fair", "hms_work_quality": "good"},
}  # fmt: skip


def build_barometer(session: Session, *, company: DemoCompany, rng: random.Random) -> None:
    today = company.today
    barometer = barometer_for(today.year)
    coordinator = company.person(COORDINATOR_EMAIL)
    # Two earlier reviews, each taken in the middle of December of its year.
    for years_back, answers in EARLIER.items():
        year = today.year - years_back
        for question_id, answer in answers.items():
            session.add(
                BarometerAssessment(
                    year=year, question_id=question_id, answer=answer,
                    comment="", assessed_by_person_id=coordinator.id,
                )
            )  # fmt: skip
        session.flush()
        day = date(year, 12, 10)
        review.take_snapshot(
            session=session,
            taken_by_person_id=coordinator.id,
            answers=records_answers(session=session, barometer=barometer, day=day),
            surveyed={},
            year=year,
        )
    # A survey that closed a month ago, answered by most of those employed then.
    closed = Survey(
        barometer_year=barometer.year, title=f"Pulsundersøkelse høsten {today.year}",
        opens_on=today - timedelta(days=60), closes_on=today - timedelta(days=31),
    )  # fmt: skip
    session.add(closed)
    session.flush()
    answering = closed.opens_on + timedelta(days=3)
    people = company.employed_on(answering)
    for person in rng.sample(people, k=max(6, len(people) * 3 // 5)):
        _answer(session, closed, person, answering, barometer, rng)
    # One open now, with a few answers so far (too few for results).
    current = Survey(
        barometer_year=barometer.year, title=f"Pulsundersøkelse desember {today.year}",
        opens_on=today - timedelta(days=2), closes_on=today + timedelta(days=14),
    )  # fmt: skip
    session.add(current)
    session.flush()
    for person in rng.sample(company.employed_on(today), k=3):
        if person.email != COORDINATOR_EMAIL:
            _answer(session, current, person, today, barometer, rng)


def _answer(session: Session, found: Survey, person: Person, day: date, barometer: Barometer,
            rng: random.Random) -> None:  # fmt: skip
    chosen = {}
    for question in survey.survey_questions(barometer):
        scale = barometer.scale_of(question)
        weights = LEANING.get(question.scale, [1] * len(scale.options))
        chosen[question.id] = rng.choices(scale.ids, weights=weights)[0]
    comments = {
        "works_well": rng.choice(WORKS_WELL) if rng.random() < 0.4 else "",
        "improve": rng.choice(IMPROVE) if rng.random() < 0.4 else "",
    }
    survey.answer(
        session=session, survey=found, person=person,
        answers=chosen, comments=comments, day=day,
    )  # fmt: skip
