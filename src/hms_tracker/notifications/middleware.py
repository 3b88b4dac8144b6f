"""Deliver the outbox after a web request whose transaction enqueued mail has committed.

Routes and services call nothing for this: `enqueue()` marks the session, the session's
commit (SessionDep, when the route returns) marks the request, and this middleware, once
the app has sent the whole response, runs `deliver_pending()` in a worker thread. The
user never waits for SMTP and never sees an SMTP error; a failure stays on the message
and `hms-tracker send-mail`/`remind` (cron) retries it. A rolled-back request marks
nothing, and delivery only ever reads committed rows.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from hms_tracker.notifications.outbox import (
    collecting_delivery_requests,
    deliver_pending,
    using_settings,
)

log = logging.getLogger("hms_tracker.mail")


class OutboxDeliveryMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        with using_settings(state.settings), collecting_delivery_requests() as wanted:
            await self.app(scope, receive, send)
        if wanted:
            await anyio.to_thread.run_sync(self._deliver, state.engine, state.settings)

    @staticmethod
    def _deliver(engine: object, settings: object) -> None:
        try:
            deliver_pending(engine, settings)
        except Exception:  # the response is out; a database hiccup here only delays mail
            log.exception("Delivering e-mail after a request failed; cron will retry.")
