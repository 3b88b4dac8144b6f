"""Admission: how many requests use the database at once, and a quick answer for the rest.

A request that uses the database holds one pooled connection (db.get_session) from its
first query to its commit. If more requests came in than the pool has connections, the
worker threads would wait for connections held by requests that in turn wait for a
thread, and the server would stall. So the door lets in as many requests as the pool has
connections (`Settings.admission_limit`); the others wait here, on the event loop, holding
nothing, in arrival order, for at most `Settings.busy_wait_seconds`, and then get a short
503 page asking them to try again. The liveness check `/healthz` and static files never
wait: they touch no database.

A request's body (a form, photos from a phone on a slow line) is received before the
request asks for a slot — into memory, and past `SPOOL_IN_MEMORY` into a temporary file —
so a slow upload holds no slot while it trickles in, and a few slow uploads cannot keep
everyone else at the door. The body's size is bounded outside this door
(security.BodyLimitMiddleware).
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import weakref
from collections.abc import Awaitable, Callable
from typing import IO

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("hms_tracker")

BusyResponder = Callable[[Scope, Receive, Send], Awaitable[None]]
HEALTHZ = "/healthz"
NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})
SPOOL_IN_MEMORY = 1024 * 1024  # bytes of one body kept in memory; the rest in a file
REPLAY_CHUNK = 64 * 1024


class AdmissionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        wait_seconds: float,
        worker_threads: int,
        on_busy: BusyResponder,
    ):
        if worker_threads < limit + 4:
            raise ValueError(
                "HMS_WORKER_THREADS must exceed the database pool (size + overflow) by a few: "
                "every admitted request needs a thread while it holds a connection."
            )
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.worker_threads = worker_threads
        self.on_busy = on_busy
        # One semaphore per event loop (a test client runs its own loop).
        self._doors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def _door(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        door = self._doors.get(loop)
        if door is None:
            door = asyncio.Semaphore(self.limit)
            self._doors[loop] = door
            # The thread pool that runs plain-def handlers, sized with the pool.
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.worker_threads
        return door

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == HEALTHZ and scope["method"] in ("GET", "HEAD"):
            await _alive(send)
            return
        if path.startswith("/static/"):
            await self.app(scope, receive, send)
            return
        body: IO[bytes] | None = None
        if scope["method"] not in NO_BODY:
            body = await _receive_body(receive)
            if body is None:
                return  # the client went away while sending
            receive = _replay(body, receive)
        door = self._door()
        try:
            async with asyncio.timeout(self.wait_seconds):
                await door.acquire()
        except TimeoutError:
            log.warning("busy: %s %s waited %.0f s for a slot", scope["method"], path,
                        self.wait_seconds)  # fmt: skip
            await self.on_busy(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            door.release()
            if body is not None:
                body.close()


async def _receive_body(receive: Receive) -> IO[bytes] | None:
    """The whole body, spooled; None when the client disconnected before it was sent."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                spool.close()
                return None
            chunk = message.get("body", b"")
            if chunk:
                spool.write(chunk)
            if not message.get("more_body", False):
                spool.seek(0)
                return spool
    except BaseException:
        spool.close()
        raise


def _replay(body: IO[bytes], receive: Receive) -> Receive:
    """A `receive` that gives the spooled body again, in chunks, then waits on the real one
    (for the disconnect the app may listen for)."""
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()
        chunk = body.read(REPLAY_CHUNK)
        more = len(chunk) == REPLAY_CHUNK
        if not more:
            done = True
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay


async def _alive(send: Send) -> None:
    body = json.dumps({"status": "ok"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
