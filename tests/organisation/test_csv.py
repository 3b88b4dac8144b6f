"""CSV export and import of the people register."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import func, select

from hms_tracker.organisation import csv_io
from hms_tracker.organisation.models import Person
from tests.conftest import login
from tests.factories import make_department, make_person
from tests.login import login_admin

HEADER = (
    "navn;e-post;telefon;stilling;avdeling;ansatt_fra;ansatt_til;ansettelsesform;ukentlige_timer"
)


def people_count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Person)).one()


def upload(client, content: bytes, name: str = "personer.csv"):
    return client.submit(
        "/people/import",
        {},
        files={"file": (name, content, "text/csv")},
        token_page="/people/import",
    )


def confirm(client, fields):
    return client.submit("/people/import/confirm", fields, token_page="/people/import")


def confirm_fields(html: str) -> dict[str, list[str]]:
    form = re.search(
        r'<form method="post" action="/people/import/confirm">(.*?)</form>', html, re.S
    )
    assert form, "no confirm form on the preview"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)):
        if name != "csrf_token":
            fields.setdefault(name, []).append(value)
    return fields


# --- export -------------------------------------------------------------------------------


def test_export_is_excel_friendly_and_guards_against_formulas(client, session):
    login_admin(client, session)
    lager = make_department(session, name="Lager")
    make_person(
        session,
        name='=HYPERLINK("http://x")',
        email="kari@firma.no",
        phone="+47 912 34 567",
        title="Lager; og kontor",
        department=lager,
        employed_from=date(2024, 1, 15),
        employed_to=date(2030, 12, 31),
        employment_type="temporary",
        weekly_hours=Decimal("37.5"),
    )
    session.commit()
    r = client.get("/people/export.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="personer-\d{4}-\d{2}-\d{2}\.csv"', r.headers["content-disposition"]
    )
    assert r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == HEADER
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    row = next(r for r in rows[1:] if r and r[1] == "kari@firma.no")
    assert row == [
        '\'=HYPERLINK("http://x")',
        "kari@firma.no",
        "'+47 912 34 567",
        "Lager; og kontor",
        "Lager",
        "2024-01-15",
        "2030-12-31",
        "Midlertidig ansatt",
        "37,5",
    ]


def test_export_follows_the_lists_filters(client, session):
    login_admin(client, session)
    lager = make_department(session, name="Lager")
    kontor = make_department(session, name="Kontor")
    make_person(session, name="Lagerarbeider", department=lager)
    make_person(session, name="Kontorist", department=kontor)
    session.commit()
    text = client.get("/people/export.csv", params={"department": lager.id}).content.decode(
        "utf-8-sig"
    )
    assert "Lagerarbeider" in text and "Kontorist" not in text
    # the list's download link carries the list's filters
    listing = client.get("/people", params={"department": lager.id, "q": "lager"}).text
    link = re.search(r'href="(/people/export\.csv[^"]*)"', listing).group(1).replace("&amp;", "&")
    assert f"department={lager.id}" in link and "q=lager" in link
    assert "Lagerarbeider" in client.get(link).content.decode("utf-8-sig")


# --- import: the parser on its own --------------------------------------------------------


def parse(text: str | bytes, departments=None, existing=None):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return csv_io.parse_people_csv(
        content,
        departments=departments if departments is not None else {"lager": (1, False)},
        existing_emails=existing or set(),
    )


def test_parser_accepts_comma_files_with_english_headers_and_labels():
    preview = parse(
        "name,email,department,employed_from,employment_type,weekly_hours\n"
        'Kari Nordmann,kari@firma.no,lager,15.01.2024,Innleid,"37,5"\n'
        "Ola Nordmann,,,2024-02-01,temporary,20\n"
    )
    assert preview.delimiter == ","
    assert preview.is_valid, [r.errors for r in preview.rows]
    kari, ola = preview.people()
    assert kari.department_id == 1 and kari.employed_from == date(2024, 1, 15)
    assert kari.employment_type.value == "hired_in" and kari.weekly_hours == Decimal("37.5")
    assert ola.email is None and ola.employment_type.value == "temporary"


def test_parser_lists_every_problem_by_line_number():
    preview = parse(
        HEADER + "\n"
        "Kari Nordmann;kari@firma.no;;;Lager;2024-01-15;;Fast ansatt;37,5\n"  # line 2: fine
        ";x@firma.no;;;;2024-01-15;;;\n"  # 3: no name
        "Ola;ola@firma.no;;;;31.02.2024;;;\n"  # 4: bad date
        "Per;per@firma.no;;;Lagr;2024-01-15;;;\n"  # 5: unknown department
        "Pål;ikke-epost;;;;2024-01-15;;;\n"  # 6: bad e-mail
        "Kari igjen;KARI@firma.no;;;;2024-01-15;;;\n"  # 7: duplicate in file
        "Gammel;gammel@firma.no;;;;2024-01-15;;;\n"  # 8: already in register
        "Siri;siri@firma.no;;;;2024-01-15;;deltid;\n"  # 9: bad employment type
        "Tor;tor@firma.no;;;;2024-01-15;;;101\n"  # 10: hours out of range
        "Liv;liv@firma.no;;;;2024-01-15;2023-12-31;;\n",  # 11: ends before it starts
        existing={"gammel@firma.no"},
    )
    assert not preview.is_valid
    assert preview.ok_count == 1 and preview.error_count == 9
    errors = {row.line: " ".join(row.errors) for row in preview.rows if row.errors}
    assert "Mangler navn." in errors[3]
    assert "Ugyldig dato i ansatt_fra: «31.02.2024»" in errors[4]
    assert "Ukjent avdeling: «Lagr»" in errors[5]
    assert "Ugyldig e-postadresse: «ikke-epost»" in errors[6]
    assert "står også på linje 2" in errors[7]
    assert "finnes allerede i registeret" in errors[8]
    assert "Ukjent ansettelsesform: «deltid»" in errors[9]
    assert "mellom 0 og 100" in errors[10]
    assert "ansatt_til (2023-12-31) er før ansatt_fra (2024-01-15)" in errors[11]
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]


def test_parser_counts_lines_across_quoted_line_breaks_and_skips_blank_lines():
    preview = parse(
        HEADER + '\n"Kari\nNordmann";kari@firma.no;;;;2024-01-15;;;\n\nOla;;;;;ikke-dato;;;\n'
    )
    assert [row.line for row in preview.rows] == [2, 5]
    assert preview.rows[1].errors


def test_parser_refuses_latin1_with_a_clear_message():
    content = (HEADER + "\nPål Ødegård;;;;;2024-01-15;;;\n").encode("cp1252")
    preview = parse(content)
    assert not preview.is_valid and not preview.rows
    assert preview.file_errors[0].startswith("Filen er ikke UTF-8")
    assert "linje 2" in preview.file_errors[0]


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), "et bilde (JPEG)"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "et bilde (PNG)"),
        (b"%PDF-1.7\n%\xe2\xe3", "et PDF-dokument"),
        (b"PK\x03\x04\x14\x00\x06\x00", "en Excel-arbeidsbok (XLSX)"),
    ],
)
def test_parser_says_what_a_file_picked_by_mistake_is(content, named):
    preview = parse(content)
    assert not preview.is_valid and not preview.rows
    assert preview.file_errors[0].startswith(f"Filen er ikke en CSV-fil, men {named}")
    assert "UTF-8 (første" not in preview.file_errors[0]


def test_parser_refuses_utf16_and_files_without_the_required_columns():
    utf16 = parse((HEADER + "\n").encode("utf-16"))
    assert "UTF-16" in utf16.file_errors[0]
    no_start = parse("navn;e-post\nKari;kari@firma.no\n")
    assert "mangler kolonnen ansatt_fra" in no_start.file_errors[0]
    assert parse("").file_errors == ["Filen er tom."]
    assert parse(HEADER + "\n").file_errors == ["Filen har ingen rader under overskriftslinjen."]


def test_export_reads_back_in_unchanged():
    person = Person(
        name="Kari Nordmann",
        email="kari@firma.no",
        phone="+47 912 34 567",
        title="-Lagerleder",
        employed_from=date(2024, 1, 15),
        employed_to=date(2030, 6, 30),
        employment_type="hired_in",
        weekly_hours=Decimal("37.50"),
        department_id=1,
    )
    exported = csv_io.write_people_csv([(person, "Lager")])
    preview = parse(exported)
    assert preview.is_valid, [r.errors for r in preview.rows]
    (data,) = preview.people()
    assert data.phone == "+47 912 34 567" and data.title == "-Lagerleder"
    assert data.employed_to == date(2030, 6, 30) and data.weekly_hours == Decimal("37.5")
    assert data.employment_type.value == "hired_in" and data.department_id == 1


# --- import over HTTP ---------------------------------------------------------------------


def test_good_file_previews_then_saves_every_row(client, session):
    login_admin(client, session)
    make_department(session, name="Lager")
    session.commit()
    before = people_count(session)
    content = (
        HEADER + "\n"
        "Kari Nordmann;kari@firma.no;;Lagermedarbeider;Lager;2024-01-15;;Fast ansatt;37,5\n"
        "Ola Nordmann;ola@firma.no;;;lager;01.02.2024;;Innleid;20\n"
    ).encode()
    preview = upload(client, content)
    assert preview.status_code == 200, preview.text[:3000]
    assert "2 rader klare, 0 med feil" in preview.text
    assert people_count(session) == before  # nothing saved by the preview
    r = client.submit(
        "/people/import/confirm", confirm_fields(preview.text), token_page="/people/import"
    )
    assert r.status_code == 303
    assert people_count(session) == before + 2
    ola = session.exec(select(Person).where(Person.email == "ola@firma.no")).one()
    assert ola.employment_type == "hired_in" and ola.employed_from == date(2024, 2, 1)
    assert "2 personer er importert." in client.get(r.headers["location"]).text


def test_file_with_errors_lists_them_and_saves_nothing(client, session):
    login_admin(client, session)
    before = people_count(session)
    content = (
        HEADER + "\n"
        "Kari Nordmann;kari@firma.no;;;;2024-01-15;;;\n"
        ";;;;;2024-01-15;;;\n"
        "Ola;ola@firma.no;;;Finnes ikke;2024-13-01;;;\n"
    ).encode()
    r = upload(client, content)
    assert r.status_code == 422
    assert "1 rad klar, 2 med feil" in r.text
    assert "Linje 3: Mangler navn." in r.text
    assert "Linje 4: Ugyldig dato i ansatt_fra" in r.text
    assert "Linje 4: Ukjent avdeling: «Finnes ikke»" in r.text
    assert "/people/import/confirm" not in r.text  # no way to save a file with errors
    assert people_count(session) == before


def test_latin1_file_gets_a_clear_message_and_saves_nothing(client, session):
    login_admin(client, session)
    before = people_count(session)
    r = upload(client, (HEADER + "\nPål Ødegård;;;;;2024-01-15;;;\n").encode("latin-1"))
    assert r.status_code == 422
    assert "Filen er ikke UTF-8" in r.text
    assert "Windows-1252/Latin-1" in r.text
    assert people_count(session) == before


def test_excel_export_with_bom_and_semicolons_imports(client, session):
    login_admin(client, session)
    make_department(session, name="Økonomi")
    session.commit()
    before = people_count(session)
    content = (
        "\ufeff" + HEADER + "\r\n"
        "Åse Ødegård;ase@firma.no;'+4791234567;Regnskapsfører;Økonomi;2023-08-01;;"
        "Midlertidig ansatt;18,75\r\n"
    ).encode("utf-8")
    preview = upload(client, content)
    assert preview.status_code == 200, preview.text[:3000]
    r = client.submit(
        "/people/import/confirm", confirm_fields(preview.text), token_page="/people/import"
    )
    assert r.status_code == 303
    assert people_count(session) == before + 1
    ase = session.exec(select(Person).where(Person.email == "ase@firma.no")).one()
    assert ase.name == "Åse Ødegård" and ase.phone == "+4791234567"
    assert ase.weekly_hours == Decimal("18.75") and ase.employment_type == "temporary"


def test_confirm_checks_the_content_again(client, session):
    login_admin(client, session)
    before = people_count(session)
    content = (HEADER + "\nKari Nordmann;kari@firma.no;;;;2024-01-15;;;\n").encode()
    preview = upload(client, content)
    fields = confirm_fields(preview.text)
    # someone registers the same e-mail between preview and confirm
    make_person(session, email="kari@firma.no")
    session.commit()
    r = confirm(client, fields)
    assert r.status_code == 422
    assert "finnes allerede i registeret" in r.text
    assert people_count(session) == before + 1  # only the one added above

    # a tampered payload is re-parsed too: a bad row sent straight to confirm is refused
    import base64
    import zlib

    bad = (HEADER + "\n;;;;;ikke-dato;;;\n").encode()
    tampered = {"content": [base64.b64encode(zlib.compress(bad)).decode()]}
    r = confirm(client, tampered)
    assert r.status_code == 422 and "Mangler navn." in r.text
    garbage = client.submit(
        "/people/import/confirm", {"content": ["%%%"]}, token_page="/people/import"
    )
    assert garbage.status_code == 422 and "Last opp filen på nytt" in garbage.text
    assert people_count(session) == before + 1


def test_too_large_file_is_refused(client, session, app):
    login_admin(client, session)
    app.state.settings.upload_max_bytes = 2000
    big = (HEADER + "\n" + "Kari;;;;;2024-01-15;;;\n" * 200).encode()
    r = upload(client, big)
    assert r.status_code == 413
    assert people_count(session) == 1


def test_only_admins_import(client, session):
    from tests.factories import make_leader

    lager = make_department(session, name="Lager")
    leader = make_leader(session, department=lager)
    session.commit()
    login(client, leader.email)
    assert client.get("/people/import").status_code == 403
    r = client.submit(
        "/people/import", {}, files={"file": ("p.csv", b"navn\n", "text/csv")}, token_page="/"
    )
    assert r.status_code == 403


def test_confirming_the_same_import_twice_saves_it_once(client, session):
    login_admin(client, session)
    make_department(session, name="Lager")
    session.commit()
    before = people_count(session)
    content = (HEADER + "\nUten Epost;;;;Lager;2024-01-15;;;37,5\n").encode()
    fields = confirm_fields(upload(client, content).text)
    first = client.submit("/people/import/confirm", fields, token_page="/people/import")
    assert first.status_code == 303
    assert "1 person er importert." in client.get(first.headers["location"]).text
    second = client.submit("/people/import/confirm", fields, token_page="/people/import")
    assert second.status_code == 422
    assert "finnes allerede i registeret med samme navn og startdato" in second.text
    assert people_count(session) == before + 1
