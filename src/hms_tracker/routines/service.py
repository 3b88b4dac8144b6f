"""HMS routines: write, publish, review, read and acknowledge.

Keyword-only functions, `session` first, the acting user as `actor`. Nothing is deleted:
publishing archives the previous version, a routine is archived with a reason, an
attachment is withdrawn. Every change is audited by the session listener.

Who may do what (checked here, for every caller):
- the coordinator (admin) creates, edits, publishes and archives every routine;
- the routine's owner edits its draft text, records reviews and adds attachments;
- both may discard a draft (it is kept, marked discarded, never published);
- everyone reads the published routines that apply to them (their department or one
  above it, or the whole company); leaders also those of the departments they lead,
  verneombud those of their area; only the coordinator and the owner see drafts;
- the coordinator and the owner see who has read a routine, leaders for their departments.

Reads that pages need load in a fixed number of statements, whatever the number of
routines or people.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BeforeValidator, Field
from sqlmodel import Session, col, func, select

from hms_tracker.db import READINGS, RECORDS, VersionedCache, claim_version, utcnow
from hms_tracker.errors import Forbidden, InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation.models import Department, Person
from hms_tracker.organisation.service import active_on, department_parents, departments_by_name
from hms_tracker.routines.access import (
    Access,
    Scope,
    access_to,
    chosen_departments,
    chosen_of,
    current_version,
    is_editor,
    reader_departments,
    scope_of,
    scopes_of,
)
from hms_tracker.routines.forms import ReviewForm, RoutineForm, TextForm
from hms_tracker.routines.models import (
    DEFAULT_REVIEW_MONTHS,
    ReviewOutcome,
    Routine,
    RoutineAcknowledgement,
    RoutineAttachment,
    RoutineDepartment,
    RoutineReview,
    RoutineTag,
    RoutineVersion,
    VersionStatus,
)
from hms_tracker.rules.departments import ancestors_of
from hms_tracker.rules.engine import WHISTLEBLOWING_TAG, routine_review_due
from hms_tracker.web.auth import Principal
from hms_tracker.web.filters import (
    Flag,
    ListQuery,
    OptionalId,
    PageNumber,
    SearchText,
    contains_pattern,
)
from hms_tracker.web.i18n import _
from hms_tracker.web.pagination import count_rows, paged
from hms_tracker.web.uploads import CheckedUpload, UploadLimits, Wording, check_upload

__all__ = ["WHISTLEBLOWING_TAG"]

# --- loading ---------------------------------------------------------------------------


def _versions(session: Session, routine_id: int) -> list[RoutineVersion]:
    return list(
        session.exec(
            select(RoutineVersion)
            .where(RoutineVersion.routine_id == routine_id)
            .order_by(col(RoutineVersion.number).desc().nulls_first())
        ).all()
    )


def draft_version(*, session: Session, routine: Routine) -> RoutineVersion | None:
    return session.exec(
        select(RoutineVersion).where(
            RoutineVersion.routine_id == routine.id,
            RoutineVersion.status == VersionStatus.draft.value,
        )
    ).first()


def get_version(*, session: Session, routine: Routine, number: int) -> RoutineVersion:
    """A published or archived version by its number (drafts have none)."""
    version = session.exec(
        select(RoutineVersion).where(
            RoutineVersion.routine_id == routine.id, RoutineVersion.number == number
        )
    ).first()
    if version is None:
        raise NotFound()
    return version


def version_numbers(*, session: Session, routine: Routine) -> list[int]:
    """The numbers of the published and archived versions, oldest first."""
    return [
        n
        for n in session.exec(
            select(RoutineVersion.number)
            .where(RoutineVersion.routine_id == routine.id)
            .order_by(col(RoutineVersion.number))
        ).all()
        if n is not None
    ]


def tags_of(*, session: Session, routine: Routine) -> list[str]:
    return sorted(
        session.exec(select(RoutineTag.tag).where(RoutineTag.routine_id == routine.id)).all()
    )


def scope_department_ids(*, session: Session, routine: Routine) -> list[int]:
    """The departments chosen for the routine (without the ones below them), read once per
    request (its scope is built from them)."""
    return sorted(chosen_of(session=session, routine=routine))


# --- scope -----------------------------------------------------------------------------


# --- writing ---------------------------------------------------------------------------


def _check_metadata(session: Session, data: RoutineForm, today: date) -> None:
    errors: dict[str, str] = {}
    if data.owner_id is not None:
        owner = session.get(Person, data.owner_id)
        if owner is None:
            errors["owner_id"] = _("Velg fra listen.")
        elif owner.employed_to is not None and owner.employed_to < today:
            errors["owner_id"] = _("Eieren har sluttet. Velg en som er ansatt.")
    if data.scope == "departments":
        if not data.department_ids:
            errors["department_ids"] = _(
                "Velg minst én avdeling, eller velg at rutinen gjelder hele virksomheten."
            )
        else:
            found = session.exec(
                select(Department.id).where(col(Department.id).in_(data.department_ids))
            ).all()
            if len(set(found)) != len(set(data.department_ids)):
                errors["department_ids"] = _("Velg fra listen.")
    if errors:
        raise InvalidInput(errors)


def _set_scope_and_tags(
    session: Session,
    routine: Routine,
    *,
    whole_company: bool,
    department_ids: Iterable[int],
    tags: list[str],
) -> None:
    routine.whole_company = whole_company
    wanted_departments = set() if whole_company else set(department_ids)
    existing = {
        row.department_id: row
        for row in session.exec(
            select(RoutineDepartment).where(RoutineDepartment.routine_id == routine.id)
        ).all()
    }
    for department_id, row in existing.items():
        if department_id not in wanted_departments:
            session.delete(row)
    for department_id in wanted_departments - set(existing):
        session.add(RoutineDepartment(routine_id=routine.id, department_id=department_id))
    existing_tags = {
        row.tag: row
        for row in session.exec(select(RoutineTag).where(RoutineTag.routine_id == routine.id)).all()
    }
    for tag, tag_row in existing_tags.items():
        if tag not in tags:
            session.delete(tag_row)
    for tag in tags:
        if tag not in existing_tags:
            session.add(RoutineTag(routine_id=routine.id, tag=tag))


def create_routine(
    *, session: Session, data: RoutineForm, actor: Principal, today: date
) -> Routine:
    """A new routine with its first draft (the coordinator's work)."""
    if not actor.is_admin:
        raise Forbidden()
    _check_metadata(session, data, today)
    routine = Routine(title=data.title, review_interval_months=data.review_interval_months)
    routine.owner_id = data.owner_id
    session.add(routine)
    session.flush()
    _set_scope_and_tags(
        session,
        routine,
        whole_company=data.whole_company,
        department_ids=data.department_ids,
        tags=data.tags,
    )
    session.add(
        RoutineVersion(
            routine_id=routine.id,
            status=VersionStatus.draft.value,
            title=data.title,
            purpose=data.purpose or "",
            body=data.body or "",
            change_note=data.change_note,
            created_by_person_id=actor.person_id,
        )
    )
    session.flush()
    return routine


def save_draft(
    *,
    session: Session,
    routine: Routine,
    data: TextForm,
    actor: Principal,
    version: int,
    today: date,
) -> RoutineVersion:
    """Save the text as the routine's draft (made from the version in force when there is
    none). The coordinator's form also changes the owner (at once: who is responsible is
    not part of a version) and scope, tags and review interval: while a version is in
    force these are kept with the draft and applied when it is published, so the version
    in force keeps its readers, its tags (a `varsling` tag counts for AML § 2A-6 only once
    published) and its review date; a routine never published takes them at once."""
    if not is_editor(actor, routine):
        raise Forbidden()
    if routine.archived_on is not None:
        raise TransitionRefused(_("Rutinen er arkivert og kan ikke endres."))
    if isinstance(data, RoutineForm):
        if not actor.is_admin:
            raise Forbidden()
        _check_metadata(session, data, today)
    claim_version(session, routine, version)
    draft = draft_version(session=session, routine=routine)
    if draft is None:
        draft = RoutineVersion(
            routine_id=routine.id,
            status=VersionStatus.draft.value,
            title=data.title,
            created_by_person_id=actor.person_id,
        )
    draft.title = data.title
    draft.purpose = data.purpose or ""
    draft.body = data.body or ""
    draft.change_note = data.change_note
    in_force = current_version(session=session, routine=routine) is not None
    if isinstance(data, RoutineForm):
        routine.owner_id = data.owner_id
        if in_force:
            draft.draft_whole_company = data.whole_company
            draft.draft_department_ids = (
                "" if data.whole_company else ",".join(str(d) for d in sorted(data.department_ids))
            )
            draft.draft_tags = ",".join(data.tags)
            draft.draft_review_interval_months = data.review_interval_months
        else:
            _set_scope_and_tags(
                session,
                routine,
                whole_company=data.whole_company,
                department_ids=data.department_ids,
                tags=data.tags,
            )
            routine.review_interval_months = data.review_interval_months
    session.add(draft)
    if not in_force:
        routine.title = data.title  # never published: the list shows the draft's title
    session.add(routine)
    session.flush()
    return draft


def publish(
    *, session: Session, routine: Routine, actor: Principal, version: int, today: date
) -> RoutineVersion:
    """The draft becomes the version in force with the next number; the previous one is
    archived and stays readable. Everyone in scope is asked to read the new version."""
    if not actor.is_admin:
        raise Forbidden()
    if routine.archived_on is not None:
        raise TransitionRefused(_("Rutinen er arkivert og kan ikke publiseres."))
    draft = draft_version(session=session, routine=routine)
    if draft is None:
        raise TransitionRefused(_("Det finnes ikke noe utkast å publisere."))
    if not draft.title.strip() or not draft.body.strip():
        raise TransitionRefused(_("Utkastet må ha tittel og tekst før det kan publiseres."))
    claim_version(session, routine, version)
    now = utcnow()
    previous = current_version(session=session, routine=routine)
    if previous is not None:
        previous.status = VersionStatus.archived.value
        previous.archived_at = now
        session.add(previous)
        session.flush()
    highest = session.exec(
        select(func.max(RoutineVersion.number)).where(RoutineVersion.routine_id == routine.id)
    ).one()
    settings = pending_settings(draft)
    if settings is not None:
        _set_scope_and_tags(
            session,
            routine,
            whole_company=settings.whole_company,
            department_ids=settings.department_ids,
            tags=settings.tags,
        )
        routine.review_interval_months = settings.review_interval_months
        draft.draft_whole_company = None
        draft.draft_department_ids = None
        draft.draft_tags = None
        draft.draft_review_interval_months = None
    draft.number = (highest or 0) + 1
    draft.status = VersionStatus.published.value
    draft.published_on = today
    draft.published_at = now
    draft.published_by_person_id = actor.person_id
    session.add(draft)
    routine.title = draft.title
    session.add(routine)
    session.flush()
    _refresh_next_review(session, routine)
    session.flush()
    return draft


def discard_draft(
    *, session: Session, routine: Routine, actor: Principal, version: int
) -> RoutineVersion:
    """Give up the draft (the coordinator or the owner): it is kept, marked discarded, with
    the scope, tags and interval it would have set; the version in force is unchanged."""
    if not is_editor(actor, routine):
        raise Forbidden()
    draft = draft_version(session=session, routine=routine)
    if draft is None:
        raise TransitionRefused(_("Det finnes ikke noe utkast å forkaste."))
    claim_version(session, routine, version)
    draft.status = VersionStatus.discarded.value
    draft.archived_at = utcnow()
    session.add(draft)
    session.add(routine)
    session.flush()
    return draft


@dataclass(frozen=True)
class PendingSettings:
    """Scope, tags and review interval a draft sets when it is published."""

    whole_company: bool
    department_ids: list[int]
    tags: list[str]
    review_interval_months: int


def pending_settings(draft: RoutineVersion | None) -> PendingSettings | None:
    if draft is None or draft.draft_whole_company is None:
        return None
    return PendingSettings(
        whole_company=draft.draft_whole_company,
        department_ids=[int(d) for d in (draft.draft_department_ids or "").split(",") if d],
        tags=[t for t in (draft.draft_tags or "").split(",") if t],
        review_interval_months=draft.draft_review_interval_months or DEFAULT_REVIEW_MONTHS,
    )


def archive_routine(
    *, session: Session, routine: Routine, actor: Principal, reason: str, version: int, today: date
) -> None:
    """The routine is no longer in force: its version is archived, nobody is asked to read it."""
    if not actor.is_admin:
        raise Forbidden()
    if routine.archived_on is not None:
        raise TransitionRefused(_("Rutinen er allerede arkivert."))
    claim_version(session, routine, version)
    current = current_version(session=session, routine=routine)
    if current is not None:
        current.status = VersionStatus.archived.value
        current.archived_at = utcnow()
        session.add(current)
    routine.archived_on = today
    routine.archived_reason = reason
    routine.next_review_on = None
    session.add(routine)
    session.flush()


def _refresh_next_review(session: Session, routine: Routine) -> None:
    """Next review = the later of the last review and the last publication + the interval
    (the rule engine's definition, rules/facts.py `load_routine_facts`).

    Only a review "gjennomgått uten endring" counts: a review that finds a new version is
    needed does not make the routine up to date, so the next review date stays as it was
    (and a routine past it stays overdue) until the new version is published, which counts
    as the review."""
    current = current_version(session=session, routine=routine)
    if current is None or current.published_on is None or routine.archived_on is not None:
        routine.next_review_on = None
        return
    last_review = session.exec(
        select(func.max(RoutineReview.reviewed_on)).where(
            RoutineReview.routine_id == routine.id,
            RoutineReview.outcome == ReviewOutcome.no_change.value,
        )
    ).one()
    base = max(d for d in (current.published_on, last_review) if d is not None)
    routine.next_review_on = routine_review_due(base, routine.review_interval_months)
    session.add(routine)


def record_review(
    *, session: Session, routine: Routine, data: ReviewForm, actor: Principal, today: date
) -> RoutineReview:
    if not is_editor(actor, routine):
        raise Forbidden()
    current = current_version(session=session, routine=routine)
    if routine.archived_on is not None or current is None:
        raise TransitionRefused(_("Bare en publisert rutine kan gjennomgås."))
    if data.reviewed_on > today:
        raise InvalidInput({"reviewed_on": _("Datoen kan ikke være frem i tid.")})
    if current.published_on and data.reviewed_on < current.published_on:
        raise InvalidInput(
            {"reviewed_on": _("Datoen kan ikke være før gjeldende versjon ble publisert.")}
        )
    review = RoutineReview(
        routine_id=routine.id,
        reviewed_on=data.reviewed_on,
        reviewer_person_id=actor.person_id,
        outcome=ReviewOutcome(data.outcome).value,
        version_number=current.number,
        note=data.note,
    )
    session.add(review)
    session.flush()
    _refresh_next_review(session, routine)
    session.flush()
    return review


# --- reading and acknowledging ---------------------------------------------------------


def _is_active(person: Person, today: date) -> bool:
    return person.is_active_on(today)


def acknowledge(
    *, session: Session, routine: Routine, actor: Principal, version_number: int, today: date
) -> RoutineAcknowledgement:
    """The actor confirms "lest og forstått" for the version in force. Acknowledging twice
    is harmless; a version that is no longer in force is refused."""
    current = current_version(session=session, routine=routine)
    if current is None or routine.archived_on is not None:
        raise TransitionRefused(_("Rutinen er ikke i kraft."))
    if current.number != version_number:
        raise TransitionRefused(
            _(
                "En nyere versjon av rutinen er publisert siden du åpnet siden. Les den nye "
                "versjonen før du bekrefter."
            )
        )
    person = session.get(Person, actor.person_id)
    scope = scope_of(session=session, routine=routine)
    if person is None or not _is_active(person, today) or not scope.covers(person.department_id):
        raise TransitionRefused(_("Rutinen gjelder ikke for deg, så du skal ikke bekrefte den."))
    existing = session.exec(
        select(RoutineAcknowledgement).where(
            RoutineAcknowledgement.routine_version_id == current.id,
            RoutineAcknowledgement.person_id == person.id,
        )
    ).first()
    if existing is not None:
        return existing
    ack = RoutineAcknowledgement(routine_version_id=current.id, person_id=person.id)
    session.add(ack)
    session.flush()
    return ack


def acknowledged_on(*, session: Session, version: RoutineVersion, person_id: int) -> Any:
    """When the person acknowledged this version (a datetime), or None."""
    return session.exec(
        select(RoutineAcknowledgement.acknowledged_at).where(
            RoutineAcknowledgement.routine_version_id == version.id,
            RoutineAcknowledgement.person_id == person_id,
        )
    ).first()


@dataclass
class DepartmentCoverage:
    department_id: int | None
    name: str
    acknowledged: int = 0
    required: int = 0

    @property
    def percent(self) -> int:
        return percent(self.acknowledged, self.required)


@dataclass
class Coverage:
    """How many of those who must read the version in force have confirmed it."""

    acknowledged: int = 0
    required: int = 0
    departments: list[DepartmentCoverage] = field(default_factory=list)
    unread: list[tuple[int, str, str]] = field(default_factory=list)  # person id, name, dept

    @property
    def percent(self) -> int:
        return percent(self.acknowledged, self.required)

    @property
    def unread_count(self) -> int:
        return self.required - self.acknowledged


def percent(part: int, whole: int) -> int:
    """Whole per cent, rounded to the nearest (22 of 24 is 92 %), but 100 % only when
    everyone has read and 0 % only when nobody has."""
    if not whole:
        return 0
    value = (200 * part + whole) // (2 * whole)  # half up, in integers
    if value == 100 and part < whole:
        return 99
    if value == 0 and part > 0:
        return 1
    return value


UNREAD_SHOWN = 100  # names listed on a routine's page; the count covers them all


def coverage(
    *,
    session: Session,
    routine: Routine,
    version: RoutineVersion,
    today: date,
    only_departments: frozenset[int] | None = None,
) -> Coverage:
    """Coverage of `version` among the active employees in scope today (people who have
    left, or are outside the scope, do not count), by department, and the first
    `UNREAD_SHOWN` by name of those who have not read it. `only_departments` limits it to
    a leader's departments. Counted in SQL: three statements, whatever the headcount."""
    scope = scope_of(session=session, routine=routine)
    in_scope: list[Any] = [active_on(today)]
    if not scope.whole_company:
        in_scope.append(col(Person.department_id).in_(sorted(scope.department_ids)))
    if only_departments is not None:
        in_scope.append(col(Person.department_id).in_(sorted(only_departments)))
    read = select(RoutineAcknowledgement.person_id).where(
        RoutineAcknowledgement.routine_version_id == version.id
    )
    has_read = sa.case((col(Person.id).in_(read), 1), else_=0)
    counts = session.exec(
        select(Person.department_id, func.count(), func.sum(has_read))
        .where(*in_scope)
        .group_by(Person.department_id)
    ).all()
    names = dict(departments_by_name(session=session))
    result = Coverage()
    for dept, required, acknowledged in counts:
        row = DepartmentCoverage(dept, names.get(dept, "") if dept else "")
        row.required, row.acknowledged = int(required), int(acknowledged or 0)
        result.departments.append(row)
        result.required += row.required
        result.acknowledged += row.acknowledged
    result.departments.sort(key=lambda d: (d.department_id is None, d.name))
    result.unread = [
        (pid, name, names.get(dept, "") if dept else "")  # type: ignore[misc]
        for pid, name, dept in session.exec(
            select(Person.id, Person.name, Person.department_id)
            .where(*in_scope, col(Person.id).not_in(read))
            .order_by(Person.name, col(Person.id))
            .limit(UNREAD_SHOWN)
        ).all()
    ]
    return result


@dataclass(frozen=True)
class ReadingRow:
    routine: Routine
    version: RoutineVersion
    acknowledged_at: Any  # datetime or None
    earlier_acknowledged: bool  # read an earlier version: this one is new


def _applies_to(person: Person, parents: dict[int, int | None]) -> Any:
    """SQL: the routine applies to the person. A routine applies to the whole company or to
    chosen departments and those below them: to the person's department when one of its
    chosen ones is that department or above it."""
    applies: Any = col(Routine.whole_company)
    if person.department_id is not None:
        above = ancestors_of([person.department_id], parents)
        applies = sa.or_(
            applies,
            col(Routine.id).in_(
                select(RoutineDepartment.routine_id).where(
                    col(RoutineDepartment.department_id).in_(above)
                )
            ),
        )
    return applies


def unread_count(*, session: Session, person: Person, today: date) -> int:
    """How many routines in force the person has still to read (those `/my/reading` lists
    as not read), in one statement."""
    if not person.is_active_on(today):
        return 0
    read = select(RoutineAcknowledgement.routine_version_id).where(
        RoutineAcknowledgement.person_id == person.id
    )
    return count_rows(
        session,
        select(RoutineVersion.id)
        .join(Routine, col(Routine.id) == RoutineVersion.routine_id)
        .where(
            RoutineVersion.status == VersionStatus.published.value,
            col(Routine.archived_on).is_(None),
            _applies_to(person, department_parents(session=session)),
            col(RoutineVersion.id).not_in(read),
        ),
    )


def count_routines(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> int:
    """How many routines the list shows for these filters (the home page's counts)."""
    parents = department_parents(session=session)
    return count_rows(
        session, _listed(principal=principal, filters=filters, today=today, parents=parents)
    )


def reading_list(*, session: Session, person: Person, today: date) -> list[ReadingRow]:
    """The routines in force that apply to the person, each with whether they have read
    the version in force; unread first. Four statements."""
    if not person.is_active_on(today):
        return []
    parents = department_parents(session=session)
    applies = _applies_to(person, parents)
    rows = session.exec(
        select(Routine, RoutineVersion)
        .join(RoutineVersion, col(RoutineVersion.routine_id) == Routine.id)
        .where(
            RoutineVersion.status == VersionStatus.published.value,
            col(Routine.archived_on).is_(None),
            applies,
        )
        .order_by(func.lower(Routine.title))
    ).all()
    scopes = scopes_of(session, [r for r, _v in rows], parents)
    acks: dict[int, Any] = {}
    routines_read: set[int] = set()
    for version_id, routine_id, at in session.exec(
        select(
            RoutineAcknowledgement.routine_version_id,
            RoutineVersion.routine_id,
            RoutineAcknowledgement.acknowledged_at,
        )
        .join(RoutineVersion, col(RoutineVersion.id) == RoutineAcknowledgement.routine_version_id)
        .where(RoutineAcknowledgement.person_id == person.id)
    ).all():
        acks[version_id] = at
        routines_read.add(routine_id)
    result = [
        ReadingRow(
            routine=r,
            version=v,
            acknowledged_at=acks.get(v.id),
            earlier_acknowledged=v.id not in acks and r.id in routines_read,
        )
        for r, v in rows
        if scopes[r.id].covers(person.department_id)  # type: ignore[index]
    ]
    return sorted(result, key=lambda row: row.acknowledged_at is not None)


# --- lists -----------------------------------------------------------------------------


class ListFilters(ListQuery):
    """The routine list's filters, from the address. Which statuses a person may filter
    on is the route's business (`status` is checked there against what they may see)."""

    tag: Annotated[str, BeforeValidator(lambda v: str(v).strip().lower()[:50])] = ""
    department_id: OptionalId = Field(None, alias="department")
    status: str = ""
    overdue: Flag = False
    q: SearchText = ""
    page: PageNumber = 1


@dataclass
class RoutineRow:
    routine: Routine
    status: str  # draft (never published) | published | archived
    number: int | None  # version in force
    has_draft: bool
    tags: list[str]
    owner_name: str
    scope_names: list[str]
    is_overdue: bool
    coverage: tuple[int, int] | None  # (acknowledged, required) when the principal may see it
    # Whether the principal has acknowledged the version in force; None when it does not
    # apply to them (or nothing is in force).
    my_read: bool | None = None

    @property
    def coverage_percent(self) -> int:
        return percent(*self.coverage) if self.coverage else 0


def routine_status(routine: Routine, has_current: bool) -> str:
    if routine.archived_on is not None:
        return "archived"
    return "published" if has_current else "draft"


@dataclass
class RoutinePage:
    rows: list[RoutineRow]
    total: int
    page: int
    pages: int


PAGE_SIZE = 25  # rows with reading coverage and breaches: as many as the deviation list


def _covers_any(department_ids: frozenset[int]) -> Any:
    """SQL: the routine's scope covers one of these departments (which are expanded
    upwards: a routine chosen for a department covers every department below it)."""
    chosen = select(RoutineDepartment.routine_id).where(
        col(RoutineDepartment.department_id).in_(department_ids or {0})
    )
    return sa.or_(col(Routine.whole_company).is_(True), col(Routine.id).in_(chosen))


def _listed(
    *, principal: Principal, filters: ListFilters, today: date, parents: dict[int, int | None]
) -> Any:
    """SQL: the routines the principal may see that match the filters, title order, with
    the version in force (or None) beside each."""
    current = sa.orm.aliased(RoutineVersion)
    query = (
        select(Routine, current)
        # the list shows the version's number, not its text
        .options(sa.orm.load_only(current.id, current.routine_id, current.number, current.status))
        .outerjoin(
            current,
            sa.and_(
                col(current.routine_id) == Routine.id,
                current.status == VersionStatus.published.value,
            ),
        )
        .order_by(func.lower(Routine.title), col(Routine.id))
    )
    editor = sa.true() if principal.is_admin else col(Routine.owner_id) == principal.person_id
    if not principal.is_admin:
        readers = ancestors_of(reader_departments(principal), parents)
        query = query.where(
            sa.or_(editor, sa.and_(col(current.id).is_not(None), _covers_any(readers)))
        )
    archived = col(Routine.archived_on).is_not(None)
    if filters.status == "archived":
        # Archived routines are the coordinator's and the owner's history.
        query = query.where(archived, editor)
    else:
        query = query.where(sa.not_(archived))
        if filters.status == "published":
            query = query.where(col(current.id).is_not(None))
        elif filters.status == "draft":
            query = query.where(col(current.id).is_(None))
    if filters.tag:
        tagged = select(RoutineTag.routine_id).where(RoutineTag.tag == filters.tag)
        query = query.where(col(Routine.id).in_(tagged))
    if filters.overdue:
        query = query.where(
            col(current.id).is_not(None), sa.not_(archived), col(Routine.next_review_on) < today
        )
    if filters.department_id is not None:
        query = query.where(_covers_any(ancestors_of([filters.department_id], parents)))
    needle = filters.q.strip()
    if needle:
        pattern = contains_pattern(needle)

        def found(column: Any) -> Any:
            return func.lower(column).like(pattern, escape="\\")

        # The text shown: the version in force, or the draft of a routine never published.
        shown = select(RoutineVersion.routine_id).where(
            sa.or_(
                RoutineVersion.status == VersionStatus.published.value,
                sa.and_(
                    RoutineVersion.status == VersionStatus.draft.value,
                    ~sa.exists().where(
                        sa.and_(
                            col(current.routine_id) == RoutineVersion.routine_id,
                            current.status == VersionStatus.published.value,
                        )
                    ),
                ),
            ),
            sa.or_(
                found(RoutineVersion.title),
                found(RoutineVersion.purpose),
                found(RoutineVersion.body),
            ),
        )
        tags = select(RoutineTag.routine_id).where(found(RoutineTag.tag))
        query = query.where(
            sa.or_(found(Routine.title), col(Routine.id).in_(shown), col(Routine.id).in_(tags))
        )
    return query


# What the lists of routines count, kept under the data versions of what they count from:
# the headcount per department (the records), and the acknowledgements of every version in
# force per department (the records and the readings). A new acknowledgement changes the
# readings' version, so a page never shows a count without it.
HEADCOUNTS: VersionedCache[date, dict[int | None, int]] = VersionedCache(size=4)
READ_COUNTS: VersionedCache[
    tuple[date, tuple[int, ...] | None], dict[tuple[int, int | None], int]
] = VersionedCache(size=64, rows=(RECORDS, READINGS))
COVERAGE: VersionedCache[tuple[date, bool, frozenset[int]], list[DepartmentCoverage]] = (
    VersionedCache(size=64, rows=(RECORDS, READINGS))
)


def people_by_department(session: Session, today: date) -> dict[int | None, int]:
    """How many people are employed today in each department (None: in none)."""

    def count() -> dict[int | None, int]:
        return {
            dept: int(n)
            for dept, n in session.exec(
                select(Person.department_id, func.count())
                .where(active_on(today))
                .group_by(Person.department_id)
            ).all()
        }

    return HEADCOUNTS.get_or_compute(session, today, count)


def acknowledgements_by_department(
    session: Session, version_ids: list[int] | None, today: date
) -> dict[tuple[int, int | None], int]:
    """Per (version, department): how many people employed today have acknowledged it, for
    the given versions or (None) every version in force. One grouped count, kept until the
    next acknowledgement or change of the records."""

    def count() -> dict[tuple[int, int | None], int]:
        versions: Any = (
            version_ids
            if version_ids is not None
            else select(RoutineVersion.id).where(
                RoutineVersion.status == VersionStatus.published.value
            )
        )
        return {
            (vid, dept): int(n)
            for vid, dept, n in session.exec(
                select(
                    RoutineAcknowledgement.routine_version_id, Person.department_id, func.count()
                )
                .join(Person, col(Person.id) == RoutineAcknowledgement.person_id)
                .where(
                    col(RoutineAcknowledgement.routine_version_id).in_(versions),
                    active_on(today),
                )
                .group_by(RoutineAcknowledgement.routine_version_id, Person.department_id)
            ).all()
        }

    if version_ids == []:
        return {}
    key = (today, None if version_ids is None else tuple(sorted(version_ids)))
    return READ_COUNTS.get_or_compute(session, key, count)


def in_scope(
    scope: Scope, people: dict[int | None, int], only: frozenset[int] | None
) -> list[int | None]:
    """The departments (None: no department) whose people a scope covers, limited to
    `only` when given."""
    if scope.whole_company:
        return [dept for dept in people if only is None or dept in only]
    return [
        dept for dept in scope.department_ids if dept in people and (only is None or dept in only)
    ]


@dataclass(frozen=True)
class _ListFacts:
    """What the list shows of a page of routines beside their rows: which have a draft,
    their chosen departments, their tags and their owners' names."""

    drafts: frozenset[int]
    chosen: dict[int, set[int]]
    tags: dict[int, list[str]]
    owner_names: dict[int, str]


def _list_facts(session: Session, ids: list[int], owners: list[int]) -> _ListFacts:
    drafts = frozenset(
        session.exec(
            select(RoutineVersion.routine_id).where(
                col(RoutineVersion.routine_id).in_(ids),
                RoutineVersion.status == VersionStatus.draft.value,
            )
        ).all()
    )
    tags: dict[int, list[str]] = {}
    for routine_id, tag in session.exec(
        select(RoutineTag.routine_id, RoutineTag.tag)
        .where(col(RoutineTag.routine_id).in_(ids))
        .order_by(RoutineTag.tag)
    ).all():
        tags.setdefault(routine_id, []).append(tag)
    owner_names = (
        dict(session.exec(select(Person.id, Person.name).where(col(Person.id).in_(owners))).all())
        if owners
        else {}
    )
    return _ListFacts(drafts, chosen_departments(session, ids), tags, owner_names)  # type: ignore[arg-type]


# A page of routines' facts, kept under the data version by the page's routine ids (the
# list's pages are asked again and again; any change to the records computes them afresh).
LIST_FACTS: VersionedCache[tuple[int, ...], _ListFacts] = VersionedCache(size=128)


def list_routines(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> RoutinePage:
    """One page of the routines the principal may see, filtered, in a fixed number of
    statements whatever the number of routines, versions and acknowledgements: the
    filters and visibility in SQL, coverage counted per department in SQL. Archived
    routines are only listed when the status filter asks for them."""
    parents = department_parents(session=session)
    found, where = paged(
        session,
        _listed(principal=principal, filters=filters, today=today, parents=parents),
        requested=filters.page,
        size=PAGE_SIZE,
    )
    filters.page = where.number
    page = RoutinePage(rows=[], total=where.total, page=where.number, pages=where.pages)
    if not found:
        return page
    routines = [r for r, _v in found]
    ids = [r.id for r in routines]
    current = {r.id: v for r, v in found if v is not None}
    facts = LIST_FACTS.get_or_compute(
        session,
        tuple(ids),  # type: ignore[arg-type]
        lambda: _list_facts(session, ids, [r.owner_id for r in routines if r.owner_id]),  # type: ignore[arg-type]
    )
    drafts, picked, tags, owner_names = facts.drafts, facts.chosen, facts.tags, facts.owner_names
    scopes = scopes_of(session, routines, parents, picked)
    department_names = dict(departments_by_name(session=session))
    chosen = {
        rid: [department_names.get(d, "?") for d in departments]
        for rid, departments in picked.items()
    }
    version_ids = [v.id for v in current.values() if v.id is not None]
    people = people_by_department(session, today)
    acknowledged = acknowledgements_by_department(session, version_ids, today)
    mine = principal.person.department_id
    me_active = principal.person.is_active_on(today)
    read_by_me = set(
        session.exec(
            select(RoutineAcknowledgement.routine_version_id).where(
                col(RoutineAcknowledgement.routine_version_id).in_(version_ids or [0]),
                RoutineAcknowledgement.person_id == principal.person_id,
            )
        ).all()
    )
    for r in routines:
        rid: int = r.id  # type: ignore[assignment]
        version = current.get(rid)
        scope = scopes[rid]
        access = access_to(principal, r, scope, published=version is not None)
        status = routine_status(r, version is not None)
        row_coverage = None
        if version is not None and access.sees_coverage and status == "published":
            departments = in_scope(scope, people, access.coverage_departments)
            row_coverage = (
                sum(acknowledged.get((version.id, d), 0) for d in departments),  # type: ignore[misc]
                sum(people[d] for d in departments),
            )
        my_read = None
        if version is not None and status == "published" and me_active and scope.covers(mine):
            my_read = version.id in read_by_me
        page.rows.append(
            RoutineRow(
                routine=r,
                status=status,
                number=version.number if version else None,
                has_draft=rid in drafts and is_editor(principal, r),
                tags=tags.get(rid, []),
                owner_name=owner_names.get(r.owner_id, "") if r.owner_id else "",
                scope_names=sorted(chosen.get(rid, [])) if not r.whole_company else [],
                is_overdue=(
                    status == "published"
                    and r.next_review_on is not None
                    and r.next_review_on < today
                ),
                coverage=row_coverage,
                my_read=my_read,
            )
        )
    return page


def sees_unpublished(*, session: Session, principal: Principal) -> bool:
    """Whether the principal may see routines not in force (drafts, archived ones): the
    coordinator, and the owner of a routine."""
    if principal.is_admin:
        return True
    return (
        session.exec(select(Routine.id).where(Routine.owner_id == principal.person_id)).first()
        is not None
    )


# The tags in use, for the list's filter, kept under the data version.
TAGS: VersionedCache[str, tuple[str, ...]] = VersionedCache(size=1)


def all_tags(*, session: Session) -> list[str]:
    return list(
        TAGS.get_or_compute(
            session,
            "tags",
            lambda: tuple(
                session.exec(select(RoutineTag.tag).distinct().order_by(RoutineTag.tag)).all()
            ),
        )
    )


def department_coverage(
    *, session: Session, principal: Principal, today: date
) -> list[DepartmentCoverage]:
    """Per department: acknowledgements of the versions in force out of what the people of
    the department must read (the coordinator: every department; a leader: their own).
    Counted in SQL per (version, department): a fixed number of statements, none while
    the counts are kept (`COVERAGE`)."""
    if not principal.is_admin and not principal.led_department_ids:
        return []
    key = (today, principal.is_admin, frozenset(principal.led_department_ids))
    return COVERAGE.get_or_compute(
        session, key, lambda: _department_coverage(session, principal, today)
    )


def company_coverage(*, session: Session, today: date) -> list[DepartmentCoverage]:
    """Every department's coverage, as the coordinator sees it (the barometer's figure)."""
    return COVERAGE.get_or_compute(
        session, (today, True, frozenset()), lambda: _department_coverage(session, None, today)
    )


def _department_coverage(
    session: Session, principal: Principal | None, today: date
) -> list[DepartmentCoverage]:
    """`principal` None: every department."""
    rows = session.exec(
        select(Routine, RoutineVersion.id)
        .join(RoutineVersion, col(RoutineVersion.routine_id) == Routine.id)
        .where(
            RoutineVersion.status == VersionStatus.published.value,
            col(Routine.archived_on).is_(None),
        )
    ).all()
    if not rows:
        return []
    scopes = scopes_of(session, [r for r, _v in rows])
    people = people_by_department(session, today)
    acknowledged = acknowledgements_by_department(session, None, today)
    names = dict(departments_by_name(session=session))
    result: list[DepartmentCoverage] = []
    for dept, employed in people.items():
        if principal and not principal.is_admin and dept not in principal.led_department_ids:
            continue
        row = DepartmentCoverage(dept, names.get(dept, "") if dept else "")
        for r, version_id in rows:
            if scopes[r.id].covers(dept):  # type: ignore[index]
                row.required += employed
                row.acknowledged += acknowledged.get((version_id, dept), 0)
        if row.required:
            result.append(row)
    return sorted(result, key=lambda d: (d.department_id is None, d.name))


# --- one routine -----------------------------------------------------------------------


def review_log(*, session: Session, routine: Routine) -> list[tuple[RoutineReview, str]]:
    rows = session.exec(
        select(RoutineReview, Person.name)
        .join(Person, col(Person.id) == RoutineReview.reviewer_person_id, isouter=True)
        .where(RoutineReview.routine_id == routine.id)
        .order_by(col(RoutineReview.reviewed_on).desc(), col(RoutineReview.id).desc())
    ).all()
    return [(review, name or "") for review, name in rows]


def attachments(*, session: Session, routine: Routine) -> list[Any]:
    """The attachments in use, without their content."""
    return list(
        session.exec(
            select(
                RoutineAttachment.id,
                RoutineAttachment.filename,
                RoutineAttachment.content_type,
                RoutineAttachment.size,
                RoutineAttachment.uploaded_at,
            )
            .where(
                RoutineAttachment.routine_id == routine.id,
                col(RoutineAttachment.withdrawn_at).is_(None),
            )
            .order_by(col(RoutineAttachment.id))
        ).all()
    )


def routine_detail(
    *, session: Session, routine: Routine, principal: Principal, access: Access, today: date
) -> dict[str, Any]:
    versions = _versions(session, routine.id)
    current = next((v for v in versions if v.status == VersionStatus.published.value), None)
    draft = next((v for v in versions if v.status == VersionStatus.draft.value), None)
    numbered = [v for v in versions if v.number is not None]
    every_name = dict(departments_by_name(session=session))
    names = {
        d: every_name.get(d, "?") for d in scope_department_ids(session=session, routine=routine)
    }
    person_ids = {routine.owner_id} | {v.published_by_person_id for v in numbered}
    people = dict(
        session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_([p for p in person_ids if p]))
        ).all()
    )
    overdue = (
        current is not None
        and routine.next_review_on is not None
        and routine.archived_on is None
        and today > routine.next_review_on
    )
    reviews = review_log(session=session, routine=routine)
    shown_draft = draft if access.may_edit or access.may_manage else None
    pending = pending_settings(shown_draft)
    pending_names = {d: every_name.get(d, "?") for d in pending.department_ids} if pending else {}
    return {
        "current": current,
        "draft": shown_draft,
        "pending": pending,
        "pending_scope_names": sorted(pending_names.values()),
        "versions": numbered,
        "tags": tags_of(session=session, routine=routine),
        "scope_names": sorted(names.values()),
        "owner_name": people.get(routine.owner_id, "") if routine.owner_id else "",
        "published_by": people,
        "is_overdue": overdue,
        "reviews": reviews,
        "new_version_requested_on": new_version_requested(reviews, current),
        "attachments": attachments(session=session, routine=routine),
        "my_acknowledgement": (
            acknowledged_on(session=session, version=current, person_id=principal.person_id)
            if current
            else None
        ),
        "in_scope": scope_of(session=session, routine=routine).covers(
            principal.person.department_id
        ),
        "coverage": (
            coverage(
                session=session,
                routine=routine,
                version=current,
                today=today,
                only_departments=access.coverage_departments,
            )
            if current is not None and access.sees_coverage
            else None
        ),
    }


def new_version_requested(
    reviews: list[tuple[RoutineReview, str]], current: RoutineVersion | None
) -> date | None:
    """The day of the latest review, when it found that the version in force needs a new
    version (none published since); None otherwise."""
    if not reviews or current is None:
        return None
    latest = reviews[0][0]  # review_log: newest first
    if latest.outcome == ReviewOutcome.new_version.value and latest.version_number == (
        current.number
    ):
        return latest.reviewed_on
    return None


# --- attachments -----------------------------------------------------------------------


ATTACHMENT_TYPES = "PDF, PNG, JPEG, WebP"

# The routines' words on top of the one upload policy (web/uploads.py).
ATTACHMENT_WORDING = Wording(
    fallback_name="vedlegg",
    empty=lambda: _("Filen er tom. Velg filen på nytt."),
    wrong_type=lambda: _(
        "Filtypen er ikke tillatt. Last opp vedlegget som %(types)s (filens innhold "
        "avgjør, ikke navnet).",
        types=ATTACHMENT_TYPES,
    ),
)


def check_attachment(
    content: bytes, filename: str | None, *, limits: UploadLimits
) -> CheckedUpload:
    """A PDF or image, decided by its content (never its name) and cleaned as every upload
    is (images encoded anew, PDFs checked for active content); UploadRefused otherwise."""
    return check_upload(content, filename, limits=limits, wording=ATTACHMENT_WORDING)


def add_attachment(
    *, session: Session, routine: Routine, upload: CheckedUpload, actor: Principal
) -> RoutineAttachment:
    if not is_editor(actor, routine):
        raise Forbidden()
    if routine.archived_on is not None:
        raise TransitionRefused(_("Rutinen er arkivert og kan ikke endres."))
    attachment = RoutineAttachment(
        routine_id=routine.id,
        content=upload.content,
        content_type=upload.content_type,
        filename=upload.filename,
        size=upload.size,
        uploaded_by_person_id=actor.person_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def get_attachment(*, session: Session, routine: Routine, attachment_id: int) -> RoutineAttachment:
    attachment = session.get(RoutineAttachment, attachment_id)
    if attachment is None or attachment.routine_id != routine.id or attachment.withdrawn_at:
        raise NotFound()
    return attachment


def withdraw_attachment(
    *, session: Session, routine: Routine, attachment_id: int, actor: Principal
) -> RoutineAttachment:
    if not is_editor(actor, routine):
        raise Forbidden()
    attachment = get_attachment(session=session, routine=routine, attachment_id=attachment_id)
    attachment.withdrawn_at = utcnow()
    session.add(attachment)
    session.flush()
    return attachment


# --- diff ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # equal | insert | delete | skipped
    text: str
    skipped: int = 0  # for "skipped": how many unchanged lines are not shown


@dataclass(frozen=True)
class DiffSection:
    field: str  # title | purpose | body
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind in ("insert", "delete") for line in self.lines)


def diff_lines(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """Line by line: removed lines, then added ones; long unchanged runs are shortened to
    `context` lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            run = a[i1:i2]
            first, last = i1 == 0, i2 == len(a)
            head = [] if first else run[:context]
            tail = [] if last else run[-context:] if len(run) > context else []
            if len(run) <= 2 * context + 1 and not (first or last):
                lines.extend(DiffLine("equal", t) for t in run)
                continue
            if first and last:
                lines.extend(DiffLine("equal", t) for t in run)
                continue
            if first:
                head, tail = [], run[-context:]
            elif last:
                head, tail = run[:context], []
            skipped = len(run) - len(head) - len(tail)
            lines.extend(DiffLine("equal", t) for t in head)
            if skipped > 0:
                lines.append(DiffLine("skipped", "", skipped))
            lines.extend(DiffLine("equal", t) for t in tail)
            continue
        lines.extend(DiffLine("delete", t) for t in a[i1:i2])
        lines.extend(DiffLine("insert", t) for t in b[j1:j2])
    return lines


def diff_versions(old: RoutineVersion, new: RoutineVersion) -> list[DiffSection]:
    return [
        DiffSection("title", diff_lines(old.title, new.title)),
        DiffSection("purpose", diff_lines(old.purpose, new.purpose)),
        DiffSection("body", diff_lines(old.body, new.body)),
    ]
