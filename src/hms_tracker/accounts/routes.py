"""Login, logout and the admin's account management for a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from hms_tracker.accounts import principal as _principal  # noqa: F401  (registers the loader)
from hms_tracker.accounts import service
from hms_tracker.db import SessionDep
from hms_tracker.web.auth import PUBLIC, SESSION_COOKIE, OptionalPrincipal
from hms_tracker.web.forms import FormValues
from hms_tracker.web.i18n import _
from hms_tracker.web.security import LANGUAGE_COOKIE
from hms_tracker.web.templating import flash, redirect, render, safe_next

router = APIRouter()

# Logins the login page offers (the demo's, while its data is loaded): the app wires the
# demo in (app.py); this domain does not know it.
LoginHints = Callable[[Session], list[tuple[str, str]]]
_login_hints: list[LoginHints] = []


def register_login_hints(hints: LoginHints) -> None:
    _login_hints[:] = [hints]


def _login_page(request: Request, session: SessionDep, **context: Any) -> Response:
    hints = _login_hints[0](session) if _login_hints else []
    return render(request, "accounts/login.html", demo_accounts=hints, **context)


@router.get("/login", dependencies=[PUBLIC])
def login_form(
    request: Request,
    session: SessionDep,
    principal: OptionalPrincipal,
    next: str | None = None,
    expired: str | None = None,
) -> Response:
    if principal is not None:
        return redirect(request, safe_next(next))
    return _login_page(
        request, session, next=safe_next(next), expired=bool(expired), values={}, errors={}
    )


@router.post("/login", dependencies=[PUBLIC])
def login(request: Request, values: FormValues, session: SessionDep) -> Response:
    settings = request.app.state.settings
    email = str(values.get("email") or "").strip()
    password = str(values.get("password") or "")
    target = safe_next(values.get("next"))
    client = request.client.host if request.client else "unknown"
    errors: dict[str, str] = {}
    throttled = False
    if not email:
        errors["email"] = _("Skriv inn e-postadressen din.")
    if not password:
        errors["password"] = _("Skriv inn passordet ditt.")
    if not errors:
        try:
            user = service.authenticate(
                session=session, settings=settings, email=email, password=password, client=client
            )
        except service.LoginThrottled as exc:
            throttled = True
            errors[""] = _(
                "For mange mislykkede forsøk. Vent %(seconds)s sekunder og prøv igjen.",
                seconds=exc.retry_after_seconds,
            )
        except service.LoginFailed:
            errors[""] = _("Feil e-postadresse eller passord.")
        else:
            token = service.start_session(
                session=session, user=user, previous_token=request.cookies.get(SESSION_COOKIE)
            )
            response = redirect(request, target)
            response.set_cookie(
                SESSION_COOKIE,
                token,
                httponly=True,
                samesite="lax",
                secure=settings.cookie_secure,
                path="/",
            )
            if user.language:
                response.set_cookie(
                    LANGUAGE_COOKIE,
                    user.language,
                    max_age=365 * 24 * 3600,
                    httponly=True,
                    samesite="lax",
                    secure=settings.cookie_secure,
                )
            return response
    # The failure is committed (it counts for throttling); the form comes back with the e-mail.
    return _login_page(
        request,
        session,
        next=target,
        expired=False,
        values={"email": email},
        errors=errors,
        status_code=429 if throttled else 422,
    )


@router.post("/logout", dependencies=[PUBLIC])
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        service.end_session(session=session, token=token, reason="logout")
    flash(request, _("Du er logget ut."))
    response = redirect(request, "/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
