"""The yearly review as files (both databases): /barometer/{year}.pdf and .csv carry the
snapshot as the page /barometer/{year} shows it, to those who may see the page."""

from __future__ import annotations

import csv
import html
import io
import json
import re

from pypdf import PdfReader
from sqlmodel import select

from hms_tracker.barometer.export import is_in_worse_half, latin1
from hms_tracker.barometer.models import BarometerSnapshot
from hms_tracker.organisation.models import CompanySetting
from hms_tracker.web.dates import today
from tests.factories import make_user
from tests.login import login_admin, login_as

COMPANY = "Nordlys Verksted AS"


def _take_snapshot(client, session, comment: str = "Mye å gjøre – særlig opplæring.") -> dict:
    """An admin logged in, the coordinator's answer to one question, this year's review
    taken; returns the snapshot's content."""
    session.add(CompanySetting(key="company_name", value=COMPANY))
    session.commit()
    login_admin(client, session)
    assessed = client.post(
        "/barometer/assessments",
        data={
            "csrf_token": client.token("/barometer"), "question_id": "hms_work_quality",
            "answer": "fair", "comment": comment, "version": "", "on": "",
        },
        follow_redirects=False,
    )  # fmt: skip
    assert assessed.status_code == 303
    taken = client.post(
        "/barometer/snapshots", data={"csrf_token": client.token("/barometer")},
        follow_redirects=False,
    )  # fmt: skip
    assert taken.status_code == 303
    return json.loads(session.exec(select(BarometerSnapshot)).one().content)


def _words(text: str) -> str:
    """Text with every run of whitespace (line breaks of wrapped lines too) as one space."""
    return " ".join(text.split())


def _pdf_text(content: bytes) -> str:
    return _words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_pdf_holds_the_review_as_the_page_shows_it(client, session):
    content = _take_snapshot(client, session)
    year = today().year
    page = client.get(f"/barometer/{year}")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert f'href="/barometer/{year}.pdf"' in page.text
    assert f'href="/barometer/{year}.csv"' in page.text
    shown = [_words(html.unescape(f)) for f in re.findall(r"<strong>([^<]+)</strong>", page.text)]
    assert shown, "the page shows the figures in bold"

    answer = client.get(f"/barometer/{year}.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="hms-barometer-{year}.pdf"'
    )
    assert answer.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(answer.content))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = _pdf_text(answer.content)
    assert f"Årlig gjennomgang {year}" in text
    assert COMPANY in text
    question = next(q for q in content["questions"] if q["id"] == "hms_work_quality")
    assert _words(question["text"]["nb"]) in text
    assert "Mye å gjøre - særlig opplæring." in text  # the comment, its dash made plain
    assert "Svar i den svakere halvdelen av skalaen" in text
    # The next steps as they stood when the review was locked.
    assert "Hva kan dere gjøre?" in text
    assert _words("Ingen pulsundersøkelse er gjennomført. Start en,") in text
    figures = [figure for figure in shown if figure in text]
    assert figures, (shown, text)
    # Every figure the page shows is in the PDF, and each figure's evidence count.
    assert [f for f in shown if latin1(f) not in text] == []
    for q in content["questions"]:
        for m in q["records"]["measures"]:
            n = m["evidence_total"]
            counted = "registrering bak tallet" if n == 1 else "registreringer bak tallet"
            assert f"{n} {counted}" in text


def test_the_csv_has_a_row_per_figure_with_the_coordinators_comment(client, session):
    content = _take_snapshot(client, session)
    year = today().year
    answer = client.get(f"/barometer/{year}.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="hms-barometer-{year}.csv"'
    )
    header, *rows = _csv_rows(answer.content)
    assert header[:3] == ["År", "Spørsmål-id", "Spørsmål"]
    assert "Koordinatorens kommentar" in header and "Tallet i ord" in header
    assert all(len(row) == len(header) for row in rows)
    expected = [(q["id"], m["id"]) for q in content["questions"] for m in q["records"]["measures"]]
    assert len(rows) == len(expected)
    assert [row[1] for row in rows] == [question_id for question_id, _ in expected]
    assert {row[0] for row in rows} == {str(year)}
    column = {name: i for i, name in enumerate(header)}
    commented = [row for row in rows if row[1] == "hms_work_quality"]
    assert commented
    for row in commented:
        assert row[column["Koordinatorens kommentar"]] == "Mye å gjøre – særlig opplæring."
        assert row[column["Koordinatorens svar"]] == "Verken god eller dårlig"
    question = next(q for q in content["questions"] if q["id"] == "hms_work_quality")
    first = question["records"]["measures"][0]
    assert commented[0][column["Registreringer bak tallet"]] == str(first["evidence_total"])
    page = client.get(f"/barometer/{year}").text
    for row in rows:  # the figure in words as the page shows it
        assert html.escape(row[column["Tallet i ord"]], quote=False) in page


def test_a_comment_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(client, session):
    _take_snapshot(client, session, comment='=HYPERLINK("http://example.com","Klikk")')
    year = today().year
    header, *rows = _csv_rows(client.get(f"/barometer/{year}.csv").content)
    comments = {row[header.index("Koordinatorens kommentar")] for row in rows}
    assert '\'=HYPERLINK("http://example.com","Klikk")' in comments
    assert not any(cell.startswith("=") for row in rows for cell in row)
    assert client.get(f"/barometer/{year}.pdf").status_code == 200


def test_a_year_without_a_review_is_not_found(client, session):
    login_admin(client, session)
    year = today().year
    for suffix in ("pdf", "csv"):
        assert client.get(f"/barometer/{year}.{suffix}").status_code == 404  # none taken yet
        assert client.get(f"/barometer/1999.{suffix}").status_code == 404
        assert client.get(f"/barometer/{year}x.{suffix}").status_code == 404
    assert client.get(f"/barometer/{year}").status_code == 404


def test_an_employee_without_access_to_the_barometer_gets_no_file(client, session):
    _take_snapshot(client, session)
    login_as(client, session, make_user(session))
    year = today().year
    assert client.get(f"/barometer/{year}.pdf").status_code == 403
    assert client.get(f"/barometer/{year}.csv").status_code == 403


def test_the_pdf_survives_text_its_fonts_lack(client, session):
    _take_snapshot(client, session, comment="Bra → bedre… «snart» 🙂 中文 Łódź\r\nNy linje")
    answer = client.get(f"/barometer/{today().year}.pdf")
    assert answer.status_code == 200
    text = _pdf_text(answer.content)
    assert "Bra -> bedre... «snart» ? ?? Lódz Ny linje" in text


def test_latin1_keeps_norwegian_and_makes_the_rest_plain():
    assert latin1("Blåbærsyltetøy, ÆØÅ § «sitat» 1 234") == "Blåbærsyltetøy, ÆØÅ § «sitat» 1 234"
    assert latin1("a – b — c → d…") == "a - b - c -> d..."
    assert latin1("“sitat” ‘x’ 1\u202f000 €") == "\"sitat\" 'x' 1 000 EUR"
    assert latin1("Ångström Łódź Đuro ﬁn \x07") == "Ångström Lódz Duro fin "
    assert latin1("linje 1\r\nlinje 2\rlinje 3") == "linje 1\nlinje 2\nlinje 3"
    assert latin1("🙂") == "?"


def test_the_worse_half_of_a_scale_runs_below_its_middle():
    def question(answer, options=("very_poor", "poor", "fair", "good", "very_good")):
        return {"scale": [{"id": o} for o in options], "records": {"answer": answer}}

    assert [is_in_worse_half(question(a)) for a in ("very_poor", "poor", "fair", "good")] == [
        True, True, False, False,
    ]  # fmt: skip
    assert is_in_worse_half(question("no", ("no", "yes"))) is True
    assert is_in_worse_half(question("yes", ("no", "yes"))) is False
    assert is_in_worse_half(question(None)) is False
