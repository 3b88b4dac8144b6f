"""Appointment pages (verv): list with status, register, edit, end, AMU chair, and the
register of written agreements on another arrangement than a verneombud.

Routes parse and render; the work is in service.py. Everyone logged in reads the list
(who is verneombud is public knowledge at work); only the coordinator (admin) changes it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hms_tracker.appointments import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.appointments import service
from hms_tracker.appointments.forms import (
    AgreementForm,
    AppointmentEditForm,
    AppointmentForm,
    ChairForm,
    EndAppointmentForm,
    amu_side_label,
    amu_side_options,
    kind_label,
    kind_options,
    status_options,
    status_tag,
)
from hms_tracker.appointments.models import Appointment
from hms_tracker.db import SessionDep
from hms_tracker.organisation import service as organisation
from hms_tracker.rules.facts import employee_counts, load_rule_settings
from hms_tracker.web.auth import Permission
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _, format_date
from hms_tracker.web.params import parse_id, picker_search
from hms_tracker.web.templating import render

router = APIRouter()


def load_appointment(appointment_id: int, session: SessionDep) -> Appointment:
    return service.get_appointment(session=session, appointment_id=appointment_id)


AppointmentDep = Annotated[Appointment, Depends(load_appointment)]


def _helpers(day: date) -> dict[str, Any]:
    return {
        "kind_label": kind_label,
        "amu_side_label": amu_side_label,
        "status_tag": status_tag,
        "today": day,
    }


# --- list -------------------------------------------------------------------------------


@router.get("/appointments", dependencies=[Permission("appointments.view")])
def appointment_list(
    request: Request,
    session: SessionDep,
    kind: str | None = None,
    status: str | None = None,
) -> Response:
    day = today()
    kind = kind if kind in service.KIND_ORDER else ""
    statuses = [*status_options(), ("all", _("Alle, også avsluttede"))]
    status = status if status in dict(statuses) else ""
    rows = service.list_appointments(
        session=session, today=day, kind=kind or None, status=status or None
    )
    return render(
        request,
        "appointments/list.html",
        block="results",
        rows=rows,
        filters={"kind": kind, "status": status},
        kinds=kind_options(),
        statuses=statuses,
        **_helpers(day),
    )


# --- create and edit --------------------------------------------------------------------


def _form_page(
    request: Request,
    session: SessionDep,
    *,
    appointment: Appointment | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    conflict: Appointment | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    current_person = parse_id(values.get("person_id"))
    if appointment is not None and appointment.person_id:
        current_person = appointment.person_id
    # The current holder is kept even after leaving (a former employee keeps the term).
    person_search = picker_search(request, "person_id")
    people = organisation.person_choices(
        session=session,
        today=day,
        search=person_search,
        starting_later_too=True,
        include=[current_person],
    )
    area_values = values.get("area_ids") or []
    if not isinstance(area_values, list):
        area_values = [area_values]
    selected_areas = {str(v) for v in area_values}
    departments = organisation.department_options(
        session=session, include_ids=[i for v in selected_areas if (i := parse_id(v))]
    )
    return render(
        request,
        "appointments/form.html",
        status_code=status_code,
        appointment=appointment,
        values=values,
        errors=errors or {},
        conflict=conflict,
        people=people,
        person_search=person_search,
        departments=departments,
        selected_areas=selected_areas,
        kinds=kind_options(),
        amu_sides=amu_side_options(),
        term_years=service.appointment_term_years(session=session),
        **_helpers(day),
    )


@router.get("/appointments/new", dependencies=[Permission("appointments.manage")])
def appointment_new(
    request: Request,
    session: SessionDep,
    kind: str | None = None,
    person_id: str | None = None,
) -> Response:
    values: dict[str, Any] = {
        "kind": kind if kind in service.KIND_ORDER else "",
        "person_id": person_id if parse_id(person_id) else "",
        "starts_on": today().isoformat(),
    }
    return _form_page(request, session, appointment=None, values=values)


@router.post("/appointments/new", dependencies=[Permission("appointments.manage")])
def appointment_create(request: Request, values: FormValues, session: SessionDep) -> Response:
    return submit(
        request, values, AppointmentForm,
        lambda data: service.create_appointment(session=session, data=data),
        again=lambda errors: _form_page(
            request, session, appointment=None, values=values, errors=errors
        ),
        done=lambda appointment: f"/appointments/{appointment.id}",
        message=_("Vervet er registrert."),
    )  # fmt: skip


# --- agreements (declared before /appointments/{id}) --------------------------------------


def _agreements_page(
    request: Request,
    session: SessionDep,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    return render(
        request,
        "appointments/agreements.html",
        status_code=status_code,
        rows=service.list_agreements(session=session, today=day),
        # An agreement counts only below the threshold (AML § 6-1): the page says when the
        # company has grown past it.
        employed=employee_counts(session=session, day=day).employed_on_day,
        threshold=load_rule_settings(session=session).safety_rep_min_employees,
        values=values or {"valid_from": day.isoformat()},
        errors=errors or {},
        **_helpers(day),
    )


@router.get("/appointments/agreements", dependencies=[Permission("appointments.view")])
def agreement_list(request: Request, session: SessionDep) -> Response:
    return _agreements_page(request, session)


@router.post("/appointments/agreements", dependencies=[Permission("appointments.manage")])
def agreement_create(request: Request, values: FormValues, session: SessionDep) -> Response:
    return submit(
        request, values, AgreementForm,
        lambda data: service.create_agreement(session=session, data=data),
        again=lambda errors: _agreements_page(request, session, values=values, errors=errors),
        done="/appointments/agreements",
        message=_("Avtalen er registrert."),
    )  # fmt: skip


# --- one appointment --------------------------------------------------------------------


def _detail_page(
    request: Request,
    session: SessionDep,
    appointment: Appointment,
    *,
    chair_values: dict[str, Any] | None = None,
    chair_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    detail = service.appointment_detail(session=session, appointment=appointment, today=day)
    return render(
        request,
        "appointments/detail.html",
        status_code=status_code,
        appointment=appointment,
        chair_values=chair_values or {"starts_on": max(day, appointment.starts_on).isoformat()},
        chair_errors=chair_errors or {},
        **detail,
        **_helpers(day),
    )


@router.get("/appointments/{appointment_id}", dependencies=[Permission("appointments.view")])
def appointment_detail(
    request: Request, appointment: AppointmentDep, session: SessionDep
) -> Response:
    return _detail_page(request, session, appointment)


def _values(appointment: Appointment, session: SessionDep) -> dict[str, Any]:
    area_ids = service.area_ids(session=session, appointment=appointment)
    return {
        "kind": appointment.kind,
        "person_id": appointment.person_id or "",
        "external_name": appointment.external_name or "",
        "external_organisation": appointment.external_organisation or "",
        "starts_on": appointment.starts_on.isoformat(),
        "ends_on": appointment.ends_on.isoformat() if appointment.ends_on else "",
        "amu_side": appointment.amu_side or "",
        "is_deputy": "true" if appointment.is_deputy else "",
        "note": appointment.note or "",
        "area_ids": [str(d) for d in area_ids],
        "version": appointment.version,
    }


@router.get("/appointments/{appointment_id}/edit", dependencies=[Permission("appointments.manage")])
def appointment_edit_form(
    request: Request, appointment: AppointmentDep, session: SessionDep
) -> Response:
    return _form_page(
        request, session, appointment=appointment, values=_values(appointment, session)
    )


@router.post(
    "/appointments/{appointment_id}/edit", dependencies=[Permission("appointments.manage")]
)
def appointment_edit(
    request: Request, appointment: AppointmentDep, values: FormValues, session: SessionDep
) -> Response:
    values = {**values, "kind": appointment.kind}
    return submit(
        request, values, AppointmentEditForm,
        lambda data: service.update_appointment(
            session=session, appointment=appointment, data=data, version=data.version
        ),
        again=lambda errors: _form_page(
            request, session, appointment=appointment, values=values, errors=errors
        ),
        conflict=lambda exc: _form_page(
            request, session, appointment=appointment,
            values={**values, "version": exc.current.version}, conflict=exc.current,
            status_code=409,
        ),
        done=f"/appointments/{appointment.id}",
        message=_("Endringene er lagret."),
    )  # fmt: skip


def _end_page(
    request: Request,
    appointment: Appointment,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "appointments/end.html",
        status_code=status_code,
        appointment=appointment,
        values=values,
        errors=errors or {},
        **_helpers(today()),
    )


@router.get("/appointments/{appointment_id}/end", dependencies=[Permission("appointments.manage")])
def appointment_end_form(request: Request, appointment: AppointmentDep) -> Response:
    day = today()
    default = appointment.ended_on or max(appointment.starts_on, day)
    if appointment.ends_on is not None:
        default = min(default, appointment.ends_on)
    values = {"ended_on": default.isoformat(), "end_reason": appointment.end_reason or ""}
    return _end_page(request, appointment, values)


@router.post("/appointments/{appointment_id}/end", dependencies=[Permission("appointments.manage")])
def appointment_end(
    request: Request, appointment: AppointmentDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, EndAppointmentForm,
        lambda data: service.end_appointment(
            session=session, appointment=appointment, ended_on=data.ended_on,
            end_reason=data.end_reason,
        ),
        again=lambda errors: _end_page(request, appointment, values, errors),
        done=f"/appointments/{appointment.id}",
        message=_("Vervet er avsluttet. Det blir stående i historikken."),
    )  # fmt: skip


@router.post(
    "/appointments/{appointment_id}/chair", dependencies=[Permission("appointments.manage")]
)
def appointment_chair(
    request: Request, appointment: AppointmentDep, values: FormValues, session: SessionDep
) -> Response:
    return submit(
        request, values, ChairForm,
        lambda data: service.set_chair(
            session=session, appointment=appointment, starts_on=data.starts_on,
            ends_on=data.ends_on,
        ),
        again=lambda errors: _detail_page(
            request, session, appointment, chair_values=values, chair_errors=errors
        ),
        done=f"/appointments/{appointment.id}",
        message=lambda period: _(
            "Lederperioden %(start)s–%(end)s er registrert.",
            start=format_date(period.starts_on),
            end=format_date(period.ends_on),
        ),
    )  # fmt: skip
