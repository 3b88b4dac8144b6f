"""The AMU goes through the reports of injuries, accidents and near misses (AML § 7-2): its
members read (never change) the cases of the categories personal injury, near miss and
dangerous condition across the company — the actions too — and never learn who reported
them. Other cases stay closed to them. Both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hms_tracker.appointments.models import Appointment
from hms_tracker.deviations import service
from hms_tracker.deviations.forms import ActionForm, AssignForm, CommentForm
from hms_tracker.deviations.models import CommentVisibility, Deviation
from hms_tracker.deviations.service import Access
from hms_tracker.organisation.models import DepartmentLeader
from hms_tracker.web.dates import today
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_person, make_user
from tests.login import login_as

HANDLER = Access(view=True, internal=True, handle=True, work=True, comment=True)
REPORTER = "Rita Rapportør"
ACTION = "Montere rekkverk ved rampen"


@pytest.fixture
def world(session):
    production = make_department(session, name="Produksjon")
    office = make_department(session, name="Kontor")
    leader = make_user(session, department=production)
    session.add(DepartmentLeader(department_id=production.id, person_id=leader.person_id))
    reporter = make_person(session, name=REPORTER, department=production)
    member = make_user(session, person=make_person(session, name="Ane AMU", department=office))
    session.add(Appointment(kind="amu_member", person_id=member.person_id, amu_side="employee",
                            starts_on=date(2024, 1, 1)))  # fmt: skip
    session.commit()
    injury, _ = make_deviation(session, production, reporter=reporter,
                               title="Kuttskade ved sagen", category="personal_injury")  # fmt: skip
    hazard, _ = make_deviation(session, production, reporter=reporter,
                               title="Løs rampe ved port 3", category="hazard")  # fmt: skip
    damage, _ = make_deviation(
        session, production, reporter=reporter, title="Bulk i truckens gaffel",
        category="material_damage",
    )  # fmt: skip
    anonymous, _ = make_deviation(session, production, title="Nesten påkjørt i gangen",
                                  category="near_miss")  # fmt: skip
    service.assign(
        session=session, access=HANDLER, deviation=hazard,
        data=AssignForm.model_validate({
            "responsible_person_id": leader.person_id,
            "deadline": (today() + timedelta(days=7)).isoformat(), "version": hazard.version,
        }),
        today=today(),
    )  # fmt: skip
    service.add_action(
        session=session, access=HANDLER, deviation=hazard,
        data=ActionForm.model_validate({
            "description": ACTION, "owner_person_id": leader.person_id,
            "deadline": (today() + timedelta(days=5)).isoformat(),
        }),
        today=today(),
    )  # fmt: skip
    service.add_comment(
        session=session, access=HANDLER, deviation=injury,
        data=CommentForm(body="Intern: følg opp sagbladet", visibility=CommentVisibility.internal),
        author_person_id=leader.person_id,
    )  # fmt: skip
    session.commit()
    return {"member": member, "injury": injury, "hazard": hazard, "damage": damage,
            "anonymous": anonymous}  # fmt: skip


def test_an_amu_member_lists_and_reads_the_cases_the_committee_goes_through(client, session, world):
    login_as(client, session, world["member"])
    listed = client.get("/deviations").text
    for case in ("injury", "hazard", "anonymous"):
        assert world[case].title in listed
    assert world["damage"].title not in listed
    page = client.get(f"/deviations/{world['hazard'].id}")
    assert page.status_code == 200
    assert ACTION in page.text  # the actions are what the committee follows up
    assert REPORTER not in page.text and "Ikke vist for AMU" in page.text
    injury = client.get(f"/deviations/{world['injury'].id}").text
    assert REPORTER not in injury
    assert "Intern: følg opp sagbladet" not in injury  # internal comments stay internal
    assert f'action="/deviations/{world["injury"].id}/comments"' not in injury  # read only
    assert "Anonym" in client.get(f"/deviations/{world['anonymous'].id}").text
    assert client.get(f"/deviations/{world['damage'].id}").status_code == 403


def test_an_amu_member_changes_nothing_on_the_cases_they_read(client, session, world):
    login_as(client, session, world["member"])
    case = world["injury"]
    page = f"/deviations/{case.id}"
    attempts = {
        f"{page}/comments": {"body": "Hei", "visibility": "reporter"},
        f"{page}/actions": {"description": "Noe", "owner_person_id": str(world["member"].person_id),
                            "deadline": (today() + timedelta(days=3)).isoformat()},
        f"{page}/reject": {"reason": "Nei", "version": str(case.version)},
    }  # fmt: skip
    for url, data in attempts.items():
        response = client.submit(url, data, token_page=page)
        # 403, or the case page saying why (409, as for anyone not handling the case)
        assert response.status_code in (403, 409), (url, response.status_code)
    assert client.get(f"{page}/edit").status_code == 403
    session.expire_all()
    assert service.actions_of(session=session, deviation=case) == []
    assert [c.body for c in service.comments_of(session=session, deviation=case,
                                                reporter_view=False)] == [
        "Intern: følg opp sagbladet"
    ]  # fmt: skip
    assert session.get(Deviation, case.id).status == "registered"


def test_without_the_appointment_the_cases_are_closed_again(client, session, world):
    stranger = make_user(session, department=make_department(session, name="Salg"))
    session.commit()
    login_as(client, session, stranger)
    assert world["injury"].title not in client.get("/deviations").text
    assert client.get(f"/deviations/{world['injury'].id}").status_code == 403
