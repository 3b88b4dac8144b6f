"""Routine pages: the list, writing and publishing, versions and their differences,
reviews, attachments, and each employee's reading list (/my/reading).

Routes parse and render; who may do what is decided in service.py (see its docstring).
"""

from __future__ import annotations

from datetime import date
from typing import Any, NoReturn
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from hms_tracker.db import SessionDep
from hms_tracker.deviations import breaches
from hms_tracker.errors import NotFound, TransitionRefused
from hms_tracker.organisation import service as organisation
from hms_tracker.routines import service
from hms_tracker.routines.access import RoutineDep, ensure_readable, is_editor
from hms_tracker.routines.forms import (
    AcknowledgeForm,
    ArchiveForm,
    EditForm,
    ReviewForm,
    RoutineForm,
    TextForm,
    outcome_label,
    outcome_options,
    routine_status_options,
    routine_status_tag,
    version_status_tag,
)
from hms_tracker.routines.markdown import render_markdown
from hms_tracker.routines.models import DEFAULT_REVIEW_MONTHS, Routine, RoutineVersion
from hms_tracker.web import uploads
from hms_tracker.web.auth import CurrentUser, Permission
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues, parse_form
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _, format_number
from hms_tracker.web.params import parse_id, picker_search
from hms_tracker.web.templating import flash, redirect, render, safe_next

# The owner edits the draft and records reviews: the service checks the routine.

router = APIRouter()


def _helpers() -> dict[str, Any]:
    return {
        "routine_status_tag": routine_status_tag,
        "version_status_tag": version_status_tag,
        "outcome_label": outcome_label,
        "markdown": render_markdown,
        "today": today(),
    }


# --- list ------------------------------------------------------------------------------


@router.get("/routines", dependencies=[Permission("routines.list")])
def routine_list(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    tag: str | None = None,
    department: str | None = None,
    status: str | None = None,
    overdue: str | None = None,
    q: str | None = None,
    page: str | None = None,
) -> Response:
    day = today()
    statuses = routine_status_options()
    if not service.sees_unpublished(session=session, principal=principal):
        statuses = [(code, label) for code, label in statuses if code == "published"]
    filters = service.ListFilters.from_query(
        {
            "tag": tag, "department": department, "status": status, "overdue": overdue,
            "q": q, "page": page,
        }
    )  # fmt: skip
    if filters.status not in dict(statuses):
        filters.status = ""
    result = service.list_routines(session=session, principal=principal, filters=filters, today=day)
    return render(
        request,
        "routines/list.html",
        block="results",
        result=result,
        rows=result.rows,
        page_url=lambda number: (
            "/routines?" + urlencode(filters.query_params(page=number if number > 1 else ""))
        ),
        filters=filters,
        statuses=statuses,
        tags=service.all_tags(session=session),
        departments=organisation.department_options(session=session),
        breach_counts=breaches.repeated(breaches.breach_counts(session=session, today=day)),
        **_helpers(),
    )


@router.get("/routines/coverage", dependencies=[Permission("routines.coverage")])
def routine_coverage(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    """Per department: how much of what its people must read they have acknowledged (the
    coordinator: every department; a leader: their own). Its own page: it counts every
    acknowledgement of every routine in force."""
    return render(
        request,
        "routines/coverage.html",
        department_coverage=service.department_coverage(
            session=session, principal=principal, today=today()
        ),
    )


# --- create and edit -------------------------------------------------------------------


def _form_page(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    *,
    routine: Routine | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    conflict: bool = False,
    status_code: int = 200,
) -> Response:
    day = today()
    owner = values.get("owner_id")
    selected = values.get("department_ids") or []
    if not isinstance(selected, list):
        selected = [selected]
    selected_ids = {str(v) for v in selected}
    owner_search = picker_search(request, "owner_id")
    return render(
        request,
        "routines/form.html",
        status_code=status_code,
        routine=routine,
        values=values,
        errors=errors or {},
        conflict=conflict,
        manages=principal.is_admin,
        people=organisation.person_choices(
            session=session,
            today=day,
            search=owner_search,
            include=[parse_id(owner), principal.person_id],
        ),
        owner_search=owner_search,
        departments=organisation.department_options(
            session=session, include_ids=[i for v in selected_ids if (i := parse_id(v))]
        ),
        selected_departments=selected_ids,
        **_helpers(),
    )


@router.get("/routines/new", dependencies=[Permission("routine.create")])
def routine_new(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    values = {
        "scope": "company",
        "review_interval_months": DEFAULT_REVIEW_MONTHS,
        "owner_id": principal.person_id,
    }
    return _form_page(request, session, principal, routine=None, values=values)


@router.post("/routines/new", dependencies=[Permission("routine.create")])
def routine_create(
    request: Request, values: FormValues, session: SessionDep, principal: CurrentUser
) -> Response:
    return submit(
        request, values, RoutineForm,
        lambda data: service.create_routine(
            session=session, data=data, actor=principal, today=today()
        ),
        again=lambda errors: _form_page(
            request, session, principal, routine=None, values=values, errors=errors
        ),
        done=lambda routine: f"/routines/{routine.id}",
        message=_("Rutinen er lagret som utkast. Den gjelder fra den publiseres."),
    )  # fmt: skip


def _edit_values(session: SessionDep, routine: Routine) -> dict[str, Any]:
    draft = service.draft_version(session=session, routine=routine)
    text = draft or service.current_version(session=session, routine=routine)
    pending = service.pending_settings(draft)
    if pending is not None:  # what the draft will set when it is published
        return {
            "title": text.title if text else routine.title,
            "purpose": text.purpose if text else "",
            "body": text.body if text else "",
            "change_note": text.change_note if text else "",
            "owner_id": routine.owner_id or "",
            "scope": "company" if pending.whole_company else "departments",
            "department_ids": [str(d) for d in pending.department_ids],
            "tags": ", ".join(pending.tags),
            "review_interval_months": pending.review_interval_months,
            "version": routine.version,
        }
    return {
        "title": text.title if text else routine.title,
        "purpose": text.purpose if text else "",
        "body": text.body if text else "",
        "change_note": text.change_note if text and text.status == "draft" else "",
        "owner_id": routine.owner_id or "",
        "scope": "company" if routine.whole_company else "departments",
        "department_ids": [
            str(d) for d in service.scope_department_ids(session=session, routine=routine)
        ],
        "tags": ", ".join(service.tags_of(session=session, routine=routine)),
        "review_interval_months": routine.review_interval_months,
        "version": routine.version,
    }


def _refused(request: Request, routine: Routine, message: str, url: str | None = None) -> Response:
    """A refused action (a stale tab, a routine that changed meanwhile): back to the page,
    which shows the current state, with the reason on top."""
    flash(request, message, "danger")
    return redirect(request, url or f"/routines/{routine.id}")


def _not_found(errors: dict[str, str]) -> NoReturn:
    """A form with only hidden fields that does not parse came from no page of ours."""
    raise NotFound() from None


def _stale() -> str:
    return _(
        "Rutinen er endret av noen andre siden du åpnet siden. Her er slik den er nå; "
        "se over og prøv igjen om det fortsatt trengs."
    )


@router.get("/routines/{routine_id}/edit", dependencies=[Permission("routine.edit")])
def routine_edit_form(
    request: Request, routine: RoutineDep, session: SessionDep, principal: CurrentUser
) -> Response:
    return _form_page(
        request, session, principal, routine=routine, values=_edit_values(session, routine)
    )


@router.post("/routines/{routine_id}/edit", dependencies=[Permission("routine.edit")])
def routine_edit(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    text_form: type[TextForm] = RoutineForm if principal.is_admin else TextForm
    return submit(  # the version first, then the text (parsed in that order)
        request, values, EditForm,
        lambda edit: service.save_draft(
            session=session, routine=routine, data=parse_form(text_form, values),
            actor=principal, version=edit.version, today=today(),
        ),
        again=lambda errors: _form_page(
            request, session, principal, routine=routine, values=values, errors=errors
        ),
        conflict=lambda exc: _form_page(
            request, session, principal, routine=routine,
            values={**values, "version": exc.current.version}, conflict=True, status_code=409,
        ),
        refused=lambda exc: _refused(request, routine, exc.message),
        done=f"/routines/{routine.id}",
        message=_("Utkastet er lagret."),
    )  # fmt: skip


# --- one routine -----------------------------------------------------------------------


def _detail_page(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    routine: Routine,
    *,
    review_values: dict[str, Any] | None = None,
    review_errors: dict[str, str] | None = None,
    archive_values: dict[str, Any] | None = None,
    archive_errors: dict[str, str] | None = None,
    attachment_error: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    access = ensure_readable(session=session, principal=principal, routine=routine)
    detail = service.routine_detail(
        session=session, routine=routine, principal=principal, access=access, today=day
    )
    max_bytes = request.app.state.settings.upload_max_bytes
    return render(
        request,
        "routines/detail.html",
        status_code=status_code,
        routine=routine,
        access=access,
        review_values=review_values or {"reviewed_on": day.isoformat(), "outcome": "no_change"},
        review_errors=review_errors or {},
        archive_values=archive_values or {},
        archive_errors=archive_errors or {},
        attachment_error=attachment_error,
        outcomes=outcome_options(),
        accept=uploads.ACCEPT,
        max_mb=format_number(uploads.megabytes(max_bytes)),
        **detail,
        **breaches.for_routine_page(
            session=session, principal=principal, routine_id=routine.id, today=day
        ),
        **_helpers(),
    )


@router.get("/routines/{routine_id}", dependencies=[Permission("routine.view")])
def routine_detail(
    request: Request, routine: RoutineDep, session: SessionDep, principal: CurrentUser
) -> Response:
    return _detail_page(request, session, principal, routine)


@router.post("/routines/{routine_id}/publish", dependencies=[Permission("routine.publish")])
def routine_publish(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    return submit(
        request, values, EditForm,
        lambda edit: service.publish(
            session=session, routine=routine, actor=principal, version=edit.version,
            today=today(),
        ),
        again=_not_found,
        conflict=lambda exc: _refused(request, routine, _stale()),
        refused=lambda exc: _refused(request, routine, exc.message),
        done=f"/routines/{routine.id}",
        message=lambda published: _(
            "Versjon %(n)s er publisert. Alle rutinen gjelder for, får den på leselisten sin.",
            n=published.number,
        ),
    )  # fmt: skip


@router.post("/routines/{routine_id}/draft/discard", dependencies=[Permission("routine.edit")])
def routine_discard_draft(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    """The coordinator or the owner gives up the draft; it is kept, marked discarded."""
    return submit(
        request, values, EditForm,
        lambda edit: service.discard_draft(
            session=session, routine=routine, actor=principal, version=edit.version
        ),
        again=_not_found,
        conflict=lambda exc: _refused(request, routine, _stale()),
        refused=lambda exc: _refused(request, routine, exc.message),
        done=f"/routines/{routine.id}",
        message=_("Utkastet er forkastet. Det blir stående i historikken."),
    )  # fmt: skip


@router.post("/routines/{routine_id}/archive", dependencies=[Permission("routine.archive")])
def routine_archive(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    return submit(  # the version first, then the reason (parsed in that order)
        request, values, EditForm,
        lambda edit: service.archive_routine(
            session=session, routine=routine, actor=principal,
            reason=parse_form(ArchiveForm, values).reason, version=edit.version, today=today(),
        ),
        again=lambda errors: _detail_page(
            request, session, principal, routine, archive_values=values, archive_errors=errors
        ),
        conflict=lambda exc: _refused(request, routine, _stale()),
        refused=lambda exc: _refused(request, routine, exc.message),
        done=f"/routines/{routine.id}",
        message=_("Rutinen er arkivert. Den og alle versjonene blir stående i historikken."),
    )  # fmt: skip


@router.post("/routines/{routine_id}/reviews", dependencies=[Permission("routine.review")])
def routine_review(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    return submit(
        request, values, ReviewForm,
        lambda data: service.record_review(
            session=session, routine=routine, data=data, actor=principal, today=today()
        ),
        again=lambda errors: _detail_page(
            request, session, principal, routine, review_values=values, review_errors=errors
        ),
        refused=lambda exc: _refused(request, routine, exc.message),
        done=f"/routines/{routine.id}",
        message=_("Gjennomgangen er registrert."),
    )  # fmt: skip


@router.post("/routines/{routine_id}/acknowledge", dependencies=[Permission("routine.acknowledge")])
def routine_acknowledge(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    back = safe_next(str(values.get("next") or ""), f"/routines/{routine.id}")
    return submit(
        request, values, AcknowledgeForm,
        lambda data: service.acknowledge(
            session=session, routine=routine, actor=principal,
            version_number=data.version_number, today=today(),
        ),
        again=_not_found,
        refused=lambda exc: _refused(request, routine, exc.message, back),
        done=back,
        message=lambda _ack: _(
            "Takk! Du har bekreftet at du har lest og forstått «%(title)s».", title=routine.title
        ),
    )  # fmt: skip


# --- versions and differences ----------------------------------------------------------


@router.get("/routines/{routine_id}/versions/{number}", dependencies=[Permission("routine.view")])
def routine_version(
    request: Request,
    routine: RoutineDep,
    number: int,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    version = service.get_version(session=session, routine=routine, number=number)
    current = service.current_version(session=session, routine=routine)
    return render(
        request,
        "routines/version.html",
        routine=routine,
        version=version,
        current=current,
        **_helpers(),
    )


def _version_for_diff(
    session: SessionDep, principal: CurrentUser, routine: Routine, value: str | None
) -> RoutineVersion:
    if value == "draft" and is_editor(principal, routine):
        draft = service.draft_version(session=session, routine=routine)
        if draft is not None:
            return draft
    if (number := parse_id(value)) is not None:
        return service.get_version(session=session, routine=routine, number=number)
    raise NotFound()


@router.get("/routines/{routine_id}/diff", dependencies=[Permission("routine.view")])
def routine_diff(
    request: Request,
    routine: RoutineDep,
    session: SessionDep,
    principal: CurrentUser,
    a: str | None = None,
    b: str | None = None,
) -> Response:
    old = _version_for_diff(session, principal, routine, a)
    new = _version_for_diff(session, principal, routine, b)
    numbers = service.version_numbers(session=session, routine=routine)
    return render(
        request,
        "routines/diff.html",
        routine=routine,
        old=old,
        new=new,
        sections=service.diff_versions(old, new),
        numbers=numbers,
        a=a,
        b=b,
        **_helpers(),
    )


# --- attachments -----------------------------------------------------------------------


@router.post("/routines/{routine_id}/attachments", dependencies=[Permission("routine.edit")])
def attachment_add(
    request: Request,
    routine: RoutineDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    upload = values.get("file")
    max_bytes = request.app.state.settings.upload_max_bytes
    try:
        if not isinstance(upload, UploadFile):
            raise uploads.UploadRefused(_("Velg en fil."))
        try:
            content = uploads.read_limited(upload.file, max_bytes)
        finally:
            upload.file.close()
        checked = service.check_attachment(
            content,
            upload.filename,
            limits=uploads.UploadLimits.from_settings(request.app.state.settings),
        )
    except uploads.UploadRefused as refused:
        return _detail_page(
            request,
            session,
            principal,
            routine,
            attachment_error=refused.message,
            status_code=413 if refused.too_large else 422,
        )
    try:
        service.add_attachment(session=session, routine=routine, upload=checked, actor=principal)
    except TransitionRefused as exc:
        return _refused(request, routine, exc.message)
    flash(request, _("Vedlegget er lagt til."))
    return redirect(request, f"/routines/{routine.id}")


@router.get(
    "/routines/{routine_id}/attachments/{attachment_id}",
    dependencies=[Permission("routine.view")],
)
def attachment_download(
    routine: RoutineDep, attachment_id: int, session: SessionDep, principal: CurrentUser
) -> Response:
    """The stored bytes, always as an attachment, sandboxed, with the detected type."""
    attachment = service.get_attachment(
        session=session, routine=routine, attachment_id=attachment_id
    )
    return Response(
        content=attachment.content,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": uploads.content_disposition(
                attachment.filename, fallback=service.ATTACHMENT_WORDING.fallback_name
            ),
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.post(
    "/routines/{routine_id}/attachments/{attachment_id}/withdraw",
    dependencies=[Permission("routine.edit")],
)
def attachment_withdraw(
    request: Request,
    routine: RoutineDep,
    attachment_id: int,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    service.withdraw_attachment(
        session=session, routine=routine, attachment_id=attachment_id, actor=principal
    )
    flash(request, _("Vedlegget er fjernet fra rutinen."))
    return redirect(request, f"/routines/{routine.id}")


# --- my reading list -------------------------------------------------------------------


@router.get("/my/reading", dependencies=[Permission("reading.view")])
def my_reading(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    day: date = today()
    rows = service.reading_list(session=session, person=principal.person, today=day)
    return render(
        request,
        "routines/reading.html",
        to_read=[r for r in rows if r.acknowledged_at is None],
        done=[r for r in rows if r.acknowledged_at is not None],
        **_helpers(),
    )
