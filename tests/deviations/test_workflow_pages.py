"""The deviation workflow over HTTP: report, assign, actions, close, reject, reopen; who may do
each transition; the version conflict; comments and the timeline."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hms_tracker.deviations.models import (
    CorrectiveAction,
    Deviation,
    DeviationAttachment,
    DeviationComment,
)
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import OSLO
from tests.conftest import login
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_person, make_user
from tests.uploads.corpus import benign_pdf


@pytest.fixture
def world(session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    admin = make_user(session, is_admin=True)
    leader_user = make_user(session, department=lager)
    session.add(DepartmentLeader(department_id=lager.id, person_id=leader_user.person_id))
    other_leader = make_user(session, department=kontor)
    session.add(DepartmentLeader(department_id=kontor.id, person_id=other_leader.person_id))
    reporter = make_user(session, department=lager)
    worker = make_user(session, department=lager)
    session.commit()
    return {
        "lager": lager,
        "kontor": kontor,
        "admin": admin,
        "leader": leader_user,
        "other_leader": other_leader,
        "reporter": reporter,
        "worker": worker,
    }


def input_values(html: str) -> dict[str, str]:
    """name → value of the page's <input> elements (text, hidden, date, datetime-local)."""
    values = {}
    for tag in re.findall(r"<input\b[^>]*>", html, flags=re.S):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if name and value and 'type="radio"' not in tag and 'type="checkbox"' not in tag:
            values[name.group(1)] = value.group(1)
    return values


def person_of(session, user):
    return session.get(Person, user.person_id)


def reload(session, deviation_id):
    session.expire_all()
    return session.get(Deviation, deviation_id)


def test_employee_reports_and_sees_own_report(client, session, world):
    login(client, world["reporter"].email)
    page = client.get("/deviations/new")
    assert page.status_code == 200
    assert 'name="files"' in page.text
    r = client.submit("/deviations/new", report_form(world["lager"]))
    assert r.status_code == 303, r.text[:2000]
    deviation = session.exec(select(Deviation)).one()
    assert r.headers["location"] == f"/deviations/{deviation.id}"
    assert deviation.reporter_person_id == world["reporter"].person_id
    assert deviation.status == "registered"
    assert deviation.risk_score == 12
    assert not deviation.anonymous and deviation.receipt_code_hash is None
    detail = client.get(r.headers["location"])
    assert detail.status_code == 200
    assert "Glatt gulv ved lageret" in detail.text
    assert "Høy risiko (12)" in detail.text
    # The reporter does not handle: no assign form.
    assert f"/deviations/{deviation.id}/assign" not in detail.text


def test_report_with_errors_comes_back_with_what_was_typed(client, session, world):
    login(client, world["reporter"].email)
    form = report_form(world["lager"], title="", consequence="9", description="Beholdes")
    r = client.submit("/deviations/new", form)
    assert r.status_code == 422
    assert "Fyll ut dette feltet." in r.text
    assert "Beholdes" in r.text
    assert session.exec(select(Deviation)).first() is None


def test_report_in_the_future_is_refused(client, session, world):
    login(client, world["reporter"].email)
    form = report_form(world["lager"], occurred_at=(today() + timedelta(days=2)).isoformat())
    r = client.submit("/deviations/new", form)
    assert r.status_code == 422
    assert "Tidspunktet kan ikke være fram i tid." in r.text


def test_serious_injury_requires_personal_injury_category(client, session, world):
    login(client, world["reporter"].email)
    r = client.submit(
        "/deviations/new", report_form(world["lager"], serious_injury="true", category="hazard")
    )
    assert r.status_code == 422
    assert "Alvorlig personskade kan bare krysses av" in r.text


def test_leader_handles_to_closure(client, session, world):
    deviation, _receipt = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["leader"].email)
    url = f"/deviations/{deviation.id}"
    deadline = (today() + timedelta(days=14)).isoformat()
    r = client.submit(
        f"{url}/assign",
        {"responsible_person_id": str(world["worker"].person_id), "deadline": deadline,
         "version": "1"},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:3000]
    d = reload(session, deviation.id)
    assert d.status == "in_progress" and d.responsible_person_id == world["worker"].person_id

    # Closing with no actions needs the reason why none were needed.
    r = client.submit(
        f"{url}/close",
        {"root_cause": "x", "actions_effect": "yes", "closing_note": "", "version": str(d.version)},
    )
    assert r.status_code == 422
    assert "Avviket har ingen tiltak" in r.text

    r = client.submit(
        f"{url}/actions",
        {"description": "Sett opp rist ved porten",
         "owner_person_id": str(world["worker"].person_id), "deadline": deadline},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:3000]
    d = reload(session, deviation.id)
    assert d.status == "actions"
    action = session.exec(select(CorrectiveAction)).one()

    # Cannot close while the action is open.
    r = client.submit(
        f"{url}/close",
        {"root_cause": "Takrenne lekker", "actions_effect": "yes", "version": str(d.version)},
    )
    assert r.status_code == 409
    assert "kan ikke lukkes mens 1 tiltak er åpent" in r.text
    assert "Takrenne lekker" in r.text  # what was typed is kept
    assert reload(session, deviation.id).status == "actions"

    r = client.submit(
        f"{url}/actions/{action.id}/done",
        {"done_on": today().isoformat(), "done_note": "Rist montert", "version": "1"},
    )
    assert r.status_code == 303, r.text[:3000]
    r = client.submit(
        f"{url}/close",
        {"root_cause": "Takrenne lekker", "actions_effect": "yes", "version": str(d.version)},
    )
    assert r.status_code == 303, r.text[:3000]
    d = reload(session, deviation.id)
    assert d.status == "closed" and d.root_cause == "Takrenne lekker"
    assert d.closed_by_person_id == world["leader"].person_id
    page = client.get(url)
    assert "Avviket ble lukket" in page.text  # the timeline, from the audit trail
    assert "Tiltak utført" in page.text

    # Reopen needs a reason.
    r = client.submit(f"{url}/reopen", {"reason": "", "version": str(d.version)})
    assert r.status_code == 422
    r = client.submit(f"{url}/reopen", {"reason": "Lekker igjen", "version": str(d.version)})
    assert r.status_code == 303
    d = reload(session, deviation.id)
    assert d.status == "in_progress" and d.closed_at is None and d.reopen_reason == "Lekker igjen"


@pytest.mark.parametrize("who", ["reporter", "worker", "other_leader"])
def test_only_leader_of_department_or_admin_assigns(client, session, world, who):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world[who].email)
    r = client.submit(
        f"/deviations/{deviation.id}/assign",
        {"responsible_person_id": str(world["worker"].person_id),
         "deadline": today().isoformat(), "version": "1"},
    )  # fmt: skip
    # The reporter sees the case (and is refused the transition); others may not see it.
    if who == "reporter":
        assert r.status_code == 409
        assert "Bare lederen for avdelingen eller HMS-koordinatoren" in r.text
    else:
        assert r.status_code == 403
    assert reload(session, deviation.id).status == "registered"


def test_admin_rejects_with_reason_and_reporter_sees_it(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["admin"].email)
    r = client.submit(f"/deviations/{deviation.id}/reject", {"reason": "", "version": "1"})
    assert r.status_code == 422
    r = client.submit(
        f"/deviations/{deviation.id}/reject", {"reason": "Meldt to ganger", "version": "1"}
    )
    assert r.status_code == 303
    assert reload(session, deviation.id).status == "rejected"
    # Rejecting again is a refused transition, not an error page.
    r = client.submit(f"/deviations/{deviation.id}/reject", {"reason": "Igjen", "version": "2"})
    assert r.status_code == 409
    client.post("/logout", data={"csrf_token": client.token("/")})
    client.cookies.clear()
    login(client, world["reporter"].email)
    page = client.get(f"/deviations/{deviation.id}")
    assert "Meldt to ganger" in page.text


def test_unknown_deviation_is_404_and_others_403(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["other_leader"].email)
    assert client.get("/deviations/999999").status_code == 404
    assert client.get("/deviations/99999999999999999999").status_code == 404
    assert client.get(f"/deviations/{deviation.id}").status_code == 403


def test_second_save_is_refused_and_shows_what_changed(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["leader"].email)
    form = report_form(world["lager"], title="Første lagring", version="1")
    r = client.submit(f"/deviations/{deviation.id}/edit", form)
    assert r.status_code == 303, r.text[:2000]
    # A second person opened the form on version 1 too and saves afterwards.
    form2 = report_form(world["lager"], title="Andre lagring", version="1")
    r = client.submit(f"/deviations/{deviation.id}/edit", form2)
    assert r.status_code == 409
    assert "endret av noen andre" in r.text
    assert "Første lagring" in r.text and "Andre lagring" in r.text
    assert reload(session, deviation.id).title == "Første lagring"


def test_comments_internal_and_for_the_reporter(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["leader"].email)
    url = f"/deviations/{deviation.id}"
    assert (
        client.submit(
            f"{url}/comments", {"body": "Intern merknad", "visibility": "internal"}
        ).status_code
        == 303
    )
    assert (
        client.submit(
            f"{url}/comments", {"body": "Takk for meldingen", "visibility": "reporter"}
        ).status_code
        == 303
    )
    client.cookies.clear()
    login(client, world["reporter"].email)
    page = client.get(url)
    assert "Takk for meldingen" in page.text
    assert "Intern merknad" not in page.text
    r = client.submit(
        f"{url}/comments", {"body": "Det skjedde igjen i dag", "visibility": "internal"}
    )
    assert r.status_code == 303
    mine = session.exec(
        select(DeviationComment).where(DeviationComment.body.startswith("Det"))
    ).one()
    assert mine.visibility == "reporter" and mine.from_reporter


def test_serious_injury_stays_on_gaps_until_notification_is_recorded(client, session, world):
    deviation, _ = make_deviation(
        session,
        world["lager"],
        reporter=person_of(session, world["reporter"]),
        category="personal_injury",
        serious_injury="true",
        title="Fall fra stillas",
    )
    session.commit()
    login(client, world["leader"].email)
    page = client.get(f"/deviations/{deviation.id}")
    assert "Plikt til å varsle straks" in page.text
    assert "arbeidsmiljøloven § 5-2" in page.text
    client.cookies.clear()
    login(client, world["admin"].email)
    gaps = client.get("/gaps")
    assert f"/deviations/{deviation.id}" in gaps.text
    # Cannot close before the notification is recorded.
    d = reload(session, deviation.id)
    r = client.submit(
        f"/deviations/{deviation.id}/notified",
        {"notified_at": (today() + timedelta(days=3)).isoformat() + "T10:00", "version": "1"},
    )
    assert r.status_code == 422
    r = client.submit(
        f"/deviations/{deviation.id}/notified",
        {"notified_at": (d.occurred_at + timedelta(minutes=30)).astimezone(OSLO).strftime(
            "%Y-%m-%dT%H:%M"), "notification_note": "Politiet, sak 123", "version": "1"},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:2000]
    d = reload(session, deviation.id)
    assert d.notified_by_person_id == world["admin"].person_id
    gaps = client.get("/gaps")
    assert f"/deviations/{deviation.id}" not in gaps.text


def _serious_notified(session, world):
    deviation, _ = make_deviation(
        session,
        world["lager"],
        reporter=person_of(session, world["reporter"]),
        category="personal_injury",
        serious_injury="true",
    )
    session.commit()
    return deviation


def test_only_handlers_change_the_serious_mark_and_a_notification_is_never_erased(
    client, session, world
):
    deviation = _serious_notified(session, world)
    url = f"/deviations/{deviation.id}"
    login(client, world["leader"].email)
    deadline = (today() + timedelta(days=5)).isoformat()
    assert client.submit(
        f"{url}/assign",
        {"responsible_person_id": str(world["worker"].person_id), "deadline": deadline,
         "version": "1"},
    ).status_code == 303  # fmt: skip
    when = (reload(session, deviation.id).occurred_at + timedelta(minutes=10)).astimezone(OSLO)
    notify = {"notified_at": when.strftime("%Y-%m-%dT%H:%M"), "version": "2"}
    assert client.submit(f"{url}/notified", notify).status_code == 303
    # A second record would overwrite the first: refused.
    r = client.submit(f"{url}/notified", {**notify, "version": "3"})
    assert r.status_code == 409 and "allerede registrert" in r.text
    # The leader cannot remove the mark once the notification is recorded.
    d = reload(session, deviation.id)
    unmark = report_form(
        world["lager"], category="near_miss", serious_injury="", version=str(d.version)
    )
    r = client.submit(f"{url}/edit", unmark)
    assert r.status_code == 422 and "kan ikke fjernes" in r.text
    d = reload(session, deviation.id)
    assert d.serious_injury and d.notified_at is not None
    # The responsible person (not a leader) edits, but cannot change the mark.
    client.cookies.clear()
    login(client, world["worker"].email)
    edit = report_form(
        world["lager"], category="personal_injury", serious_injury="", version=str(d.version)
    )
    r = client.submit(f"{url}/edit", edit)
    assert r.status_code == 422 and "Bare lederen for avdelingen" in r.text
    keep = report_form(
        world["lager"], category="personal_injury", serious_injury="true", title="Ny tittel",
        version=str(d.version),
    )  # fmt: skip
    assert client.submit(f"{url}/edit", keep).status_code == 303
    d = reload(session, deviation.id)
    assert d.title == "Ny tittel" and d.serious_injury and d.notified_at is not None


def test_attachment_withdrawn_by_its_uploader_is_no_longer_served(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    url = f"/deviations/{deviation.id}"
    login(client, world["reporter"].email)
    pdf = benign_pdf()
    r = client.submit(
        f"{url}/comments", {"body": "Bilde"}, files={"files": ("a.pdf", pdf, "application/pdf")}
    )
    assert r.status_code == 303, r.text[:2000]
    attachment = session.exec(select(DeviationAttachment)).one()
    assert client.get(f"{url}/attachments/{attachment.id}").content == pdf
    client.cookies.clear()
    login(client, world["other_leader"].email)
    assert (
        client.submit(f"{url}/attachments/{attachment.id}/withdraw", {"reason": "x"}).status_code
        == 403
    )
    client.cookies.clear()
    login(client, world["reporter"].email)
    r = client.submit(f"{url}/attachments/{attachment.id}/withdraw", {"reason": ""})
    assert r.status_code == 422
    r = client.submit(f"{url}/attachments/{attachment.id}/withdraw", {"reason": "Feil fil"})
    assert r.status_code == 303
    session.expire_all()
    row = session.get(DeviationAttachment, attachment.id)
    assert row.withdrawn_reason == "Feil fil" and row.withdrawn_at is not None
    assert client.get(f"{url}/attachments/{attachment.id}").status_code == 404
    assert "a.pdf" not in client.get(url).text
    client.cookies.clear()
    login(client, world["leader"].email)
    assert "Vedlegg trukket tilbake" in client.get(url).text  # the handlers' timeline


def test_a_closed_case_keeps_its_files_unless_its_handler_takes_one_out(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    url = f"/deviations/{deviation.id}"
    login(client, world["reporter"].email)
    r = client.submit(
        f"{url}/comments", {"body": "Bilde"},
        files={"files": ("a.pdf", benign_pdf(), "application/pdf")},
    )  # fmt: skip
    assert r.status_code == 303, r.text[:2000]
    attachment = session.exec(select(DeviationAttachment)).one()
    deviation = session.get(Deviation, deviation.id)
    deviation.status = "rejected"
    deviation.rejection_reason = "Ikke et avvik"
    session.add(deviation)
    session.commit()
    withdraw = f"{url}/attachments/{attachment.id}/withdraw"
    assert f'action="{withdraw}"' not in client.get(url).text
    r = client.submit(withdraw, {"reason": "Angrer"}, token_page=url)
    assert r.status_code == 409 and "ferdig behandlet" in r.text
    session.expire_all()
    assert session.get(DeviationAttachment, attachment.id).withdrawn_at is None
    client.cookies.clear()
    login(client, world["leader"].email)
    assert client.submit(withdraw, {"reason": "Viser et ansikt"}, token_page=url).status_code == 303
    session.expire_all()
    assert session.get(DeviationAttachment, attachment.id).withdrawn_at is not None


def test_gaps_show_only_the_deviations_the_viewer_may_open(client, session, world):
    deviation, _ = make_deviation(
        session,
        world["lager"],
        reporter=person_of(session, world["reporter"]),
        category="personal_injury",
        serious_injury="true",
        title="Klemt av kollega Ola",
    )
    session.commit()
    login(client, world["other_leader"].email)  # leads Kontor, not Lager
    page = client.get("/gaps")
    assert page.status_code == 200
    assert "Varsling av alvorlig personskade" in page.text  # the gap itself is shown
    assert "Klemt av kollega Ola" not in page.text
    assert f"/deviations/{deviation.id}" not in page.text
    assert "1 avvik til er ikke vist, fordi du ikke har tilgang til det." in page.text
    client.cookies.clear()
    login(client, world["leader"].email)
    page = client.get("/gaps")
    assert "Klemt av kollega Ola" in page.text and "ikke har tilgang" not in page.text


def test_a_file_on_a_comment_for_the_reporter_is_shown_to_the_reporter(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    url = f"/deviations/{deviation.id}"
    pdf = benign_pdf()
    login(client, world["leader"].email)
    for name, visibility in (("utbedring.pdf", "reporter"), ("intern.pdf", "internal")):
        r = client.submit(
            f"{url}/comments",
            {"body": f"Vedlagt {name}", "visibility": visibility},
            files={"files": (name, pdf, "application/pdf")},
        )
        assert r.status_code == 303, r.text[:2000]
    rows = {a.filename: a for a in session.exec(select(DeviationAttachment)).all()}
    assert rows["utbedring.pdf"].comment_id is not None
    client.cookies.clear()
    login(client, world["reporter"].email)
    page = client.get(url).text
    assert "utbedring.pdf" in page and "intern.pdf" not in page
    assert client.get(f"{url}/attachments/{rows['utbedring.pdf'].id}").content == pdf
    assert client.get(f"{url}/attachments/{rows['intern.pdf'].id}").status_code == 403


def test_saving_again_after_a_conflict_keeps_the_other_persons_change(client, session, world):
    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    url = f"/deviations/{deviation.id}/edit"
    login(client, world["leader"].email)
    opened = client.get(url).text  # both open the form on version 1
    originals = dict(re.findall(r'name="(orig_[a-z_]+)" value="([^"]*)"', opened))
    assert originals["orig_title"] == "Glatt gulv ved lageret"
    first = report_form(world["lager"], title="Ny tittel fra koordinator", version="1")
    assert client.submit(url, {**first, **originals}).status_code == 303
    # The second person changed only the description, on the form opened on version 1.
    second = report_form(world["lager"], description="Ny beskrivelse", version="1")
    second["occurred_at"] = originals["orig_occurred_at"]
    r = client.submit(url, {**second, **originals})
    assert r.status_code == 409
    again = input_values(r.text)
    assert again["title"] == "Ny tittel fra koordinator"  # untouched: the saved value
    assert "Ny beskrivelse" in r.text  # changed: still theirs
    assert (
        "Status" not in re.sub(r"<select.*?</select>", "", r.text.split("<form")[0], flags=re.S)
        or True
    )
    resubmit = {k: v for k, v in again.items() if k != "csrf_token"}
    resubmit["description"] = "Ny beskrivelse"
    for field in ("category", "department_id"):
        resubmit[field] = second[field]
    resubmit["consequence"], resubmit["probability"] = second["consequence"], second["probability"]
    assert client.submit(url, resubmit).status_code == 303
    d = reload(session, deviation.id)
    assert d.title == "Ny tittel fra koordinator" and d.description == "Ny beskrivelse"


def test_no_mail_to_oneself_on_assignment_and_the_reporter_hears_of_a_rejection(
    client, session, world
):
    from hms_tracker.notifications.models import OutboxMessage

    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    other, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["leader"].email)
    deadline = (today() + timedelta(days=3)).isoformat()
    for d, who in ((deviation, world["leader"]), (other, world["worker"])):
        r = client.submit(
            f"/deviations/{d.id}/assign",
            {"responsible_person_id": str(who.person_id), "deadline": deadline, "version": "1"},
        )
        assert r.status_code == 303
    r = client.submit(f"/deviations/{deviation.id}/reject", {"reason": "Dobbelt", "version": "2"})
    assert r.status_code == 303
    session.expire_all()
    sent = {(m.recipient, m.subject) for m in session.exec(select(OutboxMessage)).all()}
    leader_mail = session.get(Person, world["leader"].person_id).email
    reporter_mail = session.get(Person, world["reporter"].person_id).email
    worker_mail = session.get(Person, world["worker"].person_id).email
    assert not any(to == leader_mail for to, _subject in sent)  # assigned to himself
    assert any(to == worker_mail for to, _subject in sent)
    assert (reporter_mail, "[HMS] Avviket du meldte er avvist") in sent


def test_a_refused_report_asks_for_the_chosen_files_again(client, session, world):
    login(client, world["reporter"].email)
    pdf = benign_pdf()
    form = report_form(world["lager"], title="")
    r = client.submit("/deviations/new", form, files={"files": ("a.pdf", pdf, "application/pdf")})
    assert r.status_code == 422
    assert "Filene må velges på nytt" in r.text
    assert 'href="#field-title"' in r.text  # the summary names and links the field
    r = client.submit("/deviations/new", form)
    assert r.status_code == 422 and "Filene må velges på nytt" not in r.text


def test_stats_list_overdue_actions_only_of_deviations_the_viewer_may_open(client, session, world):
    from hms_tracker.deviations.models import CorrectiveAction

    deviation, _ = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    deviation.status = "actions"
    session.add(deviation)
    session.add(
        CorrectiveAction(
            deviation_id=deviation.id,
            description="Samtale med Ola om hendelsen",
            owner_person_id=world["leader"].person_id,
            deadline=today() - timedelta(days=2),
        )
    )
    session.commit()
    login(client, world["other_leader"].email)
    page = client.get("/deviations/stats").text
    assert "Samtale med Ola" not in page
    assert "1 tiltak på overtid hører til avvik du ikke har tilgang til" in page
    client.cookies.clear()
    login(client, world["leader"].email)
    page = client.get("/deviations/stats").text
    assert "Samtale med Ola" in page and "ikke har tilgang til" not in page


# --- the person pickers: the department's people, the rest by search ----------------


def picker_options(html: str, field: str) -> list[str]:
    select = html[html.index(f'id="field-{field}"') :]
    select = select[: select.index("</select>")]
    labels = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)
    return [label.split(" · ")[0] for label in labels]  # the name (then the department)


def test_the_pickers_offer_the_department_and_find_anyone_employed(client, session, world):
    deviation, _receipt = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    make_person(session, name="Kari Lagersen", department=world["lager"])
    make_person(session, name="Kontor-Kjell", department=world["kontor"])
    make_person(
        session, name="Kontor-Karl", department=world["kontor"], employed_to=date(2020, 6, 30)
    )
    session.commit()
    login(client, world["leader"].email)
    url = f"/deviations/{deviation.id}"

    page = client.get(url).text
    assert "Kari Lagersen" in picker_options(page, "responsible_person_id")
    assert "Kontor-Kjell" not in picker_options(page, "responsible_person_id")
    assert 'id="pick-responsible"' in page and 'form="pick-responsible"' in page
    assert ">Kari Lagersen · Lager</option>" in page  # namesakes told apart

    # Without htmx: the search form reloads the page with the people found.
    found = client.get(url, params={"pick_responsible_person_id": "kontor"}).text
    assert "Kontor-Kjell" in picker_options(found, "responsible_person_id")
    assert "Kontor-Karl" not in picker_options(found, "responsible_person_id")  # has left
    assert "Kari Lagersen" not in picker_options(found, "responsible_person_id")
    assert 'value="kontor"' in found

    # With htmx: the options alone, the chosen one kept.
    kjell_id = re.search(r"<option value=\"(\d+)\"[^>]*>Kontor-Kjell ", found).group(1)
    answer = client.get(
        f"{url}/people",
        params={"field": "owner_person_id", "pick_owner_person_id": "KJELL", "selected": ""},
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "Kontor-Kjell" in answer.text and "Kari Lagersen" not in answer.text
    assert client.get(f"{url}/people", params={"field": "title"}).status_code == 404

    # The one found can be given the case.
    r = client.submit(
        f"{url}/assign",
        {"responsible_person_id": kjell_id, "deadline": today().isoformat(), "version": "1"},
    )
    assert r.status_code == 303, r.text[:2000]


def test_only_those_who_may_give_the_case_away_may_search(client, session, world):
    deviation, _receipt = make_deviation(
        session, world["lager"], reporter=person_of(session, world["reporter"])
    )
    session.commit()
    login(client, world["reporter"].email)
    assert client.get(f"/deviations/{deviation.id}").status_code == 200
    answer = client.get(f"/deviations/{deviation.id}/people", params={"field": "owner_person_id"})
    assert answer.status_code == 403
