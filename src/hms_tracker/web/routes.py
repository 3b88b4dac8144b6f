"""Pages every user shares: health checks and the language switch (the start page is
`home/`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from hms_tracker.db import SessionDep
from hms_tracker.migrate import is_up_to_date
from hms_tracker.web.auth import PUBLIC
from hms_tracker.web.forms import FormValues
from hms_tracker.web.i18n import LANGUAGES
from hms_tracker.web.security import LANGUAGE_COOKIE
from hms_tracker.web.templating import redirect, safe_next

router = APIRouter()


@router.get("/healthz", dependencies=[PUBLIC])
def healthz() -> JSONResponse:
    """Liveness: the process answers. Touches no database."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", dependencies=[PUBLIC])
def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and is migrated to the newest revision."""
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        migrated = is_up_to_date(engine)
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not migrated:
        return JSONResponse({"status": "unavailable", "database": "not migrated"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.post("/language", dependencies=[PUBLIC])
def switch_language(request: Request, values: FormValues, session: SessionDep) -> Response:
    """Choose nb or en; kept in a cookie and, when logged in, on the account."""
    language = values.get("language")
    target = safe_next(values.get("next"), "/")
    response = redirect(request, target)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.cookie_secure,
        )
        principal = getattr(request.state, "principal", None)
        if principal is not None and principal.user.language != language:
            principal.user.language = language
            session.add(principal.user)
    return response
