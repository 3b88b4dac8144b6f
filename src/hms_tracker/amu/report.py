"""The AMU's yearly report of its work (AML § 7-2 (6)): written from the year's records,
edited by the committee, approved by the chair and then locked (the database refuses any
change, migration 0017), filed as a PDF.

The figures are read with a fixed number of aggregate queries whatever the company's size;
they are kept with the report when it is approved, so an approved report always shows
what it was approved with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from hms_tracker.amu.meetings import members_on
from hms_tracker.amu.models import (
    AmuAgendaItem,
    AmuAttendance,
    AmuDecision,
    AmuMeeting,
    AmuReport,
    MeetingStatus,
)
from hms_tracker.appointments.models import AmuChairPeriod, Appointment, AppointmentKind
from hms_tracker.barometer.models import BarometerSnapshot
from hms_tracker.compliance.service import report_on
from hms_tracker.db import claim_version, utcnow
from hms_tracker.deviations.models import OPEN_STATUSES, CorrectiveAction, Deviation
from hms_tracker.errors import InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation.models import Person
from hms_tracker.rules.findings import Status
from hms_tracker.web.i18n import OSLO, _, format_date, ngettext

TEXT_MAX = 50_000
FIRST_YEAR = 2000


def check_year(year: int, today: date) -> None:
    """A report is of a year that has begun (the current one as a draft)."""
    if not FIRST_YEAR <= year <= today.year:
        raise NotFound()


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=OSLO)


@dataclass(frozen=True)
class Period:
    year: int
    first: date
    last: date  # the year's last day, or today for the year under way

    @classmethod
    def of(cls, year: int, today: date) -> Period:
        return cls(year, date(year, 1, 1), min(date(year, 12, 31), today))


def figures(*, session: Session, year: int, today: date) -> dict[str, Any]:
    """What the report is written from, as plain data (kept as JSON when approved)."""
    period = Period.of(year, today)
    start, end = _start(period.first), _start(period.last + timedelta(days=1))
    # Composition on the period's last day, and the chairs of the year.
    members = [
        {"name": m.name, "side": m.side, "deputy": m.is_deputy, "chair": m.is_chair}
        for m in members_on(session=session, day=period.last)
    ]
    chairs = list(
        session.exec(
            select(Person.name)
            .join(Appointment, col(Appointment.person_id) == Person.id)
            .join(AmuChairPeriod, col(AmuChairPeriod.appointment_id) == Appointment.id)
            .where(col(AmuChairPeriod.starts_on) <= period.last,
                   col(AmuChairPeriod.ends_on) >= period.first)
            .order_by(col(AmuChairPeriod.starts_on))
        ).all()
    )  # fmt: skip
    # Meetings held, with attendance.
    in_year = sa.and_(
        col(AmuMeeting.meets_on) >= period.first, col(AmuMeeting.meets_on) <= period.last
    )
    meetings = [
        {"date": meets_on.isoformat(), "called": int(called or 0), "present": int(present or 0)}
        for meets_on, called, present in session.exec(
            select(
                AmuMeeting.meets_on,
                func.count(AmuAttendance.id),
                func.sum(sa.case((col(AmuAttendance.attended).is_(True), 1), else_=0)),
            )
            .outerjoin(AmuAttendance, col(AmuAttendance.meeting_id) == AmuMeeting.id)
            .where(in_year, AmuMeeting.status == MeetingStatus.held.value)
            .group_by(col(AmuMeeting.id), col(AmuMeeting.meets_on))
            .order_by(col(AmuMeeting.meets_on))
        ).all()
    ]
    # Decisions of the year and how their actions were followed.
    decisions = session.exec(
        select(func.count(sa.distinct(AmuDecision.id)))
        .join(AmuAgendaItem, col(AmuAgendaItem.id) == AmuDecision.agenda_item_id)
        .join(AmuMeeting, col(AmuMeeting.id) == AmuAgendaItem.meeting_id)
        .where(in_year)
    ).one()
    actions = {"done": 0, "open": 0, "overdue": 0, "withdrawn": 0}
    decided = (
        select(AmuDecision.id)
        .join(AmuAgendaItem, col(AmuAgendaItem.id) == AmuDecision.agenda_item_id)
        .join(AmuMeeting, col(AmuMeeting.id) == AmuAgendaItem.meeting_id)
        .where(in_year)
    )
    for done_on, withdrawn_at, deadline in session.exec(
        select(CorrectiveAction.done_on, CorrectiveAction.withdrawn_at, CorrectiveAction.deadline)
        # Through the index of AMU decisions' actions, not a scan of every action.
        .where(col(CorrectiveAction.amu_decision_id).in_(decided))
    ).all():
        if withdrawn_at is not None:
            actions["withdrawn"] += 1
        elif done_on is not None:
            actions["done"] += 1
        elif deadline < today:
            actions["overdue"] += 1
        else:
            actions["open"] += 1
    # Deviations and injuries of the year (by when they happened).
    reported = sa.and_(col(Deviation.occurred_at) >= start, col(Deviation.occurred_at) < end)
    by_category: dict[str, int] = {}
    serious = still_open = 0
    for category, count, serious_count, open_count in session.exec(
        select(
            Deviation.category,
            func.count(),
            func.sum(sa.case((col(Deviation.serious_injury), 1), else_=0)),
            func.sum(sa.case((col(Deviation.status).in_(OPEN_STATUSES), 1), else_=0)),
        )
        .where(reported)
        .group_by(Deviation.category)
    ).all():
        by_category[category] = int(count)
        serious += int(serious_count or 0)
        still_open += int(open_count or 0)
    # Training of the members, routines and risks, on the period's last day (rule engine).
    found = report_on(session=session, day=period.last)
    member_training = [r for r in found.training if "amu_member" in r.reasons]
    lacking = sorted({r.person_name for r in member_training
                      if r.status in (Status.missing, Status.expired)})  # fmt: skip
    rules = {f.rule: f for f in found.findings}
    # The year's self-assessment against HMS-barometeret, when it was locked.
    snapshot = session.exec(
        select(BarometerSnapshot.taken_on, BarometerSnapshot.barometer_year).where(
            BarometerSnapshot.year == year
        )
    ).first()
    routines = rules.get("routines.review-overdue")
    high = rules.get("ik-5-6.high-risk-without-routine")
    return {
        "year": year,
        "until": period.last.isoformat(),
        "members": members,
        "chairs": chairs,
        "meetings": meetings,
        "decisions": int(decisions),
        "actions": actions,
        "deviations": {"total": sum(by_category.values()), "by_category": by_category,
                       "serious_injuries": int(serious), "still_open": int(still_open)},
        "training": {"members": len({r.person_id for r in member_training}),
                     "lacking": lacking},
        "routines": {"total": int((routines.params or {}).get("routines", 0)) if routines else 0,
                     "overdue": len(routines.evidence) if routines else 0},
        "high_risks_without_routine": len(high.evidence) if high and high.is_gap else 0,
        "self_assessment": {"taken_on": snapshot[0].isoformat(), "barometer_year": snapshot[1]}
        if snapshot else None,
    }  # fmt: skip


def draft_text(f: dict[str, Any]) -> str:
    """The report's text as the records tell it, for the committee to edit."""
    from hms_tracker.compliance.presenter import SIDE_LABELS
    from hms_tracker.deviations.forms import CATEGORY_LABELS

    def side(value: str | None) -> str:
        return _(SIDE_LABELS[value]) if value in SIDE_LABELS else ""

    lines = [_("Arbeidsmiljøutvalgets årsrapport for %(year)s", year=f["year"]), ""]
    lines.append(_("Sammensetning"))
    for m in f["members"]:
        role = side(m["side"]) + (", " + _("vara") if m["deputy"] else "")
        lines.append(f"- {m['name']} ({role})" + (" – " + _("leder") if m["chair"] else ""))
    if f["chairs"]:
        lines.append(_("Leder i året: %(names)s.", names=", ".join(f["chairs"])))
    lines += ["", _("Møter")]
    held = f["meetings"]
    lines.append(ngettext("Utvalget holdt %(num)s møte.", "Utvalget holdt %(num)s møter.",
                          len(held)))  # fmt: skip
    for m in held:
        lines.append(
            "- "
            + _(
                "%(date)s: %(present)s av %(called)s innkalte møtte.",
                date=format_date(date.fromisoformat(m["date"])),
                present=m["present"],
                called=m["called"],
            )  # fmt: skip
        )
    a = f["actions"]
    lines += ["", _("Vedtak og oppfølging")]
    lines.append(
        ngettext(
            "Utvalget fattet %(num)s vedtak.", "Utvalget fattet %(num)s vedtak.", f["decisions"]
        )  # fmt: skip
        + " "
        + _(
            "Tiltak: %(done)s utført, %(open)s i arbeid, %(overdue)s over fristen, "
            "%(withdrawn)s trukket tilbake.",
            **a,
        )  # fmt: skip
    )
    d = f["deviations"]
    lines += ["", _("Avvik og skader")]
    lines.append(
        _(
            "Det ble meldt %(total)s avvik, hvorav %(serious)s alvorlige personskader. "
            "%(open)s av dem var fortsatt åpne ved årets slutt.",
            total=d["total"],
            serious=d["serious_injuries"],
            open=d["still_open"],
        )  # fmt: skip
    )
    for category, count in sorted(d["by_category"].items(), key=lambda kv: -kv[1]):
        label = CATEGORY_LABELS.get(category, category)
        lines.append(f"- {_(label)}: {count}")
    t = f["training"]
    lines += ["", _("Opplæring av medlemmene")]
    if t["lacking"]:
        lines.append(_("Mangler den lovpålagte opplæringen: %(names)s.",
                       names=", ".join(t["lacking"])))  # fmt: skip
    else:
        lines.append(_("Alle medlemmene har den lovpålagte opplæringen."))
    r = f["routines"]
    lines += ["", _("Rutiner og risiko")]
    lines.append(
        _(
            "%(overdue)s av %(total)s rutiner var over fristen for gjennomgang; "
            "%(high)s høye risikoer var uten rutine.",
            overdue=r["overdue"],
            total=r["total"],
            high=f["high_risks_without_routine"],
        )  # fmt: skip
    )
    lines += ["", _("Egenvurdering mot HMS-barometeret")]
    assessed = f.get("self_assessment")
    if assessed:
        lines.append(
            _(
                "Den årlige gjennomgangen ble låst %(date)s, sammenlignet med HMS-barometeret "
                "%(barometer)s.",
                date=format_date(date.fromisoformat(assessed["taken_on"])),
                barometer=assessed["barometer_year"],
            )
        )
    else:
        lines.append(_("Den årlige gjennomgangen for året er ikke låst ennå."))
    return "\n".join(lines)


def get_report(*, session: Session, year: int) -> AmuReport | None:
    return session.exec(select(AmuReport).where(AmuReport.year == year)).first()


def save_text(*, session: Session, year: int, text: str, version: int | None) -> AmuReport:
    """The committee's text of the year (the first save makes the report)."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput({"text": _("Skriv rapporten, eller start fra utkastet.")})
    if len(text) > TEXT_MAX:
        raise InvalidInput({"text": _("Teksten er for lang (høyst %(max)s tegn).", max=TEXT_MAX)})
    found = get_report(session=session, year=year)
    if found is None:
        found = AmuReport(year=year, text=text)
        session.add(found)
        session.flush()
        return found
    if found.is_locked:
        raise TransitionRefused(_("Rapporten er godkjent og kan ikke endres."))
    claim_version(session, found, version or 0)
    found.text = text
    session.add(found)
    session.flush()
    return found


def approve(*, session: Session, report: AmuReport, version: int, person_id: int,
            today: date) -> AmuReport:  # fmt: skip
    """The chair approves: the figures of the day are kept with it, and it is locked."""
    if report.is_locked:
        raise TransitionRefused(_("Rapporten er allerede godkjent."))
    claim_version(session, report, version)
    report.figures = figures(session=session, year=report.year, today=today)
    report.approved_at = utcnow()
    report.approved_by_person_id = person_id
    session.add(report)
    session.flush()
    return report


def had_committee(*, session: Session, year: int) -> bool:
    """Whether anyone sat on the AMU during the year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return (
        session.exec(
            select(Appointment.id).where(
                Appointment.kind == AppointmentKind.amu_member.value,
                col(Appointment.starts_on) <= last,
                sa.or_(col(Appointment.ends_on).is_(None), col(Appointment.ends_on) >= first),
                sa.or_(col(Appointment.ended_on).is_(None), col(Appointment.ended_on) >= first),
            )
        ).first()
        is not None
    )
