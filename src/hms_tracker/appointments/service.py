"""Appointments (verv): register, end, list with status, AMU chair periods, and the written
agreements on another arrangement than a verneombud (AML § 6-1).

Keyword-only functions, `session` first. What is checked here is input (who needs a
person, an AMU side, dates that make sense, no overlapping appointment of the same kind);
the legal rules (gaps, training) live in rules/. Every change is audited by the session
listener. This module also gives accounts the roles that come from active appointments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.accounts.models import User
from hms_tracker.appointments.forms import AgreementForm, AppointmentForm, kind_label
from hms_tracker.appointments.models import (
    AmuChairPeriod,
    AmuSide,
    Appointment,
    AppointmentArea,
    AppointmentKind,
    SafetyRepAgreement,
)
from hms_tracker.db import claim_version
from hms_tracker.errors import InvalidInput, NotFound
from hms_tracker.organisation.models import CompanySetting, Department, Person
from hms_tracker.rules import periods
from hms_tracker.rules.facts import load_rule_settings
from hms_tracker.web.auth import register_role_provider
from hms_tracker.web.i18n import _, format_date
from hms_tracker.web.params import parse_int

AREA_KINDS = frozenset({AppointmentKind.safety_rep, AppointmentKind.chief_safety_rep})
ENDING_SOON_DAYS = 60
KIND_ORDER = tuple(kind.value for kind in AppointmentKind)


# --- dates ------------------------------------------------------------------------------
# How long a term, a chair period and an agreement may run is the rules' (rules/periods.py).


def appointment_term_years(*, session: Session) -> int:
    """Company setting "appointment_term_years"; two years (forskrift §§ 3-4, 3-15)."""
    row = session.get(CompanySetting, "appointment_term_years")
    years = parse_int(row.value if row is not None else None, minimum=1)
    return years if years is not None else periods.DEFAULT_TERM_YEARS


def _overlaps(start_a: date, last_a: date | None, start_b: date, last_b: date | None) -> bool:
    return (last_b is None or start_a <= last_b) and (last_a is None or start_b <= last_a)


def _last_day(ends_on: date | None, ended_on: date | None) -> date | None:
    days = [d for d in (ends_on, ended_on) if d is not None]
    return min(days) if days else None


def status_of(*, starts_on: date, last_day: date | None, today: date) -> str:
    """upcoming | ended | ending_soon (in force, last day within 60 days) | active."""
    if starts_on > today:
        return "upcoming"
    if last_day is not None and last_day < today:
        return "ended"
    if last_day is not None and last_day <= today + timedelta(days=ENDING_SOON_DAYS):
        return "ending_soon"
    return "active"


def in_force_on(day: date) -> Any:
    """SQL condition: the appointment is in force on `day` (the last day included)."""
    return sa.and_(
        col(Appointment.starts_on) <= day,
        sa.or_(col(Appointment.ends_on).is_(None), col(Appointment.ends_on) >= day),
        sa.or_(col(Appointment.ended_on).is_(None), col(Appointment.ended_on) >= day),
    )


def _status_condition(status: str, today: date) -> Any:
    soon = today + timedelta(days=ENDING_SOON_DAYS)
    ended = sa.or_(col(Appointment.ends_on) < today, col(Appointment.ended_on) < today)
    if status == "upcoming":
        return col(Appointment.starts_on) > today
    if status == "ended":
        return sa.and_(col(Appointment.starts_on) <= today, ended)
    if status == "ending_soon":
        return sa.and_(
            in_force_on(today),
            sa.or_(col(Appointment.ends_on) <= soon, col(Appointment.ended_on) <= soon),
        )
    return sa.and_(
        in_force_on(today),
        sa.or_(col(Appointment.ends_on).is_(None), col(Appointment.ends_on) > soon),
        sa.or_(col(Appointment.ended_on).is_(None), col(Appointment.ended_on) > soon),
    )


# --- reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentRow:
    appointment: Appointment
    person_name: str | None
    status: str
    areas: list[tuple[int, str]] = field(default_factory=list)
    chairs_today: bool = False

    @property
    def holder(self) -> str:
        return self.person_name or self.appointment.external_name or ""

    @property
    def is_in_force(self) -> bool:
        return self.status in ("active", "ending_soon")


def get_appointment(*, session: Session, appointment_id: int) -> Appointment:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound()
    return appointment


def _areas_by_appointment(
    session: Session, appointment_ids: Iterable[int]
) -> dict[int, list[tuple[int, str]]]:
    ids = sorted(set(appointment_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(AppointmentArea.appointment_id, Department.id, Department.name)
        .join(Department, col(Department.id) == AppointmentArea.department_id)
        .where(col(AppointmentArea.appointment_id).in_(ids))
        .order_by(Department.name)
    ).all()
    result: dict[int, list[tuple[int, str]]] = {}
    for appointment_id, dept_id, name in rows:
        result.setdefault(appointment_id, []).append((dept_id, name))
    return result


def _chairs_on(session: Session, appointment_ids: Iterable[int], day: date) -> set[int]:
    ids = sorted(set(appointment_ids))
    if not ids:
        return set()
    return set(
        session.exec(
            select(AmuChairPeriod.appointment_id).where(
                col(AmuChairPeriod.appointment_id).in_(ids),
                col(AmuChairPeriod.starts_on) <= day,
                col(AmuChairPeriod.ends_on) >= day,
            )
        ).all()
    )


def _rows(session: Session, query: Any, today: date) -> list[AppointmentRow]:
    """Appointments with the holder's name, areas and chair: three statements."""
    results = session.exec(query).all()
    ids = [a.id for a, _name in results if a.id is not None]
    areas = _areas_by_appointment(session, ids)
    chairs = _chairs_on(session, ids, today)
    return [
        AppointmentRow(
            appointment=a,
            person_name=name,
            status=status_of(starts_on=a.starts_on, last_day=a.last_day(), today=today),
            areas=areas.get(a.id, []),
            chairs_today=a.id in chairs,
        )
        for a, name in results
    ]


def _base_query() -> Any:
    kind_order = sa.case(
        {kind: index for index, kind in enumerate(KIND_ORDER)}, value=col(Appointment.kind)
    )
    return (
        select(Appointment, Person.name)
        .outerjoin(Person, col(Person.id) == Appointment.person_id)
        .order_by(
            kind_order,
            col(Appointment.starts_on).desc(),
            sa.func.coalesce(Person.name, Appointment.external_name),
            col(Appointment.id),
        )
    )


def list_appointments(
    *, session: Session, today: date, kind: str | None = None, status: str | None = None
) -> list[AppointmentRow]:
    """The appointments in force or starting later (`status` "all": every one ever made,
    or one status), filtered by kind, grouped by kind, newest first. Ended ones pile up
    over the years; they are there when asked for."""
    query = _base_query()
    if kind in KIND_ORDER:
        query = query.where(Appointment.kind == kind)
    if status in ("active", "ending_soon", "ended", "upcoming"):
        query = query.where(_status_condition(status, today))
    elif status != "all":
        query = query.where(sa.or_(in_force_on(today), col(Appointment.starts_on) > today))
    return _rows(session, query, today)


def appointments_for_person(
    *, session: Session, person_id: int, today: date
) -> list[AppointmentRow]:
    return _rows(session, _base_query().where(Appointment.person_id == person_id), today)


def area_ids(*, session: Session, appointment: Appointment) -> list[int]:
    """The departments of a verneombud's verneområde (empty: the whole company)."""
    areas = _areas_by_appointment(session, [appointment.id])  # type: ignore[list-item]
    return [dept_id for dept_id, _name in areas.get(appointment.id, [])]


def appointment_detail(
    *, session: Session, appointment: Appointment, today: date
) -> dict[str, Any]:
    person = session.get(Person, appointment.person_id) if appointment.person_id else None
    areas = _areas_by_appointment(session, [appointment.id])  # type: ignore[list-item]
    chairs = session.exec(
        select(AmuChairPeriod)
        .where(AmuChairPeriod.appointment_id == appointment.id)
        .order_by(col(AmuChairPeriod.starts_on).desc())
    ).all()
    return {
        "person": person,
        "areas": areas.get(appointment.id, []),
        "chair_periods": list(chairs),
        "status": status_of(
            starts_on=appointment.starts_on, last_day=appointment.last_day(), today=today
        ),
    }


# --- changes ----------------------------------------------------------------------------


def _range_text(start: date, last: date | None) -> str:
    if last is None:
        return _("fra %(start)s, uten sluttdato", start=format_date(start))
    return _("%(start)s–%(end)s", start=format_date(start), end=format_date(last))


def _check_overlap(
    session: Session,
    *,
    kind: str,
    person_id: int | None,
    starts_on: date,
    last_day: date | None,
    exclude_id: int | None,
) -> None:
    """The same person cannot hold two appointments of one kind at the same time."""
    if person_id is None:
        return
    others = session.exec(
        select(Appointment).where(
            Appointment.kind == kind,
            Appointment.person_id == person_id,
            col(Appointment.id) != (exclude_id or 0),
        )
    ).all()
    for other in others:
        if _overlaps(starts_on, last_day, other.starts_on, other.last_day()):
            raise InvalidInput(
                {
                    "starts_on": _(
                        "Personen har allerede et verv som %(kind)s i perioden %(period)s. "
                        "Avslutt det vervet først, eller velg datoer som ikke overlapper.",
                        kind=kind_label(kind).lower(),
                        period=_range_text(other.starts_on, other.last_day()),
                    )
                }
            )


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _validated(
    session: Session, data: AppointmentForm, kind: str, current: Appointment | None
) -> dict[str, Any]:
    """The appointment's fields from the form, by the rules of input for its kind."""
    errors: dict[str, str] = {}
    external_allowed = kind == AppointmentKind.ohs_contact or (
        kind == AppointmentKind.amu_member and data.amu_side == AmuSide.ohs
    )
    external_name = _clean(data.external_name) if external_allowed else None
    person_id = data.person_id
    if person_id is not None:
        if session.get(Person, person_id) is None:
            errors["person_id"] = _("Velg en person fra listen.")
        external_name = None
    elif not external_allowed:
        errors["person_id"] = _("Velg personen som har vervet.")
    elif external_name is None:
        errors["external_name"] = _(
            "Velg en person fra registeret, eller skriv navnet på den eksterne personen."
        )
    amu_side = data.amu_side.value if data.amu_side else None
    is_deputy = data.is_deputy
    if kind == AppointmentKind.amu_member:
        if amu_side is None:
            errors["amu_side"] = _("Velg hvilken side medlemmet representerer.")
    else:
        amu_side, is_deputy = None, False
    term_years = appointment_term_years(session=session)
    ends_on = periods.term_ends_on(
        kind=kind, starts_on=data.starts_on, ends_on=data.ends_on, term_years=term_years
    )
    if ends_on is not None and ends_on < data.starts_on:
        errors["ends_on"] = _("Sluttdatoen kan ikke være før startdatoen.")
    elif periods.exceeds_term(
        kind=kind,
        amu_side=amu_side,
        starts_on=data.starts_on,
        ends_on=ends_on,
        term_years=term_years,
    ):
        errors["ends_on"] = _(
            "Valgperioden er %(years)s år (forskrift §§ 3-4, 3-15): siste dag kan være "
            "%(date)s. Ved gjenvalg registrerer du et nytt verv.",
            years=term_years,
            date=format_date(periods.term_last_day(data.starts_on, term_years)),
        )
    if data.person_id is not None:
        holder = session.get(Person, data.person_id)
        if (
            holder is not None
            and holder.employed_to is not None
            and holder.employed_to < data.starts_on
        ):
            errors["person_id"] = _(
                "%(name)s sluttet %(date)s og kan ikke få verv etter det.",
                name=holder.name,
                date=format_date(holder.employed_to),
            )
    if current is not None and current.ended_on is not None and current.ended_on < data.starts_on:
        errors["starts_on"] = _("Vervet ble avsluttet før denne startdatoen.")
    area_ids = sorted(set(data.area_ids)) if kind == AppointmentKind.safety_rep else []
    if area_ids:
        known = set(
            session.exec(select(Department.id).where(col(Department.id).in_(area_ids))).all()
        )
        if set(area_ids) - known:
            errors["area_ids"] = _("Velg avdelinger fra listen.")
    if errors:
        raise InvalidInput(errors)
    _check_overlap(
        session,
        kind=kind,
        person_id=person_id,
        starts_on=data.starts_on,
        last_day=_last_day(ends_on, current.ended_on if current else None),
        exclude_id=current.id if current else None,
    )
    return {
        "kind": kind,
        "person_id": person_id,
        "external_name": external_name,
        "external_organisation": _clean(data.external_organisation) if external_name else None,
        "starts_on": data.starts_on,
        "ends_on": ends_on,
        "amu_side": amu_side,
        "is_deputy": is_deputy,
        "note": _clean(data.note),
        "area_ids": area_ids,
    }


def _set_areas(session: Session, appointment: Appointment, area_ids: list[int]) -> None:
    """Make the verneområde exactly `area_ids`; links removed are audited as deletions."""
    existing = session.exec(
        select(AppointmentArea).where(AppointmentArea.appointment_id == appointment.id)
    ).all()
    wanted = set(area_ids)
    for row in existing:
        if row.department_id not in wanted:
            session.delete(row)
    have = {row.department_id for row in existing}
    for dept_id in sorted(wanted - have):
        session.add(AppointmentArea(appointment_id=appointment.id, department_id=dept_id))


def create_appointment(*, session: Session, data: AppointmentForm) -> Appointment:
    fields = _validated(session, data, data.kind.value, None)
    area_ids = fields.pop("area_ids")
    appointment = Appointment(**fields)
    session.add(appointment)
    session.flush()
    _set_areas(session, appointment, area_ids)
    session.flush()
    return appointment


def update_appointment(
    *, session: Session, appointment: Appointment, data: AppointmentForm, version: int
) -> Appointment:
    """Save the form over the version it was opened on. The kind never changes."""
    fields = _validated(session, data, appointment.kind, appointment)
    area_ids = fields.pop("area_ids")
    claim_version(session, appointment, version)
    for name, value in fields.items():
        setattr(appointment, name, value)
    session.add(appointment)
    _set_areas(session, appointment, area_ids)
    session.flush()
    return appointment


def end_appointment(
    *, session: Session, appointment: Appointment, ended_on: date, end_reason: str
) -> Appointment:
    """End an appointment on a day (its last day) with a reason; it stays in history."""
    if ended_on < appointment.starts_on:
        raise InvalidInput(
            {
                "ended_on": _(
                    "Vervet kan ikke avsluttes før det startet (%(date)s).",
                    date=format_date(appointment.starts_on),
                )
            }
        )
    if appointment.ends_on is not None and ended_on > appointment.ends_on:
        raise InvalidInput(
            {
                "ended_on": _(
                    "Perioden løper ut %(date)s. Velg en dato til og med den dagen.",
                    date=format_date(appointment.ends_on),
                )
            }
        )
    appointment.ended_on = ended_on
    appointment.end_reason = end_reason.strip()
    appointment.version += 1
    appointment.__audit_action__ = "appointment_ended"  # type: ignore[attr-defined]
    session.add(appointment)
    session.flush()
    del appointment.__audit_action__  # type: ignore[attr-defined]
    return appointment


def set_chair(
    *, session: Session, appointment: Appointment, starts_on: date, ends_on: date | None
) -> AmuChairPeriod:
    """The AMU member chairs the committee for a period (default one year)."""
    if appointment.kind != AppointmentKind.amu_member:
        raise InvalidInput({"starts_on": _("Bare et AMU-medlem kan være leder av AMU.")})
    if appointment.is_deputy or appointment.amu_side not in ("employer", "employee"):
        raise InvalidInput(
            {
                "starts_on": _(
                    "Lederen velges blant de faste medlemmene fra arbeidsgiversiden eller "
                    "arbeidstakersiden (forskrift § 3-12)."
                )
            }
        )
    last = appointment.last_day()
    if starts_on < appointment.starts_on or (last is not None and starts_on > last):
        raise InvalidInput(
            {
                "starts_on": _(
                    "Lederperioden må starte mens vervet gjelder (%(period)s).",
                    period=_range_text(appointment.starts_on, last),
                )
            }
        )
    if ends_on is None:
        ends_on = periods.chair_last_day(starts_on)
        if last is not None:
            ends_on = min(ends_on, last)
    if ends_on < starts_on:
        raise InvalidInput({"ends_on": _("Sluttdatoen kan ikke være før startdatoen.")})
    if ends_on > periods.chair_last_day(starts_on):
        raise InvalidInput(
            {"ends_on": _("Lederen velges for ett år om gangen (forskrift § 3-12).")}
        )
    if last is not None and ends_on > last:
        raise InvalidInput(
            {
                "ends_on": _(
                    "Lederperioden kan ikke vare lenger enn vervet (til %(date)s).",
                    date=format_date(last),
                )
            }
        )
    clash = session.exec(
        select(AmuChairPeriod).where(
            col(AmuChairPeriod.starts_on) <= ends_on, col(AmuChairPeriod.ends_on) >= starts_on
        )
    ).first()
    if clash is not None:
        raise InvalidInput(
            {
                "starts_on": _(
                    "AMU har allerede en leder i perioden %(period)s.",
                    period=_range_text(clash.starts_on, clash.ends_on),
                )
            }
        )
    period = AmuChairPeriod(
        appointment_id=appointment.id,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(period)
    session.flush()
    return period


# --- safety rep agreements (AML § 6-1) ----------------------------------------------------


@dataclass(frozen=True)
class AgreementRow:
    agreement: SafetyRepAgreement
    status: str


def list_agreements(*, session: Session, today: date) -> list[AgreementRow]:
    rows = session.exec(
        select(SafetyRepAgreement).order_by(
            col(SafetyRepAgreement.valid_from).desc(), col(SafetyRepAgreement.id).desc()
        )
    ).all()
    return [
        AgreementRow(a, status_of(starts_on=a.valid_from, last_day=a.valid_to, today=today))
        for a in rows
    ]


def create_agreement(*, session: Session, data: AgreementForm) -> SafetyRepAgreement:
    if data.valid_to < data.valid_from:
        raise InvalidInput({"valid_to": _("Sluttdatoen kan ikke være før startdatoen.")})
    years = load_rule_settings(session=session).agreement_max_years
    limit = periods.agreement_last_day(data.valid_from, years)
    if data.valid_to > limit:
        raise InvalidInput(
            {
                "valid_to": _(
                    "En avtale om annen ordning enn verneombud kan gjelde i høyst %(years)s år "
                    "(arbeidsmiljøloven § 6-1). Siste gyldige dag er %(date)s.",
                    years=years,
                    date=format_date(limit),
                )
            }
        )
    agreement = SafetyRepAgreement(
        valid_from=data.valid_from, valid_to=data.valid_to, description=data.description.strip()
    )
    session.add(agreement)
    session.flush()
    return agreement


# --- roles from appointments --------------------------------------------------------------


def appointment_roles(
    session: Session, user: User, person: Person, today: date
) -> tuple[set[str], dict[str, frozenset[int]]]:
    """Roles of a person's active appointments: safety_rep (scope: the verneområde, or every
    department when none is given), chief_safety_rep (every department), amu_member
    (deputies too). At most three statements."""
    active = session.exec(
        select(Appointment.id, Appointment.kind).where(
            Appointment.person_id == person.id,
            in_force_on(today),
            col(Appointment.kind).in_(
                [
                    AppointmentKind.safety_rep.value,
                    AppointmentKind.chief_safety_rep.value,
                    AppointmentKind.amu_member.value,
                ]
            ),
        )
    ).all()
    if not active:
        return set(), {}
    roles = {kind for _id, kind in active}
    scopes: dict[str, frozenset[int]] = {}
    if roles & {"safety_rep", "chief_safety_rep"}:
        rep_ids = [i for i, kind in active if kind == "safety_rep"]
        areas = _areas_by_appointment(session, rep_ids)
        everything = "chief_safety_rep" in roles or any(not areas.get(i) for i in rep_ids)  # type: ignore[call-overload]
        if everything:
            area = frozenset(d for d in session.exec(select(Department.id)).all() if d is not None)
        else:
            area = frozenset(dept_id for rows in areas.values() for dept_id, _n in rows)
        scopes["safety_area"] = area
    return roles, scopes


register_role_provider(appointment_roles)
