"""Error pages (403, 404, 413, 500 and others) in the site's layout, and the handlers that
turn domain errors into them. Never a stack trace."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import DataError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from hms_tracker.errors import Conflict, Forbidden, NotAuthenticated, NotFound, TransitionRefused
from hms_tracker.web.auth import SESSION_COOKIE, load_principal
from hms_tracker.web.i18n import _
from hms_tracker.web.security import RequestTooLarge
from hms_tracker.web.templating import redirect, render

log = logging.getLogger("hms_tracker")
RETRY_AFTER_SECONDS = 5


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Ugyldig forespørsel"), _("Forespørselen kunne ikke behandles.")),
        403: (
            _("Ingen tilgang"),
            _("Du har ikke tilgang til denne siden eller handlingen."),
        ),
        404: (
            _("Fant ikke siden"),
            _("Siden eller oppføringen finnes ikke. Sjekk adressen, eller gå tilbake."),
        ),
        405: (_("Ikke tillatt"), _("Denne handlingen er ikke tillatt her.")),
        409: (_("Endret av en annen"), _("Oppføringen er endret siden du åpnet den.")),
        413: (
            _("For stor forespørsel"),
            _("Filen eller skjemaet er for stort. Prøv med en mindre fil."),
        ),
        500: (
            _("Noe gikk galt"),
            _("Det oppstod en feil hos oss. Ingenting ble lagret. Prøv igjen om litt."),
        ),
        503: (
            _("Tjenesten er opptatt"),
            _(
                "Tjenesten har mye å gjøre akkurat nå eller får ikke kontakt med databasen. "
                "Ingenting ble lagret. Vent litt og prøv igjen."
            ),
        ),
    }


def _resolve_principal(request: Request) -> None:
    """An unknown path runs no dependency; find who is logged in so the page keeps its menu."""
    if hasattr(request.state, "principal") or not request.cookies.get(SESSION_COOKIE):
        return
    request.state.principal = None
    try:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            request.state.principal = load_principal(
                session, request.app.state.settings, request.cookies[SESSION_COOKIE]
            )
            session.rollback()
    except Exception:  # the database may be the reason for the error page
        log.warning("could not resolve the user for an error page", exc_info=True)


def error_page(
    request: Request, status: int, message: str | None = None, **context: Any
) -> Response:
    """The error page in the site's layout. A 503 (busy, database unreachable) is rendered
    without touching the database; others find who is logged in for the menu."""
    title, default = _titles().get(status, _titles()[400])
    if status != 503:
        _resolve_principal(request)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    try:
        return render(
            request,
            "errors/error.html",
            status_code=status,
            headers=headers,
            status=status,
            title=title,
            message=message or default,
            **context,
        )
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return Response(f"{status} {title}", status_code=status, media_type="text/plain")


async def _too_large_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    response = await run_in_threadpool(error_page, request, 413)
    await response(scope, receive, send)


async def busy_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    """The admission door's answer when no slot came free in time (web/admission.py).
    Rendered here, on the event loop: it reads no database and needs no worker thread."""
    request = Request(scope, receive)
    response = error_page(request, 503)
    await response(scope, receive, send)


# What a refused form keeps of what was typed (the page holds it for the browser tab).
DRAFT_MAX_CHARS = 200_000


async def _form_draft(request: Request) -> dict[str, Any]:
    """For a form refused for its token (the session ended, or a stale page): what was
    typed, for the browser tab to put back into the form once the person is logged in again
    (static/form-draft.js keeps it in the tab's sessionStorage; nothing is stored here),
    and where to go on: the page the form was on."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {}
    try:
        form = await request.form()
    except Exception:  # an unreadable body keeps nothing
        return {}
    fields: list[list[str]] = []
    size = 0
    files = False
    for name, value in form.multi_items():
        if not isinstance(value, str):
            files = files or bool(getattr(value, "filename", ""))
            continue
        if name == "csrf_token":
            continue
        size += len(name) + len(value)
        if size > DRAFT_MAX_CHARS:
            return {}
        fields.append([name, value])
    back = _same_site_path(request.headers.get("referer"), request) or "/"
    logged_in = getattr(request.state, "principal", None) is not None
    notice = _("Vi har fylt inn det du skrev. Se over og send skjemaet på nytt.")
    if files:
        notice += " " + _("Vedlegg må legges ved på nytt.")
    return {
        "draft": {"action": request.url.path, "fields": fields, "notice": notice},
        "files_lost": files,
        "continue_url": back if logged_in else "/login?next=" + quote(back, safe=""),
        "logged_in": logged_in,
    }


def _same_site_path(url: str | None, request: Request) -> str | None:
    """The path (and query) of a URL on this site; None for another site or none."""
    if not url:
        return None
    parsed = urlsplit(url)
    if parsed.netloc and parsed.netloc != request.url.netloc:
        return None
    path = parsed.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + ("?" + parsed.query if parsed.query else "")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        expired = "1" if getattr(request.state, "session_expired", False) else None
        if request.method != "GET":
            return error_page(request, 403)
        return redirect(request, "/login?next=" + quote(target, safe=""), expired=expired)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        from hms_tracker.web.csrf import CsrfRefused

        if isinstance(exc, CsrfRefused):
            draft = await _form_draft(request)
            if getattr(request.state, "session_expired", False):
                message = _(
                    "Du ble logget ut fordi du ikke hadde vært aktiv på en stund, så skjemaet "
                    "ble ikke lagret."
                )
            else:
                message = _(
                    "Skjemaet er for gammelt eller ble sendt fra en annen side (du har kanskje "
                    "logget ut og inn i en annen fane), så det ble ikke lagret."
                )
            return await run_in_threadpool(error_page, request, 403, message, **draft)
        return await run_in_threadpool(error_page, request, 403)

    @app.exception_handler(OverflowError)
    def overflow(request: Request, exc: OverflowError) -> Response:
        # An id or number too large for the database is an unknown one.
        return error_page(request, 404)

    @app.exception_handler(DataError)
    def data_error(request: Request, exc: DataError) -> Response:
        return error_page(request, 404)

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound) -> Response:
        return error_page(request, 404)

    @app.exception_handler(Conflict)
    def conflict(request: Request, exc: Conflict) -> Response:
        return error_page(request, 409, exc.message)

    @app.exception_handler(TransitionRefused)
    def refused(request: Request, exc: TransitionRefused) -> Response:
        return error_page(request, 409, exc.message)

    @app.exception_handler(RequestTooLarge)
    def too_large(request: Request, exc: RequestTooLarge) -> Response:
        return error_page(request, 413)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.__cause__, RequestTooLarge):
            return error_page(request, 413)
        status = exc.status_code if exc.status_code in _titles() else 400
        # A 400 raised with a message for the user (a field sent twice) shows it.
        message = exc.detail if status == 400 and isinstance(exc.detail, str) else None
        if message == "Bad Request":  # Starlette's default detail, not ours
            message = None
        return error_page(request, status, message)

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # A malformed id in the path is an unknown id: 404, like any other.
        if any(err.get("loc", ("",))[0] == "path" for err in exc.errors()):
            return error_page(request, 404)
        return error_page(request, 400)

    @app.exception_handler(sa_exc.TimeoutError)
    def pool_timeout(request: Request, exc: sa_exc.TimeoutError) -> Response:
        # No connection came free in time: the database is hung or overloaded.
        log.warning("no database connection for %s %s", request.method, request.url.path)
        return error_page(request, 503)

    @app.exception_handler(sa_exc.OperationalError)
    def database_unavailable(request: Request, exc: sa_exc.OperationalError) -> Response:
        # The database is down, unreachable, or (SQLite) stayed locked past the busy wait.
        log.warning("database unavailable for %s %s: %s", request.method, request.url.path,
                    exc.orig)  # fmt: skip
        return error_page(request, 503)

    @app.exception_handler(sa_exc.InterfaceError)
    def database_interface(request: Request, exc: sa_exc.InterfaceError) -> Response:
        log.warning("database connection lost for %s %s", request.method, request.url.path)
        return error_page(request, 503)

    @app.exception_handler(Exception)
    def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_page(request, 500)
