"""The AMU's meetings: planned with the members called, the agenda proposed from the open
gaps and from the decisions not yet followed up, attendance and quorum, minutes per item,
decisions with their follow-up actions, and the chair's approval that locks it all.

A decision's follow-up is a `CorrectiveAction` with `amu_decision_id`: it has an owner and a
deadline, is in the owner's reminders, and is proposed on every next agenda until it is
done or withdrawn.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hms_tracker.amu.access import Chair
from hms_tracker.amu.forms import DecisionForm, ItemForm, MeetingForm, MinutesForm
from hms_tracker.amu.models import (
    AmuAgendaItem,
    AmuAttendance,
    AmuDecision,
    AmuMeeting,
    ItemSource,
    MeetingStatus,
)
from hms_tracker.appointments.models import AmuChairPeriod, AmuSide, Appointment, AppointmentKind
from hms_tracker.appointments.service import in_force_on
from hms_tracker.db import claim_version, utcnow
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.errors import InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation.models import Person
from hms_tracker.organisation.service import active_on
from hms_tracker.web.i18n import _, format_date, ngettext

# How far back and ahead a meeting may be registered (a year's plan, or the last year's
# meetings typed in afterwards).
PLAN_YEARS = 2


# --- reads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """An AMU appointment in force on a day: who, which side, deputy or not."""

    appointment_id: int
    person_id: int | None
    name: str
    side: str | None  # employer | employee | ohs
    is_deputy: bool
    is_chair: bool = False


def members_on(*, session: Session, day: date) -> list[Member]:
    """The committee on `day`: regular members first, by side and name."""
    rows = session.exec(
        select(Appointment, Person.name)
        .outerjoin(Person, col(Person.id) == Appointment.person_id)
        .where(Appointment.kind == AppointmentKind.amu_member.value, in_force_on(day))
    ).all()
    chair = chair_on(session=session, day=day)
    members = [
        Member(
            appointment_id=a.id,  # type: ignore[arg-type]
            person_id=a.person_id,
            name=name or a.external_name or "",
            side=a.amu_side,
            is_deputy=a.is_deputy,
            is_chair=a.person_id is not None and a.person_id == chair.person_id,
        )
        for a, name in rows
    ]
    order = {AmuSide.employer.value: 0, AmuSide.employee.value: 1, AmuSide.ohs.value: 2}
    return sorted(members, key=lambda m: (m.is_deputy, order.get(m.side or "", 3), m.name))


def chair_on(*, session: Session, day: date) -> Chair:
    """The person chairing the committee on `day` (AmuChairPeriod), if any."""
    person_id = session.exec(
        select(Appointment.person_id)
        .join(AmuChairPeriod, col(AmuChairPeriod.appointment_id) == Appointment.id)
        .where(col(AmuChairPeriod.starts_on) <= day, col(AmuChairPeriod.ends_on) >= day)
        .order_by(col(AmuChairPeriod.starts_on).desc())
    ).first()
    return Chair(person_id=person_id)


def get_meeting(*, session: Session, meeting_id: int) -> AmuMeeting:
    meeting = session.get(AmuMeeting, meeting_id)
    if meeting is None:
        raise NotFound()
    return meeting


def list_meetings(*, session: Session, year: int) -> list[AmuMeeting]:
    return list(
        session.exec(
            select(AmuMeeting)
            .where(
                col(AmuMeeting.meets_on) >= date(year, 1, 1),
                col(AmuMeeting.meets_on) <= date(year, 12, 31),
            )
            .order_by(col(AmuMeeting.meets_on), col(AmuMeeting.starts_at))
        ).all()
    )


def meeting_years(*, session: Session, today: date) -> list[int]:
    """The years with meetings, and this year and the next (to plan)."""
    first = session.exec(select(sa.func.min(AmuMeeting.meets_on))).one()
    last = session.exec(select(sa.func.max(AmuMeeting.meets_on))).one()
    start = min(first.year if first else today.year, today.year)
    end = max(last.year if last else today.year, today.year + 1)
    return list(range(end, start - 1, -1))


def next_meeting(*, session: Session, day: date) -> AmuMeeting | None:
    return session.exec(
        select(AmuMeeting)
        .where(AmuMeeting.status == MeetingStatus.planned.value, col(AmuMeeting.meets_on) >= day)
        .order_by(col(AmuMeeting.meets_on), col(AmuMeeting.starts_at))
    ).first()


def last_held_meeting(*, session: Session, day: date) -> AmuMeeting | None:
    return session.exec(
        select(AmuMeeting)
        .where(AmuMeeting.status == MeetingStatus.held.value, col(AmuMeeting.meets_on) <= day)
        .order_by(col(AmuMeeting.meets_on).desc(), col(AmuMeeting.starts_at).desc())
    ).first()


@dataclass(frozen=True)
class Called:
    """A member called to a meeting and whether they came."""

    attendance: AmuAttendance
    person_id: int | None
    name: str
    side: str | None
    is_deputy: bool

    @property
    def votes(self) -> bool:
        """The BHT member (and anyone without a side) sits without a vote."""
        return self.side in (AmuSide.employer.value, AmuSide.employee.value)


@dataclass(frozen=True)
class Quorum:
    """Whether the committee could make decisions: at least half of its voting seats taken
    by members present, and as many present from the employer's side as from the
    employees' (AML § 7-1: the sides are equal; the BHT member has no vote)."""

    employer: int
    employee: int
    seats: int  # regular voting members called
    recorded: bool  # attendance recorded for everyone called

    @property
    def present(self) -> int:
        return self.employer + self.employee

    @property
    def needed(self) -> int:
        return max(1, math.ceil(self.seats / 2))

    @property
    def sides_equal(self) -> bool:
        return self.employer == self.employee

    @property
    def met(self) -> bool:
        return (
            self.recorded and self.sides_equal and self.employer > 0 and self.present >= self.needed
        )


def called_to(*, session: Session, meeting: AmuMeeting) -> list[Called]:
    rows = session.exec(
        select(AmuAttendance, Appointment, Person.name)
        .join(Appointment, col(Appointment.id) == AmuAttendance.appointment_id)
        .outerjoin(Person, col(Person.id) == Appointment.person_id)
        .where(AmuAttendance.meeting_id == meeting.id)
    ).all()
    order = {AmuSide.employer.value: 0, AmuSide.employee.value: 1, AmuSide.ohs.value: 2}
    called = [
        Called(
            attendance=att,
            person_id=a.person_id,
            name=name or a.external_name or "",
            side=a.amu_side,
            is_deputy=a.is_deputy,
        )  # fmt: skip
        for att, a, name in rows
    ]
    return sorted(called, key=lambda c: (c.is_deputy, order.get(c.side or "", 3), c.name))


def quorum(called: list[Called]) -> Quorum:
    present = [c for c in called if c.attendance.attended and c.votes]
    return Quorum(
        employer=sum(1 for c in present if c.side == AmuSide.employer.value),
        employee=sum(1 for c in present if c.side == AmuSide.employee.value),
        seats=sum(1 for c in called if c.votes and not c.is_deputy),
        recorded=bool(called) and all(c.attendance.attended is not None for c in called),
    )


def agenda_of(*, session: Session, meeting: AmuMeeting) -> list[AmuAgendaItem]:
    return list(
        session.exec(
            select(AmuAgendaItem)
            .where(AmuAgendaItem.meeting_id == meeting.id)
            .order_by(col(AmuAgendaItem.position), col(AmuAgendaItem.id))
        ).all()
    )


@dataclass(frozen=True)
class FollowUp:
    """A decision's follow-up action, with who owns it."""

    action: CorrectiveAction
    owner_name: str

    def is_overdue(self, day: date) -> bool:
        return self.action.is_open and self.action.deadline < day


@dataclass
class DecisionRow:
    decision: AmuDecision
    actions: list[FollowUp] = field(default_factory=list)


def decisions_of(*, session: Session, item_ids: Iterable[int]) -> dict[int, list[DecisionRow]]:
    """Per agenda item, its decisions with their follow-up actions (two statements)."""
    ids = list(item_ids)
    if not ids:
        return {}
    decisions = session.exec(
        select(AmuDecision)
        .where(col(AmuDecision.agenda_item_id).in_(ids))
        .order_by(col(AmuDecision.id))
    ).all()
    rows = {d.id: DecisionRow(d) for d in decisions}
    if rows:
        for action, name in session.exec(
            select(CorrectiveAction, Person.name)
            .join(Person, col(Person.id) == CorrectiveAction.owner_person_id)
            .where(col(CorrectiveAction.amu_decision_id).in_(list(rows)))
            .order_by(col(CorrectiveAction.id))
        ).all():
            rows[action.amu_decision_id].actions.append(FollowUp(action, name))  # type: ignore[index]
    found: dict[int, list[DecisionRow]] = {}
    for row in rows.values():
        found.setdefault(row.decision.agenda_item_id, []).append(row)
    return found


@dataclass(frozen=True)
class OpenFollowUp:
    """An AMU decision's action (open, where listed as such), with the meeting that
    decided it."""

    action: CorrectiveAction
    owner_name: str
    decision_text: str
    meeting_id: int
    meets_on: date


def _follow_up_query() -> Any:
    return (
        select(CorrectiveAction, Person.name, AmuDecision.text, AmuMeeting.id, AmuMeeting.meets_on)
        .join(AmuDecision, col(AmuDecision.id) == CorrectiveAction.amu_decision_id)
        .join(AmuAgendaItem, col(AmuAgendaItem.id) == AmuDecision.agenda_item_id)
        .join(AmuMeeting, col(AmuMeeting.id) == AmuAgendaItem.meeting_id)
        .join(Person, col(Person.id) == CorrectiveAction.owner_person_id)
    )


def follow_up(*, session: Session, action_id: int) -> OpenFollowUp | None:
    """An AMU decision's action (done or not) with its decision and meeting."""
    row = session.exec(_follow_up_query().where(CorrectiveAction.id == action_id)).first()
    return OpenFollowUp(*row) if row else None  # type: ignore[arg-type]


def open_follow_ups(*, session: Session, before: date | None = None) -> list[OpenFollowUp]:
    """Actions of AMU decisions neither done nor withdrawn (of meetings before `before`),
    by deadline."""
    query = (
        _follow_up_query()
        .where(
            # Through the index of AMU decisions' actions, not a scan of every action.
            col(CorrectiveAction.amu_decision_id).is_not(None),
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
        )
        .order_by(col(CorrectiveAction.deadline), col(CorrectiveAction.id))
    )
    if before is not None:
        query = query.where(col(AmuMeeting.meets_on) < before)
    return [
        OpenFollowUp(action, name, text, meeting_id, meets_on)  # type: ignore[arg-type]
        for action, name, text, meeting_id, meets_on in session.exec(query).all()
    ]


# --- planning and the agenda ------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """An agenda item the product proposes."""

    title: str
    description: str
    source: str
    source_key: str | None


def _check_plannable(data: MeetingForm, today: date) -> None:
    if abs(data.meets_on.year - today.year) > PLAN_YEARS:
        raise InvalidInput(
            {"meets_on": _("Velg en dato innen %(years)s år fra i dag.", years=PLAN_YEARS)}
        )


def plan_meeting(
    *, session: Session, data: MeetingForm, today: date, proposals: list[Proposal]
) -> AmuMeeting:
    """A meeting on a day: every AMU member in force that day is called (regular members
    and deputies), and the agenda starts from the proposals."""
    _check_plannable(data, today)
    meeting = AmuMeeting(
        meets_on=data.meets_on, starts_at=data.starts_at, ends_at=data.ends_at, place=data.place
    )
    session.add(meeting)
    session.flush()
    for member in members_on(session=session, day=data.meets_on):
        session.add(AmuAttendance(meeting_id=meeting.id, appointment_id=member.appointment_id))  # type: ignore[arg-type]
    for position, p in enumerate(proposals, start=1):
        session.add(
            AmuAgendaItem(
                meeting_id=meeting.id,  # type: ignore[arg-type]
                position=position,
                title=p.title[:300],
                description=p.description,
                source=p.source,
                source_key=p.source_key,
            )
        )
    session.flush()
    return meeting


def carried_over(*, session: Session, before: date) -> list[Proposal]:
    """One item per decision's action of an earlier meeting not followed up yet."""
    proposals = []
    for f in open_follow_ups(session=session, before=before):
        proposals.append(
            Proposal(
                title=_("Oppfølging: %(action)s", action=_first_line(f.action.description)),
                description=_(
                    "Vedtatt i møtet %(date)s: %(decision)s\n"
                    "Ansvarlig: %(owner)s, frist %(deadline)s.",
                    date=format_date(f.meets_on),
                    decision=_first_line(f.decision_text),
                    owner=f.owner_name,
                    deadline=format_date(f.action.deadline),
                ),
                source=ItemSource.carried.value,
                source_key=f"action:{f.action.id}",
            )
        )
    return proposals


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def update_meeting(*, session: Session, meeting: AmuMeeting, data: MeetingForm, version: int,
                   today: date) -> AmuMeeting:  # fmt: skip
    _editable(meeting)
    _check_plannable(data, today)
    claim_version(session, meeting, version)
    moved = meeting.meets_on != data.meets_on
    meeting.meets_on, meeting.starts_at, meeting.ends_at = (
        data.meets_on,
        data.starts_at,
        data.ends_at,
    )
    meeting.place = data.place
    session.add(meeting)
    if moved and meeting.status == MeetingStatus.planned.value:
        # Moved to another day: those in force on the new day are called.
        _recall(session, meeting)
    session.flush()
    return meeting


def _recall(session: Session, meeting: AmuMeeting) -> None:
    wanted = {m.appointment_id for m in members_on(session=session, day=meeting.meets_on)}
    existing = session.exec(
        select(AmuAttendance).where(AmuAttendance.meeting_id == meeting.id)
    ).all()
    for att in existing:
        if att.appointment_id not in wanted:
            session.delete(att)
    have = {att.appointment_id for att in existing}
    for appointment_id in sorted(wanted - have):
        session.add(AmuAttendance(meeting_id=meeting.id, appointment_id=appointment_id))  # type: ignore[arg-type]


def _editable(meeting: AmuMeeting) -> None:
    if meeting.is_locked:
        raise TransitionRefused(_("Referatet er godkjent og kan ikke endres."))
    if meeting.status == MeetingStatus.cancelled.value:
        raise TransitionRefused(_("Møtet er avlyst."))


def get_item(*, session: Session, meeting: AmuMeeting, item_id: int) -> AmuAgendaItem:
    item = session.get(AmuAgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        raise NotFound()
    return item


def add_item(*, session: Session, meeting: AmuMeeting, data: ItemForm) -> AmuAgendaItem:
    _editable(meeting)
    last = session.exec(
        select(sa.func.max(AmuAgendaItem.position)).where(AmuAgendaItem.meeting_id == meeting.id)
    ).one()
    item = AmuAgendaItem(
        meeting_id=meeting.id,  # type: ignore[arg-type]
        position=(last or 0) + 1,
        title=data.title,
        description=data.description,
        source=ItemSource.manual.value,
    )
    session.add(item)
    session.flush()
    return item


def edit_item(*, session: Session, meeting: AmuMeeting, item: AmuAgendaItem, data: ItemForm,
              version: int) -> AmuAgendaItem:  # fmt: skip
    _editable(meeting)
    claim_version(session, item, version)
    item.title, item.description = data.title, data.description
    session.add(item)
    session.flush()
    return item


def remove_item(*, session: Session, meeting: AmuMeeting, item: AmuAgendaItem) -> None:
    _editable(meeting)
    if meeting.status != MeetingStatus.planned.value:
        raise TransitionRefused(_("Saker kan bare tas av sakslisten før møtet er holdt."))
    has_decisions = session.exec(
        select(AmuDecision.id).where(AmuDecision.agenda_item_id == item.id)
    ).first()
    if has_decisions is not None:
        raise TransitionRefused(_("Saken har vedtak og kan ikke tas av sakslisten."))
    session.delete(item)
    session.flush()


def move_item(*, session: Session, meeting: AmuMeeting, item: AmuAgendaItem, up: bool) -> None:
    """Swap the item with the one above (or below) it."""
    _editable(meeting)
    items = agenda_of(session=session, meeting=meeting)
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, it in enumerate(items, start=1):
        if it.position != position:
            it.position = position
            it.version += 1
            session.add(it)
    session.flush()


# --- the meeting itself -----------------------------------------------------------------


def record_attendance(
    *, session: Session, meeting: AmuMeeting, present: set[int], version: int
) -> None:
    """Who of those called came (attendance ids in `present`; the others did not)."""
    _editable(meeting)
    claim_version(session, meeting, version)
    session.add(meeting)
    for att in session.exec(select(AmuAttendance).where(AmuAttendance.meeting_id == meeting.id)):
        came = att.id in present
        if att.attended is not came:
            att.attended = came
            session.add(att)
    session.flush()


def write_minutes(
    *, session: Session, meeting: AmuMeeting, item: AmuAgendaItem, data: MinutesForm
) -> AmuAgendaItem:
    _editable(meeting)
    claim_version(session, item, data.version)
    item.minutes = data.minutes
    session.add(item)
    session.flush()
    return item


def add_decision(
    *,
    session: Session,
    meeting: AmuMeeting,
    item: AmuAgendaItem,
    data: DecisionForm,
    today: date,
) -> AmuDecision:
    """A decision under an item; with an action (description, owner employed today and a
    deadline), the corrective action that follows it up."""
    _editable(meeting)
    errors: dict[str, str] = {}
    wants_action = bool(data.action or data.owner_person_id or data.deadline)
    if wants_action:
        if not data.action:
            errors["action"] = _("Beskriv tiltaket.")
        if data.owner_person_id is None:
            errors["owner_person_id"] = _("Velg hvem som har ansvaret for tiltaket.")
        elif (
            session.exec(
                select(Person.id).where(Person.id == data.owner_person_id, active_on(today))
            ).first()
            is None
        ):
            errors["owner_person_id"] = _("Velg en person som er ansatt i dag.")
        if data.deadline is None:
            errors["deadline"] = _("Skriv fristen for tiltaket.")
        elif data.deadline < today:
            errors["deadline"] = _("Fristen kan ikke være før i dag.")
    votes = [v for v in (data.votes_for, data.votes_against, data.votes_abstaining) if v]
    if votes:
        # Only members with a vote who came can vote (the BHT member has no vote).
        present = quorum(called_to(session=session, meeting=meeting))
        if present.recorded and sum(votes) > present.present:
            errors["votes_for"] = ngettext(
                "Flere stemmer enn det var stemmeberettigede til stede (%(num)s). "
                "Bedriftshelsetjenesten har ikke stemmerett.",
                "Flere stemmer enn det var stemmeberettigede til stede (%(num)s). "
                "Bedriftshelsetjenesten har ikke stemmerett.",
                present.present,
            )
    if errors:
        raise InvalidInput(errors)
    decision = AmuDecision(
        agenda_item_id=item.id,  # type: ignore[arg-type]
        text=data.text,
        votes_for=data.votes_for,
        votes_against=data.votes_against,
        votes_abstaining=data.votes_abstaining,
        dissent=data.dissent,
    )
    session.add(decision)
    session.flush()
    if wants_action:
        session.add(
            CorrectiveAction(
                amu_decision_id=decision.id,
                description=data.action,
                owner_person_id=data.owner_person_id,  # type: ignore[arg-type]
                deadline=data.deadline,  # type: ignore[arg-type]
            )
        )
        session.flush()
    return decision


def may_be_held(meeting: AmuMeeting, today: date) -> bool:
    """A planned meeting is recorded as held from its day on."""
    return (
        meeting.status == MeetingStatus.planned.value
        and not meeting.is_locked
        and meeting.meets_on <= today
    )


def mark_held(*, session: Session, meeting: AmuMeeting, version: int, gaps: list[list[str]],
              today: date) -> AmuMeeting:  # fmt: skip
    """The meeting took place: its open gaps of the day are kept, to tell at the next
    meeting what changed since."""
    _editable(meeting)
    if not may_be_held(meeting, today):
        if meeting.status != MeetingStatus.planned.value:
            raise TransitionRefused(_("Møtet er allerede ført som holdt."))
        raise TransitionRefused(_("Et møte kan ikke føres som holdt før møtedagen."))
    claim_version(session, meeting, version)
    meeting.status = MeetingStatus.held.value
    meeting.gaps_at_meeting = gaps
    session.add(meeting)
    session.flush()
    return meeting


def cancel(*, session: Session, meeting: AmuMeeting, version: int) -> AmuMeeting:
    _editable(meeting)
    if meeting.status != MeetingStatus.planned.value:
        raise TransitionRefused(_("Bare et planlagt møte kan avlyses."))
    claim_version(session, meeting, version)
    meeting.status = MeetingStatus.cancelled.value
    session.add(meeting)
    session.flush()
    return meeting


def approve(*, session: Session, meeting: AmuMeeting, version: int, person_id: int) -> AmuMeeting:
    """The chair approves the minutes of a held meeting with its attendance recorded; from
    then on the database refuses any change to it (migration 0016)."""
    if meeting.is_locked:
        raise TransitionRefused(_("Referatet er allerede godkjent."))
    if meeting.status != MeetingStatus.held.value:
        raise TransitionRefused(_("Før møtet som holdt før referatet godkjennes."))
    if not quorum(called_to(session=session, meeting=meeting)).recorded:
        raise TransitionRefused(_("Før hvem som møtte før referatet godkjennes."))
    claim_version(session, meeting, version)
    meeting.minutes_approved_at = utcnow()
    meeting.minutes_approved_by_person_id = person_id
    session.add(meeting)
    session.flush()
    return meeting
