"""CSRF protection: a token per session, sent back in forms (`csrf_token`) or by htmx in the
`X-CSRF-Token` header. Before login the token is bound to a random pre-session cookie.
Every POST, PUT, PATCH and DELETE without a matching token is refused with 403."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request

from hms_tracker.errors import Forbidden
from hms_tracker.web.auth import OptionalPrincipal

ANON_COOKIE = "hms_anon"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class CsrfRefused(Forbidden):
    pass


def _anon_id(request: Request) -> str:
    anon = getattr(request.state, "anon_id", None) or request.cookies.get(ANON_COOKIE)
    if not anon or len(anon) > 100:
        anon = secrets.token_urlsafe(24)
        request.state.new_anon_id = anon
    request.state.anon_id = anon
    return anon


def _anon_token(request: Request, anon: str) -> str:
    key = request.app.state.secret_key.encode()
    return hmac.new(key, b"csrf:" + anon.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        return principal.csrf_token  # type: ignore[no-any-return]
    return _anon_token(request, _anon_id(request))


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_body_first(request: Request) -> None:
    """Receive a posted form before anything touches the database: a slow upload then holds
    no connection and no transaction (Starlette keeps the parsed form for the handler)."""
    if request.method not in SAFE_METHODS and request.headers.get("content-type", "").startswith(
        FORM_TYPES
    ):
        await request.form()


async def verify_csrf(
    request: Request,
    _body: Annotated[None, Depends(read_body_first)],
    principal: OptionalPrincipal,
) -> None:
    """App-wide dependency: refuse a state-changing request without the right token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if not sent and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    expected: str | None
    if principal is not None:
        expected = principal.csrf_token
    else:
        anon = request.cookies.get(ANON_COOKIE)
        expected = _anon_token(request, anon) if anon else None
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()
