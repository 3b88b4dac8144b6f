"""Rendering: `render()` returns the whole page, or one named block of it for htmx;
`redirect()` does Post/Redirect/Get with flash messages carried in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from jinja2_fragments.fastapi import Jinja2Blocks
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from hms_tracker.web import i18n
from hms_tracker.web.auth import Principal, can
from hms_tracker.web.jinja import make_environment

FLASH_COOKIE = "hms_flash"
env = make_environment(autoescape=True)
templates = Jinja2Blocks(env=env)


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    )


# --- flash messages ---------------------------------------------------------------------


def flash(request: Request, message: str, category: str = "success") -> None:
    """A message shown on the next page the user sees (after a redirect)."""
    if not hasattr(request.state, "flashes_out"):
        request.state.flashes_out = []
    request.state.flashes_out.append({"message": message, "category": category})


def _sign(request: Request, payload: bytes) -> str:
    key = request.app.state.secret_key.encode()
    return hmac.new(key, b"flash:" + payload, hashlib.sha256).hexdigest()[:32]


def _encode_flashes(request: Request, flashes: list[dict[str, str]]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(flashes).encode())
    return payload.decode() + "." + _sign(request, payload)


def _incoming_flashes(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return []
    payload, signature = raw.rsplit(".", 1)
    if not hmac.compare_digest(signature, _sign(request, payload.encode())):
        return []
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return []
    return [f for f in data if isinstance(f, dict)][:10]


def _set_cookies(request: Request, response: Response, *, consumed_flash: bool) -> None:
    settings = request.app.state.settings
    outgoing = getattr(request.state, "flashes_out", [])
    if outgoing:
        response.set_cookie(
            FLASH_COOKIE,
            _encode_flashes(request, outgoing),
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
            max_age=120,
        )
    elif consumed_flash and FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE)
    new_anon = getattr(request.state, "new_anon_id", None)
    if new_anon:
        from hms_tracker.web.csrf import ANON_COOKIE

        response.set_cookie(
            ANON_COOKIE, new_anon, httponly=True, samesite="lax", secure=settings.cookie_secure
        )


# --- rendering --------------------------------------------------------------------------


def _current_path(request: Request) -> str:
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


# The last company name read from the database, for pages rendered without the request's
# session (error pages, the busy page). Several instances may each hold a different one for
# the length of one request at most: every page that has a session reads it again.
_last_company_name: str | None = None
# How the stored company name is read (the organisation domain registers it).
_company_name_readers: list[Callable[[Session], str | None]] = []


def register_company_name_reader(
    reader: Callable[[Session], str | None],
) -> Callable[[Session], str | None]:
    _company_name_readers[:] = [reader]
    return reader


def company_name(request: Request) -> str:
    """The stored company name (setting "company_name"), else the configured one.

    Read through the request's own session (a request holds one connection, never two),
    once per request. A page rendered outside the request's transaction (an error page, the
    busy page) shows the last name read, and never touches the database.
    """
    global _last_company_name
    name: str | None = getattr(request.state, "company_name", None)
    if name:
        return name
    name = _last_company_name or request.app.state.settings.company_name
    session: Session | None = getattr(request.state, "db_session", None)
    if session is not None:
        try:
            with session.no_autoflush:
                stored = _company_name_readers[0](session) if _company_name_readers else None
            name = stored or request.app.state.settings.company_name
            _last_company_name = name
        except SQLAlchemyError:
            pass
    request.state.company_name = name
    return name


def base_context(request: Request) -> dict[str, Any]:
    from hms_tracker.web.csrf import csrf_token

    principal: Principal | None = getattr(request.state, "principal", None)
    return {
        "request": request,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "lang": i18n.get_language(),
        "company_name": company_name(request),
        "current_path": _current_path(request),
        "can": lambda name, record=None: can(principal, name, record),
        "htmx_available": request.app.state.htmx_available,
    }


def render(
    request: Request,
    template: str,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """The page, or only `block` of it when htmx asked for a partial update."""
    ctx = base_context(request)
    flashes = _incoming_flashes(request)
    ctx["flashes"] = flashes
    ctx.update(context)
    if block and is_htmx(request):
        response = templates.TemplateResponse(
            request, template, ctx, status_code=status_code, headers=headers, block_name=block
        )
    else:
        response = templates.TemplateResponse(
            request, template, ctx, status_code=status_code, headers=headers
        )
    _set_cookies(
        request, response, consumed_flash=bool(flashes) and not (block and is_htmx(request))
    )
    return response


def redirect(request: Request, url: str, **query: Any) -> Response:
    """Post/Redirect/Get (303); an htmx request gets HX-Redirect so the whole page moves."""
    encoded = urlencode({k: v for k, v in query.items() if v is not None})
    if encoded:
        url = url + ("&" if "?" in url else "?") + encoded
    if is_htmx(request):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    _set_cookies(request, response, consumed_flash=False)
    return response


def safe_next(url: str | None, default: str = "/") -> str:
    """Only local paths are followed after login or a language switch."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return default
    return url
