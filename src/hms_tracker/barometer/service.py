"""The barometer answered from the records: for each question of a barometer, the figure
that decides (its measure), the band of the data file it falls in and so the answer on the
question's scale, the figures shown beside it, and where the company stands against the
national figure.

Computed once per day, barometer and data version (`ANSWERS`): every write to the records
or an acknowledgement of a routine makes the next page compute it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from hms_tracker.barometer.measures import Context, Measure, compute
from hms_tracker.barometer.questions import Band, Barometer, Option, Question, Scale
from hms_tracker.db import READINGS, RECORDS, VersionedCache


@dataclass(frozen=True)
class RecordsAnswer:
    """A question answered from the records on a day."""

    question: Question
    scale: Scale
    measure: Measure  # the figure that decides
    also: tuple[Measure, ...]  # shown beside it
    band: Band | None  # the band the figure fell in; None without data

    @property
    def answer(self) -> Option | None:
        return self.scale.option(self.band.answer) if self.band else None

    @property
    def among_national(self) -> bool | None:
        """Whether the answer is among those the national figure counts ("3 of 10 lack
        training": the answer "no"); None without an answer or a national figure."""
        if self.band is None or self.question.national is None:
            return None
        return self.band.answer in self.question.national.answers


@dataclass(frozen=True)
class Answers:
    barometer: Barometer
    day: date
    questions: tuple[RecordsAnswer, ...]

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.band is not None)


ANSWERS: VersionedCache[tuple[date, str], Answers] = VersionedCache(
    size=8, rows=(RECORDS, READINGS)
)


def answer_question(question: Question, scale: Scale, context: Context) -> RecordsAnswer:
    decides = compute(question.records.measure, context)
    band = None
    if decides.value is not None:
        band = next(b for b in question.records.bands if b.holds(decides.value))
    return RecordsAnswer(
        question=question,
        scale=scale,
        measure=decides,
        also=tuple(compute(name, context) for name in question.records.also),
        band=band,
    )


def records_answers(*, session: Session, barometer: Barometer, day: date) -> Answers:
    """Every question of `barometer` answered from the records as they stood on `day`."""

    def answer_all() -> Answers:
        context = Context(session=session, day=day)
        return Answers(
            barometer=barometer,
            day=day,
            questions=tuple(
                answer_question(q, barometer.scale_of(q), context) for q in barometer.questions
            ),
        )

    return ANSWERS.get_or_compute(session, (day, barometer.id), answer_all)
