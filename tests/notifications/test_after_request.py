"""A web request that enqueued mail gets it delivered after its commit, without the route
doing anything; a failed request sends nothing; SMTP trouble never reaches the user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import Request
from fastapi.responses import PlainTextResponse
from sqlmodel import Session, select

from hms_tracker.app import create_app
from hms_tracker.config import Settings
from hms_tracker.db import SessionDep
from hms_tracker.notifications.models import OutboxMessage
from hms_tracker.notifications.outbox import enqueue
from hms_tracker.web.auth import PUBLIC
from tests.conftest import AppClient


def _client(settings: Settings) -> Iterator[AppClient]:
    app = create_app(settings)

    def ok(request: Request, session: SessionDep) -> Any:
        enqueue(session, recipient="kari@test.example", subject="[HMS] etter commit", body="b")
        return PlainTextResponse("ok")

    def fails(request: Request, session: SessionDep) -> Any:
        enqueue(session, recipient="kari@test.example", subject="[HMS] rulles tilbake", body="b")
        raise RuntimeError("the request fails after enqueueing")

    def quiet(request: Request, session: SessionDep) -> Any:
        return PlainTextResponse("quiet")

    app.router.add_api_route("/_test/mail", ok, dependencies=[PUBLIC])
    app.router.add_api_route("/_test/mail-fails", fails, dependencies=[PUBLIC])
    app.router.add_api_route("/_test/quiet", quiet, dependencies=[PUBLIC])
    with AppClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def mail_client(mail_settings: Settings) -> Iterator[AppClient]:
    yield from _client(mail_settings)


@pytest.fixture
def broken_mail_client(closed_port_settings: Settings) -> Iterator[AppClient]:
    yield from _client(closed_port_settings)


def outbox(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage)).all())


def test_mail_enqueued_by_a_request_is_sent_after_the_commit(mail_client, mailbox, engine):
    response = mail_client.get("/_test/mail")

    assert response.status_code == 200 and response.text == "ok"
    assert [m["Subject"] for m in mailbox.messages] == ["[HMS] etter commit"]
    [row] = outbox(engine)
    assert row.sent_at is not None


def test_a_failed_request_sends_and_keeps_nothing(mail_client, mailbox, engine):
    assert mail_client.get("/_test/mail-fails").status_code == 500
    assert mailbox.messages == []
    assert outbox(engine) == []


def test_a_request_without_mail_does_not_deliver_older_mail(mail_client, mailbox, engine):
    with Session(engine) as session:
        enqueue(session, recipient="a@test.example", subject="[HMS] gammel", body="b")
        session.commit()
    assert mail_client.get("/_test/quiet").status_code == 200
    assert mailbox.messages == []  # left for cron (send-mail / remind)


def test_smtp_failure_is_not_the_users_problem(broken_mail_client, engine):
    response = broken_mail_client.get("/_test/mail")

    assert response.status_code == 200 and response.text == "ok"
    [row] = outbox(engine)
    assert row.sent_at is None and row.attempts == 1 and row.last_error
