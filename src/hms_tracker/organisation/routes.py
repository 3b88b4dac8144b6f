"""People and departments pages, the CSV import and export, and the admin's account panel.

Routes parse and render; the work is in service.py and csv_io.py. Record scope:

- an admin sees and changes everyone;
- a leader sees, creates, edits and ends people of the departments they lead (with the
  departments below them), and cannot move anyone into another department;
- everyone sees their own person page.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from hms_tracker.accounts import service as accounts
from hms_tracker.appointments import service as appointments_service
from hms_tracker.appointments.forms import kind_label as appointment_kind_label
from hms_tracker.appointments.forms import status_tag as appointment_status_tag
from hms_tracker.compliance import service as compliance
from hms_tracker.compliance.presenter import helpers as compliance_helpers
from hms_tracker.db import SessionDep
from hms_tracker.errors import Forbidden, InvalidInput, NotFound
from hms_tracker.organisation import csv_io, service
from hms_tracker.organisation.access import DepartmentDep, PersonDep, leads
from hms_tracker.organisation.forms import (
    AccountForm,
    CloseDepartmentForm,
    DepartmentForm,
    EndEmploymentForm,
    LeaderForm,
    PersonEditForm,
    PersonForm,
    employment_type_label,
    employment_type_options,
    hours_text,
)
from hms_tracker.organisation.models import Department, Person
from hms_tracker.training import service as training_service
from hms_tracker.web.auth import (
    CurrentUser,
    Permission,
    Principal,
    can,
    ensure,
)
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _, format_number, ngettext
from hms_tracker.web.pagination import page_number
from hms_tracker.web.params import parse_id, picker_search
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()


@router.get("/people/choices", dependencies=[Permission("people.choose")])
def person_choices(
    request: Request, session: SessionDep, field: str = "", selected: str | None = None
) -> Response:
    """A person picker's options for what is typed in `pick_<field>` (htmx): the people
    employed today whose name or e-mail holds it, the selected one kept."""
    return render(
        request,
        "components/person_options.html",
        options=service.person_choices(
            session=session,
            today=today(),
            search=picker_search(request, field),
            include=[parse_id(selected)],
        ),
        value=selected,
    )


def _scope(principal: Principal) -> frozenset[int] | None:
    """Departments whose people the principal may list; None means everyone."""
    return None if principal.is_admin else principal.led_department_ids


def _ensure_may_place(principal: Principal, values: dict[str, Any]) -> None:
    """A leader may only put people in departments they lead: anything else is 403."""
    if principal.is_admin:
        return
    raw = str(values.get("department_id") or "").strip()
    department_id = parse_id(raw)
    if raw and (department_id is None or not leads(principal, department_id)):
        raise Forbidden()


def _require_department_for_leader(principal: Principal, data: PersonForm) -> None:
    if not principal.is_admin and data.department_id is None:
        raise InvalidInput({"department_id": _("Velg en av avdelingene du leder.")})


# --- shared page context ----------------------------------------------------------------


def _status_tag(person: Person, day: date) -> tuple[str, str]:
    status = service.employment_status(person, day)
    if status == "former":
        return _("Sluttet"), "neutral"
    if status == "upcoming":
        return _("Kommende"), "info"
    return _("Aktiv"), "success"


def _person_helpers(day: date) -> dict[str, Any]:
    return {
        "status_tag": lambda person: _status_tag(person, day),
        "employment_type_label": employment_type_label,
        "hours_text": hours_text,
        "today": day,
    }


# --- people: list and export ------------------------------------------------------------


def _filters(q: str | None, department: str | None, status: str | None) -> service.PeopleFilter:
    return service.PeopleFilter.from_query({"q": q, "department": department, "status": status})


@router.get("/people", dependencies=[Permission("people.list")])
def people_list(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    q: str | None = None,
    department: str | None = None,
    status: str | None = None,
    page: str | None = None,
) -> Response:
    day = today()
    filters = _filters(q, department, status)
    result = service.search_people(
        session=session,
        filters=filters,
        scope=_scope(principal),
        today=day,
        page=page_number(page),
    )
    params = filters.query_params()

    def page_url(number: int) -> str:
        return "/people?" + _urlencode({**params, "page": str(number)})

    return render(
        request,
        "people/list.html",
        block="results",
        result=result,
        filters=filters,
        departments=service.department_options(
            session=session,
            only_ids=_scope(principal),
            include_ids=[filters.department_id] if principal.is_admin else [],
        ),
        status_options=[
            ("active", _("Aktive")),
            ("former", _("Sluttet")),
            ("all", _("Alle")),
        ],
        page_url=page_url,
        export_url="/people/export.csv?" + _urlencode(params),
        **_person_helpers(day),
    )


def _urlencode(params: dict[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})


@router.get("/people/export.csv", dependencies=[Permission("people.export")])
def people_export(
    session: SessionDep,
    principal: CurrentUser,
    q: str | None = None,
    department: str | None = None,
    status: str | None = None,
) -> Response:
    day = today()
    rows = service.export_people(
        session=session, filters=_filters(q, department, status), scope=_scope(principal), today=day
    )
    return Response(
        csv_io.write_people_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="personer-{day.isoformat()}.csv"'},
    )


# --- people: import ---------------------------------------------------------------------

# The confirm step carries the uploaded bytes back in hidden fields (compressed, base64) and
# checks them again from scratch: the preview the browser saw is never trusted. A form
# field may hold at most 1 MB, so long files travel in several fields.
_CHUNK = 500_000


def _pack(content: bytes) -> list[str]:
    packed = base64.b64encode(zlib.compress(content, 9)).decode("ascii")
    return [packed[i : i + _CHUNK] for i in range(0, len(packed), _CHUNK)] or [""]


def _unpack(values: dict[str, Any], max_bytes: int) -> bytes:
    chunks = values.get("content") or []
    if isinstance(chunks, str):
        chunks = [chunks]
    try:
        packed = base64.b64decode("".join(str(c) for c in chunks), validate=True)
        inflater = zlib.decompressobj()
        content = inflater.decompress(packed, max_bytes + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise InvalidInput(
            {"file": _("Importen kunne ikke leses igjen. Last opp filen på nytt.")}
        ) from None
    if len(content) > max_bytes or inflater.unconsumed_tail:
        raise InvalidInput({"file": _("Filen er for stor.")})
    return content


def _import_page(
    request: Request,
    *,
    preview: csv_io.ImportPreview | None = None,
    content: bytes | None = None,
    filename: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "people/import.html",
        status_code=status_code,
        preview=preview,
        packed=_pack(content) if content is not None and preview and preview.is_valid else [],
        filename=filename,
        errors=errors or {},
        header=csv_io.HEADER,
        sample_row=csv_io.SAMPLE_ROW,
        columns=csv_io.COLUMN_FOR_FIELD,
        max_mb=_megabytes(request.app.state.settings.upload_max_bytes),
    )


def _megabytes(size: int) -> Decimal:
    return round(Decimal(size) / (1024 * 1024), 1)


def _check_import(session: SessionDep, content: bytes) -> csv_io.ImportPreview:
    return csv_io.parse_people_csv(
        content,
        departments=service.department_lookup(session=session),
        existing_emails=service.registered_emails(session=session),
    )


@router.get("/people/import", dependencies=[Permission("people.import")])
def people_import_form(request: Request) -> Response:
    return _import_page(request)


@router.post("/people/import", dependencies=[Permission("people.import")])
def people_import_preview(request: Request, values: FormValues, session: SessionDep) -> Response:
    upload = values.get("file")
    max_bytes = request.app.state.settings.upload_max_bytes
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(
            request, errors={"file": _("Velg en CSV-fil å laste opp.")}, status_code=422
        )
    try:
        content = upload.file.read(max_bytes + 1)
    finally:
        upload.file.close()
    filename = upload.filename[:200]
    if len(content) > max_bytes:
        return _import_page(
            request,
            errors={
                "file": _(
                    "Filen er for stor. Største tillatte størrelse er %(mb)s MB.",
                    mb=format_number(_megabytes(max_bytes)),
                )
            },
            status_code=413,
        )
    preview = _check_import(session, content)
    return _import_page(
        request,
        preview=preview,
        content=content,
        filename=filename,
        errors={"file": " ".join(preview.file_errors)} if preview.file_errors else {},
        status_code=200 if preview.is_valid else 422,
    )


@router.post("/people/import/confirm", dependencies=[Permission("people.import")])
def people_import_confirm(request: Request, values: FormValues, session: SessionDep) -> Response:
    filename = str(values.get("filename") or "")[:200]
    try:
        content = _unpack(values, request.app.state.settings.upload_max_bytes)
    except InvalidInput as exc:
        return _import_page(request, errors=exc.errors, status_code=422)
    preview = _check_import(session, content)
    if not preview.is_valid:
        return _import_page(
            request,
            preview=preview,
            content=content,
            filename=filename,
            errors={
                "file": " ".join(preview.file_errors)
                if preview.file_errors
                else _("Filen har feil nå. Ingenting er lagret.")
            },
            status_code=422,
        )
    try:
        created = service.import_people(session=session, people=preview.people())
    except InvalidInput as exc:
        return _import_page(request, errors=exc.errors, status_code=422)
    flash(
        request,
        ngettext("%(num)s person er importert.", "%(num)s personer er importert.", len(created)),
    )
    return redirect(request, "/people", status="all")


# --- people: create, view, edit, end ----------------------------------------------------

PERSON_FIELDS = (
    "name",
    "email",
    "phone",
    "title",
    "department_id",
    "employed_from",
    "employed_to",
    "employment_type",
    "weekly_hours",
)


def _person_values(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email or "",
        "phone": person.phone or "",
        "title": person.title or "",
        "department_id": person.department_id,
        "employed_from": person.employed_from.isoformat(),
        "employed_to": person.employed_to.isoformat() if person.employed_to else "",
        "employment_type": person.employment_type,
        "weekly_hours": hours_text(person.weekly_hours),
        "version": person.version,
    }


def _person_form(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    person: Person | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    conflict: Person | None = None,
    status_code: int = 200,
) -> Response:
    current_department = person.department_id if person else None
    departments = service.department_options(
        session=session, only_ids=_scope(principal), include_ids=[current_department]
    )
    names = dict(departments)
    if (
        request.method == "GET"
        and person is None
        and not principal.is_admin
        and len(departments) == 1
    ):
        values = {**values, "department_id": values.get("department_id") or departments[0][0]}
    return render(
        request,
        "people/form.html",
        status_code=status_code,
        person=person,
        values=values,
        errors=errors or {},
        conflict=conflict,
        conflict_values=_person_values(conflict) if conflict else None,
        department_names=names,
        departments=departments,
        employment_types=employment_type_options(),
        department_required=not principal.is_admin,
        **_person_helpers(today()),
    )


@router.get("/people/new", dependencies=[Permission("person.create")])
def person_new(
    request: Request, session: SessionDep, principal: CurrentUser, department: str | None = None
) -> Response:
    values: dict[str, Any] = {
        "employment_type": "permanent",
        "weekly_hours": hours_text(csv_io.DEFAULT_WEEKLY_HOURS),
        "department_id": parse_id(department),
    }
    return _person_form(request, session, principal, person=None, values=values)


@router.post("/people/new", dependencies=[Permission("person.create")])
def person_create(
    request: Request, values: FormValues, session: SessionDep, principal: CurrentUser
) -> Response:
    _ensure_may_place(principal, values)  # 403 before anything is parsed

    def save(data: PersonForm) -> Person:
        _require_department_for_leader(principal, data)
        ensure(principal, "person.create", data)
        return service.create_person(session=session, data=data)

    return submit(
        request, values, PersonForm, save,
        again=lambda errors: _person_form(
            request, session, principal, person=None, values=values, errors=errors
        ),
        done=lambda person: f"/people/{person.id}",
        message=lambda person: _("%(name)s er lagt til i personregisteret.", name=person.name),
        once=session,
    )  # fmt: skip


def person_detail_page(
    request: Request,
    session: SessionDep,
    person: Person,
    *,
    status_code: int = 200,
    account_errors: dict[str, str] | None = None,
    account_values: dict[str, Any] | None = None,
) -> Response:
    principal: Principal = request.state.principal
    day = today()
    department = (
        service.get_department(session=session, department_id=person.department_id)
        if person.department_id
        else None
    )
    user = None
    live_sessions = 0
    if principal.is_admin:
        user = accounts.user_for_person(session=session, person_id=person.id)
        if user is not None:
            live_sessions = accounts.live_session_count(session=session, user=user)
    values = dict(account_values or {})
    values.pop("password", None)  # never sent back
    values.setdefault("email", person.email or "")
    can_see_training = can(principal, "training.view", training_service.scope_of_person(person))
    return render(
        request,
        "people/detail.html",
        status_code=status_code,
        person=person,
        department=department,
        leads=service.led_by(session=session, person_id=person.id),
        user=user,
        live_sessions=live_sessions,
        account_errors=account_errors or {},
        account_values=values,
        is_self=person.id == principal.person.id,
        appointments=appointments_service.appointments_for_person(
            session=session,
            person_id=person.id,
            today=day,
        ),
        obligations=compliance.training_for_person(
            session=session,
            person_id=person.id,
            day=day,
        )
        if can_see_training
        else [],
        records=training_service.records_for_person(
            session=session,
            person_id=person.id,
        )
        if can_see_training
        else [],
        can_see_training=can_see_training,
        employment_ended=service.employment_status(person, day) == "former",
        kind_label=appointment_kind_label,
        appointment_status_tag=appointment_status_tag,
        **compliance_helpers(),
        **_person_helpers(day),
    )


@router.get("/people/{person_id}", dependencies=[Permission("person.view")])
def person_detail(
    request: Request, person: PersonDep, session: SessionDep, principal: CurrentUser
) -> Response:
    return person_detail_page(request, session, person)


@router.get("/people/{person_id}/edit", dependencies=[Permission("person.edit")])
def person_edit_form(
    request: Request, person: PersonDep, session: SessionDep, principal: CurrentUser
) -> Response:
    return _person_form(request, session, principal, person=person, values=_person_values(person))


@router.post("/people/{person_id}/edit", dependencies=[Permission("person.edit")])
def person_edit(
    request: Request,
    person: PersonDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    _ensure_may_place(principal, values)  # 403 before anything is parsed

    def save(data: PersonEditForm) -> Person:
        _require_department_for_leader(principal, data)
        if data.department_id != person.department_id:
            ensure(principal, "person.create", data)
        return service.update_person(
            session=session,
            person=person,
            data=data,
            version=data.version,
            actor_person_id=principal.person_id,
        )

    return submit(
        request, values, PersonEditForm, save,
        again=lambda errors: _person_form(
            request, session, principal, person=person, values=values, errors=errors
        ),
        conflict=lambda exc: _person_form(
            request, session, principal, person=person,
            values={**values, "version": exc.current.version}, conflict=exc.current,
            status_code=409,
        ),
        done=f"/people/{person.id}",
        message=_("Endringene er lagret."),
    )  # fmt: skip


def _end_form(
    request: Request,
    person: Person,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "people/end.html",
        status_code=status_code,
        person=person,
        values=values,
        errors=errors or {},
        **_person_helpers(today()),
    )


@router.get("/people/{person_id}/end", dependencies=[Permission("person.end")])
def person_end_form(request: Request, person: PersonDep, principal: CurrentUser) -> Response:
    values = {
        "employed_to": (person.employed_to or today()).isoformat(),
        "end_reason": person.end_reason or "",
    }
    return _end_form(request, person, values)


@router.post("/people/{person_id}/end", dependencies=[Permission("person.end")])
def person_end(
    request: Request,
    person: PersonDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    if person.id == principal.person.id:  # refused before the form is even read
        return _end_form(
            request,
            person,
            values,
            {"": _("Du kan ikke avslutte din egen ansettelse. Be en annen om å gjøre det.")},
            status_code=422,
        )
    return submit(
        request, values, EndEmploymentForm,
        lambda data: service.end_employment(
            session=session, person=person, employed_to=data.employed_to,
            end_reason=data.end_reason, today=today(),
        ),
        again=lambda errors: _end_form(request, person, values, errors),
        done=f"/people/{person.id}",
        message=lambda had_account: (
            _("Ansettelsen er avsluttet, og kontoen er deaktivert.")
            if had_account
            else _("Ansettelsen er avsluttet. En konto virker til og med siste arbeidsdag.")
        ),
    )  # fmt: skip


# --- the admin's account panel on the person page ---------------------------------------


def _account_of(session: SessionDep, person: Person) -> Any:
    user = accounts.user_for_person(session=session, person_id=person.id)
    if user is None:
        raise NotFound()
    return user


@router.post("/people/{person_id}/account", dependencies=[Permission("accounts.manage")])
def create_account(
    request: Request, person: PersonDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, AccountForm,
        lambda form: accounts.create_user(
            session=session, person=person, email=form.email, password=form.password,
            is_admin=form.is_admin,
        ),
        again=lambda errors: person_detail_page(
            request, session, person, account_errors=errors, account_values=values
        ),
        done=f"/people/{person.id}",
        message=_("Kontoen er opprettet."),
    )  # fmt: skip


@router.post("/people/{person_id}/account/admin", dependencies=[Permission("accounts.manage")])
def set_admin(
    request: Request,
    person: PersonDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    user = _account_of(session, person)
    try:
        accounts.set_admin(
            session=session,
            user=user,
            is_admin=values.get("is_admin") == "true",
            actor=principal.user,
        )
    except InvalidInput as exc:
        flash(request, next(iter(exc.errors.values())), "danger")
    else:
        flash(request, _("Rollen er endret."))
    return redirect(request, f"/people/{person.id}")


@router.post("/people/{person_id}/account/active", dependencies=[Permission("accounts.manage")])
def set_active(
    request: Request,
    person: PersonDep,
    values: FormValues,
    session: SessionDep,
    principal: CurrentUser,
) -> Response:
    user = _account_of(session, person)
    active = values.get("is_active") == "true"
    try:
        accounts.set_active(session=session, user=user, is_active=active, actor=principal.user)
    except InvalidInput as exc:
        flash(request, next(iter(exc.errors.values())), "danger")
    else:
        flash(request, _("Kontoen er aktivert.") if active else _("Kontoen er deaktivert."))
    return redirect(request, f"/people/{person.id}")


@router.post(
    "/people/{person_id}/account/sessions/end", dependencies=[Permission("accounts.manage")]
)
def end_sessions(request: Request, person: PersonDep, session: SessionDep) -> Response:
    user = _account_of(session, person)
    count = accounts.end_all_sessions(session=session, user=user)
    flash(
        request,
        ngettext("%(num)s innlogging er avsluttet.", "%(num)s innlogginger er avsluttet.", count),
    )
    return redirect(request, f"/people/{person.id}")


# --- departments ------------------------------------------------------------------------


@router.get("/departments", dependencies=[Permission("departments.view")])
def department_list(request: Request, session: SessionDep) -> Response:
    return render(
        request,
        "departments/list.html",
        rows=service.list_departments(session=session, today=today()),
    )


def _department_form(
    request: Request,
    session: SessionDep,
    *,
    department: Department | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    # A department cannot sit under itself or under one of its own sub-departments.
    below = (
        service.subtree_ids(session=session, department_ids=[department.id])  # type: ignore[list-item]
        if department
        else frozenset()
    )
    options = [
        (dept_id, name)
        for dept_id, name in service.department_options(
            session=session, include_ids=[department.parent_id] if department else []
        )
        if dept_id not in below
    ]
    return render(
        request,
        "departments/form.html",
        status_code=status_code,
        department=department,
        values=values,
        errors=errors or {},
        parents=options,
    )


@router.get("/departments/new", dependencies=[Permission("departments.manage")])
def department_new(request: Request, session: SessionDep) -> Response:
    return _department_form(request, session, department=None, values={})


@router.post("/departments/new", dependencies=[Permission("departments.manage")])
def department_create(request: Request, values: FormValues, session: SessionDep) -> Response:
    return submit(
        request, values, DepartmentForm,
        lambda data: service.create_department(session=session, data=data),
        again=lambda errors: _department_form(
            request, session, department=None, values=values, errors=errors
        ),
        done=lambda department: f"/departments/{department.id}",
        message=lambda department: _("Avdelingen %(name)s er opprettet.", name=department.name),
    )  # fmt: skip


def _department_page(
    request: Request,
    session: SessionDep,
    department: Department,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    detail = service.department_detail(session=session, department=department, today=day)
    leader_ids = {person.id for _row, person in detail["leaders"]}
    leader_search = picker_search(request, "person_id")
    candidates = [
        (pid, name)
        for pid, name in service.person_choices(
            session=session,
            today=day,
            search=leader_search,
            department_ids=[department.id] if department.id is not None else [],
            starting_later_too=True,
        )
        if pid not in leader_ids
    ]
    return render(
        request,
        "departments/detail.html",
        status_code=status_code,
        department=department,
        candidates=candidates,
        leader_search=leader_search,
        errors=errors or {},
        values=values or {"closed_on": day.isoformat()},
        may_add_person=can(
            request.state.principal, "person.create", SimpleNamespace(department_id=department.id)
        ),
        **detail,
        **_person_helpers(day),
    )


@router.get("/departments/{department_id}", dependencies=[Permission("departments.view")])
def department_detail(request: Request, department: DepartmentDep, session: SessionDep) -> Response:
    return _department_page(request, session, department)


@router.get("/departments/{department_id}/edit", dependencies=[Permission("departments.manage")])
def department_edit_form(
    request: Request, department: DepartmentDep, session: SessionDep
) -> Response:
    return _department_form(
        request,
        session,
        department=department,
        values={"name": department.name, "parent_id": department.parent_id},
    )


@router.post("/departments/{department_id}/edit", dependencies=[Permission("departments.manage")])
def department_edit(
    request: Request, department: DepartmentDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, DepartmentForm,
        lambda data: service.update_department(session=session, department=department, data=data),
        again=lambda errors: _department_form(
            request, session, department=department, values=values, errors=errors
        ),
        done=f"/departments/{department.id}",
        message=_("Endringene er lagret."),
    )  # fmt: skip


@router.post(
    "/departments/{department_id}/leaders", dependencies=[Permission("departments.manage")]
)
def department_add_leader(
    request: Request, department: DepartmentDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, LeaderForm,
        lambda data: service.add_leader(
            session=session, department=department, person_id=data.person_id, today=today()
        ),
        again=lambda errors: _department_page(request, session, department, errors=errors),
        done=f"/departments/{department.id}",
        message=_("Lederen er lagt til."),
    )  # fmt: skip


@router.post(
    "/departments/{department_id}/leaders/{leader_id}/remove",
    dependencies=[Permission("departments.manage")],
)
def department_remove_leader(
    request: Request, department: DepartmentDep, leader_id: int, session: SessionDep
) -> Response:
    person = service.remove_leader(session=session, department=department, leader_id=leader_id)
    flash(request, _("%(name)s er ikke lenger leder for avdelingen.", name=person.name))
    return redirect(request, f"/departments/{department.id}")


@router.post("/departments/{department_id}/close", dependencies=[Permission("departments.manage")])
def department_close(
    request: Request, department: DepartmentDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, CloseDepartmentForm,
        lambda data: service.close_department(
            session=session, department=department, closed_on=data.closed_on, today=today()
        ),
        again=lambda errors: _department_page(
            request, session, department, errors=errors, values=values
        ),
        done=f"/departments/{department.id}",
        message=_("Avdelingen er lagt ned."),
    )  # fmt: skip


@router.post("/departments/{department_id}/reopen", dependencies=[Permission("departments.manage")])
def department_reopen(request: Request, department: DepartmentDep, session: SessionDep) -> Response:
    service.reopen_department(session=session, department=department)
    flash(request, _("Avdelingen er åpnet igjen."))
    return redirect(request, f"/departments/{department.id}")
