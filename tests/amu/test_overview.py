"""The AMU's page of open gaps (both databases): counts and lists from the rule engine, on
any day; what changed since the last meeting; a decision's follow-up open to its owner."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hms_tracker.amu.models import AmuAgendaItem, AmuMeeting
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.routines.models import RoutineReview
from hms_tracker.web.dates import today
from tests.amu.test_meetings import _committee, _meeting_url, _overdue_routine, _plan
from tests.factories import make_user
from tests.login import login_as


def _section(html: str, section: str) -> str:
    start = html.index(f'id="section-{section}"')
    return html[start : html.index("</section>", start)]


def test_the_page_counts_and_lists_the_open_gaps_and_what_changed_since_the_last_meeting(
    client, session
):
    member, _chair, _apps = _committee(session)
    fixed = _overdue_routine(session, "Stillasarbeid")
    login_as(client, session, member)
    page = client.get("/amu")
    assert page.status_code == 200
    routines = _section(page.text, "routines")
    assert "Stillasarbeid" in routines and "(1)" in routines
    assert "Neste møte:" in page.text and "ikke planlagt" in page.text
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    assert client.submit(f"{url}/held", {"version": str(meeting.version)},
                         token_page=url).status_code == 303  # fmt: skip
    session.expire_all()
    kept = session.get(AmuMeeting, meeting.id).gaps_at_meeting
    assert [f"routines.review-overdue:routine:{fixed.id}", "Stillasarbeid"] in kept
    # After the meeting: the routine is reviewed, another falls behind.
    session.add(RoutineReview(routine_id=fixed.id, reviewed_on=today(), outcome="no_change"))
    _overdue_routine(session, "Sveising i trange rom")
    session.commit()
    page = client.get("/amu").text
    assert "Endret siden møtet" in page
    assert "Nye: 1 · Løst: 1" in page
    changes = page[page.index("Endret siden møtet") : page.index('id="section-')]
    assert "Sveising i trange rom" in changes and "Stillasarbeid" in changes
    # On a day before the meeting, nothing was held yet.
    earlier = client.get("/amu", params={"on": (today() - timedelta(days=1)).isoformat()}).text
    assert "Endret siden møtet" not in earlier


def test_a_follow_up_is_read_and_done_by_its_owner_who_is_not_in_the_committee(client, session):
    member, _chair, _apps = _committee(session)
    owner = make_user(session)
    stranger = make_user(session)
    login_as(client, session, member)
    url = _meeting_url(_plan(client))
    meeting = session.exec(select(AmuMeeting)).one()
    client.submit(f"{url}/held", {"version": str(meeting.version)}, token_page=url)
    item = session.exec(select(AmuAgendaItem)).first()
    decided = client.submit(f"{url}/decisions", {
        "item_id": str(item.id), "text": "Nye verneskor", "action": "Bestille verneskor",
        "owner_person_id": str(owner.person_id),
        "deadline": (today() + timedelta(days=10)).isoformat(),
    }, token_page=url)  # fmt: skip
    assert decided.status_code == 303
    action = session.exec(select(CorrectiveAction)).one()
    login_as(client, session, stranger)
    assert client.get(f"/amu/actions/{action.id}").status_code == 403
    login_as(client, session, owner)
    assert client.get("/amu").status_code == 403
    page = client.get(f"/amu/actions/{action.id}")
    assert page.status_code == 200 and "Nye verneskor" in page.text
    assert client.get("/amu/actions/999999").status_code == 404
    done = client.submit(f"/amu/actions/{action.id}/done", {
        "done_on": today().isoformat(), "done_note": "Kjøpt inn", "version": str(action.version),
    }, token_page=f"/amu/actions/{action.id}")  # fmt: skip
    assert done.status_code == 303
    session.expire_all()
    assert session.get(CorrectiveAction, action.id).done_on == today()
    assert "Utført" in client.get(f"/amu/actions/{action.id}").text


def test_a_long_section_shows_its_first_ten_and_all_on_request(client, session):
    member, _chair, _apps = _committee(session)
    for i in range(12):
        _overdue_routine(session, f"Rutine nr {i:02d}")
    session.commit()
    login_as(client, session, member)
    section = _section(client.get("/amu").text, "routines")
    assert "(12)" in section and "Vis alle 12" in section
    assert sum(f"Rutine nr {i:02d}" in section for i in range(12)) == 10
    every = _section(client.get("/amu", params={"show": "routines"}).text, "routines")
    assert all(f"Rutine nr {i:02d}" in every for i in range(12)) and "Vis alle" not in every
