"""Reads for the compliance pages: the rule engine's report for a day, filtered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlmodel import Session

from hms_tracker.rules.engine import Report, TrainingStatus
from hms_tracker.rules.facts import evaluate_on
from hms_tracker.rules.findings import Status
from hms_tracker.web.auth import Principal


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


def only_what_they_may_open(
    session: Session, principal: Principal, presented: list[Any]
) -> tuple[list[Any], dict[int, dict[str, int]]]:
    """The findings with the deviations and risks the principal may not open left out of
    the evidence (a deviation's title can say who was involved: AMU sees how many, not
    which); and per finding (by position) how many of each kind were left out."""
    from hms_tracker.deviations.access import visible_ids as visible_deviations
    from hms_tracker.risks.access import visible_ids as visible_risks

    wanted: dict[str, set[int]] = {"deviation": set(), "risk": set()}
    for item in presented:
        for ref in item.finding.evidence:
            if ref.kind in wanted and ref.id is not None:
                wanted[ref.kind].add(ref.id)
    if not any(wanted.values()):
        return presented, {}
    visible: dict[str, set[int]] = {
        "deviation": visible_deviations(
            session=session, principal=principal, ids=wanted["deviation"]
        ),
        "risk": visible_risks(session=session, principal=principal, ids=wanted["risk"]),
    }
    shown: list[Any] = []
    hidden: dict[int, dict[str, int]] = {}
    for index, item in enumerate(presented):
        keep = tuple(
            ref
            for ref in item.finding.evidence
            if ref.kind not in visible or ref.id in visible[ref.kind]
        )
        if len(keep) != len(item.finding.evidence):
            left_out: dict[str, int] = {}
            for ref in item.finding.evidence:
                if ref not in keep:
                    left_out[ref.kind] = left_out.get(ref.kind, 0) + 1
            hidden[index] = left_out
            item = replace(item, finding=replace(item.finding, evidence=keep))
        shown.append(item)
    return shown, hidden
