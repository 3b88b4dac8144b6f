"""Reads for the compliance pages: the rule engine's report for a day, filtered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session

from hms_tracker.rules.engine import Report, TrainingStatus
from hms_tracker.rules.facts import evaluate_on
from hms_tracker.rules.findings import Status


def report_on(*, session: Session, day: date) -> Report:
    return evaluate_on(session=session, day=day)


def filter_training(
    rows: Sequence[TrainingStatus],
    *,
    status: str | None = None,
    reason: str | None = None,
    course_id: int | None = None,
    person_id: int | None = None,
) -> list[TrainingStatus]:
    return [
        r
        for r in rows
        if (not status or r.status == status)
        and (not reason or reason in r.reasons)
        and (course_id is None or r.course_id == course_id)
        and (person_id is None or r.person_id == person_id)
    ]


def status_counts(rows: Sequence[TrainingStatus]) -> dict[Status, int]:
    counts = dict.fromkeys(
        (Status.missing, Status.expired, Status.in_grace, Status.expiring, Status.ok), 0
    )
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return counts


def training_for_person(*, session: Session, person_id: int, day: date) -> list[TrainingStatus]:
    """What one person must take, and where they stand, on `day`."""
    return filter_training(report_on(session=session, day=day).training, person_id=person_id)
