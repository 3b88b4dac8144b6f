"""Browser journeys of issue 12: the coordinator reads the barometer answered from the
records, on a desktop and on a phone, follows a figure to its records, and picks a day."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from hms_tracker.appointments.models import Appointment
from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_person, make_user


def test_the_coordinator_reads_the_barometer_and_follows_a_figure_to_its_record(live, page):
    name = f"Verne Utenkurs {unique()}"
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        person = make_person(session, name=name)
        session.add(
            Appointment(
                kind="safety_rep", person_id=person.id, starts_on=today() - timedelta(days=800)
            )
        )
        session.commit()
    login(page, admin.email)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Barometer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "HMS-barometeret: slik svarer registrene"
    )
    card = page.locator("#q-safety_rep_training")
    expect(card.locator(".ds-tag").first).to_have_text("Nei")
    expect(card).to_contain_text("I 3 av 10 virksomheter mangler verneombudet")
    card.get_by_text("Slik blir tallet til et svar").click()
    expect(card).to_contain_text("0 eller mindre → Ja")
    check_a11y(page, context="/barometer")
    card.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)

    page.goto("/barometer")
    page.get_by_label("Vis status per dag").fill((today() - timedelta(days=900)).isoformat())
    page.get_by_role("button", name="Vis", exact=True).first.click()
    expect(page.get_by_role("status").first).to_contain_text("Du ser status slik den var")


def test_the_barometer_fits_a_phone(live, browsing):
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        session.commit()
    page = browsing.new_page(viewport=PHONE)
    login(page, admin.email)
    response = page.goto("/barometer")
    assert response is not None and response.status == 200
    assert not has_horizontal_scroll(page), "/barometer scrolls sideways at 360 px"
    check_a11y(page, context="/barometer at 360 px")
    # The coordinator gives an answer and locks the year's review; the review reads well on
    # a phone too.
    card = page.locator("#q-hms_work_quality")
    card.get_by_text("Gi din vurdering").click()
    card.get_by_label("God", exact=True).check()
    card.get_by_label("Kommentar").fill("Godt på vei.")
    card.get_by_role("button", name="Lagre vurderingen").click()
    expect(page.get_by_role("status").first).to_contain_text("Vurderingen er lagret.")
    year = today().year
    page.get_by_role("button", name=f"Lås gjennomgangen for {year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Årlig gjennomgang {year}")
    expect(page.locator("#s-hms_work_quality")).to_contain_text("Godt på vei.")
    assert not has_horizontal_scroll(page), f"/barometer/{year} scrolls sideways at 360 px"
    check_a11y(page, context=f"/barometer/{year} at 360 px")
    page.goto("/barometer")
    expect(page.get_by_role("heading", name="Svarene fra registrene over tid")).to_be_visible()
    assert not has_horizontal_scroll(page), "/barometer with a review scrolls sideways"
    check_a11y(page, context="/barometer with a review, 360 px")


def test_the_coordinator_opens_a_pulse_survey_and_an_employee_answers_it_on_a_phone(live, browsing):
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        employee = make_user(session)
        session.commit()
    desk = browsing.new_page()
    login(desk, admin.email)
    desk.goto("/barometer/surveys")
    check_a11y(desk, context="/barometer/surveys")
    title = f"Pulsundersøkelse {unique()}"
    desk.get_by_label("Navn").fill(title)
    desk.get_by_label("Åpner").fill(today().isoformat())
    desk.get_by_label("Stenger etter").fill((today() + timedelta(days=14)).isoformat())
    desk.get_by_role("button", name="Åpne undersøkelsen").click()
    expect(desk.get_by_role("status").first).to_contain_text(title)

    phone = browsing.new_page(viewport=PHONE)
    login(phone, employee.email)
    phone.goto("/survey")
    assert not has_horizontal_scroll(phone), "/survey scrolls sideways at 360 px"
    check_a11y(phone, context="/survey at 360 px")
    questions = phone.locator("fieldset")
    for index in range(questions.count()):
        questions.nth(index).get_by_role("radio").nth(3).check()
    phone.get_by_label("Hva fungerer godt i HMS-arbeidet hos oss?").fill("Gode vernerunder.")
    phone.get_by_role("button", name="Send svaret").click()
    expect(phone.get_by_role("status").first).to_contain_text("Takk for at du svarte!")
    expect(phone.get_by_role("button", name="Send svaret")).to_have_count(0)
    check_a11y(phone, context="/survey answered, 360 px")
