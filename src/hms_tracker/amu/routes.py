"""The AMU's pages: the open gaps (/amu) and the meetings (/amu/meetings, /amu/meetings/{id})."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from hms_tracker.amu import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.amu import documents, invitations, meetings, overview, report
from hms_tracker.amu.forms import DecisionForm, ItemForm, MeetingForm, MinutesForm
from hms_tracker.amu.models import AmuMeeting, ItemSource, MeetingStatus
from hms_tracker.compliance import service as compliance
from hms_tracker.compliance.presenter import SIDE_LABELS
from hms_tracker.db import SessionDep
from hms_tracker.deviations.forms import ActionDoneForm
from hms_tracker.deviations.service import mark_action_done
from hms_tracker.errors import EditConflict, InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation.service import person_choices, person_names
from hms_tracker.routines.access import readable_ids
from hms_tracker.web.auth import CurrentUser, Permission, can, ensure, ensure_route_action
from hms_tracker.web.dates import chosen_day, today
from hms_tracker.web.forms import FormValues, parse_form
from hms_tracker.web.handlers import submit
from hms_tracker.web.i18n import _, lazy, ngettext
from hms_tracker.web.params import parse_id, parse_int, picker_search
from hms_tracker.web.templating import company_name, flash, redirect, render

router = APIRouter()
VIEW = [Permission("amu.view")]
PREPARE = [Permission("amu.prepare")]
STATUS_LABELS = {
    MeetingStatus.planned.value: lazy("Planlagt"),
    MeetingStatus.held.value: lazy("Holdt"),
    MeetingStatus.cancelled.value: lazy("Avlyst"),
}
SOURCE_LABELS = {
    ItemSource.gap.value: lazy("Fra mangellisten"),
    ItemSource.carried.value: lazy("Videreført"),
    ItemSource.manual.value: lazy("Lagt til"),
}


def status_label(meeting: AmuMeeting) -> str:
    if meeting.is_locked:
        return _("Referat godkjent")
    return _(STATUS_LABELS[meeting.status])


def _number(value: Any) -> int:
    """A version or an id the page wrote into the form: anything else is not our form's."""
    found = parse_id(value)
    if found is None:
        raise HTTPException(400, detail=_("Skjemaet kunne ikke leses. Last siden på nytt."))
    return found


def _time(value: time) -> str:
    return f"{value:%H:%M}"


# --- the open gaps ----------------------------------------------------------------------


# A section lists its first ITEMS_SHOWN records; `?show=<section>` lists all of it.
ITEMS_SHOWN = 10


@router.get("/amu", dependencies=VIEW)
def amu_page(request: Request, session: SessionDep, principal: CurrentUser,
             on: str | None = None, show: str | None = None) -> Response:  # fmt: skip
    day, day_error = chosen_day(on)
    found = overview.overview(session=session, principal=principal, day=day)
    # A person or a routine the viewer may not open is named without a link.
    shown = [
        i for s in found.sections for i in (s.items if show == s.id else s.items[:ITEMS_SHOWN])
    ]
    if found.changes:
        shown += found.changes.new[:20]
    ids: dict[str, set[int]] = {"people": set(), "routines": set()}
    for item in shown:
        kind, _sep, rest = (item.url or "").strip("/").partition("/")
        if kind in ids and rest.isdigit():
            ids[kind].add(int(rest))
    openable = {
        "people": compliance.people_they_may_open(session, principal, ids["people"]),
        "routines": readable_ids(session=session, principal=principal, ids=ids["routines"]),
    }

    def may_open(url: str | None) -> bool:
        kind, _sep, rest = (url or "").strip("/").partition("/")
        return kind not in openable or not rest.isdigit() or int(rest) in openable[kind]

    return render(
        request,
        "amu/index.html",
        may_open=may_open,
        day=day,
        is_today=day == today(),
        day_error=day_error,
        view=found,
        time_text=_time,
        items_shown=ITEMS_SHOWN,
        show_all=show or "",
        all_url=lambda section: "/amu?" + urlencode({**({"on": on} if on else {}),
                                                     "show": section}),
    )  # fmt: skip


# --- meetings ---------------------------------------------------------------------------


def _meetings_page(
    request: Request,
    session: Session,
    *,
    year: int | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    day = today()
    years = meetings.meeting_years(session=session, today=day)
    chosen = year if year in years else day.year
    return render(
        request,
        "amu/meetings.html",
        year=chosen,
        years=years,
        found=meetings.list_meetings(session=session, year=chosen),
        status_label=status_label,
        time_text=_time,
        values=values or {"starts_at": "09:00", "ends_at": "11:00"},
        errors=errors or {},
        follow_ups=meetings.open_follow_ups(session=session),
        today=day,
    )


@router.get("/amu/meetings", dependencies=VIEW)
def meeting_list(request: Request, session: SessionDep, year: str | None = None) -> Response:
    return _meetings_page(request, session, year=parse_int(year, minimum=1900, maximum=2200))


@router.post("/amu/meetings", dependencies=PREPARE)
def meeting_plan(request: Request, session: SessionDep, values: FormValues) -> Response:
    day = today()

    def save(data: MeetingForm) -> AmuMeeting:
        proposals = overview.agenda_proposals(session=session, day=min(day, data.meets_on),
                                              meets_on=data.meets_on)  # fmt: skip
        return meetings.plan_meeting(session=session, data=data, today=day, proposals=proposals)

    return submit(
        request, values, MeetingForm, save,
        again=lambda errors: _meetings_page(request, session, values=values, errors=errors),
        done=lambda m: f"/amu/meetings/{m.id}",
        message=_("Møtet er planlagt, med forslag til saksliste."),
    )  # fmt: skip


def _meeting(session: Session, meeting_id: int) -> AmuMeeting:
    return meetings.get_meeting(session=session, meeting_id=meeting_id)


def _meeting_page(
    request: Request,
    session: Session,
    meeting: AmuMeeting,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    principal = request.state.principal
    day = today()
    called = meetings.called_to(session=session, meeting=meeting)
    items = meetings.agenda_of(session=session, meeting=meeting)
    decisions = meetings.decisions_of(session=session, item_ids=[i.id for i in items if i.id])
    chair = meetings.chair_on(session=session, day=meeting.meets_on)
    member_ids = [c.attendance.appointment_id for c in called]
    typed = typed or {}
    decision_typed = typed.get("decision", {})
    search = picker_search(request, "owner_person_id")
    return render(
        request,
        "amu/meeting.html",
        status_code=status_code,
        meeting=meeting,
        called=called,
        quorum=meetings.quorum(called),
        items=items,
        decisions=decisions,
        chair_name=next((c.name for c in called if c.person_id == chair.person_id), "")
        if chair.person_id
        else "",
        may_prepare=can(principal, "amu.prepare")
        and not meeting.is_locked
        and meeting.status != MeetingStatus.cancelled.value,
        may_approve=can(principal, "amu.approve", chair)
        and meeting.status == "held"
        and not meeting.is_locked,
        may_hold=meetings.may_be_held(meeting, day),
        status_label=status_label,
        source_label=lambda s: _(SOURCE_LABELS.get(s, SOURCE_LABELS["manual"])),
        side_label=lambda s: _(SIDE_LABELS[s]) if s in SIDE_LABELS else "",
        time_text=_time,
        errors=errors or {},
        typed=typed,
        owner_choices=person_choices(
            session=session,
            today=day,
            search=search,
            department_ids=[],
            include=[
                parse_id(decision_typed.get("owner_person_id")),
                *(c.person_id for c in called),
            ],
        ),  # fmt: skip
        owner_search=search,
        today=day,
        member_count=len(member_ids),
        agenda_days=request.app.state.settings.amu_agenda_days,
    )


@router.get("/amu/meetings/{meeting_id:int}", dependencies=VIEW)
def meeting_detail(request: Request, session: SessionDep, meeting_id: int) -> Response:
    return _meeting_page(request, session, _meeting(session, meeting_id))


@router.get("/amu/meetings/{meeting_id:int}/people", dependencies=PREPARE)
def meeting_people(
    request: Request, session: SessionDep, meeting_id: int, field: str = "",
    selected: str | None = None,
) -> Response:  # fmt: skip
    """The decision form's owner picker: the people employed today whose name or e-mail
    holds what is typed (htmx)."""
    _meeting(session, meeting_id)
    if field != "owner_person_id":
        raise NotFound()
    return render(
        request,
        "components/person_options.html",
        options=person_choices(session=session, today=today(),
                               search=picker_search(request, field), include=[parse_id(selected)]),
        value=selected,
    )  # fmt: skip


def _again(request: Request, session: Session, meeting: AmuMeeting, form: str,
           values: dict[str, Any]) -> Any:  # fmt: skip
    def page(errors: dict[str, str]) -> Response:
        return _meeting_page(request, session, meeting,
                             errors={f"{form}.{k}": v for k, v in errors.items()},
                             typed={form: values}, status_code=422)  # fmt: skip

    return page


def _refused(request: Request, session: Session, meeting: AmuMeeting) -> Any:
    def page(exc: TransitionRefused | EditConflict) -> Response:
        session.rollback()
        flash(request, exc.message, "danger")
        return redirect(request, f"/amu/meetings/{meeting.id}")

    return page


def _step(request: Request, session: Session, meeting: AmuMeeting, change: Callable[[], object],
          message: str | None, anchor: str = "") -> Response:  # fmt: skip
    """One step on a meeting (a button, no fields to type): done, with a message, or
    refused (locked, cancelled, changed meanwhile) with why; back to the meeting."""
    try:
        change()
    except (TransitionRefused, EditConflict) as exc:
        return _refused(request, session, meeting)(exc)
    if message:
        flash(request, message)
    return redirect(request, f"/amu/meetings/{meeting.id}{anchor}")


@router.post("/amu/meetings/{meeting_id:int}/edit", dependencies=PREPARE)
def meeting_edit(request: Request, session: SessionDep, meeting_id: int,
                 values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    version = _number(values.get("version"))
    return submit(
        request, values, MeetingForm,
        lambda data: meetings.update_meeting(session=session, meeting=meeting, data=data,
                                             version=version, today=today()),
        again=_again(request, session, meeting, "meeting", values),
        done=f"/amu/meetings/{meeting.id}", message=_("Møtet er endret."),
        conflict=_refused(request, session, meeting), refused=_refused(request, session, meeting),
    )  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/items", dependencies=PREPARE)
def item_add(request: Request, session: SessionDep, meeting_id: int,
             values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    return submit(
        request, values, ItemForm,
        lambda data: meetings.add_item(session=session, meeting=meeting, data=data),
        again=_again(request, session, meeting, "item", values),
        done=lambda item: f"/amu/meetings/{meeting.id}#item-{item.id}",
        message=_("Saken er lagt til."),
        refused=_refused(request, session, meeting),
    )  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/items/{item_id:int}/edit", dependencies=PREPARE)
def item_edit(request: Request, session: SessionDep, meeting_id: int, item_id: int,
              values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    item = meetings.get_item(session=session, meeting=meeting, item_id=item_id)
    version = _number(values.get("version"))
    return submit(
        request, values, ItemForm,
        lambda data: meetings.edit_item(session=session, meeting=meeting, item=item, data=data,
                                        version=version),
        again=_again(request, session, meeting, f"edit-{item_id}", values),
        done=f"/amu/meetings/{meeting.id}#item-{item_id}", message=_("Saken er endret."),
        conflict=_refused(request, session, meeting), refused=_refused(request, session, meeting),
    )  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/items/{item_id:int}/move", dependencies=PREPARE)
def item_move(request: Request, session: SessionDep, meeting_id: int, item_id: int,
              values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    item = meetings.get_item(session=session, meeting=meeting, item_id=item_id)
    up = values.get("direction") != "down"
    return _step(request, session, meeting,
                 lambda: meetings.move_item(session=session, meeting=meeting, item=item, up=up),
                 None, f"#item-{item_id}")  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/items/{item_id:int}/remove", dependencies=PREPARE)
def item_remove(request: Request, session: SessionDep, meeting_id: int,
                item_id: int) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    item = meetings.get_item(session=session, meeting=meeting, item_id=item_id)
    return _step(request, session, meeting,
                 lambda: meetings.remove_item(session=session, meeting=meeting, item=item),
                 _("Saken er tatt av sakslisten."), "#agenda")  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/attendance", dependencies=PREPARE)
def attendance(request: Request, session: SessionDep, meeting_id: int,
               values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    raw = values.get("attended_ids") or []
    present = {_number(v) for v in (raw if isinstance(raw, list) else [raw])}
    version = _number(values.get("version"))
    return _step(request, session, meeting,
                 lambda: meetings.record_attendance(session=session, meeting=meeting,
                                                    present=present, version=version),
                 _("Oppmøtet er lagret."), "#attendance")  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/items/{item_id:int}/minutes", dependencies=PREPARE)
def minutes(request: Request, session: SessionDep, meeting_id: int, item_id: int,
            values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    item = meetings.get_item(session=session, meeting=meeting, item_id=item_id)
    return submit(
        request, values, MinutesForm,
        lambda data: meetings.write_minutes(session=session, meeting=meeting, item=item, data=data),
        again=_again(request, session, meeting, f"minutes-{item_id}", values),
        done=f"/amu/meetings/{meeting.id}#item-{item_id}", message=_("Referatet er lagret."),
        conflict=_refused(request, session, meeting), refused=_refused(request, session, meeting),
    )  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/decisions", dependencies=PREPARE)
def decision_add(request: Request, session: SessionDep, meeting_id: int,
                 values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    again = _again(request, session, meeting, "decision", values)
    item_id = parse_id(values.get("item_id"))
    if item_id is None:
        return _with_status(again({"item_id": _("Velg saken vedtaket hører til.")}), 422)
    item = meetings.get_item(session=session, meeting=meeting, item_id=item_id)
    return submit(
        request, values, DecisionForm,
        lambda data: meetings.add_decision(session=session, meeting=meeting, item=item,
                                           data=data, today=today()),
        again=again, done=f"/amu/meetings/{meeting.id}#item-{item_id}",
        message=_("Vedtaket er ført."), refused=_refused(request, session, meeting),
    )  # fmt: skip


def _with_status(page: Response, status: int) -> Response:
    page.status_code = status
    return page


@router.post("/amu/meetings/{meeting_id:int}/held", dependencies=PREPARE)
def meeting_held(request: Request, session: SessionDep, meeting_id: int,
                 values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    version = _number(values.get("version"))
    items, _horizon, _next, _last = overview.gather(session=session, day=meeting.meets_on)
    return _step(request, session, meeting,
                 lambda: meetings.mark_held(session=session, meeting=meeting, version=version,
                                            gaps=overview.gap_keys(items), today=today()),
                 _("Møtet er ført som holdt. Før oppmøte, referat og vedtak."))  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/cancel", dependencies=PREPARE)
def meeting_cancel(request: Request, session: SessionDep, meeting_id: int,
                   values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    version = _number(values.get("version"))
    return _step(request, session, meeting,
                 lambda: meetings.cancel(session=session, meeting=meeting, version=version),
                 _("Møtet er avlyst."))  # fmt: skip


@router.post("/amu/meetings/{meeting_id:int}/approve", dependencies=VIEW)
def meeting_approve(request: Request, session: SessionDep, principal: CurrentUser,
                    meeting_id: int, values: FormValues) -> Response:  # fmt: skip
    meeting = _meeting(session, meeting_id)
    ensure(principal, "amu.approve", meetings.chair_on(session=session, day=meeting.meets_on))
    version = _number(values.get("version"))
    return _step(request, session, meeting,
                 lambda: meetings.approve(session=session, meeting=meeting, version=version,
                                          person_id=principal.person_id),
                 _("Referatet er godkjent og låst."))  # fmt: skip


def _meeting_url(request: Request, meeting: AmuMeeting) -> str:
    return f"{request.app.state.settings.base_url.rstrip('/')}/amu/meetings/{meeting.id}"


@router.post("/amu/meetings/{meeting_id:int}/send", dependencies=PREPARE)
def meeting_send(request: Request, session: SessionDep, meeting_id: int) -> Response:
    """E-mail the agenda with the calendar invitation now (again, after a change)."""
    meeting = _meeting(session, meeting_id)
    try:
        sent = invitations.send_agenda(
            session=session, meeting=meeting, url=_meeting_url(request, meeting)
        )
    except TransitionRefused as exc:
        return _refused(request, session, meeting)(exc)
    flash(
        request,
        ngettext(
            "Innkallingen er sendt til %(num)s medlem.",
            "Innkallingen er sendt til %(num)s medlemmer.",
            sent,
        ),
    )
    return redirect(request, f"/amu/meetings/{meeting.id}")


@router.get("/amu/meetings/{meeting_id:int}.ics", dependencies=VIEW)
def meeting_calendar(request: Request, session: SessionDep, meeting_id: int) -> Response:
    meeting = _meeting(session, meeting_id)
    items = meetings.agenda_of(session=session, meeting=meeting)
    return Response(
        documents.meeting_ics(meeting, items, url=_meeting_url(request, meeting)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="amu-{meeting.meets_on}.ics"'},
    )


@router.get("/amu/meetings/{meeting_id:int}.pdf", dependencies=VIEW)
def meeting_minutes_pdf(request: Request, session: SessionDep, meeting_id: int) -> Response:
    """The approved minutes as A4 PDF (minutes not approved yet are not a document)."""
    meeting = _meeting(session, meeting_id)
    if not meeting.is_locked:
        raise NotFound()
    called = meetings.called_to(session=session, meeting=meeting)
    items = meetings.agenda_of(session=session, meeting=meeting)
    approver = person_names(session=session, person_ids={meeting.minutes_approved_by_person_id})
    content = documents.minutes_pdf(
        documents.Minutes(
            meeting=meeting, called=called, quorum=meetings.quorum(called), items=items,
            decisions=meetings.decisions_of(session=session,
                                            item_ids=[i.id for i in items if i.id]),
            chair_name=approver.get(meeting.minutes_approved_by_person_id or 0, ""),
            side_label=lambda s: _(SIDE_LABELS[s]) if s in SIDE_LABELS else "",
        ),
        company_name=company_name(request),
    )  # fmt: skip
    return Response(
        content, media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="amu-referat-{meeting.meets_on}.pdf"'},
    )  # fmt: skip


# --- the yearly report --------------------------------------------------------------------


def _report_page(request: Request, session: Session, year: int, *,
                 errors: dict[str, str] | None = None, typed: dict[str, Any] | None = None,
                 status_code: int = 200) -> Response:  # fmt: skip
    day = today()
    report.check_year(year, day)
    found = report.get_report(session=session, year=year)
    figures = found.figures if found and found.figures else report.figures(
        session=session, year=year, today=day)  # fmt: skip
    chair = meetings.chair_on(session=session, day=day)
    approver = person_names(session=session, person_ids={found.approved_by_person_id}) if (
        found and found.approved_by_person_id) else {}  # fmt: skip
    principal = request.state.principal
    return render(
        request, "amu/report.html", status_code=status_code, year=year, report=found,
        figures=figures, draft=report.draft_text(figures), errors=errors or {},
        typed=typed or {}, today=day,
        approver_name=approver.get(found.approved_by_person_id or 0, "") if found else "",
        may_edit=can(principal, "amu.prepare") and not (found and found.is_locked),
        may_approve=found is not None and not found.is_locked
        and can(principal, "amu.approve", chair),
        chair_known=chair.person_id is not None,
        due=date(year + 1, 3, 31),
        until=date.fromisoformat(figures["until"]),
        assessed_on=date.fromisoformat(figures["self_assessment"]["taken_on"])
        if figures.get("self_assessment") else None,
        years=list(range(day.year, max(report.FIRST_YEAR, day.year - 5) - 1, -1)),
        side_label=lambda s: _(SIDE_LABELS[s]) if s in SIDE_LABELS else "",
    )  # fmt: skip


@router.get("/amu/report/{year:int}", dependencies=VIEW)
def report_page(request: Request, session: SessionDep, year: int) -> Response:
    return _report_page(request, session, year)


@router.post("/amu/report/{year:int}", dependencies=PREPARE)
def report_save(request: Request, session: SessionDep, year: int,
                values: FormValues) -> Response:  # fmt: skip
    report.check_year(year, today())
    raw_version = values.get("version")
    version = _number(raw_version) if raw_version else None
    try:
        report.save_text(session=session, year=year, text=str(values.get("text") or ""),
                         version=version)  # fmt: skip
    except InvalidInput as exc:
        return _report_page(request, session, year, errors=exc.errors, typed=values,
                            status_code=422)  # fmt: skip
    except (TransitionRefused, EditConflict) as exc:
        session.rollback()
        flash(request, exc.message, "danger")
        return redirect(request, f"/amu/report/{year}")
    flash(request, _("Rapporten er lagret."))
    return redirect(request, f"/amu/report/{year}")


@router.post("/amu/report/{year:int}/approve", dependencies=VIEW)
def report_approve(request: Request, session: SessionDep, principal: CurrentUser, year: int,
                   values: FormValues) -> Response:  # fmt: skip
    day = today()
    report.check_year(year, day)
    ensure(principal, "amu.approve", meetings.chair_on(session=session, day=day))
    found = report.get_report(session=session, year=year)
    if found is None:
        raise NotFound()
    version = _number(values.get("version"))
    try:
        report.approve(session=session, report=found, version=version,
                       person_id=principal.person_id, today=day)  # fmt: skip
    except (TransitionRefused, EditConflict) as exc:
        session.rollback()
        flash(request, exc.message, "danger")
        return redirect(request, f"/amu/report/{year}")
    flash(request, _("Årsrapporten er godkjent og låst."))
    return redirect(request, f"/amu/report/{year}")


@router.get("/amu/report/{year:int}.pdf", dependencies=VIEW)
def report_download(request: Request, session: SessionDep, year: int) -> Response:
    report.check_year(year, today())
    found = report.get_report(session=session, year=year)
    if found is None or not found.is_locked:
        raise NotFound()
    approver = person_names(session=session, person_ids={found.approved_by_person_id})
    content = documents.report_pdf(
        found, company_name=company_name(request),
        approver_name=approver.get(found.approved_by_person_id or 0, ""),
    )  # fmt: skip
    return Response(
        content, media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="amu-arsrapport-{year}.pdf"'},
    )  # fmt: skip


def load_follow_up(
    request: Request, action_id: int, session: SessionDep, principal: CurrentUser
) -> meetings.OpenFollowUp:
    """Load-or-404 of a decision's action, and the route's action applied to its owner
    (403 for someone who neither owns it nor reads or prepares the AMU's work)."""
    found = meetings.follow_up(session=session, action_id=action_id)
    if found is None:
        raise NotFound()
    ensure_route_action(request, principal, found.action.owner_person_id)
    return found


load_follow_up.loads_record = True  # type: ignore[attr-defined]
FollowUpDep = Annotated[meetings.OpenFollowUp, Depends(load_follow_up)]


@router.get("/amu/actions/{action_id:int}", dependencies=[Permission("amu.follow_up.view")])
def follow_up_page(request: Request, found: FollowUpDep) -> Response:
    """A decision's follow-up action: what was decided, by which meeting, who owns it and
    until when; its owner marks it done here (the link of the reminder e-mail)."""
    return _follow_up_page(request, found)


def _follow_up_page(request: Request, found: meetings.OpenFollowUp, *,
                    errors: dict[str, str] | None = None, typed: dict[str, Any] | None = None,
                    status_code: int = 200) -> Response:  # fmt: skip
    principal = request.state.principal
    return render(
        request, "amu/action.html", status_code=status_code, found=found, today=today(),
        may_complete=found.action.is_open
        and can(principal, "amu.follow_up.done", found.action.owner_person_id),
        may_read_meeting=can(principal, "amu.view"), errors=errors or {}, typed=typed or {},
    )  # fmt: skip


@router.post("/amu/actions/{action_id:int}/done", dependencies=[Permission("amu.follow_up.done")])
def follow_up_done(request: Request, session: SessionDep, found: FollowUpDep, action_id: int,
                   values: FormValues) -> Response:  # fmt: skip
    """A decision's action is done: by its owner, a member or the coordinator."""
    action = found.action
    back = str(values.get("back") or "")
    url = (
        back
        if back.startswith("/amu/meetings/") and "//" not in back
        else f"/amu/actions/{action_id}"
    )
    try:
        mark_action_done(session=session, action=action, data=parse_form(ActionDoneForm, values),
                         today=today())  # fmt: skip
    except InvalidInput as exc:
        session.rollback()
        found = meetings.follow_up(session=session, action_id=action_id) or found
        return _follow_up_page(request, found, errors=exc.errors,
                               typed=values, status_code=422)  # fmt: skip
    except (TransitionRefused, EditConflict) as exc:
        session.rollback()
        flash(request, exc.message, "danger")
        return redirect(request, url)
    flash(request, _("Tiltaket er ført som utført."))
    return redirect(request, url)
