"""Anonymous reporting at /report and the receipt-code status page at /report/status.

The anonymity tests read back EVERY column of EVERY row of EVERY table after an anonymous
report (and after adding information with the receipt code): no account, person, IP
address ("testclient" is the test client's address) or user agent may be stored, nor the
receipt code itself; the audit events of the new rows carry the anonymous actor only. The
same holds when the visitor happens to be logged in while reporting anonymously.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlmodel import SQLModel, select

import hms_tracker.models  # noqa: F401  (every table in the metadata)
from hms_tracker.accounts.models import UserSession
from hms_tracker.audit.models import AuditEvent
from hms_tracker.db import utcnow
from hms_tracker.deviations import service
from hms_tracker.deviations.forms import AssignForm, CommentForm
from hms_tracker.deviations.models import (
    CommentVisibility,
    Deviation,
    DeviationAttachment,
    DeviationComment,
)
from hms_tracker.deviations.service import Access, hash_receipt_code, normalise_receipt_code
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.web.dates import today
from tests.conftest import AppClient, login
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_user

UA = "Mozilla/5.0 AnonymityTest"
CLIENT_ADDRESS = "testclient"  # what Starlette's TestClient gives as request.client.host
CODE_PATTERN = re.compile(r'class="receipt-code">([A-Z0-9-]+)<')
HANDLER = Access(view=True, internal=True, handle=True, work=True, comment=True)


@pytest.fixture
def world(session):
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    admin = make_user(session, is_admin=True)
    leader = make_user(session, department=lager)
    session.add(DepartmentLeader(department_id=lager.id, person_id=leader.person_id))
    worker = make_user(session, department=lager)
    session.commit()
    return {"lager": lager, "kontor": kontor, "admin": admin, "leader": leader, "worker": worker}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def report(client: AppClient, department, *, files=None, **overrides) -> Any:
    client.headers["user-agent"] = UA
    return client.submit(
        "/report", report_form(department, **overrides), files=files, token_page="/report"
    )


def receipt_code(response) -> str:
    match = CODE_PATTERN.search(response.text)
    assert match, response.text[:3000]
    return match.group(1)


def receipt_page(client: AppClient, response) -> Any:
    """Follow the report's redirect to the receipt page (the code comes in a cookie)."""
    assert response.status_code == 303, response.text[:3000]
    assert response.headers["location"] == "/report/receipt"
    page = client.get("/report/receipt")
    assert page.status_code == 200
    return page


def all_rows(engine) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows[table.name] = [dict(r._mapping) for r in conn.execute(sa.select(table))]
    return rows


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def find_anywhere(engine, needles: list[str]) -> list[str]:
    """Where any of the strings occurs in any column of any row (case-insensitive)."""
    found = []
    lowered = [n.lower() for n in needles]
    for table, rows in all_rows(engine).items():
        for row in rows:
            for column, value in row.items():
                if value is None:
                    continue
                text = as_text(value).lower()
                for needle in lowered:
                    if needle in text:
                        found.append(f"{table}.{column} contains {needle!r}")
    return found


def person_keys_are_empty(snapshot: dict[str, Any] | None) -> bool:
    return all(v is None for k, v in (snapshot or {}).items() if k.endswith("person_id"))


def audit_events_of(engine, entity: str, ids: list[int]) -> list[dict[str, Any]]:
    return [
        row
        for row in all_rows(engine)["audit_event"]
        if row["entity"] == entity and row["entity_id"] in {str(i) for i in ids}
    ]


def assert_stored_anonymously(engine, deviation_id: int, code: str) -> None:
    rows = all_rows(engine)
    (deviation,) = [r for r in rows["deviation"] if r["id"] == deviation_id]
    assert deviation["reporter_person_id"] is None
    assert deviation["anonymous"] is True or deviation["anonymous"] == 1
    for column, value in deviation.items():
        if column.endswith("person_id"):
            assert value is None, column
    assert deviation["receipt_code_hash"] == hash_receipt_code(code)
    assert deviation["receipt_code_hash"] not in (code, normalise_receipt_code(code))
    attachments = [r for r in rows["deviation_attachment"] if r["deviation_id"] == deviation_id]
    comments = [r for r in rows["deviation_comment"] if r["deviation_id"] == deviation_id]
    for row in attachments:
        assert row["uploaded_by_person_id"] is None
        assert row["from_reporter"] in (True, 1)
    for row in comments:
        assert row["author_person_id"] is None
        assert row["from_reporter"] in (True, 1)
    events = (
        audit_events_of(engine, "deviation", [deviation_id])
        + audit_events_of(engine, "deviation_attachment", [r["id"] for r in attachments])
        + audit_events_of(engine, "deviation_comment", [r["id"] for r in comments])
    )
    assert events
    for event in events:
        assert event["actor_user_id"] is None
        assert event["actor_person_id"] is None
        assert event["subject_person_id"] is None
        assert event["actor_label"] == "anonym"
        assert person_keys_are_empty(event["before"])
        assert person_keys_are_empty(event["after"])
        if event["entity"] == "deviation" and event["action"] == "create":
            assert event["after"]["receipt_code_hash"] == "***"
    # Nothing anywhere holds the code, the client's address or its user agent.
    assert find_anywhere(engine, [code, normalise_receipt_code(code), CLIENT_ADDRESS, UA]) == []


# --- the report form ---------------------------------------------------------------------


def test_the_report_page_works_without_login_and_preselects_the_department(client, world):
    page = client.get(f"/report?department={world['kontor'].id}")
    assert page.status_code == 200
    assert 'action="/report"' in page.text
    assert f'<option value="{world["kontor"].id}" selected>' in page.text
    assert 'name="files"' in page.text
    # No logged-in menu or account for a visitor.
    assert "Hovedmeny" not in page.text and "Logg ut" not in page.text
    assert "Du er logget inn" not in page.text
    assert page.headers["cache-control"] == "no-store"


def test_anonymous_report_stores_no_account_ip_or_user_agent(client, engine, world):
    r = report(
        client,
        world["lager"],
        files=[("files", ("bilde.png", png(), "image/png"))],
        title="Anonym melding om gulvet",
    )
    r = receipt_page(client, r)
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    code = receipt_code(r)
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert "Skriv ned koden" in r.text
    with engine.connect() as conn:
        (deviation_id,) = conn.execute(sa.select(Deviation.id)).scalars().all()
    assert_stored_anonymously(engine, deviation_id, code)
    assert len(all_rows(engine)["deviation_attachment"]) == 1

    # Adding information with the code leaves no trace of the reporter either.
    added = client.submit(
        "/report/status/add",
        {"code": code, "body": "Det var vann der i går også."},
        files=[("files", ("mer.png", png(), "image/png"))],
        token_page="/report",
    )
    assert added.status_code == 200, added.text[:3000]
    assert "Opplysningene er lagt til" in added.text
    rows = all_rows(engine)
    assert len(rows["deviation_comment"]) == 1
    assert len(rows["deviation_attachment"]) == 2
    assert_stored_anonymously(engine, deviation_id, code)


def test_a_logged_in_visitor_reporting_anonymously_leaves_no_trace(client, engine, session, world):
    worker = world["worker"]
    person = session.get(Person, worker.person_id)
    login(client, worker.email)
    # Put the session's last-seen time back, so that a request would move it.
    earlier = utcnow() - timedelta(minutes=10)
    session.exec(sa.update(UserSession).values(last_seen_at=earlier))  # type: ignore[call-overload]
    session.commit()
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.max(AuditEvent.id))).scalar() or 0

    page = client.get("/report")
    assert page.status_code == 200
    assert "Du er logget inn, men denne meldingen lagres uten navnet ditt" in page.text
    r = report(client, world["lager"], files=[("files", ("bilde.png", png(), "image/png"))])
    code = receipt_code(receipt_page(client, r))
    added = client.submit(
        "/report/status/add", {"code": code, "body": "Mer om saken."}, token_page="/report"
    )
    assert added.status_code == 200, added.text[:3000]

    with engine.connect() as conn:
        (deviation_id,) = conn.execute(sa.select(Deviation.id)).scalars().all()
    assert_stored_anonymously(engine, deviation_id, code)
    # Every audit event written by these requests is anonymous and names nobody.
    new_events = [e for e in all_rows(engine)["audit_event"] if e["id"] > before]
    assert {e["entity"] for e in new_events} >= {"deviation", "deviation_comment"}
    for event in new_events:
        assert event["actor_user_id"] is None and event["actor_person_id"] is None
        assert event["actor_label"] == "anonym"
        text = as_text(event)
        assert worker.email not in text and person.name not in text
        assert person_keys_are_empty(event["after"])
    # The session's last-seen time was not moved to the time of the report.
    session.expire_all()
    (row,) = session.exec(select(UserSession)).all()
    assert abs((row.last_seen_at - earlier).total_seconds()) < 1
    # The visitor is still logged in afterwards.
    assert client.get("/").status_code == 200


def test_a_report_with_errors_comes_back_with_what_was_typed(client, engine, world):
    r = report(client, world["lager"], title="", description="Beholdes her")
    assert r.status_code == 422
    assert "Beholdes her" in r.text
    assert 'action="/report"' in r.text
    assert all_rows(engine)["deviation"] == []


# --- the status page ----------------------------------------------------------------------


def _handled_anonymous(session, world, **overrides) -> tuple[Deviation, str]:
    deviation, code = make_deviation(session, world["lager"], **overrides)
    assert code is not None
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
    for body, visibility in (
        ("Intern vurdering: hemmelig", CommentVisibility.internal),
        ("Takk, vi ser på det", CommentVisibility.reporter),
    ):
        service.add_comment(
            session=session,
            access=HANDLER,
            deviation=deviation,
            data=CommentForm(body=body, visibility=visibility),
            author_person_id=world["admin"].person_id,
        )
    session.commit()
    return deviation, code


def test_the_status_page_shows_status_and_reporter_comments_only(client, session, world):
    deviation, code = _handled_anonymous(session, world, title="Løs kabel i gangen")
    responsible = session.get(Person, world["worker"].person_id)
    # The code is accepted in lower case and with spaces instead of dashes.
    typed = code.lower().replace("-", " ")
    r = client.submit("/report/status", {"code": typed}, token_page="/report/status")
    assert r.status_code == 200, r.text[:3000]
    assert r.headers["cache-control"] == "no-store"
    assert "Løs kabel i gangen" in r.text
    assert f"Avvik {deviation.id}" in r.text
    assert "Under behandling" in r.text
    assert "Nestenulykke" in r.text
    assert "Takk, vi ser på det" in r.text
    assert "hemmelig" not in r.text
    assert "Avviket ble meldt" in r.text  # the public timeline
    assert responsible.name not in r.text  # who handles it is internal
    # The add form carries the code in a hidden field: no cookie holds it.
    assert f'name="code" value="{typed}"' in r.text
    assert not any("code" in c.lower() or code in (v or "") for c, v in client.cookies.items())


def test_added_information_reaches_the_handlers_as_from_the_anonymous_reporter(
    client, app, session, world
):
    deviation, code = _handled_anonymous(session, world)
    r = client.submit(
        "/report/status/add",
        {"code": code, "body": "Kabelen ligger der fortsatt."},
        files=[("files", ("bilde.png", png(), "image/png"))],
        token_page="/report/status",
    )
    assert r.status_code == 200, r.text[:3000]
    assert "Kabelen ligger der fortsatt." in r.text
    assert "bilde.png" in r.text
    comment = session.exec(
        select(DeviationComment).where(DeviationComment.body == "Kabelen ligger der fortsatt.")
    ).one()
    assert comment.author_person_id is None and comment.from_reporter
    assert comment.visibility == CommentVisibility.reporter.value
    attachment = session.exec(select(DeviationAttachment)).one()
    assert attachment.uploaded_by_person_id is None and attachment.from_reporter

    with AppClient(app, raise_server_exceptions=False) as handler:
        login(handler, world["admin"].email)
        page = handler.get(f"/deviations/{deviation.id}")
    assert page.status_code == 200
    assert "Kabelen ligger der fortsatt." in page.text
    assert "Anonym melder" in page.text
    assert "bilde.png" in page.text


def test_an_empty_addition_is_refused_and_nothing_is_stored(client, session, world):
    deviation, code = _handled_anonymous(session, world)
    r = client.submit(
        "/report/status/add", {"code": code, "body": "  "}, token_page="/report/status"
    )
    assert r.status_code == 422
    assert 'name="code"' in r.text
    comments = service.comments_of(session=session, deviation=deviation, reporter_view=False)
    assert len(comments) == 2


def test_code_a_cannot_read_or_add_to_report_b(client, session, world):
    a, code_a = make_deviation(session, world["lager"], title="Melding A")
    b, code_b = make_deviation(session, world["kontor"], title="Melding B")
    session.commit()
    assert code_a and code_b and code_a != code_b
    r = client.submit("/report/status", {"code": code_a}, token_page="/report/status")
    assert "Melding A" in r.text and "Melding B" not in r.text
    # Naming report B in the form changes nothing: the code decides.
    r = client.submit(
        "/report/status/add",
        {"code": code_a, "body": "Til A", "deviation_id": str(b.id), "id": str(b.id)},
        token_page="/report/status",
    )
    assert r.status_code == 200
    assert "Melding A" in r.text and "Melding B" not in r.text
    session.expire_all()
    assert [
        c.body for c in service.comments_of(session=session, deviation=a, reporter_view=True)
    ] == ["Til A"]
    assert service.comments_of(session=session, deviation=b, reporter_view=False) == []
    # The case pages need a login; the code opens nothing there.
    for path in (f"/deviations/{b.id}", f"/deviations/{a.id}"):
        page = client.get(path, follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login")
    posted = client.submit(
        f"/deviations/{b.id}/comments", {"body": "x", "code": code_a}, token_page="/report"
    )
    assert posted.status_code == 403
    assert service.comments_of(session=session, deviation=b, reporter_view=False) == []


@pytest.mark.parametrize(
    "code",
    [
        "ABCD-EFGH-JKMN-PQRS",  # well-formed, unknown
        "abc",
        "",
        "X" * 1000,
        "'; DROP TABLE deviation; --",
        "ÆØÅÆ-ØÅÆØ-ÅÆØÅ-ÆØÅÆ",
    ],
)
def test_a_wrong_or_malformed_code_gets_the_same_clear_message(client, session, world, code):
    make_deviation(session, world["lager"], title="Skal ikke vises")
    session.commit()
    for url in ("/report/status", "/report/status/add"):
        r = client.submit(url, {"code": code, "body": "prøver"}, token_page="/report/status")
        assert r.status_code == 200, url
        assert "Vi fant ingen melding med den koden" in r.text
        assert "Skal ikke vises" not in r.text
        assert r.headers["cache-control"] == "no-store"
    assert session.exec(select(DeviationComment)).all() == []


def test_the_code_is_never_in_a_url(client, world):
    r = receipt_page(client, report(client, world["lager"]))
    code = receipt_code(r)
    pages = [r, client.submit("/report/status", {"code": code}, token_page="/report/status")]
    pages.append(
        client.submit(
            "/report/status/add", {"code": code, "body": "mer"}, token_page="/report/status"
        )
    )
    for page in pages:
        assert page.status_code == 200
        assert "location" not in page.headers
        assert code not in str(page.url)
        urls = re.findall(r'(?:href|action|src)="([^"]*)"', page.text)
        assert urls and not [u for u in urls if code in u or code.lower() in u.lower()]
        forms = re.findall(r"<form[^>]*>", page.text)
        assert all('method="post"' in f for f in forms if code in page.text)


def _set_cookie_header(response) -> str:
    (header,) = [
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "hms_receipt" in v
    ]
    return header


def test_reloading_the_receipt_files_nothing_twice_and_the_code_is_kept_nowhere(
    client, engine, world
):
    r = report(client, world["lager"], title="Bare én gang")
    assert r.status_code == 303
    cookie = _set_cookie_header(r)
    attributes = {a.strip().split("=")[0].lower(): a for a in cookie.split(";")}
    assert "httponly" in attributes and "secure" not in attributes
    assert attributes["samesite"].strip().lower() == "samesite=strict"
    assert attributes["path"].strip() == "Path=/report/receipt"
    assert attributes["max-age"].strip() == "Max-Age=600"
    first = receipt_page(client, r)
    again = client.get("/report/receipt")  # the reload
    code = receipt_code(first)
    assert receipt_code(again) == code
    assert "Den vises her i 10 minutter" in again.text
    assert again.headers["cache-control"] == "no-store"
    assert again.headers["referrer-policy"] == "no-referrer"
    assert len(all_rows(engine)["deviation"]) == 1
    # The cookie goes to the receipt page only, not to the form or the status page.
    for path in ("/report", "/report/status"):
        assert code not in client.get(path).text
    (deviation_id,) = [row["id"] for row in all_rows(engine)["deviation"]]
    assert_stored_anonymously(engine, deviation_id, code)

    noted = client.submit("/report/receipt", {}, token_page="/report")
    assert noted.status_code == 303 and noted.headers["location"] == "/report/receipt"
    assert "max-age=0" in _set_cookie_header(noted).lower()
    after = client.get("/report/receipt")
    assert after.status_code == 200
    assert 'class="receipt-code"' not in after.text and code not in after.text
    assert "Her vises ingen kvitteringskode nå" in after.text
    assert 'href="/report/status"' in after.text
    assert len(all_rows(engine)["deviation"]) == 1
    assert find_anywhere(engine, [code, normalise_receipt_code(code)]) == []


def test_the_receipt_page_without_the_cookie_shows_no_code(client, world):
    page = client.get("/report/receipt")
    assert page.status_code == 200
    assert 'class="receipt-code"' not in page.text
    assert "Her vises ingen kvitteringskode nå" in page.text
    assert 'href="/report/status"' in page.text
    # A cookie with a code that opens no report shows no code either.
    client.cookies.set("hms_receipt", "ABCD-EFGH-JKMN-PQRS", path="/report/receipt")
    page = client.get("/report/receipt")
    assert "ABCD-EFGH-JKMN-PQRS" not in page.text
    assert "Her vises ingen kvitteringskode nå" in page.text


def test_the_receipt_cookie_is_secure_when_cookies_are_secure(settings, world):
    from hms_tracker.app import create_app

    secure_app = create_app(settings.model_copy(update={"cookie_secure": True}))
    try:
        with AppClient(
            secure_app, base_url="https://testserver", raise_server_exceptions=False
        ) as secure_client:
            r = report(secure_client, world["lager"])
            assert r.status_code == 303
            assert "secure" in _set_cookie_header(r).lower().split("; ")
    finally:
        secure_app.state.engine.dispose()


def test_reloading_the_added_information_adds_it_once(client, session, world):
    deviation, code = _handled_anonymous(session, world)
    form = {"code": code, "body": "Kabelen er skadet."}
    files = [("files", ("bilde.png", png(), "image/png"))]
    first = client.submit("/report/status/add", form, files=files, token_page="/report/status")
    assert first.status_code == 200 and "Opplysningene er lagt til" in first.text
    again = client.submit("/report/status/add", form, files=files, token_page="/report/status")
    assert again.status_code == 200
    assert "Dette er allerede lagt til" in again.text
    session.expire_all()
    bodies = [
        c.body
        for c in service.comments_of(session=session, deviation=deviation, reporter_view=True)
    ]
    assert bodies.count("Kabelen er skadet.") == 1
    assert len(session.exec(select(DeviationAttachment)).all()) == 1
    # Other text is new information.
    other = client.submit(
        "/report/status/add",
        {"code": code, "body": "Nå er den borte."},
        token_page="/report/status",
    )
    assert "Opplysningene er lagt til" in other.text
    # The same text after 10 minutes is added again (a repeated message, not a reload).
    session.exec(
        sa.update(DeviationComment).values(created_at=utcnow() - timedelta(minutes=11))  # type: ignore[call-overload]
    )
    session.commit()
    later = client.submit("/report/status/add", form, token_page="/report/status")
    assert "Opplysningene er lagt til" in later.text
    session.expire_all()
    bodies = [
        c.body
        for c in service.comments_of(session=session, deviation=deviation, reporter_view=True)
    ]
    assert bodies.count("Kabelen er skadet.") == 2


# --- QR codes and posters -----------------------------------------------------------------


def test_qr_codes_and_posters_are_for_the_coordinator_and_the_departments_leader(
    client, session, world
):
    lager, kontor = world["lager"], world["kontor"]
    login(client, world["worker"].email)
    for path in (f"/report/qr/{lager.id}.svg", f"/report/poster/{lager.id}", "/report/qr"):
        assert client.get(path).status_code == 403, path
    assert f"/report/poster/{lager.id}" not in client.get(f"/departments/{lager.id}").text

    client.cookies.clear()
    login(client, world["leader"].email)
    assert client.get(f"/report/qr/{lager.id}.svg").status_code == 200
    assert client.get(f"/report/qr/{kontor.id}.svg").status_code == 403
    assert client.get("/report/qr").status_code == 403
    assert f"/report/poster/{lager.id}" in client.get(f"/departments/{lager.id}").text

    client.cookies.clear()
    login(client, world["admin"].email)
    svg = client.get(f"/report/qr/{lager.id}.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-security-policy"] == "sandbox"
    assert svg.headers["content-disposition"].startswith("attachment;")
    assert svg.content.startswith(b"<?xml") and b"<svg" in svg.content
    assert b"Lager" in svg.content  # the title names the department

    poster = client.get(f"/report/poster/{lager.id}")
    assert poster.status_code == 200
    assert "Meld avvik – anonymt" in poster.text
    assert f"http://127.0.0.1:8000/report?department={lager.id}" in poster.text
    assert 'class="qr-code"' in poster.text and "<title>" in poster.text
    assert "style=" not in poster.text

    overview = client.get("/report/qr")
    assert overview.status_code == 200
    assert overview.text.count('class="qr-code"') == 2
    assert f"/report/qr/{kontor.id}.svg" in overview.text

    assert client.get("/report/qr/99999.svg").status_code == 404
    kontor.closed_on = today() - timedelta(days=1)
    session.add(kontor)
    session.commit()
    assert client.get(f"/report/qr/{kontor.id}.svg").status_code == 404
    assert client.get(f"/report/poster/{kontor.id}").status_code == 404


@pytest.mark.parametrize(
    ("base_url", "local"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8080/", True),
        ("http://[::1]:8000", True),
        ("http://0.0.0.0:8080", True),
        ("http://127.0.1.1", True),
        ("https://hms.bedrift.no", False),
        ("http://192.168.1.20:8000", False),
        ("http://[2001:db8::1]", False),
    ],
)
def test_which_base_urls_phones_cannot_reach(base_url, local):
    from hms_tracker.deviations.report_routes import unreachable_from_phones

    assert unreachable_from_phones(base_url) is local


def test_qr_pages_warn_when_the_base_url_is_this_machine(client, settings, world):
    lager = world["lager"]
    login(client, world["admin"].email)
    for path in ("/report/qr", f"/report/poster/{lager.id}"):
        page = client.get(path)
        assert page.status_code == 200
        assert 'id="base-url-warning"' in page.text, path
        assert "Sett HMS_BASE_URL til adressen folk bruker" in page.text
        assert "http://127.0.0.1:8000" in page.text

    from hms_tracker.app import create_app

    public_app = create_app(settings.model_copy(update={"base_url": "https://hms.bedrift.no"}))
    try:
        with AppClient(public_app, raise_server_exceptions=False) as admin:
            login(admin, world["admin"].email)
            for path in ("/report/qr", f"/report/poster/{lager.id}"):
                page = admin.get(path)
                assert page.status_code == 200
                assert 'id="base-url-warning"' not in page.text, path
                assert f"https://hms.bedrift.no/report?department={lager.id}" in page.text
    finally:
        public_app.state.engine.dispose()


def test_the_qr_pages_need_a_login(client, world):
    r = client.get(f"/report/poster/{world['lager'].id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
