"""Reads for the compliance pages: the rule engine's report for a day, filtered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from sqlmodel import Session, col, select

from hms_tracker.appointments import service as appointments
from hms_tracker.appointments.forms import kind_label
from hms_tracker.db import VersionedCache
from hms_tracker.organisation.access import may_view_person
from hms_tracker.organisation.models import Person
from hms_tracker.rules.engine import Report, TrainingStatus
from hms_tracker.rules.facts import evaluate_on, load_rule_settings
from hms_tracker.rules.findings import Status
from hms_tracker.web.auth import Principal
from hms_tracker.web.i18n import get_language


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


@dataclass(frozen=True)
class Soon:
    """Something that lapses within the look-ahead: training or a term of office."""

    on: date  # the day it lapses
    label: str
    url: str
    what: str  # "training_expires", "training_due", "term_ends"


def coming_up(*, session: Session, report: Report, day: date) -> tuple[int, list[Soon]]:
    """What lapses within the look-ahead from `day` (the setting for when training starts to
    expire; the appointments list's «ending soon» for terms), soonest first: training that
    expires, the deadline of someone in their grace period, terms that end. The number of
    days looked ahead, and the items. Kept under the data version per day and language
    (readers must not change the list)."""
    return COMING_UP.get_or_compute(
        session, (day, get_language()), lambda: _coming_up(session, report, day)
    )


def _coming_up(session: Session, report: Report, day: date) -> tuple[int, list[Soon]]:
    days = load_rule_settings(session=session).expiring_days
    horizon = day + timedelta(days=days)
    items: list[Soon] = []
    for r in report.training:
        label = f"{r.person_name} – {r.course_name}"
        if r.status is Status.expiring and r.expires_on and day <= r.expires_on <= horizon:
            items.append(Soon(r.expires_on, label, f"/people/{r.person_id}", "training_expires"))
        elif r.status is Status.in_grace and r.due_on and r.due_on <= horizon:
            items.append(Soon(r.due_on, label, f"/people/{r.person_id}", "training_due"))
    for row in appointments.list_appointments(session=session, today=day, status="ending_soon"):
        a = row.appointment
        ends = min(d for d in (a.ends_on, a.ended_on) if d is not None)
        if ends <= horizon:
            items.append(Soon(ends, f"{row.holder} – {kind_label(a.kind)}",
                              f"/appointments/{a.id}", "term_ends"))  # fmt: skip
    items.sort(key=lambda s: (s.on, s.label))
    return days, items


def people_they_may_open(session: Session, principal: Principal, ids: set[int]) -> set[int]:
    """Those of `ids` (people) whose page the principal may open (organisation's rule: the
    coordinator, the person themselves, a leader of their department): the others are named
    without a link, never a link to a refusal."""
    if principal.is_admin or not ids:
        return set(ids)
    rows = session.exec(
        select(Person.id, Person.department_id).where(col(Person.id).in_(sorted(ids)))
    ).all()
    return {
        pid
        for pid, department_id in rows
        if pid is not None
        and may_view_person(principal, SimpleNamespace(id=pid, department_id=department_id))
    }


COMING_UP: VersionedCache[tuple[date, str], tuple[int, list[Soon]]] = VersionedCache(size=8)
