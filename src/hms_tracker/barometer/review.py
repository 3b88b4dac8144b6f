"""The yearly review of the barometer (internkontrollforskriften § 5 nr. 8): the second and
third answers beside the records' — what the pulse survey said, and the coordinator's own
answer with a comment — and the snapshot that freezes all three for a year.

A snapshot is written once per year and never changed (the database refuses it). It keeps
its own copy of the questions' texts and national figures, so an old review reads the
same after a new barometer file arrives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.barometer.measures import Measure
from hms_tracker.barometer.models import BarometerAssessment, BarometerSnapshot, Survey
from hms_tracker.barometer.questions import Barometer, Option, Question
from hms_tracker.barometer.service import Answers
from hms_tracker.db import claim_version, utcnow
from hms_tracker.errors import InvalidInput, TransitionRefused
from hms_tracker.web.auth import Principal
from hms_tracker.web.i18n import _

COMMENT_MAX = 2000
EVIDENCE_KEPT = 20  # records of each evidence list kept in a snapshot (the count is kept whole)
SNAPSHOT_FORMAT = 1


# --- the survey's answer -------------------------------------------------------------


@dataclass(frozen=True)
class SurveyAnswer:
    """What the latest closed pulse survey said to one question: the median answer, the
    share whose answer the national figure counts, and how many answered."""

    survey_title: str
    closes_on: date
    answered: int
    median: Option | None
    share_in_national: float | None  # 0–1; None without a national figure


def survey_answers(
    *, session: Session, barometer: Barometer, day: date, minimum: int
) -> dict[str, SurveyAnswer]:
    """Per survey question, the answer of the latest survey closed before `day` with
    results to show (at least `minimum` responses); empty when there is none."""
    from hms_tracker.barometer import survey as surveys

    closed = session.exec(
        select(Survey)
        .where(col(Survey.closes_on) < day)
        .order_by(col(Survey.closes_on).desc(), col(Survey.id).desc())
        .limit(3)
    ).all()
    for found in closed:
        results = surveys.results(session=session, survey=found, minimum=minimum, day=day)
        if results is None:
            continue
        answers: dict[str, SurveyAnswer] = {}
        for result in results.questions:
            question = barometer.question(result.question.id)
            national = question.national if question else None
            counts = {c.option.id: c.count for c in result.options}
            answers[result.question.id] = SurveyAnswer(
                survey_title=found.title,
                closes_on=found.closes_on,
                answered=result.answered,
                median=_median([c.option for c in result.options], counts),
                share_in_national=(
                    sum(counts.get(a, 0) for a in national.answers) / result.answered
                    if national and result.answered
                    else None
                ),
            )
        return answers
    return {}


def _median(options: list[Option], counts: dict[str, int]) -> Option | None:
    """The answer in the middle when all answers are lined up worst to best."""
    total = sum(counts.values())
    if not total:
        return None
    running = 0
    for option in options:
        running += counts.get(option.id, 0)
        if running * 2 >= total:
            return option
    return options[-1]


# --- the coordinator's answer ----------------------------------------------------------


def assessments(*, session: Session, year: int) -> dict[str, BarometerAssessment]:
    rows = session.exec(select(BarometerAssessment).where(BarometerAssessment.year == year))
    return {a.question_id: a for a in rows.all()}


def save_assessment(
    *,
    session: Session,
    actor: Principal,
    barometer: Barometer,
    year: int,
    question_id: str,
    answer: str,
    comment: str,
    version: int | None,
) -> BarometerAssessment:
    """The coordinator's answer to a question for `year`, on the question's own scale.
    Saved over the earlier one when `version` is the one the form was opened on."""
    question = barometer.question(question_id)
    if question is None:
        raise InvalidInput({"answer": _("Spørsmålet finnes ikke i barometeret.")})
    errors: dict[str, str] = {}
    if answer not in barometer.scale_of(question).ids:
        errors["answer"] = _("Velg et av svarene på skalaen.")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("Høyst %(max)s tegn.", max=COMMENT_MAX)
    if errors:
        raise InvalidInput(errors)
    if snapshot_for(session=session, year=year) is not None:
        raise TransitionRefused(
            _("Gjennomgangen for %(year)s er låst, og svarene kan ikke endres.", year=year)
        )
    existing = session.exec(
        select(BarometerAssessment).where(
            BarometerAssessment.year == year, BarometerAssessment.question_id == question_id
        )
    ).first()
    if existing is None:
        existing = BarometerAssessment(year=year, question_id=question_id, answer=answer)
    else:
        claim_version(session, existing, version or 0)
    existing.answer = answer
    existing.comment = comment
    existing.assessed_by_person_id = actor.person_id
    existing.updated_at = utcnow()
    session.add(existing)
    session.flush()
    return existing


# --- the snapshot --------------------------------------------------------------------


def snapshot_for(*, session: Session, year: int) -> BarometerSnapshot | None:
    return session.exec(select(BarometerSnapshot).where(BarometerSnapshot.year == year)).first()


def snapshot_years(*, session: Session) -> list[int]:
    return list(
        session.exec(select(BarometerSnapshot.year).order_by(col(BarometerSnapshot.year))).all()
    )


def take_snapshot(
    *,
    session: Session,
    taken_by_person_id: int | None,
    answers: Answers,
    surveyed: dict[str, SurveyAnswer],
    year: int,
) -> BarometerSnapshot:
    """Freeze the review of `year`: the three answers to every question as they stand
    (`answers` computed on the day), once. A second snapshot of a year is refused."""
    if snapshot_for(session=session, year=year) is not None:
        raise TransitionRefused(
            _("Gjennomgangen for %(year)s er allerede tatt og kan ikke tas på nytt.", year=year)
        )
    final = assessments(session=session, year=year)
    content = {
        "format": SNAPSHOT_FORMAT,
        "year": year,
        "barometer": {
            "year": answers.barometer.year,
            "title": answers.barometer.title.model_dump(),
            "source": answers.barometer.source.model_dump(),
        },
        "taken_on": answers.day.isoformat(),
        "questions": [
            _question_content(item, surveyed.get(item.question.id), final.get(item.question.id))
            for item in answers.questions
        ],
        **_decisions(session, year),
        "steps": _steps(session, answers),
    }
    snapshot = BarometerSnapshot(
        year=year,
        barometer_year=answers.barometer.year,
        taken_on=answers.day,
        taken_by_person_id=taken_by_person_id,
        content=json.dumps(content, ensure_ascii=False, sort_keys=True),
    )
    session.add(snapshot)
    try:
        session.flush()
    except sa.exc.IntegrityError as error:  # taken at the same moment by someone else
        raise TransitionRefused(
            _("Gjennomgangen for %(year)s er allerede tatt og kan ikke tas på nytt.", year=year)
        ) from error
    return snapshot


def _question_content(item: Any, surveyed: SurveyAnswer | None,
                      final: BarometerAssessment | None) -> dict[str, Any]:  # fmt: skip
    question: Question = item.question
    return {
        "id": question.id,
        "text": question.text.model_dump(),
        "scale": [o.model_dump() for o in item.scale.options],
        "national": question.national.model_dump() if question.national else None,
        "records": {
            "answer": item.band.answer if item.band else None,
            "measures": [_measure_content(m) for m in (item.measure, *item.also)],
        },
        "survey": None
        if surveyed is None
        else {
            "title": surveyed.survey_title,
            "closes_on": surveyed.closes_on.isoformat(),
            "answered": surveyed.answered,
            "median": surveyed.median.id if surveyed.median else None,
            "share_in_national": surveyed.share_in_national,
        },
        "assessment": None if final is None else {"answer": final.answer, "comment": final.comment},
    }


def _steps(session: Session, answers: Answers) -> list[dict[str, Any]]:
    """ "Hva kan dere gjøre?" as it stood, in both languages (a snapshot is read in either).
    Steps about deviations and risks are left out, with a count in their place: a
    snapshot is read by everyone who may see the barometer, and a deviation's or a risk's
    text is for those who may open it (as on the page)."""
    from hms_tracker.barometer.next_steps import next_steps, step_text, visible_steps
    from hms_tracker.rules.facts import load_rule_settings
    from hms_tracker.translation import LANGUAGES, _language, set_language

    grace = load_rule_settings(session=session).grace_months
    steps = visible_steps(
        next_steps(answers, day=answers.day, grace_months=grace),
        {"deviation": set(), "risk": set()},
    )
    texts: list[dict[str, Any]] = []
    for step in steps:
        words: dict[str, str] = {}
        for language in LANGUAGES:
            token = set_language(language)
            try:
                words[language] = step_text(step)
            finally:
                _language.reset(token)
        texts.append({"text": words, "url": step.url})
    return texts


def _decisions(session: Session, year: int) -> dict[str, Any]:
    """The review's decisions as they stand: the goals of the year (with how they went) and
    of the next, the strengths and improvements of the year."""
    from hms_tracker.barometer import plan

    found = plan.points(session=session, year=year)
    owners = plan.owner_names(session=session, found=found)
    return {
        "goals": [
            {
                "year": g.year,
                "text": g.text,
                "measured_by": g.measured_by,
                "outcome": g.outcome,
                "outcome_note": g.outcome_note,
            }  # fmt: skip
            for g in plan.goals(session=session, years=(year, year + 1))
        ],
        "points": [
            {
                "kind": p.kind,
                "text": p.text,
                "owner": owners.get(p.owner_person_id or 0, ""),
                "deadline": p.deadline.isoformat() if p.deadline else None,
                "done_on": p.done_on.isoformat() if p.done_on else None,
            }  # fmt: skip
            for p in found
        ],
    }


def _measure_content(measure: Measure) -> dict[str, Any]:
    evidence = [e for e in measure.evidence if e.kind != "rule"]
    return {
        "id": measure.id,
        "value": measure.value,
        "count": measure.count,
        "total": measure.total,
        "evidence_total": len(measure.evidence),
        "evidence": [
            {
                "kind": e.kind,
                "id": e.id,
                "label": e.label,
                "note": e.note,
                "since": e.since.isoformat() if e.since else None,
            }  # fmt: skip
            for e in evidence[:EVIDENCE_KEPT]
        ],
    }


def read_snapshot(snapshot: BarometerSnapshot) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(snapshot.content)
    return content


@dataclass(frozen=True)
class PastAnswer:
    year: int
    records: str | None  # option id
    assessment: str | None  # option id


def history(*, session: Session) -> dict[str, list[PastAnswer]]:
    """Per question, the answers of every yearly snapshot, oldest first (a few rows: one
    per year)."""
    found: dict[str, list[PastAnswer]] = {}
    for snapshot in session.exec(
        select(BarometerSnapshot).order_by(col(BarometerSnapshot.year))
    ).all():
        for q in read_snapshot(snapshot)["questions"]:
            found.setdefault(q["id"], []).append(
                PastAnswer(
                    year=snapshot.year,
                    records=q["records"]["answer"],
                    assessment=(q["assessment"] or {}).get("answer"),
                )
            )
    return found
