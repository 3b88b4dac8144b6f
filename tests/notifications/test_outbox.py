"""The outbox: written in the caller's transaction, delivered over real SMTP (aiosmtpd),
deduplicated, retried after failures, and never sent twice by two deliverers."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlmodel import Session, select

from hms_tracker.config import Settings
from hms_tracker.db import utcnow
from hms_tracker.notifications.models import OutboxMessage
from hms_tracker.notifications.outbox import deliver_pending, enqueue
from hms_tracker.notifications.smtp import short_error
from hms_tracker.organisation.models import Person
from tests.factories import make_person
from tests.notifications.conftest import body_of


def outbox(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_enqueued_message_is_delivered_after_commit(engine, mail_settings, mailbox):
    with Session(engine) as session:
        assert enqueue(
            session,
            recipient="kari@test.example",
            subject="[HMS] Hei på deg – «prøve»",
            body="Første linje med æøå.\nAndre linje.\n",
        )
        # Nothing is visible to a deliverer before the commit.
        assert deliver_pending(engine, mail_settings).sent == 0
        session.commit()

    result = deliver_pending(engine, mail_settings)

    assert (result.enabled, result.sent, result.failed, result.waiting) == (True, 1, 0, 0)
    [mail] = mailbox.messages
    assert mailbox.envelopes[0].rcpt_tos == ["kari@test.example"]
    assert mail["From"] == "hms-tracker <hms@test.example>"
    assert mail["Subject"] == "[HMS] Hei på deg – «prøve»"
    assert body_of(mail) == "Første linje med æøå.\nAndre linje.\n"
    assert mail["Message-ID"].endswith("@test.example>")
    [row] = outbox(engine)
    assert row.sent_at is not None and row.attempts == 0 and row.claimed_until is None
    # Sent is sent: a second run sends nothing.
    assert deliver_pending(engine, mail_settings).sent == 0
    assert len(mailbox.messages) == 1


def test_rolled_back_transaction_sends_nothing(engine, mail_settings, mailbox):
    with Session(engine) as session:
        enqueue(session, recipient="a@test.example", subject="[HMS] x", body="x")
        session.rollback()
    assert deliver_pending(engine, mail_settings).sent == 0
    assert outbox(engine) == []
    assert mailbox.messages == []


def test_existing_dedupe_key_is_skipped_and_the_transaction_goes_on(engine, mail_settings, mailbox):
    with Session(engine) as session:
        assert enqueue(session, recipient="a@test.example", subject="s", body="1", dedupe_key="k1")
        assert not enqueue(
            session, recipient="a@test.example", subject="s", body="2", dedupe_key="k1"
        )
        person_id = make_person(session, name="Etter dubletten").id  # the transaction works
        session.commit()
    with Session(engine) as session:  # and in a later transaction
        assert not enqueue(
            session, recipient="a@test.example", subject="s", body="3", dedupe_key="k1"
        )
        assert enqueue(session, recipient="a@test.example", subject="s", body="4", dedupe_key="k2")
        session.commit()
        assert session.get(Person, person_id) is not None

    assert deliver_pending(engine, mail_settings).sent == 2
    assert sorted(body_of(m).strip() for m in mailbox.messages) == ["1", "4"]


def test_failure_is_recorded_then_retried_when_the_server_answers(
    engine, mail_settings, closed_port_settings, mailbox, caplog
):
    with Session(engine) as session:
        enqueue(session, recipient="a@test.example", subject="[HMS] først", body="1")
        enqueue(session, recipient="b@test.example", subject="[HMS] så", body="2")
        session.commit()

    with caplog.at_level(logging.WARNING, logger="hms_tracker.mail"):
        result = deliver_pending(engine, closed_port_settings)

    # The connection failed: the first message counts an attempt, the run stops there.
    assert (result.sent, result.failed, result.waiting) == (0, 1, 2)
    first, second = outbox(engine)
    assert first.attempts == 1 and first.sent_at is None and first.claimed_until is None
    assert first.last_error and "ConnectionRefusedError" in first.last_error
    assert len(first.last_error) <= 300
    assert second.attempts == 0
    assert "will be retried" in caplog.text

    result = deliver_pending(engine, mail_settings)

    assert (result.sent, result.failed, result.waiting) == (2, 0, 0)
    assert sorted(m["Subject"] for m in mailbox.messages) == ["[HMS] først", "[HMS] så"]
    assert all(row.sent_at is not None and row.last_error is None for row in outbox(engine))


def test_message_is_given_up_after_the_last_attempt(
    engine, closed_port_settings, mail_settings, mailbox, caplog
):
    settings = closed_port_settings.model_copy(update={"smtp_max_attempts": 2})
    with Session(engine) as session:
        enqueue(session, recipient="a@test.example", subject="s", body="b")
        session.commit()

    assert deliver_pending(engine, settings).given_up == 0
    with caplog.at_level(logging.ERROR, logger="hms_tracker.mail"):
        result = deliver_pending(engine, settings)
    assert (result.failed, result.given_up, result.waiting) == (1, 1, 0)
    assert "Giving up e-mail" in caplog.text
    # Not tried again, even when the server is back.
    good = mail_settings.model_copy(update={"smtp_max_attempts": 2})
    assert deliver_pending(engine, good).sent == 0
    assert mailbox.messages == []
    [row] = outbox(engine)
    assert row.attempts == 2 and row.sent_at is None


def test_message_claimed_by_another_deliverer_is_left_alone_until_the_claim_expires(
    engine, mail_settings, mailbox
):
    with Session(engine) as session:
        enqueue(session, recipient="a@test.example", subject="s", body="b")
        session.commit()
    table = OutboxMessage.__table__
    with engine.begin() as conn:
        conn.execute(sa.update(table).values(claimed_until=utcnow() + timedelta(minutes=5)))
    assert deliver_pending(engine, mail_settings).sent == 0
    with engine.begin() as conn:  # that process died; its claim ran out
        conn.execute(sa.update(table).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert deliver_pending(engine, mail_settings).sent == 1
    assert len(mailbox.messages) == 1


def test_two_deliverers_at_once_send_each_message_exactly_once(engine, mail_settings, mailbox):
    with Session(engine) as session:
        for n in range(30):
            enqueue(session, recipient=f"p{n}@test.example", subject=f"[HMS] nr {n}", body="b")
        session.commit()

    start = threading.Barrier(2)
    results = []
    errors = []

    def run() -> None:
        try:
            start.wait()
            results.append(deliver_pending(engine, mail_settings))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    subjects = [m["Subject"] for m in mailbox.messages]
    assert len(subjects) == 30
    assert len(set(subjects)) == 30
    assert sum(r.sent for r in results) == 30
    assert all(row.sent_at is not None for row in outbox(engine))


def test_with_smtp_off_messages_wait_in_the_outbox(engine, settings, caplog):
    assert not settings.mail_enabled
    with Session(engine) as session:
        enqueue(session, recipient="a@test.example", subject="s", body="b")
        session.commit()
    result = deliver_pending(engine, settings)
    assert (result.enabled, result.sent, result.waiting) == (False, 0, 1)
    [row] = outbox(engine)
    assert row.attempts == 0 and row.sent_at is None


def test_error_text_is_short_and_has_no_password():
    settings = Settings(smtp_password=SecretStr("hemmelig-123"))
    text = short_error(RuntimeError("login hemmelig-123 refused\n" + "x" * 1000), settings)
    assert "hemmelig" not in text
    assert text.startswith("RuntimeError: login *** refused")
    assert len(text) <= 300 and "\n" not in text


@pytest.mark.parametrize("refused", ["bad@test.example"])
def test_a_refused_recipient_does_not_stop_the_others(engine, mail_settings, mailbox, refused):
    class Picky:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            if address == refused:
                return "550 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    mailbox.handle_RCPT = Picky().handle_RCPT  # type: ignore[attr-defined]
    with Session(engine) as session:
        enqueue(session, recipient=refused, subject="s1", body="b")
        enqueue(session, recipient="good@test.example", subject="s2", body="b")
        session.commit()
    result = deliver_pending(engine, mail_settings)
    assert (result.sent, result.failed) == (1, 1)
    bad, good = outbox(engine)
    assert "SMTPRecipientsRefused" in (bad.last_error or "") and bad.attempts == 1
    assert good.sent_at is not None
    assert [m["To"] for m in mailbox.messages] == ["good@test.example"]
