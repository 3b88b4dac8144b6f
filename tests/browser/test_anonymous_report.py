"""Browser journey of issue 4: a visitor without login reports a deviation anonymously from
a 360 px phone through a department's link, gets the receipt code, and looks up the case with
it; the coordinator's QR page and a printable poster. axe-core on every page.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from hms_tracker.deviations.models import Deviation
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_department, make_user


def test_anonymous_report_from_a_phone_and_the_status_page(browsing, live):
    name = unique("Anonym")
    with live.session() as session:
        department = make_department(session, name=f"Lager {name}")
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    page.goto(f"/report?department={department.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meld avvik anonymt")
    expect(page.get_by_label("Avdeling")).to_have_value(str(department.id))
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_have_count(0)
    check_a11y(page, context="anonymous report form")
    assert not has_horizontal_scroll(page)

    page.get_by_label("Hva skjedde (kort)").fill(f"Stige uten fot {name}")
    page.get_by_label("Beskriv hendelsen").fill("Stigen på lageret mangler gummifot.")
    page.get_by_label("Kategori").select_option("hazard")
    page.locator("#consequence-2").check()
    page.locator("#probability-3").check()
    page.get_by_role("button", name="Send inn anonymt").click()

    code = page.locator(".receipt-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
    assert code not in page.url
    assert page.url.endswith("/report/receipt")
    page.reload()  # Post/Redirect/Get: a reload shows the same code and files nothing
    expect(page.locator(".receipt-code")).to_have_text(code)
    check_a11y(page, context="receipt")
    assert not has_horizontal_scroll(page)
    with live.session() as session:
        deviation = session.exec(
            select(Deviation).where(Deviation.title == f"Stige uten fot {name}")
        ).one()
        assert deviation.anonymous and deviation.reporter_person_id is None

    page.get_by_role("button", name="Jeg har notert koden").click()
    expect(page.locator(".receipt-code")).to_have_count(0)
    expect(page.get_by_text("Her vises ingen kvitteringskode nå", exact=False)).to_be_visible()
    check_a11y(page, context="receipt after the code was noted")
    page.get_by_role("link", name="Se status for en melding").first.click()
    page.get_by_label("Kvitteringskode").fill(code.lower())
    page.get_by_role("button", name="Vis meldingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Stige uten fot {name}")
    assert code not in page.url and code.lower() not in page.url
    check_a11y(page, context="status page")
    assert not has_horizontal_scroll(page)
    page.get_by_label("Flere opplysninger").fill("Den står ved port 3.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Takk! Opplysningene er lagt til saken.")).to_be_visible()
    expect(page.get_by_text("Den står ved port 3.")).to_be_visible()

    page.goto("/report/status")
    page.get_by_label("Kvitteringskode").fill("ABCD-EFGH-JKMN-PQRS")
    page.get_by_role("button", name="Vis meldingen").click()
    expect(page.get_by_text("Vi fant ingen melding med den koden", exact=False)).to_be_visible()
    check_a11y(page, context="status page, unknown code")


def test_coordinator_qr_page_and_poster(browsing, live):
    name = unique("Plakat")
    with live.session() as session:
        department = make_department(session, name=f"Verksted {name}")
        admin = make_user(session, is_admin=True)
        session.commit()
    page = browsing.new_page()
    login(page, admin.email)
    page.goto("/report/qr")
    expect(page.get_by_role("heading", level=2, name=f"Verksted {name}")).to_be_visible()
    check_a11y(page, context="QR overview")
    page.goto(f"/departments/{department.id}")
    page.get_by_role("link", name="QR-kode for anonym melding").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meld avvik – anonymt")
    expect(page.get_by_role("img", name=re.compile(f"Verksted {name}"))).to_be_visible()
    check_a11y(page, context="poster")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".poster-tools")).to_be_hidden()
    expect(page.locator(".poster .qr-code")).to_be_visible()
