"""Course types and completed training: the register the training rules are computed from.

Keyword-only functions, `session` first. Nothing is deleted: a course type is archived, a
training record withdrawn with a reason. Several records of one course type are simply
stored (hours taken in parts); adding them up is the rule engine's work, not this module's.
Every change is audited by the session listener (audit/service.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from hms_tracker.db import claim_version
from hms_tracker.errors import InvalidInput, NotFound
from hms_tracker.organisation.models import Person
from hms_tracker.training.forms import CourseTypeForm, TrainingRecordForm
from hms_tracker.training.models import Certificate, CourseType, TrainingRecord
from hms_tracker.training.uploads import CheckedUpload
from hms_tracker.web.auth import Principal
from hms_tracker.web.i18n import _

# --- course types -------------------------------------------------------------------------


def list_course_types(*, session: Session) -> list[CourseType]:
    """Every course type: the ones in use first, then the archived, each by name."""
    return list(
        session.exec(
            select(CourseType).order_by(
                col(CourseType.archived_on).is_not(None), func.lower(CourseType.name)
            )
        ).all()
    )


def course_type_options(
    *, session: Session, include_id: int | None = None
) -> list[tuple[int, str]]:
    """Course types one may register training for (not archived; `include_id` always)."""
    rows = session.exec(
        select(col(CourseType.id), col(CourseType.name), col(CourseType.archived_on)).order_by(
            func.lower(CourseType.name)
        )
    ).all()
    return [
        (ct_id, name)
        for ct_id, name, archived in rows
        if ct_id is not None and (archived is None or ct_id == include_id)
    ]


def get_course_type(*, session: Session, course_type_id: int) -> CourseType:
    course_type = session.get(CourseType, course_type_id)
    if course_type is None:
        raise NotFound()
    return course_type


def _check_name_free(session: Session, name: str, course_type_id: int | None) -> None:
    other = session.exec(
        select(CourseType.id).where(func.lower(CourseType.name) == name.lower())
    ).first()
    if other is not None and other != course_type_id:
        raise InvalidInput(
            {"name": _("Det finnes allerede et kurs med navnet «%(name)s».", name=name)}
        )


def _apply_course_type(course_type: CourseType, data: CourseTypeForm) -> None:
    course_type.name = data.name.strip()
    course_type.legal_basis = (data.legal_basis or "").strip() or None
    course_type.required_hours = data.required_hours
    course_type.validity_months = data.validity_months
    course_type.required_for = ",".join(data.required_for)
    course_type.required_for_leaders = data.required_for_leaders


def create_course_type(*, session: Session, data: CourseTypeForm) -> CourseType:
    _check_name_free(session, data.name.strip(), None)
    course_type = CourseType(name=data.name.strip())
    _apply_course_type(course_type, data)
    session.add(course_type)
    session.flush()
    return course_type


def update_course_type(
    *, session: Session, course_type: CourseType, data: CourseTypeForm, version: int
) -> CourseType:
    _check_name_free(session, data.name.strip(), course_type.id)
    claim_version(session, course_type, version)
    _apply_course_type(course_type, data)
    session.add(course_type)
    session.flush()
    return course_type


def archive_course_type(*, session: Session, course_type: CourseType, today: date) -> CourseType:
    """No new training can be registered for it; records and history stay."""
    if course_type.archived_on is None:
        course_type.archived_on = today
        course_type.version += 1
        session.add(course_type)
        session.flush()
    return course_type


def restore_course_type(*, session: Session, course_type: CourseType) -> CourseType:
    if course_type.archived_on is not None:
        course_type.archived_on = None
        course_type.version += 1
        session.add(course_type)
        session.flush()
    return course_type


# --- training records ---------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingScope:
    """Whose training a record is, for the permission checks (who may see or register)."""

    person_id: int
    department_id: int | None


def scope_of_person(person: Person) -> TrainingScope:
    return TrainingScope(person_id=person.id, department_id=person.department_id)


def get_record(*, session: Session, record_id: int) -> TrainingRecord:
    record = session.get(TrainingRecord, record_id)
    if record is None:
        raise NotFound()
    return record


def scope_of_record(*, session: Session, record: TrainingRecord) -> TrainingScope:
    department_id = session.exec(
        select(Person.department_id).where(Person.id == record.person_id)
    ).first()
    return TrainingScope(person_id=record.person_id, department_id=department_id)


def create_record(
    *,
    session: Session,
    person: Person,
    data: TrainingRecordForm,
    certificate: CheckedUpload | None,
    today: date,
    actor: Principal,
) -> TrainingRecord:
    """Store completed training (and its certificate). Several records of one course type
    are kept side by side: hours may be taken in parts. Someone registering their own
    training must attach the certificate: the coordinator is never told "all fine" on an
    unsupported word alone."""
    errors: dict[str, str] = {}
    registered_by_self = (
        person.id == actor.person_id
        and not actor.is_admin
        and person.department_id not in actor.led_department_ids
    )
    if registered_by_self and certificate is None:
        errors["certificate"] = _("Legg ved kursbeviset når du registrerer din egen opplæring.")
    course_type = session.get(CourseType, data.course_type_id)
    if course_type is None or course_type.archived_on is not None:
        errors["course_type_id"] = _("Velg et kurs fra listen.")
    if data.completed_on > today:
        errors["completed_on"] = _("Datoen kan ikke være fram i tid.")
    if errors:
        raise InvalidInput(errors)
    certificate_id = None
    if certificate is not None:
        stored = Certificate(
            content=certificate.content,
            content_type=certificate.content_type,
            filename=certificate.filename,
            size=certificate.size,
        )
        session.add(stored)
        session.flush()
        certificate_id = stored.id
    record = TrainingRecord(
        person_id=person.id,
        course_type_id=data.course_type_id,
        completed_on=data.completed_on,
        hours=data.hours,
        provider=(data.provider or "").strip() or None,
        certificate_id=certificate_id,
    )
    session.add(record)
    session.flush()
    return record


def withdraw_record(
    *, session: Session, record: TrainingRecord, reason: str, today: date
) -> TrainingRecord:
    """Registered by mistake: withdrawn with a reason, never deleted."""
    if record.withdrawn_on is not None:
        raise InvalidInput({"reason": _("Registreringen er allerede trukket tilbake.")})
    record.withdrawn_on = today
    record.withdrawn_reason = reason.strip()
    record.__audit_action__ = "withdrawn"  # type: ignore[attr-defined]
    session.add(record)
    session.flush()
    del record.__audit_action__  # type: ignore[attr-defined]
    return record


@dataclass(frozen=True)
class CertificateInfo:
    id: int
    filename: str
    content_type: str
    size: int


def record_detail(*, session: Session, record: TrainingRecord) -> dict[str, Any]:
    """What the record page shows: the record, its person, course type and certificate's
    name and size (not its bytes)."""
    person = session.get(Person, record.person_id)
    course_type = session.get(CourseType, record.course_type_id)
    certificate = None
    if record.certificate_id is not None:
        row = session.exec(
            select(
                Certificate.id, Certificate.filename, Certificate.content_type, Certificate.size
            ).where(Certificate.id == record.certificate_id)
        ).first()
        if row is not None:
            certificate = CertificateInfo(
                id=row[0],
                filename=row[1],
                content_type=row[2],
                size=row[3],
            )
    return {"person": person, "course_type": course_type, "certificate": certificate}


def get_certificate(*, session: Session, record: TrainingRecord) -> Certificate:
    if record.certificate_id is None:
        raise NotFound()
    certificate = session.get(Certificate, record.certificate_id)
    if certificate is None:
        raise NotFound()
    return certificate


def records_for_person(*, session: Session, person_id: int) -> list[tuple[TrainingRecord, str]]:
    """A person's training, newest first, with each course type's name (one statement)."""
    rows = session.exec(
        select(TrainingRecord, CourseType.name)
        .join(CourseType, col(CourseType.id) == TrainingRecord.course_type_id)
        .where(TrainingRecord.person_id == person_id)
        .order_by(col(TrainingRecord.completed_on).desc(), col(TrainingRecord.id).desc())
    ).all()
    return [(r, n) for r, n in rows]
