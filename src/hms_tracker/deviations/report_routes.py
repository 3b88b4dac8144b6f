"""Anonymous reporting without login: the report form (/report), the receipt, the status
page for a receipt code (/report/status), and the QR codes and posters that link to the
form per department.

Anonymity. These requests store no account, no IP address and no user agent:
- the audit actor is set to the anonymous actor before anything is written, also when the
  visitor happens to be logged in (the CSRF check loads their session), so no audit event
  of these requests carries a user id, person id or e-mail;
- a logged-in visitor's session is not touched either: loading it moves its last-seen time,
  which would put a time next to their account that matches the report; that change is
  rolled back before the request does anything else;
- no table has a column for an IP address or a user agent, and the app logs neither;
  `hms-tracker serve` runs uvicorn with its access log off (an access log line with the
  address, the time and `POST /report` would undo the anonymity; see README).

Receipt codes. POST /report answers 303 to GET /report/receipt (Post/Redirect/Get: a
reload of the receipt must not file the report again). The code travels in a short-lived
cookie, never in a URL, the browser history or a server log: `hms_receipt`, HttpOnly,
SameSite=Strict, Path=/report/receipt (no other page receives it), Max-Age 10 minutes, Secure
when `HMS_COOKIE_SECURE`. The receipt page shows the code from that cookie with
`Cache-Control: no-store` and `Referrer-Policy: no-referrer`; "Jeg har notert koden" (a POST)
deletes the cookie. The server stores the cookie nowhere: the database keeps only the
code's SHA-256. The status page takes the code in a POSTed form field, and each form on it
carries the code again as a hidden field: no cookie or session holds it there. The code
gives access to that one report only.

Adding information on the status page is not a redirect (that would need the code in a
cookie for /report/status too); instead a reload is recognised: the same text from the
reporter on the same report within 10 minutes is not added again (nor its files), and the
page says so.

Guessing is not throttled, on purpose: a code is 16 characters from a 31-letter alphabet,
about 79 bits, so even a billion guesses a second would need millions of years to hit one
of a few thousand codes. Throttling would need a per-client record (an IP address), which
is exactly what these pages must not keep, or per-process state, which the app does not
have (several instances serve one database). A wrong code and a malformed one get the same
answer, 200 with the form, so nothing is revealed about which codes exist.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session

from hms_tracker.audit.service import Actor
from hms_tracker.db import SessionDep, discard_after_request, utcnow
from hms_tracker.deviations import service
from hms_tracker.deviations.forms import CommentForm, ReportForm, files_were_chosen
from hms_tracker.deviations.models import Deviation
from hms_tracker.deviations.qr import qr_svg, qr_svg_file
from hms_tracker.deviations.routes import (
    helpers,
    read_uploads,
    report_defaults,
    report_form_context,
    without_files,
)
from hms_tracker.deviations.timeline import ANONYMOUS_LABEL, timeline_for
from hms_tracker.errors import Forbidden, InvalidInput, NotFound
from hms_tracker.organisation import service as organisation
from hms_tracker.web.auth import (
    PUBLIC,
    CurrentUser,
    OptionalPrincipal,
    Permission,
)
from hms_tracker.web.forms import FormValues, parse_form
from hms_tracker.web.i18n import _
from hms_tracker.web.templating import redirect, render
from hms_tracker.web.uploads import content_disposition

router = APIRouter()

# Leaders print the poster of their own departments; the route checks which.

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
MAX_CODE_INPUT = 64  # a longer "code" is not one; it gets the same answer as a wrong code
RECEIPT_COOKIE = "hms_receipt"
RECEIPT_PATH = "/report/receipt"
RECEIPT_MINUTES = 10
DUPLICATE_WINDOW = timedelta(minutes=10)


def anonymous_request(session: SessionDep, principal: OptionalPrincipal) -> bool:
    """Make the request anonymous before it writes anything; True if the visitor is logged
    in (the page then says that the report is stored without their name)."""
    if principal is not None:
        # Loading the session would move its last-seen time after the request: not for an
        # anonymous report (nothing else is pending).
        discard_after_request(session)
        session.rollback()
    session.info["actor"] = Actor(label=ANONYMOUS_LABEL)
    return principal is not None


LoggedIn = Annotated[bool, Depends(anonymous_request)]


# --- the report form -----------------------------------------------------------------------


def _report_page(
    request: Request,
    session: Session,
    *,
    logged_in: bool,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    files_chosen: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "deviations/report.html",
        status_code=status_code,
        headers=NO_STORE,
        values=values,
        errors=errors or {},
        files_chosen=files_chosen,
        logged_in=logged_in,
        **report_form_context(request, session),
    )


@router.get("/report", dependencies=[PUBLIC])
def report_form(
    request: Request, session: SessionDep, logged_in: LoggedIn, department: str | None = None
) -> Response:
    return _report_page(request, session, logged_in=logged_in, values=report_defaults(department))


@router.post("/report", dependencies=[PUBLIC])
def report_submit(
    request: Request, session: SessionDep, logged_in: LoggedIn, values: FormValues
) -> Response:
    files = read_uploads(request, values)
    typed = without_files(values)
    try:
        data = parse_form(ReportForm, typed)
        if files.error:
            raise InvalidInput({"files": files.error})
        deviation, code = service.create_deviation(
            session=session, data=data, reporter=None, attachments=files.files
        )
    except InvalidInput as exc:
        errors = files.with_error(exc.errors)
        return _report_page(
            request,
            session,
            logged_in=logged_in,
            values=typed,
            errors=errors,
            files_chosen=files_were_chosen(values),
            status_code=413 if files.too_large and len(errors) == 1 else 422,
        )
    assert code is not None
    # Post/Redirect/Get with the code in a short-lived cookie for the receipt page only.
    response = redirect(request, RECEIPT_PATH)
    response.set_cookie(
        RECEIPT_COOKIE,
        code,
        max_age=RECEIPT_MINUTES * 60,
        path=RECEIPT_PATH,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


@router.get(RECEIPT_PATH, dependencies=[PUBLIC])
def receipt(request: Request, session: SessionDep, logged_in: LoggedIn) -> Response:
    code = request.cookies.get(RECEIPT_COOKIE) or ""
    deviation = _find(session, code)
    return render(
        request,
        "deviations/receipt.html",
        headers=NO_STORE,
        deviation=deviation,
        code=code if deviation is not None else None,
        minutes=RECEIPT_MINUTES,
        logged_in=logged_in,
    )


@router.post(RECEIPT_PATH, dependencies=[PUBLIC])
def receipt_noted(request: Request, logged_in: LoggedIn) -> Response:
    """ "Jeg har notert koden": the cookie goes; the page then shows no code."""
    response = redirect(request, RECEIPT_PATH)
    response.delete_cookie(
        RECEIPT_COOKIE,
        path=RECEIPT_PATH,
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.cookie_secure,
    )
    return response


# --- the status page for a receipt code ----------------------------------------------------


def _find(session: Session, code: str) -> Deviation | None:
    if not code or len(code) > MAX_CODE_INPUT:
        return None
    return service.find_by_receipt(session=session, code=code)


def _lookup_page(
    request: Request, *, code: str = "", not_found: bool = False, status_code: int = 200
) -> Response:
    return render(
        request,
        "deviations/report_status.html",
        status_code=status_code,
        headers=NO_STORE,
        deviation=None,
        code=code,
        not_found=not_found,
        values={},
        errors={},
    )


def _status_page(
    request: Request,
    session: Session,
    deviation: Deviation,
    *,
    code: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    comments = service.comments_of(session=session, deviation=deviation, reporter_view=True)
    attachments = [
        a for a in service.attachments_of(session=session, deviation=deviation) if a.from_reporter
    ]
    names = organisation.person_names(
        session=session, person_ids={c.author_person_id for c in comments if not c.from_reporter}
    )
    department = organisation.get_department(session=session, department_id=deviation.department_id)
    return render(
        request,
        "deviations/report_status.html",
        status_code=status_code,
        headers=NO_STORE,
        deviation=deviation,
        department=department,
        code=code,
        not_found=False,
        comments=comments,
        attachments=attachments,
        names=names,
        timeline=timeline_for(session=session, deviation=deviation, internal=False),
        outcome=service.reporter_outcome(session=session, deviation=deviation),
        values=values or {},
        errors=errors or {},
        message=message,
        **report_form_context(request, session),
    )


def _already_added(session: Session, deviation: Deviation, body: str) -> bool:
    """The same text from the reporter on this report in the last 10 minutes: a reload of
    the page that added it (or a second click), not new information."""
    since = utcnow() - DUPLICATE_WINDOW
    return any(
        c.from_reporter and c.body == body and c.created_at >= since
        for c in service.comments_of(session=session, deviation=deviation, reporter_view=True)
    )


@router.get("/report/status", dependencies=[PUBLIC])
def status_form(request: Request, logged_in: LoggedIn) -> Response:
    return _lookup_page(request)


@router.post("/report/status", dependencies=[PUBLIC])
def status_show(
    request: Request, session: SessionDep, logged_in: LoggedIn, values: FormValues
) -> Response:
    code = str(values.get("code") or "").strip()
    deviation = _find(session, code)
    if deviation is None:
        return _lookup_page(request, code=code, not_found=True)
    return _status_page(request, session, deviation, code=code)


@router.post("/report/status/add", dependencies=[PUBLIC])
def status_add(
    request: Request, session: SessionDep, logged_in: LoggedIn, values: FormValues
) -> Response:
    """More information from the anonymous reporter: a comment and files."""
    code = str(values.get("code") or "").strip()
    deviation = _find(session, code)
    if deviation is None:
        return _lookup_page(request, code=code, not_found=True)
    files = read_uploads(request, values)
    typed = {k: v for k, v in without_files(values).items() if k != "code"}
    try:
        data = parse_form(CommentForm, typed)
        if files.error:
            raise InvalidInput({"files": files.error})
        if _already_added(session, deviation, data.body):
            return _status_page(
                request,
                session,
                deviation,
                code=code,
                message=_("Dette er allerede lagt til."),
            )
        service.add_comment(
            session=session, access=None, deviation=deviation, data=data, author_person_id=None
        )
        service.add_attachments(
            session=session,
            deviation=deviation,
            uploads=files.files,
            person_id=None,
            from_reporter=True,
        )
    except InvalidInput as exc:
        errors = files.with_error(exc.errors)
        return _status_page(
            request,
            session,
            deviation,
            code=code,
            values=typed,
            errors=errors,
            status_code=413 if files.too_large and len(errors) == 1 else 422,
        )
    return _status_page(
        request,
        session,
        deviation,
        code=code,
        message=_("Takk! Opplysningene er lagt til saken."),
    )


# --- links, QR codes and posters per department -------------------------------------------


def report_url(request: Request, department_id: int) -> str:
    base = str(request.app.state.settings.base_url).rstrip("/")
    return f"{base}/report?department={department_id}"


def unreachable_from_phones(base_url: str) -> bool:
    """True for a base URL that only this machine can open (localhost, 127.0.0.1, ::1, or
    the 0.0.0.0 "all addresses" of the server): a QR code with it leads nowhere."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return not host
    return address.is_loopback or address.is_unspecified


def _base_url_context(request: Request) -> dict[str, Any]:
    base = str(request.app.state.settings.base_url).rstrip("/")
    return {"base_url": base, "base_url_is_local": unreachable_from_phones(base)}


def _qr_title(name: str) -> str:
    return _("QR-kode: meld avvik anonymt for %(department)s", department=name)


def _open_department(session: Session, department_id: int) -> tuple[int, str]:
    """An open department (closed ones take no reports), or 404."""
    names = dict(organisation.department_options(session=session))
    if department_id not in names:
        raise NotFound()
    return department_id, names[department_id]


def _may_print(principal: Any, department_id: int) -> None:
    if not (principal.is_admin or department_id in principal.led_department_ids):
        raise Forbidden()


@router.get("/report/qr", dependencies=[Permission("report_links.manage")])
def qr_overview(request: Request, session: SessionDep) -> Response:
    rows = []
    for department_id, name in organisation.department_options(session=session):
        url = report_url(request, department_id)
        rows.append(
            {
                "id": department_id,
                "name": name,
                "url": url,
                "svg": Markup(qr_svg(url, title=_qr_title(name))),  # noqa: S704 (segno escapes)
            }
        )
    return render(
        request,
        "deviations/report_qr.html",
        rows=rows,
        general_url=str(request.app.state.settings.base_url).rstrip("/") + "/report",
        **_base_url_context(request),
        **helpers(),
    )


@router.get("/report/qr/{department_id:int}.svg", dependencies=[Permission("report_links.view")])
def qr_download(
    session: SessionDep, principal: CurrentUser, request: Request, department_id: int
) -> Response:
    _may_print(principal, department_id)
    department_id, name = _open_department(session, department_id)
    content = qr_svg_file(report_url(request, department_id), title=_qr_title(name))
    return Response(
        content=content,
        media_type="image/svg+xml",
        headers={
            "Content-Disposition": content_disposition(
                _("meld-avvik-%(department)s.svg", department=name)
            ),
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/report/poster/{department_id:int}", dependencies=[Permission("report_links.view")])
def poster(
    request: Request, session: SessionDep, principal: CurrentUser, department_id: int
) -> Response:
    _may_print(principal, department_id)
    department_id, name = _open_department(session, department_id)
    url = report_url(request, department_id)
    return render(
        request,
        "deviations/report_poster.html",
        department_id=department_id,
        department_name=name,
        url=url,
        svg=Markup(qr_svg(url, title=_qr_title(name))),  # noqa: S704 (segno escapes)
        **_base_url_context(request),
    )
