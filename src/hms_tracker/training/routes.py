"""Course types and completed training: pages, the certificate upload and its download.

Routes parse and render; the work is in service.py and uploads.py. Who may do what:

- course types: everyone logged in sees them; the admin creates, edits and archives them;
- training records: the admin registers for anyone, a leader for people in the
  departments they lead (and below), everyone for themselves; the same people see a
  record and its certificate, and may withdraw a record registered by mistake.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from hms_tracker.db import SessionDep
from hms_tracker.errors import InvalidInput
from hms_tracker.organisation.forms import hours_text
from hms_tracker.organisation.models import Person
from hms_tracker.training import service, uploads
from hms_tracker.training.access import CourseTypeDep, PersonDep, RecordDep
from hms_tracker.training.forms import (
    CourseTypeEditForm,
    CourseTypeForm,
    TrainingRecordForm,
    WithdrawForm,
    kind_options,
    required_for_labels,
)
from hms_tracker.training.models import CourseType, TrainingRecord
from hms_tracker.web import once
from hms_tracker.web.auth import (
    CurrentUser,
    Permission,
)
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues, parse_form
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _, format_number
from hms_tracker.web.params import parse_id
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()


def _helpers() -> dict[str, Any]:
    return {
        "hours_text": hours_text,
        "required_for_labels": required_for_labels,
        "today": today(),
    }


# --- course types -----------------------------------------------------------------------


@router.get("/training/courses", dependencies=[Permission("courses.view")])
def course_list(request: Request, session: SessionDep) -> Response:
    return render(
        request,
        "training/courses.html",
        course_types=service.list_course_types(session=session),
        **_helpers(),
    )


def _course_values(course_type: CourseType) -> dict[str, Any]:
    return {
        "name": course_type.name,
        "legal_basis": course_type.legal_basis or "",
        "required_hours": hours_text(course_type.required_hours),
        "validity_months": course_type.validity_months or "",
        "required_for": sorted(course_type.required_kinds()),
        "required_for_leaders": "true" if course_type.required_for_leaders else "",
        "version": course_type.version,
    }


def _checked_kinds(values: dict[str, Any]) -> list[str]:
    chosen = values.get("required_for") or []
    return [chosen] if isinstance(chosen, str) else list(chosen)


def _course_form(
    request: Request,
    *,
    course_type: CourseType | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    conflict: CourseType | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "training/course_form.html",
        status_code=status_code,
        course_type=course_type,
        values=values,
        checked_kinds=_checked_kinds(values),
        errors=errors or {},
        conflict=conflict,
        kinds=kind_options(),
        **_helpers(),
    )


@router.get("/training/courses/new", dependencies=[Permission("courses.manage")])
def course_new(request: Request) -> Response:
    return _course_form(request, course_type=None, values={"required_hours": "0"})


@router.post("/training/courses/new", dependencies=[Permission("courses.manage")])
def course_create(request: Request, values: FormValues, session: SessionDep) -> Response:
    return submit(
        request, values, CourseTypeForm,
        lambda data: service.create_course_type(session=session, data=data),
        again=lambda errors: _course_form(
            request, course_type=None, values=values, errors=errors
        ),
        done="/training/courses",
        message=lambda course_type: _("Kurset %(name)s er opprettet.", name=course_type.name),
    )  # fmt: skip


@router.get("/training/courses/{course_type_id}/edit", dependencies=[Permission("courses.manage")])
def course_edit_form(request: Request, course_type: CourseTypeDep) -> Response:
    return _course_form(request, course_type=course_type, values=_course_values(course_type))


@router.post("/training/courses/{course_type_id}/edit", dependencies=[Permission("courses.manage")])
def course_edit(
    request: Request, course_type: CourseTypeDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, CourseTypeEditForm,
        lambda data: service.update_course_type(
            session=session, course_type=course_type, data=data, version=data.version
        ),
        again=lambda errors: _course_form(
            request, course_type=course_type, values=values, errors=errors
        ),
        conflict=lambda exc: _course_form(
            request, course_type=course_type, values={**values, "version": exc.current.version},
            conflict=exc.current, status_code=409,
        ),
        done="/training/courses",
        message=_("Endringene er lagret."),
    )  # fmt: skip


@router.post(
    "/training/courses/{course_type_id}/archive", dependencies=[Permission("courses.manage")]
)
def course_archive(request: Request, course_type: CourseTypeDep, session: SessionDep) -> Response:
    service.archive_course_type(session=session, course_type=course_type, today=today())
    flash(
        request,
        _(
            "Kurset %(name)s er arkivert. Registrert opplæring beholdes.",
            name=course_type.name,
        ),
    )
    return redirect(request, "/training/courses")


@router.post(
    "/training/courses/{course_type_id}/restore", dependencies=[Permission("courses.manage")]
)
def course_restore(request: Request, course_type: CourseTypeDep, session: SessionDep) -> Response:
    service.restore_course_type(session=session, course_type=course_type)
    flash(request, _("Kurset %(name)s er tatt i bruk igjen.", name=course_type.name))
    return redirect(request, "/training/courses")


# --- training records -------------------------------------------------------------------


def _record_form(
    request: Request,
    session: SessionDep,
    *,
    person: Person,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    max_bytes = request.app.state.settings.upload_max_bytes
    chosen = parse_id(values.get("course_type_id"))
    return render(
        request,
        "training/record_form.html",
        status_code=status_code,
        person=person,
        values={k: v for k, v in values.items() if k != "certificate"},
        errors=errors or {},
        course_types=service.course_type_options(session=session, include_id=chosen),
        accept=uploads.ACCEPT,
        max_mb=format_number(uploads.megabytes(max_bytes)),
        **_helpers(),
    )


@router.get("/people/{person_id}/training/new", dependencies=[Permission("training.register")])
def record_new(
    request: Request,
    person: PersonDep,
    session: SessionDep,
    principal: CurrentUser,
    course: str | None = None,
) -> Response:
    values: dict[str, Any] = {
        "completed_on": today().isoformat(),
        "course_type_id": parse_id(course) or "",
    }
    return _record_form(request, session, person=person, values=values)


def _read_certificate(request: Request, values: dict[str, Any]) -> uploads.CheckedUpload | None:
    """The checked certificate, None when no file was chosen, or UploadRefused."""
    upload = values.get("certificate")
    if not isinstance(upload, UploadFile):
        return None
    max_bytes = request.app.state.settings.upload_max_bytes
    try:
        content = uploads.read_limited(upload.file, max_bytes)
    finally:
        upload.file.close()
    if not content and not upload.filename:
        return None  # the field was left empty
    settings = request.app.state.settings
    return uploads.check_certificate(
        content,
        upload.filename,
        max_bytes=max_bytes,
        max_pixels=settings.upload_max_pixels,
        request_max_pixels=settings.upload_request_max_pixels,
    )


@router.post("/people/{person_id}/training/new", dependencies=[Permission("training.register")])
def record_create(
    request: Request,
    person: PersonDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    if (answer := once.earlier(request, session, values)) is not None:
        return answer  # sent twice: the first sending's record
    errors: dict[str, str] = {}
    status_code = 422
    certificate = None
    try:
        certificate = _read_certificate(request, values)
    except uploads.UploadRefused as refused:
        errors["certificate"] = refused.message
        if refused.too_large:
            status_code = 413
    try:
        data = parse_form(
            TrainingRecordForm, {k: v for k, v in values.items() if k != "certificate"}
        )
        if errors:
            raise InvalidInput({})
        record = service.create_record(
            session=session,
            person=person,
            data=data,
            certificate=certificate,
            today=today(),
            actor=principal,
        )
    except InvalidInput as exc:
        return _record_form(
            request,
            session,
            person=person,
            values=values,
            errors={**exc.errors, **errors},
            status_code=status_code if not exc.errors else 422,
        )
    flash(request, _("Opplæringen er registrert."))
    once.saved(session, values, f"/training/records/{record.id}")
    return redirect(request, f"/training/records/{record.id}")


def _record_page(
    request: Request,
    session: SessionDep,
    record: TrainingRecord,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "training/record_detail.html",
        status_code=status_code,
        record=record,
        scope=service.scope_of_record(session=session, record=record),
        values=values or {},
        errors=errors or {},
        **service.record_detail(session=session, record=record),
        **_helpers(),
    )


@router.get("/training/records/{record_id}", dependencies=[Permission("training.view")])
def record_detail(
    request: Request, record: RecordDep, session: SessionDep, principal: CurrentUser
) -> Response:
    return _record_page(request, session, record)


@router.post(
    "/training/records/{record_id}/withdraw", dependencies=[Permission("training.withdraw")]
)
def record_withdraw(
    request: Request,
    record: RecordDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    return submit(
        request, values, WithdrawForm,
        lambda data: service.withdraw_record(
            session=session, record=record, reason=data.reason, today=today()
        ),
        again=lambda errors: _record_page(request, session, record, values=values, errors=errors),
        done=f"/training/records/{record.id}",
        message=_("Registreringen er trukket tilbake. Den vises fortsatt i historikken."),
    )  # fmt: skip


@router.get("/training/records/{record_id}/certificate", dependencies=[Permission("training.view")])
def record_certificate(record: RecordDep, session: SessionDep, principal: CurrentUser) -> Response:
    """The stored bytes, always as an attachment, sandboxed, with the detected type."""
    certificate = service.get_certificate(session=session, record=record)
    return Response(
        content=certificate.content,
        media_type=certificate.content_type,
        headers={
            "Content-Disposition": uploads.content_disposition(certificate.filename),
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
