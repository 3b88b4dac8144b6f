"""Deviation pages for logged-in people: report (/deviations/new), the case page with its
handling forms, attachments. The list and its export, the statistics and the anonymous
report have their own modules.

Routes parse and render; the rules are in service.py. Each handling form posts the version
it was opened on, so a second save over someone else's is refused with what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from hms_tracker.db import SessionDep, utcnow
from hms_tracker.deviations import breaches, service
from hms_tracker.deviations import uploads as checks
from hms_tracker.deviations.access import Access, DeviationDep
from hms_tracker.deviations.forms import (
    ActionDoneForm,
    ActionForm,
    AssignForm,
    CloseForm,
    CommentForm,
    EditForm,
    NotificationForm,
    ReasonForm,
    ReportForm,
    WithdrawForm,
    category_label,
    category_options,
    effect_label,
    effect_options,
    files_were_chosen,
    status_tag,
)
from hms_tracker.deviations.models import Deviation, DeviationComment
from hms_tracker.deviations.timeline import timeline_for
from hms_tracker.errors import EditConflict, Forbidden, InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation import service as organisation
from hms_tracker.risk import (
    consequence_label,
    consequence_options,
    probability_label,
    probability_options,
    risk_level,
)
from hms_tracker.web import once
from hms_tracker.web.auth import CurrentUser, Permission
from hms_tracker.web.dates import today
from hms_tracker.web.forms import FormValues, parse_form
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import OSLO, _, format_number
from hms_tracker.web.params import parse_id, picker_search
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()


def helpers() -> dict[str, Any]:
    """Labels the deviation templates use (shared with the list and the receipt page)."""
    return {
        "status_tag": status_tag,
        "category_label": category_label,
        "effect_label": effect_label,
        "risk_level": risk_level,
        "consequence_label": consequence_label,
        "probability_label": probability_label,
        "local_input": local_input,
    }


def local_input(value: datetime | None) -> str:
    """A stored time as the value of an <input type="datetime-local"> in Norwegian time."""
    if value is None:
        return ""
    return value.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")


# --- reading the report form (shared with the anonymous /report) ---------------------------


class Uploads:
    """The files of a form, checked; `error` is a message for the form when one was refused."""

    def __init__(self) -> None:
        self.files: list[checks.CheckedUpload] = []
        self.error: str | None = None
        self.too_large = False

    def with_error(self, errors: dict[str, str]) -> dict[str, str]:
        """The form's errors, and the files' when one was refused."""
        return {**errors, "files": self.error} if self.error else dict(errors)


def read_uploads(
    request: Request, values: dict[str, Any], name: str = "files", *, already_attached: int = 0
) -> Uploads:
    """The files of the form field `name`, read up to the size limit and checked."""
    result = Uploads()
    raw = values.get(name)
    items = raw if isinstance(raw, list) else [raw]
    max_bytes = request.app.state.settings.upload_max_bytes
    chosen = []
    for upload in items:
        if not isinstance(upload, UploadFile):
            continue
        try:
            chosen.append((checks.read_limited(upload.file, max_bytes), upload.filename))
        finally:
            upload.file.close()
    settings = request.app.state.settings
    checked = checks.check_attachments(
        chosen,
        max_bytes=max_bytes,
        max_pixels=settings.upload_max_pixels,
        request_max_pixels=settings.upload_request_max_pixels,
        already_attached=already_attached,
    )
    result.files = checked.accepted
    result.too_large = checked.too_large
    if checked.errors:
        result.error = " ".join(checked.errors)
    return result


def without_files(values: dict[str, Any], name: str = "files") -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != name}


def report_form_context(request: Request, session: SessionDep) -> dict[str, Any]:
    max_bytes = request.app.state.settings.upload_max_bytes
    return {
        "departments": organisation.department_options(session=session),
        "categories": category_options(),
        "consequences": consequence_options(),
        "probabilities": probability_options(),
        "accept": checks.ACCEPT,
        "max_mb": format_number(checks.megabytes(max_bytes)),
        "max_files": checks.MAX_ATTACHMENTS_PER_REPORT,
        "routines": breaches.routine_options(session=session),
        "max_total_mb": format_number(
            checks.megabytes(request.app.state.settings.upload_request_max_bytes)
        ),
        **helpers(),
    }


def report_defaults(department: str | None = None) -> dict[str, Any]:
    now = utcnow().astimezone(OSLO)
    values: dict[str, Any] = {"occurred_at": now.strftime("%Y-%m-%dT%H:%M")}
    if parse_id(department) is not None:
        values["department_id"] = department
    return values


# --- report -------------------------------------------------------------------------------


def _report_page(
    request: Request,
    session: SessionDep,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    files_chosen: bool = False,
) -> Response:
    return render(
        request,
        "deviations/new.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        files_chosen=files_chosen,
        **report_form_context(request, session),
    )


@router.get("/deviations/new", dependencies=[Permission("deviation.report")])
def report_new(
    request: Request, session: SessionDep, principal: CurrentUser, department: str | None = None
) -> Response:
    values = report_defaults(department)
    if "department_id" not in values and principal.person.department_id:
        values["department_id"] = str(principal.person.department_id)
    return _report_page(request, session, values=values)


@router.post("/deviations/new", dependencies=[Permission("deviation.report")])
def report_create(
    request: Request, session: SessionDep, principal: CurrentUser, values: FormValues
) -> Response:
    if (answer := once.earlier(request, session, values)) is not None:
        return answer  # sent twice: the first sending's case
    files = read_uploads(request, values)
    typed = without_files(values)
    try:
        data = parse_form(ReportForm, typed)
        if files.error:
            raise InvalidInput({"files": files.error})
        deviation, _receipt = service.create_deviation(
            session=session, data=data, reporter=principal.person, attachments=files.files
        )
    except InvalidInput as exc:
        errors = files.with_error(exc.errors)
        return _report_page(
            request,
            session,
            values=typed,
            errors=errors,
            files_chosen=files_were_chosen(values),
            status_code=413 if files.too_large and len(errors) == 1 else 422,
        )
    flash(
        request,
        _("Takk! Avviket er registrert med nummer %(id)s.", id=deviation.id),
    )
    once.saved(session, values, f"/deviations/{deviation.id}")
    return redirect(request, f"/deviations/{deviation.id}")


# --- the case page ------------------------------------------------------------------------


def _detail(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    deviation: Deviation,
    access: Access,
    *,
    form: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    status_code: int = 200,
    search: dict[str, str] | None = None,
) -> Response:
    day = today()
    actions = (
        service.actions_of(session=session, deviation=deviation)
        if access.internal or access.review
        else []
    )
    comments = service.comments_of(
        session=session, deviation=deviation, reporter_view=not access.internal
    )
    # Withdrawn files too, once: the history names them; the page lists the others.
    every_attachment = service.attachments_of(
        session=session, deviation=deviation, include_withdrawn=True
    )
    attachments = [a for a in every_attachment if a.withdrawn_at is None]
    if not access.internal:
        attachments = [
            a for a in attachments if service.reporter_may_see(session=session, attachment=a)
        ]
    people = {
        deviation.reporter_person_id,
        deviation.responsible_person_id,
        deviation.closed_by_person_id,
        deviation.notified_by_person_id,
        *(a.owner_person_id for a in actions),
        *(c.author_person_id for c in comments),
    }
    if access.review:  # the AMU does not learn who reported it, not even by another role
        people.discard(deviation.reporter_person_id)
    names = organisation.person_names(session=session, person_ids=people)
    department = organisation.get_department(session=session, department_id=deviation.department_id)
    search = search or {}
    values = values or {}

    picked: dict[tuple[str, tuple[int | None, ...]], list[tuple[int, str]]] = {}

    def choices(field: str, *current: Any) -> list[tuple[int, str]]:
        """A picker's people; the two pickers share one read when they offer the same."""
        if not access.work:
            return []
        asked = (search.get(field, ""), tuple(parse_id(c) for c in current))
        if asked not in picked:
            picked[asked] = organisation.person_choices(
                session=session,
                today=day,
                search=asked[0],
                department_ids=[deviation.department_id],
                include=list(asked[1]),
            )
        return picked[asked]

    return render(
        request,
        "deviations/detail.html",
        status_code=status_code,
        deviation=deviation,
        access=access,
        department=department,
        actions=actions,
        comments=comments,
        attachments=attachments,
        names=names,
        responsible_choices=choices(
            "responsible_person_id",
            values.get("responsible_person_id"),
            deviation.responsible_person_id,
            principal.person_id,
        ),
        owner_choices=choices(
            "owner_person_id",
            values.get("owner_person_id"),
            deviation.responsible_person_id,
            principal.person_id,
        ),
        search=search,
        timeline=timeline_for(
            session=session,
            deviation=deviation,
            internal=access.internal,
            # The internal view has every action and comment loaded (withdrawn ones too).
            parts=[*actions, *comments, *every_attachment] if access.internal else None,
            known_names=names,
        ),
        # The reporter's view of a closed case: the summary, the actions done, the effect.
        outcome=None
        if access.internal or access.review
        else service.reporter_outcome(session=session, deviation=deviation),
        broken_routine=breaches.routine_title(session=session, routine_id=deviation.routine_id),
        open_form=form,
        values=values,
        errors=errors or {},
        message=message,
        conflict=conflict,
        effects=effect_options(),
        field_labels=field_labels(),  # the error summaries name the field
        today=day,
        now_local=local_input(utcnow()),
        **helpers(),
    )


# The person pickers on the case page: the form each one is in.
PICKERS = {"responsible_person_id": "assign", "owner_person_id": "action"}


@router.get("/deviations/{deviation_id:int}", dependencies=[Permission("deviation.view")])
def deviation_detail(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
) -> Response:
    """The case page. `pick_<field>`: a person picker's search without htmx (the page
    comes back with that form open and the people found)."""
    deviation, access = found
    search = {field: text for field in PICKERS if (text := picker_search(request, field))}
    form = PICKERS[next(iter(search))] if search and access.work else None
    return _detail(request, session, principal, deviation, access, form=form, search=search)


@router.get(
    "/deviations/{deviation_id:int}/people", dependencies=[Permission("deviation.choose_person")]
)
def deviation_people(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    field: str = "",
    selected: str | None = None,
) -> Response:
    """A person picker's options for what is typed (htmx): the people employed today whose
    name or e-mail holds it, the selected one kept."""
    deviation, _access = found
    if field not in PICKERS:
        raise NotFound()
    return render(
        request,
        "components/person_options.html",
        options=organisation.person_choices(
            session=session,
            today=today(),
            search=picker_search(request, field),
            department_ids=[deviation.department_id],
            include=[parse_id(selected)],
        ),
        value=selected,
    )


@dataclass
class _CasePage:
    """The case page again after a handling form was refused: that form open, with what was
    typed and why. `again`, `conflict` and `refused` are submit()'s answers."""

    request: Request
    session: SessionDep
    principal: CurrentUser
    deviation: Deviation
    access: Access
    form: str
    values: dict[str, Any]

    def _page(self, **context: Any) -> Response:
        return _detail(
            self.request, self.session, self.principal, self.deviation, self.access,
            form=self.form, values=self.values, **context,
        )  # fmt: skip

    def again(self, errors: dict[str, str]) -> Response:
        return self._page(errors=errors, status_code=422)

    def conflict(self, exc: EditConflict) -> Response:
        """Someone saved in between: what they changed next to what was typed."""
        self.session.refresh(self.deviation)
        return self._page(
            message=exc.message, conflict=changes_since(self.deviation, self.values),
            status_code=409,
        )  # fmt: skip

    def refused(self, exc: TransitionRefused | EditConflict) -> Response:
        return self._page(message=exc.message, status_code=409)


def merge_edit(yours: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """The edit form after a conflict: a field you did not touch (your value is the one the
    form was opened with, `orig_<field>`) takes the saved value, so saving again does not
    undo someone else's change; a field you changed keeps your value. The new base is the
    saved version."""
    merged: dict[str, Any] = {}
    for name in service.EDITABLE_FIELDS:
        mine = yours.get(name, "")
        original = yours.get(f"orig_{name}")
        untouched = original is not None and str(mine or "") == str(original or "")
        merged[name] = saved.get(name, "") if untouched else mine
        merged[f"orig_{name}"] = saved.get(name, "")
    merged["version"] = saved["version"]
    return merged


def changes_since(
    deviation: Deviation, values: dict[str, Any], *, with_status: bool = True
) -> list[tuple[str, str, str]]:
    """(field, saved value, your value) for the fields where the saved deviation differs
    from what the form sent: what someone else changed, or what is still yours to save."""
    labels = field_labels()
    saved = {
        "title": deviation.title,
        "description": deviation.description,
        "place": deviation.place or "",
        "category": category_label(deviation.category),
        "consequence": str(deviation.consequence),
        "probability": str(deviation.probability),
        "immediate_action": deviation.immediate_action or "",
        "responsible_person_id": str(deviation.responsible_person_id or ""),
        "deadline": deviation.deadline.isoformat() if deviation.deadline else "",
        "status": status_tag(deviation.status)[0],
    }
    yours = dict(values)
    if "category" in yours:
        yours["category"] = category_label(str(yours["category"]))
    rows = []
    for name, saved_value in saved.items():
        if name in yours and str(yours[name] or "").strip() != str(saved_value).strip():
            rows.append((labels.get(name, name), str(saved_value), str(yours[name] or "")))
    if with_status and "status" not in yours:
        rows.append((labels["status"], saved["status"], ""))
    return rows


def field_labels() -> dict[str, str]:
    return {
        "title": _("Hva skjedde (kort)"),
        "description": _("Beskrivelse"),
        "department_id": _("Avdeling"),
        "place": _("Sted"),
        "occurred_at": _("Når skjedde det"),
        "category": _("Kategori"),
        "consequence": _("Konsekvens"),
        "probability": _("Sannsynlighet"),
        "immediate_action": _("Strakstiltak"),
        "serious_injury": _("Alvorlig personskade"),
        "caused_absence": _("Førte til fravær"),
        "responsible_person_id": _("Ansvarlig"),
        "deadline": _("Frist"),
        "status": _("Status"),
        "reason": _("Begrunnelse"),
        "root_cause": _("Årsak"),
        "actions_effect": _("Virket tiltakene?"),
        "closing_note": _("Merknad ved lukking"),
        "reporter_summary": _("Oppsummering til melderen"),
        "notified_at": _("Varslet"),
        "notification_note": _("Merknad om varslingen"),
        "owner_person_id": _("Eier"),
        "done_on": _("Utført dato"),
        "done_note": _("Merknad"),
        "body": _("Kommentar"),
        "files": _("Vedlegg"),
    }


@router.post("/deviations/{deviation_id:int}/assign", dependencies=[Permission("deviation.assign")])
def deviation_assign(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    page = _CasePage(request, session, principal, deviation, access, "assign", values)
    return submit(
        request, values, AssignForm,
        lambda data: service.assign(
            session=session, access=access, deviation=deviation, data=data, today=today(),
            by_person_id=principal.person_id,
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/deviations/{deviation.id}",
        message=_("Avviket er tildelt."),
    )  # fmt: skip


@router.post("/deviations/{deviation_id:int}/reject", dependencies=[Permission("deviation.reject")])
def deviation_reject(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    page = _CasePage(request, session, principal, deviation, access, "reject", values)
    return submit(
        request, values, ReasonForm,
        lambda data: service.reject(
            session=session, access=access, deviation=deviation, data=data
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/deviations/{deviation.id}",
        message=_("Avviket er avvist."),
    )  # fmt: skip


@router.post("/deviations/{deviation_id:int}/close", dependencies=[Permission("deviation.close")])
def deviation_close(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    page = _CasePage(request, session, principal, deviation, access, "close", values)
    return submit(
        request, values, CloseForm,
        lambda data: service.close(
            session=session, access=access, deviation=deviation, data=data,
            closed_by=principal.person_id,
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/deviations/{deviation.id}",
        message=_("Avviket er lukket."),
    )  # fmt: skip


@router.post("/deviations/{deviation_id:int}/reopen", dependencies=[Permission("deviation.reopen")])
def deviation_reopen(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    page = _CasePage(request, session, principal, deviation, access, "reopen", values)
    return submit(
        request, values, ReasonForm,
        lambda data: service.reopen(
            session=session, access=access, deviation=deviation, data=data
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/deviations/{deviation.id}",
        message=_("Avviket er gjenåpnet."),
    )  # fmt: skip


@router.post(
    "/deviations/{deviation_id:int}/notified", dependencies=[Permission("deviation.notify")]
)
def deviation_notified(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    page = _CasePage(request, session, principal, deviation, access, "notified", values)
    return submit(
        request, values, NotificationForm,
        lambda data: service.record_notification(
            session=session, access=access, deviation=deviation, data=data,
            person_id=principal.person_id,
        ),
        again=page.again, conflict=page.conflict, refused=page.refused,
        done=f"/deviations/{deviation.id}",
        message=_("Varslingen til Arbeidstilsynet og politiet er registrert."),
    )  # fmt: skip


# --- edit ---------------------------------------------------------------------------------


def _edit_page(
    request: Request,
    session: SessionDep,
    deviation: Deviation,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    conflict: list[tuple[str, str, str]] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    context = report_form_context(request, session)
    context["departments"] = organisation.department_options(
        session=session, include_ids=[deviation.department_id]
    )
    context["routines"] = breaches.routine_options(session=session, include_id=deviation.routine_id)
    return render(
        request,
        "deviations/edit.html",
        status_code=status_code,
        deviation=deviation,
        editable_fields=service.EDITABLE_FIELDS,
        values=values,
        errors=errors or {},
        conflict=conflict,
        message=message,
        **context,
    )


def _edit_values(deviation: Deviation) -> dict[str, Any]:
    values = {k: v for k, v in service.form_values_of(deviation).items()}
    values["occurred_at"] = local_input(deviation.occurred_at)
    values["serious_injury"] = "true" if deviation.serious_injury else ""
    values["caused_absence"] = (
        "" if deviation.caused_absence is None else ("yes" if deviation.caused_absence else "no")
    )
    values["version"] = deviation.version
    return values


@router.get("/deviations/{deviation_id:int}/edit", dependencies=[Permission("deviation.edit")])
def deviation_edit(
    request: Request, session: SessionDep, principal: CurrentUser, found: DeviationDep
) -> Response:
    deviation, access = found
    return _edit_page(request, session, deviation, values=_edit_values(deviation))


@router.post("/deviations/{deviation_id:int}/edit", dependencies=[Permission("deviation.edit")])
def deviation_update(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found

    def conflict(exc: EditConflict) -> Response:
        """Someone saved in between: the form again on their version, keeping what you
        changed, with what they changed next to it."""
        session.refresh(deviation)
        return _edit_page(
            request, session, deviation,
            values=merge_edit(values, _edit_values(deviation)),
            conflict=changes_since(deviation, values, with_status=False),
            message=exc.message, status_code=409,
        )  # fmt: skip

    return submit(
        request, values, EditForm,
        lambda data: service.update_deviation(
            session=session, access=access, deviation=deviation, data=data
        ),
        again=lambda errors: _edit_page(
            request, session, deviation, values=values, errors=errors, status_code=422
        ),
        conflict=conflict,
        refused=lambda exc: _edit_page(
            request, session, deviation, values=values, message=exc.message, status_code=409
        ),
        done=f"/deviations/{deviation.id}",
        message=_("Endringene er lagret."),
    )  # fmt: skip


# --- actions ------------------------------------------------------------------------------


@router.post(
    "/deviations/{deviation_id:int}/actions", dependencies=[Permission("deviation.add_action")]
)
def action_create(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    page = _CasePage(request, session, principal, deviation, access, "action", values)
    return submit(
        request, values, ActionForm,
        lambda data: service.add_action(
            session=session, access=access, deviation=deviation, data=data, today=today()
        ),
        again=page.again, refused=page.refused,
        done=f"/deviations/{deviation.id}#actions",
        message=_("Tiltaket er lagt til."),
        once=session,
    )  # fmt: skip


@router.post(
    "/deviations/{deviation_id:int}/actions/{action_id:int}/done",
    dependencies=[Permission("deviation.action_done")],
)
def action_done(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    action_id: int,
    values: FormValues,
) -> Response:
    deviation, access = found
    action = service.get_action(session=session, deviation=deviation, action_id=action_id)
    page = _CasePage(request, session, principal, deviation, access, f"done-{action_id}", values)
    return submit(
        request, values, ActionDoneForm,
        lambda data: service.complete_action(
            session=session, access=access, principal=principal, deviation=deviation,
            action=action, data=data, today=today(),
        ),
        # A conflict on an action is told like a refusal: the deviation's fields did not change.
        again=page.again, conflict=page.refused, refused=page.refused,
        done=f"/deviations/{deviation.id}#actions",
        message=_("Tiltaket er merket som utført."),
    )  # fmt: skip


@router.post(
    "/deviations/{deviation_id:int}/actions/{action_id:int}/withdraw",
    dependencies=[Permission("deviation.action_withdraw")],
)
def action_withdraw(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    action_id: int,
    values: FormValues,
) -> Response:
    deviation, access = found
    action = service.get_action(session=session, deviation=deviation, action_id=action_id)
    page = _CasePage(
        request, session, principal, deviation, access, f"withdraw-{action_id}", values
    )
    return submit(
        request, values, WithdrawForm,
        lambda data: service.withdraw_action(
            session=session, access=access, action=action, reason=data.reason
        ),
        again=page.again, refused=page.refused,
        done=f"/deviations/{deviation.id}#actions",
        message=_("Tiltaket er trukket tilbake."),
    )  # fmt: skip


# --- comments and attachments -----------------------------------------------------------


@router.post(
    "/deviations/{deviation_id:int}/comments", dependencies=[Permission("deviation.comment")]
)
def comment_create(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    values: FormValues,
) -> Response:
    deviation, access = found
    files = read_uploads(request, values)
    typed = without_files(values)
    page = _CasePage(request, session, principal, deviation, access, "comment", typed)

    def save(data: CommentForm) -> None:
        if files.error:
            raise InvalidInput({"files": files.error})
        comment = service.add_comment(
            session=session,
            access=access,
            deviation=deviation,
            data=data,
            author_person_id=principal.person_id,
        )
        service.add_attachments(
            session=session,
            deviation=deviation,
            uploads=files.files,
            person_id=principal.person_id,
            from_reporter=access.reporter_only,
            comment_id=comment.id,
        )

    return submit(
        request, typed, CommentForm, save,
        again=lambda errors: page.again(files.with_error(errors)),
        done=f"/deviations/{deviation.id}#comments",
        message=_("Kommentaren er lagret."),
        once=session,
    )  # fmt: skip


@router.post(
    "/deviations/{deviation_id:int}/comments/{comment_id:int}/withdraw",
    dependencies=[Permission("deviation.comment_withdraw")],
)
def comment_withdraw(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    comment_id: int,
    values: FormValues,
) -> Response:
    deviation, access = found
    comment = session.get(DeviationComment, comment_id)
    if comment is None or comment.deviation_id != deviation.id:
        raise NotFound()
    page = _CasePage(
        request, session, principal, deviation, access, f"uncomment-{comment_id}", values
    )
    return submit(
        request, values, WithdrawForm,
        lambda data: service.withdraw_comment(
            session=session, access=access, principal=principal, comment=comment,
            reason=data.reason,
        ),
        again=page.again, refused=page.refused,
        done=f"/deviations/{deviation.id}#comments",
        message=_("Kommentaren er trukket tilbake."),
    )  # fmt: skip


@router.post(
    "/deviations/{deviation_id:int}/attachments/{attachment_id:int}/withdraw",
    dependencies=[Permission("deviation.attachment_withdraw")],
)
def attachment_withdraw(
    request: Request,
    session: SessionDep,
    principal: CurrentUser,
    found: DeviationDep,
    attachment_id: int,
    values: FormValues,
) -> Response:
    deviation, access = found
    row = service.get_attachment(session=session, deviation=deviation, attachment_id=attachment_id)
    page = _CasePage(
        request, session, principal, deviation, access, f"unattach-{attachment_id}", values
    )
    return submit(
        request, values, WithdrawForm,
        lambda data: service.withdraw_attachment(
            session=session, access=access, principal=principal, attachment=row,
            reason=data.reason,
        ),
        again=page.again, refused=page.refused,
        done=f"/deviations/{deviation.id}#attachments",
        message=_("Vedlegget er trukket tilbake. Det vises ikke lenger, men står i historikken."),
    )  # fmt: skip


def attachment_response(content: bytes, content_type: str, filename: str) -> Response:
    """The stored bytes, always as an attachment, sandboxed, with the detected type."""
    return Response(
        content=content,
        media_type=content_type,
        headers={
            "Content-Disposition": checks.content_disposition(filename),
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/deviations/{deviation_id:int}/attachments/{attachment_id:int}",
    dependencies=[Permission("deviation.attachment_download")],
)
def attachment_download(
    session: SessionDep, principal: CurrentUser, found: DeviationDep, attachment_id: int
) -> Response:
    deviation, access = found
    row = service.get_attachment(session=session, deviation=deviation, attachment_id=attachment_id)
    if not access.internal and not service.reporter_may_see(session=session, attachment=row):
        raise Forbidden()
    return attachment_response(row.content, row.content_type, row.filename)
