"""The training overview (/training) and the company gaps summary (/gaps), on any day."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.compliance import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.compliance import service
from hms_tracker.compliance.presenter import (
    REASON_LABELS,
    STATUS_LABELS,
    legal_basis_linked,
    present,
    reason_label,
    status_colour,
    status_label,
    training_note,
    training_table,
    urgency,
)
from hms_tracker.compliance.settings import departures_by_rule
from hms_tracker.db import SessionDep
from hms_tracker.errors import InvalidInput
from hms_tracker.routines.access import readable_ids
from hms_tracker.rules.facts import load_rule_settings
from hms_tracker.rules.findings import Status
from hms_tracker.web.auth import Permission
from hms_tracker.web.csv import encode_csv
from hms_tracker.web.dates import chosen_day, today
from hms_tracker.web.forms import FormValues
from hms_tracker.web.i18n import _, format_number
from hms_tracker.web.params import parse_id
from hms_tracker.web.templating import flash, redirect, render

router = APIRouter()
TRAINING_STATUSES = [Status.missing, Status.expired, Status.in_grace, Status.expiring, Status.ok]


EVIDENCE_SHOWN = 10


@router.get("/gaps", dependencies=[Permission("gaps.view")])
def gaps(
    request: Request, session: SessionDep, on: str | None = None, show: str | None = None
) -> Response:
    day, day_error = chosen_day(on)
    report = service.report_on(session=session, day=day)
    presented = [present(f) for f in report.findings]
    order = {Status.gap: 0, Status.notice: 1, Status.ok: 2}
    presented.sort(key=lambda p: (order.get(p.finding.status, 3), urgency(p.finding)))
    presented, hidden = service.only_what_they_may_open(session, request.state.principal, presented)
    # The law's requirements first; the company's own (a course it requires without a legal
    # basis, such as first aid) in a section of their own. Positions index `hidden`.
    named = {r.id for p in presented for r in p.finding.evidence if r.kind == "person" and r.id}
    openable = service.people_they_may_open(session, request.state.principal, named)
    routines = {r.id for p in presented for r in p.finding.evidence if r.kind == "routine" and r.id}
    open_routines = readable_ids(session=session, principal=request.state.principal, ids=routines)
    legal = [(i, p) for i, p in enumerate(presented) if p.finding.legal_basis]
    own = [(i, p) for i, p in enumerate(presented) if not p.finding.legal_basis]
    return render(
        request,
        "compliance/gaps.html",
        day=day,
        is_today=day == today(),
        day_error=day_error,
        legal_findings=legal,
        own_findings=own,
        hidden=hidden,
        gap_count=sum(1 for _i, p in legal if p.finding.is_gap),
        own_gap_count=sum(1 for _i, p in own if p.finding.is_gap),
        soon=service.coming_up(session=session, report=report, day=day),
        soon_labels={
            "training_expires": _("går ut"),
            "training_due": _("frist"),
            "term_ends": _("vervet slutter"),
        },
        legal_basis=legal_basis_linked,
        openable_people=openable,
        openable_routines=open_routines,
        departures=departures_by_rule(load_rule_settings(session=session)),
        # A finding lists its first EVIDENCE_SHOWN records; `?show=<rule>` lists all of it.
        evidence_shown=EVIDENCE_SHOWN,
        show_all=show or "",
        all_url=lambda rule: "/gaps?" + urlencode({**({"on": on} if on else {}), "show": rule}),
    )


@router.get("/training", dependencies=[Permission("training.overview")])
def training_overview(
    request: Request,
    session: SessionDep,
    on: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    course: str | None = None,
) -> Response:
    day, day_error = chosen_day(on)
    report = service.report_on(session=session, day=day)
    status = status if status in {s.value for s in TRAINING_STATUSES} else None
    kind = kind if kind in REASON_LABELS else None
    rows = service.filter_training(
        report.training, status=status, reason=kind, course_id=parse_id(course)
    )
    courses = sorted({(r.course_id, r.course_name) for r in report.training}, key=lambda c: c[1])
    return render(
        request,
        "compliance/training.html",
        block="results",
        day=day,
        is_today=day == today(),
        day_error=day_error,
        rows=rows,
        counts=service.status_counts(report.training),
        status=status or "",
        kind=kind or "",
        course=parse_id(course),
        courses=courses,
        status_options=[(s.value, _(STATUS_LABELS[s])) for s in TRAINING_STATUSES],
        kind_options=[(k, _(v)) for k, v in REASON_LABELS.items()],
        status_label=status_label,
        status_colour=status_colour,
        reason_label=reason_label,
        training_note=training_note,
        export_query=request.url.query,
    )


@router.get("/training/export.csv", dependencies=[Permission("training.overview")])
def training_export(
    request: Request,
    session: SessionDep,
    on: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    course: str | None = None,
) -> Response:
    day, _error = chosen_day(on)
    report = service.report_on(session=session, day=day)
    rows = service.filter_training(
        report.training, status=status or None, reason=kind or None, course_id=parse_id(course)
    )
    header, cells = training_table(rows)
    return Response(
        encode_csv(header, cells),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="opplaering-{day.isoformat()}.csv"'},
    )


def _settings_page(
    request: Request, session: SessionDep, *, values=None, errors=None, status_code=200
):  # type: ignore[no-untyped-def]
    from hms_tracker.compliance import settings as rule_settings

    saved = rule_settings.current(session=session)
    return render(
        request,
        "compliance/settings.html",
        status_code=status_code,
        fields=[(f.name, _(f.label), _(f.hint)) for f in rule_settings.FIELDS],
        values=values
        if values is not None
        else {f.name: getattr(saved, f.name) for f in rule_settings.FIELDS},
        defaults=rule_settings.law_defaults(),
        set_by_law=rule_settings.SET_BY_LAW,
        errors=errors or {},
    )


@router.get("/settings", dependencies=[Permission("settings.manage")])
def settings_form(request: Request, session: SessionDep) -> Response:
    return _settings_page(request, session)


@router.post("/settings", dependencies=[Permission("settings.manage")])
def settings_save(request: Request, session: SessionDep, values: FormValues) -> Response:
    from hms_tracker.compliance import settings as rule_settings

    try:
        saved = rule_settings.save(session=session, values=values)
    except InvalidInput as exc:
        return _settings_page(request, session, values=values, errors=exc.errors, status_code=422)
    flash(request, _("Innstillingene er lagret."))
    for d in rule_settings.departures(saved):
        flash(
            request,
            _(
                "%(setting)s er %(value)s, ikke lovens %(law)s (%(basis)s): mangler etter "
                "loven vurderes med bedriftens tall, og /gaps sier det ved hver regel.",
                setting=d.label, value=format_number(d.value), law=format_number(d.law.value),
                basis=d.law.basis,
            ),
            "warning",
        )  # fmt: skip
    return redirect(request, "/settings")
