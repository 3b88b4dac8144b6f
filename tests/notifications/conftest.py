"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives, settings
pointing at it, and small helpers for deviations and actions."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from hms_tracker.config import Settings
from hms_tracker.deviations.models import CorrectiveAction, Deviation
from hms_tracker.organisation.models import Department, Person
from tests.factories import make_person


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd handler: every accepted message, parsed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return [
                message_from_bytes(e.content, policy=policy.default)  # type: ignore[misc]
                for e in self.envelopes
            ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    return smtp_server.mailbox


@pytest.fixture
def mail_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server.port,
            "smtp_from": "hms-tracker <hms@test.example>",
            "smtp_timeout": 5.0,
            "base_url": "https://hms.test.example",
        }
    )


@pytest.fixture
def closed_port_settings(mail_settings: Settings) -> Settings:
    """SMTP pointed at a port nobody listens on."""
    return mail_settings.model_copy(update={"smtp_port": free_port()})


def make_deviation(
    session: Session,
    *,
    department: Department,
    title: str = "Glatt gulv ved inngangen",
    **fields: Any,
) -> Deviation:
    values: dict[str, Any] = {
        "description": "Vann på gulvet etter vask.",
        "occurred_at": datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        "category": "hazard",
        "consequence": 2,
        "probability": 3,
    }
    values.update(fields)
    deviation = Deviation(title=title, department_id=department.id, **values)
    session.add(deviation)
    session.flush()
    return deviation


def make_action(
    session: Session,
    *,
    deviation: Deviation | None,
    owner_id: int,
    deadline: date,
    description: str = "Sett opp skilt om glatt gulv",
    **fields: Any,
) -> CorrectiveAction:
    action = CorrectiveAction(
        deviation_id=deviation.id if deviation else None,
        description=description,
        owner_person_id=owner_id,
        deadline=deadline,
        **fields,
    )
    session.add(action)
    session.flush()
    return action


def body_of(message: EmailMessage) -> str:
    """The decoded text body (the plain-text part of a message with an attachment), with
    the wire's CRLF line ends as plain newlines."""
    part = message.get_body(preferencelist=("plain",)) or message
    return str(part.get_content()).replace("\r\n", "\n")


def make_person_without_email(session: Session, **fields: Any) -> Person:
    person = make_person(session, **fields)
    person.email = None
    session.add(person)
    session.flush()
    return person
