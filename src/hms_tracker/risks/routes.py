"""Risk register pages: the list (/risks), the 5 × 5 matrix (/risks/matrix), a risk's page
with its routines and planned measures, writing, assessing and archiving.

Routes parse and render; who may do what is decided in service.py (see its docstring).
Each form that changes the risk posts the version it was opened on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.compliance import settings as rule_settings
from hms_tracker.db import SessionDep
from hms_tracker.deviations.forms import ActionDoneForm, ActionForm, WithdrawForm
from hms_tracker.errors import EditConflict, TransitionRefused
from hms_tracker.organisation import service as organisation
from hms_tracker.risk import (
    SCALE,
    consequence_label,
    consequence_options,
    level_options,
    probability_label,
    probability_options,
    risk_level,
)
from hms_tracker.risks import service
from hms_tracker.risks.access import Access, RiskDep
from hms_tracker.risks.forms import (
    ArchiveForm,
    RiskEditForm,
    RiskForm,
    RoutineLinkForm,
    VersionForm,
)
from hms_tracker.risks.models import Risk
from hms_tracker.web.auth import CurrentUser, Permission
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _
from hms_tracker.web.params import parse_id, picker_search
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()


def helpers() -> dict[str, Any]:
    return {
        "risk_level": risk_level,
        "consequence_label": consequence_label,
        "probability_label": probability_label,
        "scale": SCALE,
    }


# --- list and matrix ----------------------------------------------------------------------


def sort_options() -> list[tuple[str, str]]:
    return [
        ("score", _("Høyeste risiko først")),
        ("assessed", _("Lengst siden vurdert")),
        ("title", _("Alfabetisk")),
    ]


@router.get("/risks", dependencies=[Permission("risks.list")])
def risk_list(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    filters = service.ListFilters.from_query(dict(request.query_params))
    day = today()
    result = service.list_risks(session=session, principal=principal, filters=filters, today=day)
    return render(
        request,
        "risks/list.html",
        block="results",
        result=result,
        rows=result.rows,
        filters=filters,
        page_url=lambda number: (
            "/risks?" + urlencode(filters.query_params(page=number if number > 1 else ""))
        ),
        departments=service.department_filter_options(session=session, principal=principal),
        level_options=level_options(),
        sort_options=sort_options(),
        may_create=service.may_create(principal),
        threshold=rule_settings.current(session=session).risk_routine_min_score,
        **helpers(),
    )


@router.get("/risks/matrix", dependencies=[Permission("risks.list")])
def risk_matrix(
    request: Request, session: SessionDep, principal: CurrentUser, department: str | None = None
) -> Response:
    department_id = parse_id(department)
    matrix = service.risk_matrix(session=session, principal=principal, department_id=department_id)
    return render(
        request,
        "risks/matrix.html",
        matrix=matrix,
        department_id=department_id,
        departments=service.department_filter_options(session=session, principal=principal),
        consequences=list(reversed(consequence_options())),
        probabilities=probability_options(),
        **helpers(),
    )


# --- new and edit -------------------------------------------------------------------------


def _form_page(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    *,
    risk: Risk | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    owner = values.get("owner_person_id")
    owner_search = picker_search(request, "owner_person_id")
    return render(
        request,
        "risks/form.html",
        status_code=status_code,
        risk=risk,
        values=values,
        errors=errors or {},
        conflict=conflict,
        message=message,
        departments=service.department_choices(
            session=session, principal=principal, include_id=risk.department_id if risk else None
        ),
        people=organisation.person_choices(
            session=session,
            today=day,
            search=owner_search,
            department_ids=[risk.department_id] if risk else principal.led_department_ids,
            include=[parse_id(owner), risk.owner_person_id if risk else None],
        ),
        owner_search=owner_search,
        owner=owner,
        consequences=consequence_options(),
        probabilities=probability_options(),
        labels=service.field_labels(),
        **helpers(),
    )


@router.get("/risks/new", dependencies=[Permission("risk.create")])
def risk_new(request: Request, session: SessionDep, principal: CurrentUser) -> Response:
    values: dict[str, Any] = {"last_assessed_on": today().isoformat()}
    led = sorted(principal.led_department_ids)
    if not principal.is_admin and len(led) >= 1:
        own = principal.person.department_id
        values["department_id"] = own if own in principal.led_department_ids else led[0]
    return _form_page(request, session, principal, risk=None, values=values)


@router.post("/risks/new", dependencies=[Permission("risk.create")])
def risk_create(
    request: Request, session: SessionDep, principal: CurrentUser, values: FormValues
) -> Response:
    return submit(
        request, values, RiskForm,
        lambda data: service.create_risk(
            session=session, principal=principal, data=data, today=today()
        ),
        again=lambda errors: _form_page(
            request, session, principal, risk=None, values=values, errors=errors
        ),
        done=lambda risk: f"/risks/{risk.id}",
        message=_("Risikoen er registrert."),
    )  # fmt: skip


@router.get("/risks/{risk_id:int}/edit", dependencies=[Permission("risk.edit")])
def risk_edit(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep
) -> Response:
    risk, access = found
    return _form_page(request, session, principal, risk=risk, values=service.form_values_of(risk))


@router.post("/risks/{risk_id:int}/edit", dependencies=[Permission("risk.edit")])
def risk_update(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: RiskDep,
    values: FormValues,
) -> Response:
    risk, access = found

    def conflict(exc: EditConflict) -> Response:
        """The form again with what was typed, next to what was saved meanwhile."""
        session.refresh(risk)
        conflict = service.changes_since(session=session, risk=risk, values=values)
        return _form_page(
            request, session, principal, risk=risk,
            values={**values, "version": risk.version},
            conflict=conflict, message=exc.message, status_code=409,
        )  # fmt: skip

    return submit(
        request, values, RiskEditForm,
        lambda data: service.update_risk(
            session=session, principal=principal, access=access, risk=risk, data=data,
            today=today(),
        ),
        again=lambda errors: _form_page(
            request, session, principal, risk=risk, values=values, errors=errors
        ),
        conflict=conflict,
        refused=lambda exc: _form_page(
            request, session, principal, risk=risk, values=values, message=exc.message,
            status_code=409,
        ),
        done=f"/risks/{risk.id}",
        message=_("Endringene er lagret."),
    )  # fmt: skip


# --- the risk's page ----------------------------------------------------------------------


def _detail(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    risk: Risk,
    access: Access,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    day = today()
    owner_search = picker_search(request, "owner_person_id")
    measures = service.measures_of(session=session, risk=risk)
    names = organisation.person_names(
        session=session,
        person_ids={risk.owner_person_id, *(m.owner_person_id for m in measures)},
    )
    manage_open = access.manage and risk.archived_on is None
    return render(
        request,
        "risks/detail.html",
        status_code=status_code,
        risk=risk,
        access=access,
        department=organisation.get_department(session=session, department_id=risk.department_id),
        routines=service.linked_routines(session=session, risk_ids=[risk.id], today=day).get(  # type: ignore[list-item]
            risk.id,
            [],
        ),
        routine_choices=(
            service.routine_choices(session=session, risk=risk, today=day) if manage_open else []
        ),
        measures=measures,
        names=names,
        people=(
            organisation.person_choices(
                session=session,
                today=day,
                search=owner_search,
                department_ids=[risk.department_id],
                include=[parse_id((values or {}).get("owner_person_id")), risk.owner_person_id],
            )
            if manage_open
            else []
        ),
        owner_search=owner_search,
        field_labels=service.field_labels(),  # the error summaries name the field
        assessment_due=service.risk_assessment_due(risk.last_assessed_on),
        assessment_overdue=service.is_assessment_overdue(risk.last_assessed_on, day),
        open_form=form,
        values=values or {},
        errors=errors or {},
        message=message,
        today=day,
        **helpers(),
    )


@router.get("/risks/{risk_id:int}", dependencies=[Permission("risk.view")])
def risk_detail(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep
) -> Response:
    risk, access = found
    # A person picker's search without htmx opens the form it belongs to.
    form = "action" if picker_search(request, "owner_person_id") else None
    return _detail(request, session, principal, risk, access, form=form)


@dataclass
class _RiskPage:
    """The risk's page again after a form on it was refused: that form open, with what was
    typed and why (422), or the refusal on top (409; after an edit conflict, the risk as
    it is now). `again`, `conflict` and `refused` are submit()'s answers."""

    request: Request
    session: SessionDep
    principal: CurrentUser
    found: tuple[Risk, Access]
    form: str
    values: dict[str, Any]

    def _page(self, **context: Any) -> Response:
        risk, access = self.found
        return _detail(
            self.request, self.session, self.principal, risk, access,
            form=self.form, values=self.values, **context,
        )  # fmt: skip

    def again(self, errors: dict[str, str]) -> Response:
        return self._page(errors=errors)

    def conflict(self, exc: EditConflict) -> Response:
        self.session.refresh(self.found[0])
        return self._page(message=exc.message, status_code=409)

    def refused(self, exc: TransitionRefused) -> Response:
        return self._page(message=exc.message, status_code=409)


@router.post("/risks/{risk_id:int}/assessed", dependencies=[Permission("risk.assess")])
def risk_assessed(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    values: FormValues,
) -> Response:  # fmt: skip
    risk, access = found
    page = _RiskPage(request, session, principal, found, "assessed", values)
    return submit(
        request, values, VersionForm,
        lambda data: service.mark_assessed(
            session=session, access=access, risk=risk, version=data.version, today=today()
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/risks/{risk.id}",
        message=_("Risikoen er merket som vurdert i dag."),
    )  # fmt: skip


@router.post("/risks/{risk_id:int}/archive", dependencies=[Permission("risk.archive")])
def risk_archive(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    values: FormValues,
) -> Response:  # fmt: skip
    risk, access = found
    page = _RiskPage(request, session, principal, found, "archive", values)
    return submit(
        request, values, ArchiveForm,
        lambda data: service.archive_risk(
            session=session, access=access, risk=risk, data=data, today=today()
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/risks/{risk.id}",
        message=_("Risikoen er arkivert."),
    )  # fmt: skip


@router.post("/risks/{risk_id:int}/routines", dependencies=[Permission("risk.link_routine")])
def routine_link(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    values: FormValues,
) -> Response:  # fmt: skip
    risk, access = found
    page = _RiskPage(request, session, principal, found, "routine", values)
    return submit(
        request, values, RoutineLinkForm,
        lambda data: service.link_routine(
            session=session, access=access, risk=risk, routine_id=data.routine_id, today=today()
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/risks/{risk.id}#routines",
        message=_("Rutinen er koblet til risikoen."),
    )  # fmt: skip


@router.post(
    "/risks/{risk_id:int}/routines/{routine_id:int}/unlink",
    dependencies=[Permission("risk.unlink_routine")],
)
def routine_unlink(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    routine_id: int,
) -> Response:  # fmt: skip
    risk, access = found
    try:
        service.unlink_routine(session=session, access=access, risk=risk, routine_id=routine_id)
    except TransitionRefused as exc:
        return _RiskPage(request, session, principal, found, "routine", {}).refused(exc)
    flash(request, _("Rutinen er koblet fra risikoen."))
    return redirect(request, f"/risks/{risk.id}#routines")


# --- planned measures ---------------------------------------------------------------------


@router.post("/risks/{risk_id:int}/measures", dependencies=[Permission("risk.add_measure")])
def measure_create(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    values: FormValues,
) -> Response:  # fmt: skip
    risk, access = found
    page = _RiskPage(request, session, principal, found, "action", values)
    return submit(
        request, values, ActionForm,
        lambda data: service.add_measure(
            session=session, access=access, risk=risk, data=data, today=today()
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/risks/{risk.id}#actions",
        message=_("Tiltaket er lagt til."),
    )  # fmt: skip


@router.post(
    "/risks/{risk_id:int}/measures/{action_id:int}/done",
    dependencies=[Permission("risk.complete_measure")],
)
def measure_done(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    action_id: int, values: FormValues,
) -> Response:  # fmt: skip
    risk, access = found
    action = service.get_measure(session=session, risk=risk, action_id=action_id)
    page = _RiskPage(request, session, principal, found, f"done-{action_id}", values)
    return submit(
        request, values, ActionDoneForm,
        lambda data: service.complete_measure(
            session=session, access=access, principal=principal, action=action, data=data,
            today=today(),
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/risks/{risk.id}#actions",
        message=_("Tiltaket er merket som utført."),
    )  # fmt: skip


@router.post(
    "/risks/{risk_id:int}/measures/{action_id:int}/withdraw",
    dependencies=[Permission("risk.withdraw_measure")],
)
def measure_withdraw(
    request: Request, session: SessionDep, principal: CurrentUser, found: RiskDep,
    action_id: int, values: FormValues,
) -> Response:  # fmt: skip
    risk, access = found
    action = service.get_measure(session=session, risk=risk, action_id=action_id)
    page = _RiskPage(request, session, principal, found, f"withdraw-{action_id}", values)
    return submit(
        request, values, WithdrawForm,
        lambda data: service.withdraw_measure(
            session=session, access=access, action=action, reason=data.reason
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/risks/{risk.id}#actions",
        message=_("Tiltaket er trukket tilbake."),
    )  # fmt: skip
