"""The report forms (/deviations/new and the anonymous /report) when they come back with
errors: the error summary names each field and links to it, chosen files must be chosen
again, and a time more than 5 years back is refused."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import select

from hms_tracker.db import utcnow
from hms_tracker.deviations.forms import EditForm, ReportForm, years_before
from hms_tracker.deviations.models import Deviation
from hms_tracker.errors import InvalidInput
from hms_tracker.web.forms import parse_form
from hms_tracker.web.i18n import OSLO
from tests.conftest import login
from tests.deviations.helpers import report_form
from tests.factories import make_department, make_user

RESELECT = "Filene må velges på nytt"
TOO_OLD = "Tidspunktet kan ikke være mer enn 5 år tilbake."


@pytest.fixture
def world(session):
    lager = make_department(session, name="Lager")
    reporter = make_user(session, department=lager)
    session.commit()
    return {"lager": lager, "reporter": reporter}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def summary_links(html: str) -> dict[str, str]:
    """href → text of the links in the error summary."""
    match = re.search(r'<div class="ds-error-summary".*?</div>', html, flags=re.S)
    assert match, "no error summary"
    return {
        href: re.sub(r"\s+", " ", text).strip()
        for href, text in re.findall(r'<a class="ds-link" href="(#[^"]+)">(.*?)</a>', match[0])
    }


def post(client, url: str, form: dict[str, str], files=None):
    return client.submit(url, form, files=files, token_page=url)


@pytest.mark.parametrize("url", ["/report", "/deviations/new"])
def test_the_error_summary_names_each_field_and_links_to_it(client, world, url):
    if url == "/deviations/new":
        login(client, world["reporter"].email)
    form = report_form(world["lager"], title="", description="", department_id="")
    del form["consequence"]
    del form["probability"]
    r = post(client, url, form)
    assert r.status_code == 422
    links = summary_links(r.text)
    assert links == {
        "#field-title": "Hva skjedde (kort): Fyll ut dette feltet.",
        "#field-description": "Beskriv hendelsen: Fyll ut dette feltet.",
        "#field-department_id": "Avdeling: Fyll ut dette feltet.",
        "#field-consequence": "Konsekvens: Fyll ut dette feltet.",
        "#field-probability": "Sannsynlighet for at det skjer igjen: Fyll ut dette feltet.",
    }, links
    for href in links:  # every link reaches an element on the page
        assert f'id="{href[1:]}"' in r.text, href
    # Nothing was chosen, so nothing needs choosing again.
    assert RESELECT not in r.text


def test_chosen_files_must_be_chosen_again_when_the_form_comes_back(client, session, world):
    form = report_form(world["lager"], title="")
    r = post(client, "/report", form, files=[("files", ("bilde.png", png(), "image/png"))])
    assert r.status_code == 422
    assert RESELECT in r.text
    assert 'id="reselect-files"' in r.text
    assert re.search(r'id="field-files"[^>]*aria-describedby="[^"]*reselect-files', r.text)
    # A refused file is named in the summary and must be chosen again too.
    r = post(
        client,
        "/report",
        report_form(world["lager"]),
        files=[("files", ("x.exe", b"MZ..", "application/octet-stream"))],
    )
    assert r.status_code == 422
    assert "#field-files" in summary_links(r.text)
    assert summary_links(r.text)["#field-files"].startswith("Bilder og filer: ")
    assert RESELECT in r.text
    # The browser's empty file part (no file chosen) does not count.
    r = post(client, "/report", form, files=[("files", ("", b"", "application/octet-stream"))])
    assert r.status_code == 422
    assert RESELECT not in r.text
    assert session.exec(select(Deviation)).all() == []


def _local(moment: datetime) -> str:
    return moment.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("url", ["/report", "/deviations/new"])
def test_a_time_more_than_five_years_back_is_refused(client, session, world, url):
    if url == "/deviations/new":
        login(client, world["reporter"].email)
    for when in (
        "01.01.1900",
        "1900-01-01T08:00",
        _local(years_before(utcnow(), 5) - timedelta(days=1)),
    ):
        r = post(client, url, report_form(world["lager"], occurred_at=when))
        assert r.status_code == 422, when
        assert TOO_OLD in r.text
        assert summary_links(r.text)["#field-occurred_at"].startswith("Når skjedde det: " + TOO_OLD)
    assert session.exec(select(Deviation)).all() == []
    # Four years and a half back is fine.
    r = post(
        client,
        url,
        report_form(world["lager"], occurred_at=_local(utcnow() - timedelta(days=int(4.5 * 365)))),
    )
    assert r.status_code == 303, r.text[:2000]
    assert len(session.exec(select(Deviation)).all()) == 1


def test_the_five_year_limit_is_for_new_reports_not_for_editing_an_old_case():
    old = _local(utcnow() - timedelta(days=6 * 365))
    values = {
        "title": "Gammel sak",
        "description": "Fra før",
        "department_id": "1",
        "occurred_at": old,
        "category": "hazard",
        "consequence": "2",
        "probability": "2",
    }
    with pytest.raises(InvalidInput) as refused:
        parse_form(ReportForm, values)
    assert TOO_OLD in refused.value.errors["occurred_at"]
    edited = parse_form(EditForm, {**values, "version": "3"})
    assert edited.occurred_at < years_before(utcnow(), 5)


def test_years_before_handles_the_leap_day():
    leap = datetime(2028, 2, 29, 12, tzinfo=OSLO)
    assert years_before(leap, 5) == datetime(2023, 2, 28, 12, tzinfo=OSLO)
    assert years_before(datetime(2030, 6, 1, tzinfo=OSLO), 5) == datetime(2025, 6, 1, tzinfo=OSLO)
