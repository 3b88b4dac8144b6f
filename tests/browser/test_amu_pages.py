"""The AMU year's other pages in a browser at phone width, with axe-core: the HMS year
(årshjul), the inspection pack, a decision's follow-up action and the meetings' list."""

from __future__ import annotations

from datetime import time, timedelta

from playwright.sync_api import expect

from hms_tracker.amu.models import AmuAgendaItem, AmuDecision, AmuMeeting
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.web.dates import today
from tests.browser.conftest import PHONE, check_a11y, has_horizontal_scroll, login, unique
from tests.factories import make_person, make_user


def test_the_amu_years_pages_fit_a_phone_and_pass_axe(live, browsing):
    tag = unique()
    with live.session() as session:
        admin = make_user(session, is_admin=True)
        owner = make_user(session, person=make_person(session, name=f"Tone Eier {tag}"))
        meeting = AmuMeeting(meets_on=today() - timedelta(days=3), starts_at=time(9),
                             ends_at=time(10), status="held")  # fmt: skip
        session.add(meeting)
        session.flush()
        item = AmuAgendaItem(meeting_id=meeting.id, position=1, title=f"Verneutstyr {tag}")
        session.add(item)
        session.flush()
        decision = AmuDecision(agenda_item_id=item.id, text=f"Kjøpe hjelmer {tag}")
        session.add(decision)
        session.flush()
        action = CorrectiveAction(amu_decision_id=decision.id, description=f"Bestille {tag}",
                                  owner_person_id=owner.person_id,
                                  deadline=today() + timedelta(days=20))  # fmt: skip
        session.add(action)
        session.commit()
        action_id = action.id
    page = browsing.new_page(viewport=PHONE)
    login(page, admin.email)
    for path, heading in (
        ("/calendar", "HMS-årshjulet"),
        ("/inspection", None),
        ("/amu/meetings", "AMU-møter"),
        (f"/amu/actions/{action_id}", "Tiltak etter vedtak i AMU"),
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if heading:
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert not has_horizontal_scroll(page), f"{path} scrolls sideways at 360 px"
        check_a11y(page, context=f"{path} at 360 px")
    # The owner, who is not in the committee, opens the action from the reminder's link.
    owner_page = browsing.new_page(viewport=PHONE)
    login(owner_page, owner.email)
    owner_page.goto(f"/amu/actions/{action_id}")
    expect(owner_page.get_by_text(f"Kjøpe hjelmer {tag}")).to_be_visible()
    owner_page.get_by_role("button", name="Lagre").click()
    expect(owner_page.get_by_role("status").first).to_contain_text("Tiltaket er ført som utført.")
    check_a11y(owner_page, context="a done follow-up action")
