"""The deviation e-mails: who gets them, what they say, in which language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from hms_tracker.accounts.models import User
from hms_tracker.deviations.models import DeviationComment
from hms_tracker.notifications.models import OutboxMessage
from hms_tracker.notifications.outbox import deliver_pending, using_settings
from hms_tracker.notifications.service import (
    notify_action_created,
    notify_assigned,
    notify_reporter,
)
from hms_tracker.web import i18n
from tests.factories import make_department, make_person, make_user
from tests.notifications.conftest import (
    body_of,
    make_action,
    make_deviation,
    make_person_without_email,
)

BASE = "https://hms.test.example"


def queued(session: Session) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


@pytest.fixture
def mail(mail_settings):
    with using_settings(mail_settings):
        yield mail_settings


def test_assigned_person_gets_title_deadline_and_link(session, mail):
    dept = make_department(session)
    responsible = make_person(session, name="Kari Nordmann", email="kari@test.example")
    deviation = make_deviation(
        session,
        department=dept,
        title="Glatt gulv ved inngangen",
        status="in_progress",
        responsible_person_id=responsible.id,
        deadline=date(2026, 12, 1),
    )

    notify_assigned(session, deviation)

    [message] = queued(session)
    assert message.recipient == "kari@test.example"
    assert message.subject.startswith("[HMS] ")
    assert "Glatt gulv ved inngangen" in message.subject
    assert "Hei Kari Nordmann," in message.body
    assert "«Glatt gulv ved inngangen»" in message.body
    assert "Frist: 1. des. 2026" in message.body
    assert f"{BASE}/deviations/{deviation.id}" in message.body


def test_assigned_without_deadline_says_so(session, mail):
    responsible = make_person(session)
    deviation = make_deviation(
        session, department=make_department(session), responsible_person_id=responsible.id
    )
    notify_assigned(session, deviation)
    [message] = queued(session)
    assert "Ingen frist er satt." in message.body


def test_nobody_is_told_when_the_person_has_no_email(session, mail):
    dept = make_department(session)
    no_email = make_person_without_email(session)
    reporter = make_person_without_email(session)
    deviation = make_deviation(
        session,
        department=dept,
        responsible_person_id=no_email.id,
        reporter_person_id=reporter.id,
        deadline=date(2026, 12, 1),
    )
    action = make_action(
        session, deviation=deviation, owner_id=no_email.id, deadline=date(2026, 12, 1)
    )
    # And no responsible person at all.
    unassigned = make_deviation(session, department=dept)

    notify_assigned(session, deviation)
    notify_assigned(session, unassigned)
    notify_action_created(session, action, deviation)
    notify_reporter(session, deviation)

    assert queued(session) == []


def test_action_owner_gets_description_deadline_and_link(session, mail):
    dept = make_department(session)
    owner = make_person(session, name="Ola Hansen", email="ola@test.example")
    deviation = make_deviation(session, department=dept, title="Lekkasje på lageret")
    action = make_action(
        session,
        deviation=deviation,
        owner_id=owner.id,
        deadline=date(2026, 12, 15),
        description="Bytt pakning i kranen",
    )

    notify_action_created(session, action, deviation)

    [message] = queued(session)
    assert message.recipient == "ola@test.example"
    assert message.subject.startswith("[HMS] ")
    assert "Bytt pakning i kranen" in message.body
    assert "Frist: 15. des. 2026" in message.body
    assert f"{BASE}/deviations/{deviation.id}" in message.body
    # The same action does not give a second e-mail.
    notify_action_created(session, action, deviation)
    assert len(queued(session)) == 1


def test_reporter_is_told_of_closure_and_nothing_internal(session, mail):
    dept = make_department(session)
    reporter = make_person(session, name="Per Melder", email="per@test.example")
    deviation = make_deviation(
        session,
        department=dept,
        title="Tittel som ikke skal med",
        reporter_person_id=reporter.id,
        status="closed",
        root_cause="Intern rotårsak: Hansen glemte låsen",
        closing_note="Internt lukkenotat",
        actions_effect="yes",
        closed_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    session.add(
        DeviationComment(
            deviation_id=deviation.id, body="Intern kommentar om Hansen", visibility="internal"
        )
    )
    session.flush()

    notify_reporter(session, deviation)

    [message] = queued(session)
    assert message.recipient == "per@test.example"
    assert message.subject == "[HMS] Avviket du meldte er lukket"
    assert f"nr. {deviation.id}" in message.body
    assert f"{BASE}/deviations/{deviation.id}" in message.body
    for secret in ("rotårsak", "Hansen", "lukkenotat", "Tittel som ikke skal med"):
        assert secret not in message.body and secret not in message.subject


def test_reporter_is_told_the_summary_written_for_them(session, engine, mail, mailbox):
    """The summary for the reporter goes into the closure e-mail, delivered as it was
    written; the cause and the closing note stay internal."""
    dept = make_department(session)
    reporter = make_person(session, name="Per Melder", email="per@test.example")
    deviation = make_deviation(
        session,
        department=dept,
        reporter_person_id=reporter.id,
        status="closed",
        root_cause="Intern rotårsak",
        closing_note="Internt lukkenotat",
        reporter_summary="Vi har satt opp rekkverk – «takk» for at du sa fra!",
        actions_effect="yes",
        closed_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    notify_reporter(session, deviation)
    session.commit()

    assert deliver_pending(engine, mail).sent == 1
    [message] = mailbox.to("per@test.example")
    assert message["Subject"] == "[HMS] Avviket du meldte er lukket"
    body = body_of(message)
    assert "Vi har satt opp rekkverk – «takk» for at du sa fra!" in body
    assert "Du ser tiltakene som ble gjennomført, og om de virket, på avvikets side." in body
    assert f"{BASE}/deviations/{deviation.id}" in body
    assert "rotårsak" not in body and "lukkenotat" not in body


def test_closed_without_actions_points_to_the_outcome(session, mail):
    reporter = make_person(session, email="per@test.example")
    deviation = make_deviation(
        session,
        department=make_department(session),
        reporter_person_id=reporter.id,
        status="closed",
        actions_effect="no_actions",
    )
    notify_reporter(session, deviation)
    [message] = queued(session)
    assert "Du ser utfallet på avvikets side." in message.body
    assert "Oppsummering til deg" not in message.body


def test_anonymous_reporter_gets_nothing(session, mail):
    deviation = make_deviation(session, department=make_department(session), anonymous=True)
    notify_reporter(session, deviation)
    assert queued(session) == []


def test_english_user_gets_the_message_in_english(session, mail):
    dept = make_department(session)
    user = make_user(session)
    user.language = "en"
    session.add(user)
    deviation = make_deviation(
        session,
        department=dept,
        title="Wet floor",
        responsible_person_id=user.person_id,
        deadline=date(2026, 12, 1),
    )

    notify_assigned(session, deviation)

    [message] = queued(session)
    en = i18n.translations("en")
    # Rendered with the English catalogue: the texts (once translated) and the date.
    assert message.subject == "[HMS] " + en.gettext("Avvik tildelt deg: %(title)s") % {
        "title": "Wet floor"
    }
    assert en.gettext("Frist: %(deadline)s") % {"deadline": "1 Dec 2026"} in message.body
    assert "1. des. 2026" not in message.body
    # The request's own language is untouched afterwards.
    assert i18n.get_language() == "nb"


def test_english_text_once_translated(session, mail):
    """Enabled by itself when the en catalogue has the strings (the lead's translation pass)."""
    msgid = "Avvik tildelt deg: %(title)s"
    if i18n.translations("en").gettext(msgid) == msgid:
        pytest.skip("the en catalogue does not translate the mail texts yet")
    user = make_user(session)
    user.language = "en"
    session.add(user)
    deviation = make_deviation(
        session, department=make_department(session), responsible_person_id=user.person_id
    )
    notify_assigned(session, deviation)
    [message] = queued(session)
    assert "tildelt" not in message.subject


def test_norwegian_and_unset_language_get_bokmal(session, mail):
    dept = make_department(session)
    chosen_nb = make_user(session)
    chosen_nb.language = "nb"
    unset = make_user(session)
    assert unset.language is None
    for user in (chosen_nb, unset):
        deviation = make_deviation(
            session,
            department=dept,
            responsible_person_id=user.person_id,
            deadline=date(2026, 12, 1),
        )
        notify_assigned(session, deviation)
    messages = queued(session)
    assert len(messages) == 2
    for message in messages:
        assert message.subject.startswith("[HMS] Avvik tildelt deg: ")
        assert "Frist: 1. des. 2026" in message.body


def test_messages_are_sent_once_committed(session, engine, mail, mailbox):
    dept = make_department(session)
    owner = make_person(session, email="eier@test.example")
    deviation = make_deviation(
        session, department=dept, title="Åpen kum – «farlig»", responsible_person_id=owner.id
    )
    action = make_action(session, deviation=deviation, owner_id=owner.id, deadline=date.today())
    notify_assigned(session, deviation)
    notify_action_created(session, action, deviation)
    session.commit()

    assert deliver_pending(engine, mail).sent == 2
    subjects = sorted(m["Subject"] for m in mailbox.to("eier@test.example"))
    assert subjects == [
        "[HMS] Avvik tildelt deg: Åpen kum – «farlig»",
        "[HMS] Nytt tiltak til deg: Åpen kum – «farlig»",
    ]
    assert all("Hei " in body_of(m) for m in mailbox.messages)


def test_user_row_is_read_for_the_language(session, mail):
    """The language comes from the account (`User.language`), looked up per person."""
    user = make_user(session)
    user.language = "en"
    session.flush()
    assert session.exec(select(User.language).where(User.person_id == user.person_id)).one() == "en"


def test_reporter_is_told_of_rejection_without_the_internal_details(session, mail):
    dept = make_department(session)
    reporter = make_person(session, name="Per Melder", email="per@test.example")
    deviation = make_deviation(
        session,
        department=dept,
        title="Tittel som ikke skal med",
        reporter_person_id=reporter.id,
        status="rejected",
        rejection_reason="Dobbeltmelding",
    )
    notify_reporter(session, deviation)
    [message] = queued(session)
    assert message.recipient == "per@test.example"
    assert message.subject == "[HMS] Avviket du meldte er avvist"
    assert f"{BASE}/deviations/{deviation.id}" in message.body
    assert "Tittel som ikke skal med" not in message.body
    anonymous = make_deviation(session, department=dept, anonymous=True, status="rejected")
    notify_reporter(session, anonymous)
    assert len(queued(session)) == 1


def test_bodies_are_the_plain_texts_from_the_templates(session, mail):
    """The e-mail templates (templates/email/) give these exact texts: no HTML escaping,
    a blank line between paragraphs, one newline at the end."""
    dept = make_department(session)
    kari = make_person(session, name="Kari <Nordmann>", email="kari@test.example")
    deviation = make_deviation(
        session,
        department=dept,
        title="Åpen kum & «farlig»",
        status="in_progress",
        responsible_person_id=kari.id,
        reporter_person_id=kari.id,
    )
    action = make_action(
        session,
        deviation=deviation,
        owner_id=kari.id,
        deadline=date(2026, 12, 15),
        description="Sett <lokk>",
    )
    notify_assigned(session, deviation)
    notify_action_created(session, action, deviation)
    deviation.status = "closed"
    deviation.actions_effect = "yes"
    notify_reporter(session, deviation)
    deviation.reporter_summary = "Lokket er på plass.\nTakk for <meldingen>!"
    deviation.version += 1
    notify_reporter(session, deviation)
    deviation.status = "rejected"
    notify_reporter(session, deviation)
    link = f"{BASE}/deviations/{deviation.id}"
    assert [m.body for m in queued(session)] == [
        "Hei Kari <Nordmann>,\n\n"
        "Du er satt som ansvarlig for å behandle avviket «Åpen kum & «farlig»».\n\n"
        "Ingen frist er satt.\n\n"
        f"Se avviket: {link}\n",
        "Hei Kari <Nordmann>,\n\n"
        "Du har fått ansvar for et tiltak i avviket «Åpen kum & «farlig»»:\n\n"
        "Sett <lokk>\n\n"
        "Frist: 15. des. 2026\n\n"
        f"Se avviket: {link}\n",
        "Hei Kari <Nordmann>,\n\n"
        f"Avviket du meldte (nr. {deviation.id}) er lukket.\n\n"
        "Du ser tiltakene som ble gjennomført, og om de virket, på avvikets side.\n\n"
        f"Se avviket: {link}\n",
        "Hei Kari <Nordmann>,\n\n"
        f"Avviket du meldte (nr. {deviation.id}) er lukket.\n\n"
        "Oppsummering til deg fra dem som behandlet avviket:\n\n"
        "Lokket er på plass.\nTakk for <meldingen>!\n\n"
        "Du ser tiltakene som ble gjennomført, og om de virket, på avvikets side.\n\n"
        f"Se avviket: {link}\n",
        "Hei Kari <Nordmann>,\n\n"
        f"Avviket du meldte (nr. {deviation.id}) er avvist. Du ser begrunnelsen på "
        "avvikets side.\n\n"
        f"Se avviket: {link}\n",
    ]


def test_an_open_deviation_tells_the_reporter_nothing(session, mail):
    reporter = make_person(session, email="per@test.example")
    deviation = make_deviation(
        session, department=make_department(session), reporter_person_id=reporter.id
    )
    notify_reporter(session, deviation)
    assert queued(session) == []
