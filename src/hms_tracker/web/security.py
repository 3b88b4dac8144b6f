"""ASGI middleware: security headers, the request-size limit and the request's language."""

from __future__ import annotations

import contextlib
from http.cookies import SimpleCookie
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hms_tracker.web import i18n
from hms_tracker.web.params import parse_int, query_problem

LANGUAGE_COOKIE = "hms_lang"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


class RequestTooLarge(Exception):
    pass


class SecurityMiddleware:
    """Adds the security headers to every response and sets the request's language."""

    def __init__(self, app: ASGIApp, *, default_language: str = "nb", hsts: bool = False):
        self.app = app
        self.default_language = default_language
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        language = self._language(headers)
        token = i18n.set_language(language)
        scope.setdefault("state", {})["language"] = language

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    out.setdefault(name, value)
                if self.hsts:
                    out.setdefault("strict-transport-security", "max-age=31536000")
                out.setdefault("content-language", language)
                if "cache-control" not in out and not scope["path"].startswith("/static/"):
                    out["cache-control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n._language.reset(token)

    def _language(self, headers: Headers) -> str:
        cookie = SimpleCookie()
        with contextlib.suppress(Exception):  # a malformed Cookie header is ignored
            cookie.load(headers.get("cookie", ""))
        chosen = cookie.get(LANGUAGE_COOKIE)
        if chosen and chosen.value in i18n.LANGUAGES:
            return chosen.value
        # Bokmål unless the user chose otherwise (the switch, remembered on the account):
        # the browser's language is not asked, so everyone in the company starts alike.
        return self.default_language


class BodyLimitMiddleware:
    """Refuse request bodies larger than the limit (413), by header or while streaming."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, on_too_large: Any):
        self.app = app
        self.max_bytes = max_bytes
        self.on_too_large = on_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("content-length")
        length = parse_int(header, maximum=2**63 - 1) if header else None
        if length is not None and length > self.max_bytes:
            await self.on_too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except RequestTooLarge:
            if not started:
                await self.on_too_large(scope, receive, send)


def verify_query(request: Request) -> None:
    """App-wide dependency: an address whose query holds a parameter twice, or a number
    written with other digits than 0-9, is answered 400 with what is wrong (instead of a
    page that silently reads one of the values, or none)."""
    problem = query_problem(request.query_params.multi_items())
    if problem is None:
        return
    kind, name = problem
    if kind == "twice":
        message = i18n._("Adressen har «%(name)s» to ganger. Bruk lenkene på siden.", name=name)
    else:
        message = i18n._(
            "«%(name)s» i adressen er ikke et tall skrevet med sifrene 0–9. Bruk lenkene på siden.",
            name=name,
        )
    raise HTTPException(status_code=400, detail=message)
