"""The notice (oppslag) of who represents whom on a day: the verneombud with their areas,
the hovedverneombud, the AMU by side with its chair, and the bedriftshelsetjeneste (BHT),
for the noticeboard and the intranet (AML § 6-1: every employee knows their verneombud).

Read from the appointments in force on the day in a fixed number of statements, however
many there are: the appointments with their holders (1), the verneombud's areas (1), the
AMU chair (1), and for one department's notice that department and the tree (2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.appointments.models import (
    AmuChairPeriod,
    AmuSide,
    Appointment,
    AppointmentArea,
    AppointmentKind,
)
from hms_tracker.appointments.service import in_force_on
from hms_tracker.errors import NotFound
from hms_tracker.organisation import service as organisation
from hms_tracker.organisation.models import Department, Person
from hms_tracker.rules.departments import ancestors_of

NOTICE_KINDS = (
    AppointmentKind.safety_rep.value,
    AppointmentKind.chief_safety_rep.value,
    AppointmentKind.amu_member.value,
    AppointmentKind.ohs_contact.value,
)
SIDE_ORDER = (AmuSide.employer.value, AmuSide.employee.value, AmuSide.ohs.value)


@dataclass(frozen=True)
class Holder:
    """Who holds an appointment: a person of the register (with their contact details) or
    an external person (BHT) with their organisation."""

    appointment_id: int
    person_id: int | None
    name: str
    organisation: str | None
    email: str | None
    phone: str | None
    starts_on: date
    last_day: date | None


@dataclass(frozen=True)
class SafetyRepEntry:
    holder: Holder
    areas: tuple[tuple[int, str], ...]  # (department id, name); empty: the whole company

    @property
    def covers_whole_company(self) -> bool:
        return not self.areas


@dataclass(frozen=True)
class AmuEntry:
    holder: Holder
    is_deputy: bool
    is_chair: bool


@dataclass(frozen=True)
class AmuSideGroup:
    side: str  # employer | employee | ohs
    members: tuple[AmuEntry, ...]  # regular members, the chair first
    deputies: tuple[AmuEntry, ...]


@dataclass(frozen=True)
class OhsEntry:
    """A person of the bedriftshelsetjeneste: its contact, and/or its member of AMU."""

    holder: Holder
    is_contact: bool
    is_amu_member: bool


@dataclass(frozen=True)
class Notice:
    day: date
    safety_reps: tuple[SafetyRepEntry, ...]
    chief_safety_reps: tuple[Holder, ...]
    amu: tuple[AmuSideGroup, ...]  # the sides that have someone, in SIDE_ORDER
    chair: Holder | None
    ohs: tuple[OhsEntry, ...]
    # A department's notice: that department and the verneombud whose area covers it
    # (through a parent department too), those of that area before those of the whole company.
    department: Department | None = None
    your_safety_reps: tuple[SafetyRepEntry, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.safety_reps or self.chief_safety_reps or self.amu or self.ohs)


def _holder(appointment: Appointment, person: Person | None) -> Holder:
    return Holder(
        appointment_id=appointment.id,  # type: ignore[arg-type]
        person_id=appointment.person_id,
        name=person.name if person is not None else (appointment.external_name or ""),
        organisation=None if person is not None else appointment.external_organisation,
        email=person.email if person is not None else None,
        phone=person.phone if person is not None else None,
        starts_on=appointment.starts_on,
        last_day=appointment.last_day(),
    )


def _areas_on(session: Session, day: date) -> dict[int, list[tuple[int, str]]]:
    """The areas of the verneombud in force on `day`, by appointment, by department name."""
    in_force = select(Appointment.id).where(
        Appointment.kind == AppointmentKind.safety_rep.value, in_force_on(day)
    )
    rows = session.exec(
        select(AppointmentArea.appointment_id, Department.id, Department.name)
        .join(Department, col(Department.id) == AppointmentArea.department_id)
        .where(col(AppointmentArea.appointment_id).in_(in_force))
        .order_by(Department.name, col(Department.id))
    ).all()
    areas: dict[int, list[tuple[int, str]]] = {}
    for appointment_id, department_id, name in rows:
        areas.setdefault(appointment_id, []).append((department_id, name))
    return areas


def _chair_on(session: Session, day: date) -> int | None:
    """The appointment that chairs AMU on `day` (chair periods do not overlap)."""
    return session.exec(
        select(AmuChairPeriod.appointment_id)
        .where(col(AmuChairPeriod.starts_on) <= day, col(AmuChairPeriod.ends_on) >= day)
        .order_by(col(AmuChairPeriod.starts_on).desc(), col(AmuChairPeriod.id))
        .limit(1)
    ).first()


def _covering(
    reps: tuple[SafetyRepEntry, ...], department_id: int, parents: dict[int, int | None]
) -> tuple[SafetyRepEntry, ...]:
    """The verneombud whose area holds the department or one above it; then those of the
    whole company."""
    above = ancestors_of([department_id], parents)
    of_area = [r for r in reps if any(d in above for d, _name in r.areas)]
    whole = [r for r in reps if r.covers_whole_company]
    return tuple(of_area + whole)


def notice_on(*, session: Session, day: date, department_id: int | None = None) -> Notice:
    """Who represents whom on `day`; with `department_id`, that department's notice (its
    own verneombud first). An unknown department: NotFound."""
    department = None
    if department_id is not None:
        department = session.get(Department, department_id)
        if department is None:
            raise NotFound()
    results = session.exec(
        select(Appointment, Person)
        .outerjoin(Person, col(Person.id) == Appointment.person_id)
        .where(col(Appointment.kind).in_(NOTICE_KINDS), in_force_on(day))
        .order_by(
            col(Appointment.is_deputy),
            sa.func.coalesce(Person.name, Appointment.external_name),
            col(Appointment.starts_on),
            col(Appointment.id),
        )
    ).all()
    areas = _areas_on(session, day) if results else {}
    chair_id = _chair_on(session, day) if results else None

    safety_reps: list[SafetyRepEntry] = []
    chiefs: list[Holder] = []
    sides: dict[str, tuple[list[AmuEntry], list[AmuEntry]]] = {s: ([], []) for s in SIDE_ORDER}
    ohs: dict[tuple[int | None, str], OhsEntry] = {}
    chair: Holder | None = None
    for appointment, person in results:
        holder = _holder(appointment, person)
        kind = appointment.kind
        if kind == AppointmentKind.safety_rep:
            safety_reps.append(SafetyRepEntry(holder, tuple(areas.get(holder.appointment_id, []))))
        elif kind == AppointmentKind.chief_safety_rep:
            chiefs.append(holder)
        elif kind == AppointmentKind.amu_member and appointment.amu_side in sides:
            is_chair = appointment.id == chair_id
            if is_chair:
                chair = holder
            entry = AmuEntry(holder, is_deputy=appointment.is_deputy, is_chair=is_chair)
            regular, deputies = sides[appointment.amu_side]  # type: ignore[index]
            (deputies if appointment.is_deputy else regular).append(entry)
        if kind == AppointmentKind.ohs_contact or (
            kind == AppointmentKind.amu_member and appointment.amu_side == AmuSide.ohs
        ):
            # One line per BHT person, whether contact, AMU member or both.
            key = (holder.person_id, "" if holder.person_id else holder.name.casefold())
            seen = ohs.get(key)
            is_contact = kind == AppointmentKind.ohs_contact
            ohs[key] = OhsEntry(
                holder=seen.holder if seen else holder,
                is_contact=is_contact or (seen is not None and seen.is_contact),
                is_amu_member=not is_contact or (seen is not None and seen.is_amu_member),
            )
    amu = tuple(
        AmuSideGroup(
            side=side,
            members=tuple(sorted(regular, key=lambda e: not e.is_chair)),
            deputies=tuple(deputies),
        )
        for side, (regular, deputies) in sides.items()
        if regular or deputies
    )
    reps = tuple(safety_reps)
    your: tuple[SafetyRepEntry, ...] = ()
    if department is not None and department.id is not None:
        your = _covering(reps, department.id, organisation.department_parents(session=session))
    return Notice(
        day=day,
        safety_reps=reps,
        chief_safety_reps=tuple(chiefs),
        amu=amu,
        chair=chair,
        ohs=tuple(ohs.values()),
        department=department,
        your_safety_reps=your,
    )
