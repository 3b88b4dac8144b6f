"""Nothing double (issue 14): each create form sent twice with its one-time key saves one
record, and the second sending goes to what the first saved — after one another and at the
same moment. Both databases."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlmodel import func, select

from hms_tracker.deviations.models import CorrectiveAction, Deviation, DeviationComment
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.training.models import TrainingRecord
from hms_tracker.web.dates import today
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_person, make_user
from tests.login import login_as


def _key(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"') :]
    match = re.search(r'name="form_key" value="([^"]+)"', form[: form.index("</form>")])
    assert match, f"no one-time key in the form {action}"
    return match.group(1)


def _count(session, model, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _twice(client, url: str, data: dict, page: str):
    first = client.submit(url, data, token_page=page)
    second = client.submit(url, data, token_page=page)
    return first, second


def test_a_report_sent_twice_is_one_case(client, session):
    department = make_department(session, name="Lager")
    user = make_user(session, department=department)
    session.commit()
    login_as(client, session, user)
    page = client.get("/deviations/new").text
    data = {
        **report_form(department, title="Dobbeltklikk"),
        "form_key": _key(page, "/deviations/new"),
    }
    first, second = _twice(client, "/deviations/new", data, "/deviations/new")
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _count(session, Deviation, Deviation.title == "Dobbeltklikk") == 1
    assert "allerede sendt" in client.get(second.headers["location"]).text
    # A new form is a new key: the same words reported again are a second case.
    again = {**data, "form_key": _key(client.get("/deviations/new").text, "/deviations/new")}
    assert client.submit("/deviations/new", again, token_page="/deviations/new").status_code == 303
    assert _count(session, Deviation, Deviation.title == "Dobbeltklikk") == 2


def test_a_comment_and_an_action_sent_twice_are_saved_once(client, session):
    department = make_department(session, name="Verksted")
    leader = make_user(session, department=department)
    session.add(DepartmentLeader(department_id=department.id, person_id=leader.person_id))
    worker = make_person(session, department=department)
    deviation, _ = make_deviation(session, department, reporter=worker)
    deviation.status, deviation.responsible_person_id = "in_progress", worker.id
    deviation.deadline = today() + timedelta(days=7)
    session.add(deviation)
    session.commit()
    login_as(client, session, leader)
    url = f"/deviations/{deviation.id}"
    page = client.get(url).text
    comment = {"body": "Sjekket i dag", "visibility": "internal",
               "form_key": _key(page, f"{url}/comments")}  # fmt: skip
    action = {"description": "Sette opp skilt", "owner_person_id": str(worker.id),
              "deadline": (today() + timedelta(days=3)).isoformat(),
              "form_key": _key(page, f"{url}/actions")}  # fmt: skip
    assert comment["form_key"] != action["form_key"]
    for path, data in ((f"{url}/comments", comment), (f"{url}/actions", action)):
        first, second = _twice(client, path, data, url)
        assert first.status_code == second.status_code == 303, (path, second.status_code)
    assert _count(session, DeviationComment, DeviationComment.body == "Sjekket i dag") == 1
    assert _count(session, CorrectiveAction, CorrectiveAction.description == "Sette opp skilt") == 1


def test_a_training_record_and_a_person_sent_twice_are_saved_once(client, session):
    admin = make_user(session, is_admin=True)
    person = make_person(session, name="Tone Tiltak")
    session.commit()
    login_as(client, session, admin)
    form_url = f"/people/{person.id}/training/new"
    page = client.get(form_url).text
    course = re.search(r'<option value="(\d+)"[^>]*>Førstehjelp', page)
    assert course, "the demo course list has first aid"
    record = {"course_type_id": course.group(1), "completed_on": today().isoformat(),
              "hours": "4", "form_key": _key(page, form_url)}  # fmt: skip
    first, second = _twice(client, form_url, record, form_url)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _count(session, TrainingRecord, TrainingRecord.person_id == person.id) == 1
    new = client.get("/people/new").text
    data = {"name": "Dobbel Dagfinn", "employed_from": "2024-01-01", "weekly_hours": "37,5",
            "employment_type": "permanent", "form_key": _key(new, "/people/new")}  # fmt: skip
    first, second = _twice(client, "/people/new", data, "/people/new")
    assert first.status_code == second.status_code == 303, second.text[:500]
    assert _count(session, Person, Person.name == "Dobbel Dagfinn") == 1


def test_a_form_that_came_back_with_errors_keeps_its_key_and_saves_when_put_right(client, session):
    department = make_department(session, name="Kontor")
    user = make_user(session, department=department)
    session.commit()
    login_as(client, session, user)
    key = _key(client.get("/deviations/new").text, "/deviations/new")
    wrong = {**report_form(department, title=""), "form_key": key}
    refused = client.submit("/deviations/new", wrong, token_page="/deviations/new")
    assert refused.status_code == 422
    assert _key(refused.text, "/deviations/new") == key
    right = {**report_form(department, title="Rettet opp"), "form_key": key}
    assert client.submit("/deviations/new", right, token_page="/deviations/new").status_code == 303
    assert _count(session, Deviation, Deviation.title == "Rettet opp") == 1


def test_two_sendings_at_the_same_moment_save_one_case(app, client, session):
    from fastapi.testclient import TestClient

    department = make_department(session, name="Produksjon")
    user = make_user(session, department=department)
    session.commit()
    login_as(client, session, user)
    page = client.get("/deviations/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {**report_form(department, title="Samtidig"), "form_key": _key(page, "/deviations/new"),
            "csrf_token": token}  # fmt: skip
    answers: list[int] = []

    def send() -> None:
        with TestClient(app, base_url=str(client.base_url)) as other:
            other.cookies.update(client.cookies)
            answers.append(
                other.post("/deviations/new", data=data, follow_redirects=False).status_code
            )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    assert answers == [303, 303]
    assert _count(session, Deviation, Deviation.title == "Samtidig") == 1
