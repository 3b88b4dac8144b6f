"""The deviation list: filters, search, sorting, pages, who sees what, the htmx partial, and
the CSV/XLSX export of the filtered list."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest

from hms_tracker.appointments.models import Appointment, AppointmentArea
from hms_tracker.db import utcnow
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.organisation.models import Person
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import OSLO
from tests.conftest import login
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_leader, make_user


def add(session, department, *, reporter=None, days_ago=0, **overrides):
    """A deviation registered `days_ago` days ago (it happened an hour before that)."""
    created = utcnow() - timedelta(days=days_ago)
    occurred = (created - timedelta(hours=1)).astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")
    overrides.setdefault("occurred_at", occurred)
    deviation, _receipt = make_deviation(
        session, department, reporter=reporter, created_at=created, **overrides
    )
    return deviation


def set_fields(session, deviation, **fields):
    for name, value in fields.items():
        setattr(deviation, name, value)
    session.add(deviation)
    session.flush()
    return deviation


def ids_in(html: str) -> list[int]:
    """Deviation ids linked from the results, in page order (each row links twice)."""
    found: list[int] = []
    for match in re.finditer(r'href="/deviations/(\d+)"', html):
        number = int(match.group(1))
        if number not in found:
            found.append(number)
    return found


@pytest.fixture
def world(session):
    drift = make_department(session, name="Drift")
    lager = make_department(session, name="Lager", parent_id=drift.id)
    kontor = make_department(session, name="Kontor")
    admin = make_user(session, is_admin=True)
    leader = make_leader(session, department=drift)
    reporter = make_user(session, department=lager)
    worker = make_user(session, department=kontor)
    session.commit()
    return {
        "drift": drift,
        "lager": lager,
        "kontor": kontor,
        "admin": admin,
        "leader": leader,
        "reporter": reporter,
        "worker": worker,
    }


def person(session, user) -> Person:
    person = session.get(Person, user.person_id)
    assert person is not None
    return person


def test_list_shows_columns_and_links_and_is_in_the_menu(client, session, world):
    d = add(
        session,
        world["lager"],
        reporter=person(session, world["reporter"]),
        title="Glatt gulv",
        category="near_miss",
        consequence="3",
        probability="4",
    )
    worker = person(session, world["worker"])
    set_fields(
        session,
        d,
        status="in_progress",
        responsible_person_id=worker.id,
        deadline=today() - timedelta(days=1),
    )
    session.commit()
    login(client, world["admin"].email)
    r = client.get("/deviations")
    assert r.status_code == 200
    html = r.text
    assert f'href="/deviations/{d.id}">#{d.id}</a>' in html
    assert f'<a class="ds-link" href="/deviations/{d.id}">Glatt gulv</a>' in html
    assert "Under behandling" in html
    assert "Høy risiko (12)" in html
    assert "Nestenulykke" in html and "Lager" in html and worker.name in html
    assert "Forfalt" in html
    assert 'href="/deviations/new"' in html and "Meld avvik" in html
    assert 'href="/deviations/stats"' in html
    assert 'class="table-scroll"' in html
    # The main menu has "Avvik", marked as the current page.
    assert '<a class="ds-link" href="/deviations" aria-current="page">Avvik</a>' in html
    # Export links carry the filters.
    r = client.get("/deviations", params={"status": "open", "q": "gulv"})
    assert 'href="/deviations/export.csv?q=gulv&amp;status=open"' in r.text
    assert 'href="/deviations/export.xlsx?q=gulv&amp;status=open"' in r.text


def test_employee_sees_avvik_in_menu_but_no_stats_or_export(client, session, world):
    add(session, world["lager"], reporter=person(session, world["reporter"]))
    session.commit()
    login(client, world["reporter"].email)
    html = client.get("/").text
    assert '<a class="ds-link" href="/deviations">Avvik</a>' in html
    html = client.get("/deviations").text
    assert 'href="/deviations/stats"' not in html
    assert "export.csv" not in html and "export.xlsx" not in html


def test_each_filter(client, session, world):
    reporter = person(session, world["reporter"])
    leader = person(session, world["leader"])
    registered = add(session, world["lager"], reporter=reporter, title="Registrert en")
    in_progress = add(
        session, world["lager"], title="Under behandling en", category="hazard", consequence="5",
        probability="4",
    )  # fmt: skip
    set_fields(
        session,
        in_progress,
        status="in_progress",
        responsible_person_id=leader.id,
        deadline=today() - timedelta(days=2),
    )
    closed = add(
        session, world["kontor"], title="Lukket en", category="hazard", consequence="1",
        probability="2",
    )  # fmt: skip
    set_fields(session, closed, status="closed", deadline=today() - timedelta(days=5))
    with_action = add(session, world["kontor"], title="Tiltak en", consequence="2", probability="3")
    set_fields(session, with_action, status="actions", deadline=today() + timedelta(days=5))
    session.add(
        CorrectiveAction(
            deviation_id=with_action.id,
            description="Fiks",
            owner_person_id=leader.id,
            deadline=today() - timedelta(days=1),
        )
    )
    session.commit()
    login(client, world["admin"].email)

    def listed(**params):
        r = client.get("/deviations", params=params)
        assert r.status_code == 200
        return set(ids_in(r.text))

    everything = {registered.id, in_progress.id, closed.id, with_action.id}
    assert listed() == everything
    assert listed(status="registered") == {registered.id}
    assert listed(status="closed") == {closed.id}
    assert listed(status="open") == {registered.id, in_progress.id, with_action.id}
    assert listed(status="nonsense") == everything
    assert listed(category="hazard") == {in_progress.id, closed.id}
    assert listed(department=str(world["kontor"].id)) == {closed.id, with_action.id}
    # 3×4 = 12 high; 5×4 = 20 critical; 1×2 = 2 low; 2×3 = 6 medium
    assert listed(risk="high") == {registered.id}
    assert listed(risk="critical") == {in_progress.id}
    assert listed(risk="low") == {closed.id}
    assert listed(risk="medium") == {with_action.id}
    # Overdue: open and past its deadline, or with an open action past its deadline; a
    # closed one past its deadline is not overdue.
    assert listed(overdue="1") == {in_progress.id, with_action.id}
    assert listed(status="open", category="hazard") == {in_progress.id}
    # Mine and assigned are about the admin: nothing.
    assert listed(mine="1") == set()
    assert listed(assigned="1") == set()

    client.cookies.clear()
    login(client, world["leader"].email)
    # Assigned: responsible, or owner of an open action.
    assert listed(assigned="1") == {in_progress.id, with_action.id}
    client.cookies.clear()
    login(client, world["reporter"].email)
    assert listed(mine="1") == {registered.id}


def test_search_title_description_place_number_and_norwegian_letters(client, session, world):
    a = add(session, world["lager"], title="Lekkasje i taket", description="Vann renner ned")
    b = add(session, world["lager"], title="Snublefare", description="Kabel over gangen")
    c = add(session, world["lager"], title="Løs rekkverk", place="Øvre lager, rampe 3")
    d = add(session, world["lager"], title="100% full container", place="Gården")
    session.commit()
    login(client, world["admin"].email)

    def found(q):
        r = client.get("/deviations", params={"q": q})
        assert r.status_code == 200
        return set(ids_in(r.text))

    assert found("lekkasje") == {a.id}
    assert found("KABEL") == {b.id}
    assert found("rampe") == {c.id}
    assert found("øvre") == {c.id}
    assert found("ØVRE LAGER") == {c.id}
    assert found("gården") == {d.id}
    assert found(f"#{b.id}") == {b.id}
    assert found(str(c.id)) >= {c.id}
    assert found("100%") == {d.id}
    assert found("%") == {d.id}  # a literal percent sign, not a wildcard
    assert found("_") == set()
    assert found("finnes ikke") == set()
    # Odd input never breaks the page (a NUL is refused by PostgreSQL; "²" is a digit to
    # Python but not a number).
    assert found("#²") == set()
    assert found("lekk\x00asje") == {a.id}


def test_search_matches_every_word_in_any_order_and_field(client, session, world):
    a = add(session, world["lager"], title="Hånd i kantpresse – knuste fingre")
    b = add(session, world["lager"], title="Kantpresse uten vern", description="Ingen skade")
    c = add(
        session, world["lager"], title="Klemskade", description="Fingre i valsen", place="Hall B"
    )
    session.commit()
    login(client, world["admin"].email)

    def found(q):
        r = client.get("/deviations", params={"q": q})
        assert r.status_code == 200
        return set(ids_in(r.text))

    assert found("kantpresse knuste") == {a.id}  # not the exact phrase
    assert found("knuste kantpresse") == {a.id}  # any order
    assert found("  KANTPRESSE   fingre, ") == {a.id}  # case, spaces and a comma
    assert found("kantpresse") == {a.id, b.id}
    assert found("fingre hall") == {c.id}  # description and place
    assert found("fingre") == {a.id, c.id}
    assert found("kantpresse valsen") == set()  # every word must match
    assert found("«kantpresse» – vern") == {b.id}
    assert found(f"#{c.id}") == {c.id}  # the number search is kept
    assert found("–") == {a.id}  # punctuation alone is still searched for as typed


def test_search_follows_an_edit(client, session, world):
    a = add(session, world["lager"], title="Glatt gulv", description="Ved porten")
    session.commit()
    login(client, world["admin"].email)
    assert set(ids_in(client.get("/deviations", params={"q": "glatt"}).text)) == {a.id}
    a.title, a.place = "Isete trapp", "Bakgården"
    session.add(a)
    session.commit()
    assert set(ids_in(client.get("/deviations", params={"q": "glatt"}).text)) == set()
    assert set(ids_in(client.get("/deviations", params={"q": "ISETE bakgården"}).text)) == {a.id}


def test_search_words():
    from hms_tracker.deviations.search import MAX_WORDS, search_words

    assert search_words("kantpresse knuste") == ["kantpresse", "knuste"]
    assert search_words("  Hånd  I\tKantpresse – knuste, fingre. ") == [
        "hånd",
        "i",
        "kantpresse",
        "knuste",
        "fingre",
    ]
    assert search_words("«Øvre» lager lager") == ["øvre", "lager"]
    assert search_words("100% #12 1.5") == ["100%", "#12", "1.5"]
    assert search_words(" – , ") == []
    assert search_words("") == []
    assert len(search_words(" ".join(f"w{i}" for i in range(50)))) == MAX_WORDS


def test_empty_states(client, session, world):
    login(client, world["admin"].email)
    r = client.get("/deviations")
    assert "Ingen avvik å vise ennå." in r.text
    add(session, world["lager"])
    session.commit()
    r = client.get("/deviations", params={"q": "finnes ikke"})
    assert "Ingen avvik passer til søket eller filtrene." in r.text
    assert "0 avvik" in r.text


def test_sorting(client, session, world):
    old = add(
        session, world["lager"], title="Gammel", days_ago=10, consequence="1", probability="1"
    )
    middle = add(
        session, world["lager"], title="Midt", days_ago=5, consequence="5", probability="5"
    )
    new = add(session, world["lager"], title="Ny", days_ago=1, consequence="3", probability="3")
    set_fields(session, old, status="in_progress", deadline=today() + timedelta(days=3))
    set_fields(session, new, status="in_progress", deadline=today() + timedelta(days=1))
    session.commit()
    login(client, world["admin"].email)

    def order(sort):
        return ids_in(client.get("/deviations", params={"sort": sort}).text)

    assert order("newest") == [new.id, middle.id, old.id]
    assert order("oldest") == [old.id, middle.id, new.id]
    assert order("risk") == [middle.id, new.id, old.id]
    assert order("deadline") == [new.id, old.id, middle.id]  # no deadline last
    assert order("bogus") == [new.id, middle.id, old.id]


def test_pagination(client, session, world):
    made = [
        add(session, world["lager"], title=f"Avvik nummer {i}", days_ago=30 - i) for i in range(27)
    ]
    session.commit()
    newest_first = [d.id for d in reversed(made)]
    login(client, world["admin"].email)
    first = client.get("/deviations", params={"status": "open"})
    assert "27 avvik" in first.text
    assert ids_in(first.text)[:25] == newest_first[:25]
    assert 'href="/deviations?status=open&amp;page=2"' in first.text
    second = client.get("/deviations", params={"status": "open", "page": "2"})
    assert ids_in(second.text)[:2] == newest_first[25:]
    assert newest_first[0] not in ids_in(second.text)
    assert 'aria-current="page">2</a>' in second.text
    # Page 1's link keeps the filters and leaves the page number out.
    assert 'href="/deviations?status=open"' in second.text
    # A page past the end shows the last page; nonsense is page 1.
    assert ids_in(client.get("/deviations", params={"page": "99"}).text)[:2] == newest_first[25:]
    assert ids_in(client.get("/deviations", params={"page": "x"}).text)[:25] == newest_first[:25]


def test_visibility_per_role(client, session, world):
    reporter = person(session, world["reporter"])
    worker = person(session, world["worker"])
    own = add(session, world["lager"], reporter=reporter, title="Eget")
    in_drift = add(session, world["drift"], reporter=worker, title="I drift")
    in_lager = add(session, world["lager"], reporter=worker, title="I lager")
    in_kontor = add(session, world["kontor"], title="I kontor")
    anonymous_kontor = add(session, world["kontor"], title="Anonymt")
    # The worker is responsible for one in Kontor and owns an action in another.
    set_fields(
        session, in_kontor, status="in_progress", responsible_person_id=worker.id,
        deadline=today(),
    )  # fmt: skip
    set_fields(session, anonymous_kontor, status="actions", deadline=today())
    session.add(
        CorrectiveAction(
            deviation_id=anonymous_kontor.id,
            description="Rydd",
            owner_person_id=reporter.id,
            deadline=today(),
        )
    )
    # A verneombud for Kontor.
    vo_user = make_user(session, department=world["kontor"])
    appointment = Appointment(kind="safety_rep", person_id=vo_user.person_id, starts_on=today())
    session.add(appointment)
    session.flush()
    session.add(AppointmentArea(appointment_id=appointment.id, department_id=world["kontor"].id))
    session.commit()

    def seen(user):
        client.cookies.clear()
        login(client, user.email)
        r = client.get("/deviations")
        assert r.status_code == 200
        return set(ids_in(r.text))

    everything = {own.id, in_drift.id, in_lager.id, in_kontor.id, anonymous_kontor.id}
    assert seen(world["admin"]) == everything
    # The leader of Drift sees Drift and Lager below it.
    assert seen(world["leader"]) == {own.id, in_drift.id, in_lager.id}
    # An employee: own reports, what they are responsible for or own an action in.
    assert seen(world["reporter"]) == {own.id, anonymous_kontor.id}
    assert seen(world["worker"]) == {in_drift.id, in_lager.id, in_kontor.id}
    # A verneombud: their verneområde.
    assert seen(vo_user) == {in_kontor.id, anonymous_kontor.id}
    # Filtering by a department never shows more than the principal may see.
    client.cookies.clear()
    login(client, world["leader"].email)
    r = client.get("/deviations", params={"department": str(world["kontor"].id)})
    assert ids_in(r.text) == []


def test_department_options_are_limited_for_non_admins(client, session, world):
    add(session, world["kontor"], reporter=person(session, world["reporter"]))
    closed = make_department(session, name="Nedlagt", closed_on=today() - timedelta(days=9))
    before = make_department(session, name="Nedlagt med avvik")
    add(session, before, days_ago=20)
    before.closed_on = today() - timedelta(days=9)
    session.add(before)
    session.commit()

    def options(user):
        client.cookies.clear()
        login(client, user.email)
        html = client.get("/deviations").text
        select = html[
            html.index('id="field-department"') : html.index(
                "</select>", html.index('id="field-department"')
            )
        ]
        return set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))

    assert options(world["leader"]) == {"Drift", "Lager"}
    # The reporter leads nothing but sees the department of their own report.
    assert options(world["reporter"]) == {"Kontor"}
    # The admin sees every open department, and a closed one only when it has deviations.
    assert options(world["admin"]) == {"Drift", "Lager", "Kontor", "Nedlagt med avvik"}
    assert closed.name == "Nedlagt"


def test_htmx_request_gets_only_the_results(client, session, world):
    d = add(session, world["lager"], title="Bare resultatene")
    add(session, world["lager"], title="Noe annet")
    session.commit()
    login(client, world["admin"].email)
    r = client.get("/deviations", params={"q": "resultatene"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    text = r.text.strip()
    assert text.startswith('<section id="results"')
    assert "<html" not in text and "<form" not in text and "Hovedmeny" not in text
    assert ids_in(text) == [d.id]
    assert "1 avvik" in text
    assert "/deviations/export.csv?q=resultatene" in text
    # The page itself has the htmx form and the same block.
    page = client.get("/deviations").text
    assert 'hx-get="/deviations"' in page and 'hx-target="#results"' in page
    assert 'hx-push-url="true"' in page and 'method="get" action="/deviations"' in page


def test_csv_export_of_the_filtered_list(client, session, world):
    worker = person(session, world["worker"])
    evil = add(
        session,
        world["lager"],
        title='=HYPERLINK("http://x")',
        description="Linje én\nLinje to; med semikolon",
        place="@SUM(A1)",
        category="hazard",
    )
    set_fields(
        session,
        evil,
        status="in_progress",
        responsible_person_id=worker.id,
        deadline=today() - timedelta(days=1),
    )
    add(session, world["lager"], title="Øvre rampe", category="near_miss")
    add(session, world["kontor"], title="-1 eller +1", category="hazard")
    session.commit()
    login(client, world["admin"].email)
    r = client.get(
        "/deviations/export.csv",
        params={"category": "hazard", "department": str(world["lager"].id), "page": "3"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert (
        r.headers["content-disposition"]
        == f'attachment; filename="avvik-{today().isoformat()}.csv"'
    )
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = text.split("\r\n")
    header = lines[0].split(";")
    assert header[:5] == ["Nummer", "Tittel", "Status", "Kategori", "Avdeling"]
    assert "Frist" in header and "Forfalt" in header and "Risikoscore" in header

    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    body = [row for row in rows[1:] if row]
    assert len(body) == 1  # only the filtered row, whatever the page
    row = dict(zip(header, body[0], strict=True))
    assert row["Nummer"] == str(evil.id)
    assert row["Tittel"] == '\'=HYPERLINK("http://x")'
    assert row["Sted"] == "'@SUM(A1)"
    assert row["Status"] == "Under behandling"
    assert row["Kategori"] == "Farlig forhold"
    assert row["Avdeling"] == "Lager"
    assert row["Ansvarlig"] == worker.name
    assert row["Frist"] == (today() - timedelta(days=1)).isoformat()
    assert row["Forfalt"] == "Ja"
    assert row["Risikoscore"] == "12"
    assert row["Beskrivelse"] == "Linje én\nLinje to; med semikolon"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row["Registrert"])
    # The search filter applies too, with Norwegian letters.
    r = client.get("/deviations/export.csv", params={"q": "øvre"})
    assert "Øvre rampe" in r.content.decode("utf-8-sig")
    assert "HYPERLINK" not in r.content.decode("utf-8-sig")
    r = client.get("/deviations/export.csv", params={"q": "+1"})
    assert "'-1 eller +1" in r.content.decode("utf-8-sig")


def test_xlsx_export_is_a_workbook_with_the_filtered_rows(client, session, world):
    add(session, world["lager"], title="=1+1 skal ikke regnes ut", category="hazard")
    add(session, world["kontor"], title="Ikke med", category="near_miss")
    session.commit()
    login(client, world["admin"].email)
    r = client.get("/deviations/export.xlsx", params={"category": "hazard"})
    assert r.status_code == 200
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert r.headers["content-disposition"] == (
        f'attachment; filename="avvik-{today().isoformat()}.xlsx"'
    )
    with zipfile.ZipFile(io.BytesIO(r.content)) as workbook:
        names = workbook.namelist()
        assert "xl/worksheets/sheet1.xml" in names
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
        strings = (
            workbook.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in names
            else ""
        )
    everything = sheet + strings
    assert "=1+1 skal ikke regnes ut" in everything
    assert "Ikke med" not in everything
    assert "Tittel" in everything and "Farlig forhold" in everything
    assert "<f>" not in sheet  # no formula anywhere
    assert '<pane ySplit="1"' in sheet  # the header row is frozen
    assert "<autoFilter" in sheet
    assert "<cols>" in sheet


def test_export_is_for_leaders_and_admin_only_and_scoped(client, session, world):
    mine = add(
        session, world["lager"], reporter=person(session, world["reporter"]), title="Lager-avvik"
    )
    add(session, world["kontor"], title="Kontor-avvik")
    session.commit()
    login(client, world["reporter"].email)
    assert client.get("/deviations/export.csv").status_code == 403
    assert client.get("/deviations/export.xlsx").status_code == 403
    client.cookies.clear()
    login(client, world["leader"].email)
    text = client.get("/deviations/export.csv").content.decode("utf-8-sig")
    assert "Lager-avvik" in text and "Kontor-avvik" not in text
    assert str(mine.id) in text
    assert client.get("/deviations/export.xlsx").status_code == 200


def test_anonymous_visitor_is_sent_to_login(client, session, world):
    r = client.get("/deviations", follow_redirects=False)
    assert r.status_code in (303, 302, 401)
    r = client.get("/deviations/export.csv", follow_redirects=False)
    assert r.status_code in (303, 302, 401)


def test_a_case_whose_own_deadline_is_ahead_says_its_action_is_late_not_that_it_is(
    client, session, world
):
    d = add(
        session, world["lager"], reporter=person(session, world["reporter"]), title="Gnisninger"
    )
    worker = person(session, world["worker"])
    set_fields(session, d, status="actions", responsible_person_id=worker.id,
               deadline=today() + timedelta(days=10))  # fmt: skip
    late = today() - timedelta(days=1)
    session.add(CorrectiveAction(deviation_id=d.id, description="Smøre lageret",
                                 owner_person_id=worker.id, deadline=late))  # fmt: skip
    session.commit()
    login(client, world["admin"].email)
    html = client.get("/deviations").text
    row = html[html.index("Gnisninger") :]
    row = row[: row.index("</tr>")]
    assert "Tiltak forfalt" in row and ">Forfalt<" not in row
    # It is overdue all the same: the «Forfalte» filter finds it, as before.
    assert "Gnisninger" in client.get("/deviations", params={"overdue": "1"}).text
