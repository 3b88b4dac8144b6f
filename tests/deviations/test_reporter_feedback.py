"""Feedback to the reporter: once a case is closed, the reporter (logged in, or with the
receipt code) sees the summary the handler wrote for them, the actions that were done and
whether they worked; never the root cause, the closing note, internal comments or names.
A rejected case shows its reason. The closure e-mail carries the summary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from hms_tracker.deviations import service
from hms_tracker.deviations.forms import (
    ActionDoneForm,
    ActionForm,
    AssignForm,
    CommentForm,
    ReasonForm,
)
from hms_tracker.deviations.models import CommentVisibility, CorrectiveAction, Deviation
from hms_tracker.deviations.service import Access
from hms_tracker.notifications.models import OutboxMessage
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import format_date
from tests.conftest import AppClient, login
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_person, make_user

HANDLER = Access(view=True, internal=True, handle=True, work=True, comment=True)

SUMMARY = "Vi har byttet pakningen og satt opp en rist ved porten. Takk for at du meldte!"
ROOT_CAUSE = "Rotårsak: pakningen var slitt etter service"
CLOSING_NOTE = "Intern merknad: rutinen for service følges ikke"
INTERNAL_COMMENT = "Intern kommentar: sjekk leverandøren"
DONE_NOTE = "Intern utførtmerknad fra eieren"
ACTION = "Sette opp rist ved porten"
WITHDRAWN_ACTION = "Tiltak som ble trukket tilbake"


@pytest.fixture
def world(session):
    lager = make_department(session, name="Lager")
    leader = make_user(session, person=make_person(session, name="Lise Leder", department=lager))
    session.add(DepartmentLeader(department_id=lager.id, person_id=leader.person_id))
    worker = make_user(session, person=make_person(session, name="Arne Arbeider", department=lager))
    reporter = make_user(session, person=make_person(session, name="Mona Melder", department=lager))
    session.commit()
    return {"lager": lager, "leader": leader, "worker": worker, "reporter": reporter}


def _with_done_action(session, world, deviation: Deviation) -> None:
    """Assigned, one action done and one withdrawn, an internal comment: ready to close."""
    service.assign(
        session=session,
        access=HANDLER,
        deviation=deviation,
        data=AssignForm.model_validate(
            {
                "responsible_person_id": world["worker"].person_id,
                "deadline": (today() + timedelta(days=7)).isoformat(),
                "version": deviation.version,
            }
        ),
        today=today(),
    )
    for description in (ACTION, WITHDRAWN_ACTION):
        service.add_action(
            session=session,
            access=HANDLER,
            deviation=deviation,
            data=ActionForm.model_validate(
                {
                    "description": description,
                    "owner_person_id": world["worker"].person_id,
                    "deadline": (today() + timedelta(days=3)).isoformat(),
                }
            ),
            today=today(),
        )
    done, withdrawn = session.exec(
        select(CorrectiveAction).order_by(col(CorrectiveAction.id))
    ).all()
    service.mark_action_done(
        session=session,
        action=done,
        data=ActionDoneForm(done_on=today(), done_note=DONE_NOTE, version=done.version),
        today=today(),
    )
    service.withdraw_action(
        session=session, access=HANDLER, action=withdrawn, reason="Ikke nødvendig likevel"
    )
    service.add_comment(
        session=session,
        access=HANDLER,
        deviation=deviation,
        data=CommentForm(body=INTERNAL_COMMENT, visibility=CommentVisibility.internal),
        author_person_id=world["leader"].person_id,
    )
    session.commit()


def _close_form(deviation: Deviation, **overrides: str) -> dict[str, str]:
    form = {
        "root_cause": ROOT_CAUSE,
        "actions_effect": "partly",
        "closing_note": CLOSING_NOTE,
        "reporter_summary": SUMMARY,
        "version": str(deviation.version),
    }
    form.update(overrides)
    return form


def _reload(session, deviation_id: int) -> Deviation:
    session.expire_all()
    deviation = session.get(Deviation, deviation_id)
    assert deviation is not None
    return deviation


def _logout(client: AppClient) -> None:
    client.post("/logout", data={"csrf_token": client.token("/")})
    client.cookies.clear()


def assert_nothing_internal(html: str) -> None:
    for secret in (
        ROOT_CAUSE,
        CLOSING_NOTE,
        INTERNAL_COMMENT,
        DONE_NOTE,
        WITHDRAWN_ACTION,
        "Lise Leder",
        "Arne Arbeider",
    ):
        assert secret not in html, secret


def assert_outcome_shown(html: str) -> None:
    assert "Hva som ble gjort" in html
    assert SUMMARY in html
    assert ACTION in html
    assert f"utført {format_date(today())}" in html
    assert "Virket tiltakene?" in html and "Delvis" in html


def test_the_close_form_tells_the_handler_what_the_reporter_sees(client, session, world):
    reporter = session.get(Person, world["reporter"].person_id)
    deviation, _code = make_deviation(session, world["lager"], reporter=reporter)
    _with_done_action(session, world, deviation)
    login(client, world["leader"].email)
    page = client.get(f"/deviations/{deviation.id}")
    assert 'name="reporter_summary"' in page.text
    assert "Melderen ser tiltakene og oppsummeringen" in page.text
    assert "Årsaken og merknaden ved lukking er interne." in page.text


def test_logged_in_reporter_sees_summary_done_actions_and_effect_and_nothing_internal(
    client, session, world
):
    reporter = session.get(Person, world["reporter"].person_id)
    deviation, _code = make_deviation(session, world["lager"], reporter=reporter)
    _with_done_action(session, world, deviation)
    deviation = _reload(session, deviation.id)
    login(client, world["leader"].email)
    r = client.submit(f"/deviations/{deviation.id}/close", _close_form(deviation))
    assert r.status_code == 303, r.text[:3000]
    closed = _reload(session, deviation.id)
    assert closed.status == "closed" and closed.reporter_summary == SUMMARY
    # The handler sees what the reporter was told, and the timeline records it.
    handler_page = client.get(f"/deviations/{deviation.id}")
    assert "Oppsummering til melderen" in handler_page.text
    assert SUMMARY in handler_page.text and ROOT_CAUSE in handler_page.text
    assert "Hva som ble gjort" not in handler_page.text  # the reporter's section

    # The closure e-mail to the reporter carries the summary, nothing internal.
    [mail] = session.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == reporter.email)
    ).all()
    assert mail.subject == "[HMS] Avviket du meldte er lukket"
    assert SUMMARY in mail.body
    assert "Du ser tiltakene som ble gjennomført, og om de virket, på avvikets side." in mail.body
    assert_nothing_internal(mail.body)

    _logout(client)
    login(client, world["reporter"].email)
    page = client.get(f"/deviations/{deviation.id}")
    assert page.status_code == 200
    assert_outcome_shown(page.text)
    assert_nothing_internal(page.text)


def test_anonymous_reporter_sees_the_outcome_with_the_receipt_code(client, session, world):
    deviation, code = make_deviation(session, world["lager"], title="Lekkasje ved porten")
    assert code is not None
    _with_done_action(session, world, deviation)
    deviation = _reload(session, deviation.id)
    login(client, world["leader"].email)
    page = client.get(f"/deviations/{deviation.id}")
    assert "Melderen ser tiltakene og oppsummeringen med kvitteringskoden" in page.text
    r = client.submit(f"/deviations/{deviation.id}/close", _close_form(deviation))
    assert r.status_code == 303, r.text[:3000]
    # No address to write to: an anonymous reporter gets no e-mail.
    subjects = [m.subject for m in session.exec(select(OutboxMessage)).all()]
    assert "[HMS] Avviket du meldte er lukket" not in subjects
    _logout(client)

    r = client.submit("/report/status", {"code": code}, token_page="/report/status")
    assert r.status_code == 200, r.text[:3000]
    assert "Lekkasje ved porten" in r.text and "Lukket" in r.text
    assert_outcome_shown(r.text)
    assert_nothing_internal(r.text)


def test_without_a_summary_the_reporter_sees_the_actions_and_effect(client, session, world):
    deviation, code = make_deviation(session, world["lager"])
    assert code is not None
    _with_done_action(session, world, deviation)
    deviation = _reload(session, deviation.id)
    login(client, world["leader"].email)
    r = client.submit(
        f"/deviations/{deviation.id}/close",
        _close_form(deviation, actions_effect="yes", closing_note="", reporter_summary=""),
    )
    assert r.status_code == 303, r.text[:3000]
    assert _reload(session, deviation.id).reporter_summary is None
    _logout(client)
    r = client.submit("/report/status", {"code": code}, token_page="/report/status")
    assert "Oppsummering til deg" not in r.text
    assert ACTION in r.text and "Ja, tiltakene virket" in r.text


def test_rejected_case_shows_the_reason_to_the_reporter(client, session, world):
    reporter = session.get(Person, world["reporter"].person_id)
    mine, _none = make_deviation(session, world["lager"], reporter=reporter)
    anonymous, code = make_deviation(session, world["lager"])
    assert code is not None
    for deviation in (mine, anonymous):
        service.reject(
            session=session,
            access=HANDLER,
            deviation=deviation,
            data=ReasonForm(reason="Meldt to ganger, se avvik 12", version=deviation.version),
        )
    session.commit()
    login(client, world["reporter"].email)
    page = client.get(f"/deviations/{mine.id}")
    assert "Meldt to ganger, se avvik 12" in page.text
    assert "Hva som ble gjort" not in page.text
    _logout(client)
    r = client.submit("/report/status", {"code": code}, token_page="/report/status")
    assert "Avvist fordi" in r.text and "Meldt to ganger, se avvik 12" in r.text
    assert "Hva som ble gjort" not in r.text


def test_a_too_long_summary_comes_back_with_the_text_and_nothing_is_saved(client, session, world):
    reporter = session.get(Person, world["reporter"].person_id)
    deviation, _code = make_deviation(session, world["lager"], reporter=reporter)
    _with_done_action(session, world, deviation)
    deviation = _reload(session, deviation.id)
    before = deviation.version
    mails = len(session.exec(select(OutboxMessage)).all())
    login(client, world["leader"].email)
    too_long = "Til melderen: alt er i orden. " * 200  # 6,000 characters
    r = client.submit(
        f"/deviations/{deviation.id}/close", _close_form(deviation, reporter_summary=too_long)
    )
    assert r.status_code == 422
    assert "Teksten er for lang (høyst 5000 tegn)." in r.text
    assert too_long.strip() in r.text  # what was typed is kept
    assert ROOT_CAUSE in r.text
    unchanged = _reload(session, deviation.id)
    assert unchanged.status == "actions" and unchanged.version == before
    assert unchanged.reporter_summary is None and unchanged.root_cause is None
    assert len(session.exec(select(OutboxMessage)).all()) == mails
