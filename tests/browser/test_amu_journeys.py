"""Browser journey of issue 13: an AMU member prepares and holds a meeting on a phone
(plans it, edits the proposed agenda, records attendance, minutes and a decision with its
action), the chair approves the minutes and the year's report; axe-core on every AMU page."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect

from hms_tracker.appointments.models import AmuChairPeriod, Appointment
from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_person, make_user


def _seat(session, person_id, side):
    seat = Appointment(kind="amu_member", person_id=person_id, amu_side=side,
                       starts_on=date(today().year - 1, 1, 1))  # fmt: skip
    session.add(seat)
    session.flush()
    return seat


def test_a_member_prepares_and_holds_a_meeting_on_a_phone_and_the_chair_approves_it(live, browsing):
    tag = unique()
    with live.session() as session:
        member = make_user(session, person=make_person(session, name=f"Mia Medlem {tag}"))
        chair = make_user(session, person=make_person(session, name=f"Leo Leder {tag}"))
        _seat(session, member.person_id, "employer")
        chair_seat = _seat(session, chair.person_id, "employee")
        year = today().year
        session.add(AmuChairPeriod(appointment_id=chair_seat.id, starts_on=date(year, 1, 1),
                                   ends_on=date(year, 12, 31)))  # fmt: skip
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    login(page, member.email)
    page.goto("/amu")
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbeidsmiljøutvalget: åpne mangler")
    assert not has_horizontal_scroll(page), "/amu scrolls sideways at 360 px"
    check_a11y(page, context="/amu at 360 px")
    page.get_by_role("link", name="Møter, sakslister og referater").click()
    check_a11y(page, context="/amu/meetings at 360 px")
    page.get_by_label("Dato").fill(today().isoformat())
    page.get_by_label("Sted").fill(f"Kantina {tag}")
    page.get_by_role("button", name="Planlegg møtet").click()
    expect(page.get_by_role("status").first).to_contain_text("Møtet er planlagt")
    expect(page.locator("#agenda")).to_contain_text("Godkjenning av innkalling og saksliste")
    assert not has_horizontal_scroll(page), "the meeting scrolls sideways at 360 px"
    check_a11y(page, context="a planned meeting at 360 px")
    meeting_url = page.url.split("#")[0]

    # The agenda: an item added and moved up above "Eventuelt".
    page.get_by_text("Legg til en sak").click()
    adder = page.locator('form[action$="/items"]')
    adder.get_by_label("Tittel").fill(f"Sykefravær {tag}")
    adder.get_by_role("button", name="Legg til saken").click()
    expect(page.get_by_role("status").first).to_contain_text("Saken er lagt til.")
    last = page.locator(".amu-agenda > li").last
    expect(last).to_contain_text(f"Sykefravær {tag}")
    last.get_by_role("button", name="Flytt opp").click()
    expect(page.locator(".amu-agenda > li").last).to_contain_text("Eventuelt")

    # Held: attendance, minutes of the first item, and a decision with its action.
    page.get_by_role("button", name="Før møtet som holdt").click()
    expect(page.get_by_role("status").first).to_contain_text("Møtet er ført som holdt.")
    page.get_by_label(f"Mia Medlem {tag}").check()
    page.get_by_label(f"Leo Leder {tag}").check()
    page.get_by_role("button", name="Lagre oppmøtet").click()
    expect(page.get_by_role("status").first).to_contain_text("Oppmøtet er lagret.")
    first = page.locator(".amu-agenda > li").first
    first.get_by_label("Referat fra saken").fill("Innkalling og saksliste godkjent.")
    first.get_by_role("button", name="Lagre referatet").click()
    expect(page.get_by_role("status").first).to_contain_text("Referatet er lagret.")
    decision = page.locator("#decision")
    chosen = decision.locator("option", has_text=f"Sykefravær {tag}").get_attribute("value")
    decision.get_by_label("Sak", exact=True).select_option(value=chosen)
    decision.get_by_label("Vedtaket").fill("Fraværet følges opp hvert kvartal.")
    decision.get_by_label("Tiltaket").fill(f"Lage kvartalsrapport {tag}")
    decision.get_by_label("Ansvarlig").select_option(label=f"Mia Medlem {tag}")
    decision.get_by_label("Frist").fill(date(today().year + 1, 3, 1).isoformat())
    decision.get_by_role("button", name="Før vedtaket").click()
    expect(page.get_by_role("status").first).to_contain_text("Vedtaket er ført.")
    expect(page.locator(".amu-agenda")).to_contain_text(f"Lage kvartalsrapport {tag}")
    assert not has_horizontal_scroll(page), "the held meeting scrolls sideways at 360 px"
    check_a11y(page, context="a held meeting at 360 px")
    expect(page.get_by_role("button", name="Godkjenn referatet")).to_have_count(0)

    # The chair approves; the minutes are locked.
    chair_page = browsing.new_page()
    login(chair_page, chair.email)
    chair_page.goto(meeting_url)
    chair_page.get_by_role("button", name="Godkjenn referatet").click()
    expect(chair_page.get_by_role("status").first).to_contain_text("Referatet er godkjent og låst.")
    expect(chair_page.locator(".heading-meta")).to_contain_text("Referat godkjent")
    expect(chair_page.get_by_role("button", name="Lagre referatet")).to_have_count(0)
    check_a11y(chair_page, context="approved minutes")

    # The year's report: the chair saves the draft written from the records and approves it.
    chair_page.goto(f"/amu/report/{today().year}")
    expect(chair_page.get_by_label("Teksten i rapporten")).to_contain_text("Sammensetning")
    check_a11y(chair_page, context="the AMU report, a draft")
    chair_page.get_by_role("button", name="Lagre rapporten").click()
    expect(chair_page.get_by_role("status").first).to_contain_text("Rapporten er lagret.")
    chair_page.get_by_role("button", name="Godkjenn årsrapporten").click()
    expect(chair_page.get_by_role("status").first).to_contain_text("Årsrapporten er godkjent")
    expect(chair_page.get_by_role("link", name="Årsrapporten som PDF")).to_be_visible()
    check_a11y(chair_page, context="the AMU report, approved")
