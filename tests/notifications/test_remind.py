"""`hms-tracker remind`: one digest per person and day of what is overdue, sent once even
when run twice or by two processes at once; `send-mail` for the outbox."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from hms_tracker.cli import app as cli
from hms_tracker.config import Settings, get_settings
from hms_tracker.notifications import remind
from hms_tracker.notifications.models import OutboxMessage, ReminderDigest
from hms_tracker.notifications.remind import ReminderItem, register_reminder_source, run_reminders
from hms_tracker.notifications.service import Recipient
from hms_tracker.organisation.models import DepartmentLeader
from tests.factories import make_department, make_person, make_user
from tests.notifications.conftest import (
    body_of,
    make_action,
    make_deviation,
    make_person_without_email,
)

DAY = date(2026, 11, 25)
BEFORE = date(2026, 11, 24)


@dataclass
class Company:
    responsible: str  # e-mail of each person who should get a digest
    owner: str
    leader: str
    admin: str
    english: str

    @property
    def with_digest(self) -> set[str]:
        return {self.responsible, self.owner, self.leader, self.admin, self.english}


def build_company(session: Session) -> Company:
    parent = make_department(session, name="Produksjon")
    child = make_department(session, name="Lager", parent_id=parent.id)
    other = make_department(session, name="Salg")

    responsible = make_person(session, email="ansvarlig@test.example", name="Anne Ansvarlig")
    make_deviation(
        session,
        department=child,
        title="Forfalt avvik",
        status="in_progress",
        responsible_person_id=responsible.id,
        deadline=BEFORE,
    )
    make_deviation(  # due today: not overdue
        session,
        department=child,
        title="Frist i dag",
        status="actions",
        responsible_person_id=responsible.id,
        deadline=DAY,
    )
    make_deviation(  # closed: never overdue
        session,
        department=child,
        title="Lukket avvik",
        status="closed",
        responsible_person_id=responsible.id,
        deadline=date(2026, 1, 1),
    )

    owner = make_person(session, email="eier@test.example")
    deviation = make_deviation(session, department=other, title="Avvik med tiltak")
    make_action(
        session, deviation=deviation, owner_id=owner.id, deadline=BEFORE, description="Forfalt"
    )
    make_action(
        session,
        deviation=deviation,
        owner_id=owner.id,
        deadline=BEFORE,
        description="Ferdig tiltak",
        done_on=BEFORE,
    )
    make_action(
        session,
        deviation=deviation,
        owner_id=owner.id,
        deadline=BEFORE,
        description="Trukket tiltak",
        withdrawn_at=datetime(2026, 11, 1, tzinfo=UTC),
        withdrawn_reason="dublett",
    )

    # A serious injury in Lager, not notified: the leader of Produksjon (above) and the
    # admin are reminded; the leader of Salg is not. A notified one reminds nobody.
    leader = make_person(session, email="leder@test.example")
    session.add(DepartmentLeader(department_id=parent.id, person_id=leader.id))
    other_leader = make_person(session, email="salgsleder@test.example")
    session.add(DepartmentLeader(department_id=other.id, person_id=other_leader.id))
    make_user(session, is_admin=True, person=make_person(session, email="admin@test.example"))
    make_deviation(
        session,
        department=child,
        title="Fallulykke fra stige",
        category="personal_injury",
        serious_injury=True,
    )
    make_deviation(
        session,
        department=other,
        title="Meldt personskade",
        category="personal_injury",
        serious_injury=True,
        notified_at=datetime(2026, 11, 2, tzinfo=UTC),
    )

    english = make_user(session, person=make_person(session, email="english@test.example"))
    english.language = "en"
    make_action(session, deviation=deviation, owner_id=english.person_id, deadline=BEFORE)

    # Overdue, but no e-mail address; and someone who has left.
    nobody = make_person_without_email(session)
    make_action(session, deviation=deviation, owner_id=nobody.id, deadline=BEFORE)
    left = make_person(session, employed_to=date(2026, 10, 31), email="sluttet@test.example")
    make_action(session, deviation=deviation, owner_id=left.id, deadline=BEFORE)

    session.commit()
    return Company(
        responsible.email, owner.email, leader.email, "admin@test.example", "english@test.example"
    )


def digests(session: Session) -> list[OutboxMessage]:
    return list(
        session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("digest:"))  # type: ignore[union-attr]
        ).all()
    )


def test_each_person_with_overdue_items_gets_one_digest_even_when_run_twice(
    engine, session, mail_settings, mailbox
):
    company = build_company(session)

    first = run_reminders(engine, mail_settings, DAY)
    second = run_reminders(engine, mail_settings, DAY)

    assert (first.digests, first.already_done, first.without_email) == (5, 0, 1)
    assert first.delivery.sent == 5
    assert (second.digests, second.already_done, second.delivery.sent) == (0, 5, 0)
    assert sorted(m["To"] for m in mailbox.messages) == sorted(company.with_digest)
    assert len(session.exec(select(ReminderDigest)).all()) == 5


def test_digest_lists_exactly_the_overdue_items(engine, session, mail_settings, mailbox):
    company = build_company(session)
    run_reminders(engine, mail_settings, DAY)

    [to_responsible] = mailbox.to(company.responsible)
    text = body_of(to_responsible)
    assert to_responsible["Subject"] == "[HMS] 1 sak venter på deg"
    assert "Hei Anne Ansvarlig," in text
    assert "«Forfalt avvik»" in text and "fristen var 24. nov. 2026" in text
    assert "Frist i dag" not in text and "Lukket avvik" not in text
    assert "https://hms.test.example/deviations/" in text

    text = body_of(mailbox.to(company.owner)[0])
    assert "«Forfalt»" in text and "Ferdig tiltak" not in text and "Trukket tiltak" not in text

    for address in (company.leader, company.admin):
        [message] = mailbox.to(address)
        assert "Fallulykke fra stige" in body_of(message)
        assert "Meldt personskade" not in body_of(message)
    assert mailbox.to("salgsleder@test.example") == []
    assert mailbox.to("sluttet@test.example") == []


def test_english_recipient_digest_uses_the_english_locale(engine, session, mail_settings, mailbox):
    company = build_company(session)
    run_reminders(engine, mail_settings, DAY)
    text = body_of(mailbox.to(company.english)[0])
    assert "25 Nov 2026" in text and "24 Nov 2026" in text
    assert "nov. 2026" not in text


def test_two_runs_at_once_send_each_digest_once(engine, session, mail_settings, mailbox):
    company = build_company(session)
    start = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            start.wait()
            results.append(run_reminders(engine, mail_settings, DAY))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert sum(r.digests for r in results) == 5
    assert sorted(m["To"] for m in mailbox.messages) == sorted(company.with_digest)


def test_next_day_sends_again_and_retries_earlier_unsent_mail(
    engine, session, mail_settings, closed_port_settings, mailbox
):
    build_company(session)
    failed = run_reminders(engine, closed_port_settings, DAY)
    assert failed.digests == 5 and failed.delivery.sent == 0 and failed.delivery.waiting == 5

    # The same day again: no new digests, but the waiting ones go out.
    again = run_reminders(engine, mail_settings, DAY)
    assert (again.digests, again.delivery.sent) == (0, 5)

    tomorrow = run_reminders(engine, mail_settings, date(2026, 11, 26))
    assert tomorrow.digests == 5
    assert len(mailbox.messages) == 10


def test_another_domain_can_add_a_source(engine, session, mail_settings, mailbox):
    person = make_person(session, email="rutine@test.example")
    session.commit()

    @register_reminder_source
    def routines_past_review(session: Session, day: date) -> dict[int, list[ReminderItem]]:
        return {person.id: [ReminderItem("Rutine «Førstehjelp» skulle vært gjennomgått", "u")]}

    try:
        result = run_reminders(engine, mail_settings, DAY)
    finally:
        remind._SOURCES.remove(routines_past_review)
    assert result.digests == 1
    assert "«Førstehjelp»" in body_of(mailbox.to("rutine@test.example")[0])


# --- the commands -----------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[pytest.MonkeyPatch]:
    for name in list(os.environ):
        if name.startswith("HMS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HMS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HMS_VAR_DIR", str(settings.var_dir))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_remind_command_twice_sends_each_digest_once(cli_env, session, smtp_server, mailbox):
    build_company(session)
    cli_env.setenv("HMS_SMTP_HOST", "127.0.0.1")
    cli_env.setenv("HMS_SMTP_PORT", str(smtp_server.port))
    # Settings read while the company was built (the environment's, without SMTP) are not
    # the command's.
    get_settings.cache_clear()
    runner = CliRunner()

    first = runner.invoke(cli, ["remind", "--day", "2026-11-25"])
    second = runner.invoke(cli, ["remind", "--day", "2026-11-25"])

    assert first.exit_code == 0, first.output
    assert "2026-11-25: 5 digest(s) queued, 1 person(s) without e-mail skipped." in first.output
    assert "5 e-mail(s) sent; 0 waiting." in first.output
    assert second.exit_code == 0, second.output
    assert "0 digest(s) queued, 5 already queued earlier today" in second.output
    assert len(mailbox.messages) == 5


def test_remind_without_smtp_keeps_the_digests_and_says_so(cli_env, session, smtp_server, mailbox):
    build_company(session)
    runner = CliRunner()

    result = runner.invoke(cli, ["remind", "--day", "2026-11-25"])

    assert result.exit_code == 0, result.output
    assert "E-mail is not configured (HMS_SMTP_HOST is empty): 5 message(s) wait" in result.output

    cli_env.setenv("HMS_SMTP_HOST", "127.0.0.1")
    cli_env.setenv("HMS_SMTP_PORT", str(smtp_server.port))
    get_settings.cache_clear()
    sent = runner.invoke(cli, ["send-mail"])
    assert sent.exit_code == 0, sent.output
    assert "5 e-mail(s) sent; 0 waiting." in sent.output
    assert len(mailbox.messages) == 5


def test_remind_refuses_a_bad_day(cli_env):
    result = CliRunner().invoke(cli, ["remind", "--day", "25.11.2026"])
    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output


def test_routine_owner_is_reminded_of_a_routine_past_its_review_date(
    engine, session, mail_settings, mailbox
):
    from datetime import timedelta

    from hms_tracker.routines.models import Routine, RoutineVersion

    owner = make_person(session, email="eier@test.example")
    for title, due, status in (
        ("Varme arbeider", DAY - timedelta(days=1), "published"),  # past review: reminded
        ("Førstehjelp", DAY, "published"),  # due today: still in time
        ("Kladd", DAY - timedelta(days=30), "draft"),  # never published: nothing to review
    ):
        routine = Routine(title=title, owner_id=owner.id, next_review_on=due)
        session.add(routine)
        session.flush()
        session.add(
            RoutineVersion(
                routine_id=routine.id,
                title=title,
                status=status,
                number=1 if status == "published" else None,
                published_on=due - timedelta(days=365) if status == "published" else None,
            )
        )
    session.commit()
    run_reminders(engine, mail_settings, DAY)
    body = body_of(mailbox.to("eier@test.example")[0])
    assert "«Varme arbeider»" in body
    assert "Førstehjelp" not in body and "Kladd" not in body


def test_digest_text_is_the_plain_text_template():
    """templates/email/reminder_digest.txt: each item on its own line with its link below,
    no HTML escaping, one newline at the end."""
    to = Recipient(7, "Kari <Nordmann>", "kari@test.example", "nb")
    items = [
        ReminderItem("Avvik «Glatt & vått gulv»: fristen var 24. nov. 2026", "https://x/1"),
        ReminderItem("Rutinen «Førstehjelp» skulle vært gjennomgått 1. nov. 2026", "https://x/2"),
    ]
    digest = remind.render_digest(to, items, DAY)
    assert digest.subject == "[HMS] 2 saker venter på deg"
    assert digest.body == (
        "Hei Kari <Nordmann>,\n\n"
        "Dette venter på deg i HMS-systemet per 25. nov. 2026:\n\n"
        "- Avvik «Glatt & vått gulv»: fristen var 24. nov. 2026\n"
        "  https://x/1\n"
        "- Rutinen «Førstehjelp» skulle vært gjennomgått 1. nov. 2026\n"
        "  https://x/2\n\n"
        "Du får denne oppsummeringen én gang per dag så lenge noe står igjen.\n"
    )
