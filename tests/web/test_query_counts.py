"""A page reads what it shows: the same number of SQL statements for a company with a few
records and for one with many more, and no statement returning more rows than a page
holds once there are more records than that, on both databases. (Speed itself is
measured in bench/.)"""

from __future__ import annotations

from datetime import date

import pytest

from hms_tracker.appointments.models import Appointment
from hms_tracker.db import clear_caches
from hms_tracker.organisation.models import DepartmentLeader
from hms_tracker.web.dates import today
from tests.deviations.helpers import make_deviation
from tests.factories import make_department, make_person, make_user
from tests.login import login_as
from tests.risks.helpers import make_risk
from tests.routines.helpers import principal_for, published_routine
from tests.sql import rows_on, statements_on

PAGES = (
    "/",
    "/people",
    "/departments",
    "/appointments",
    "/training",
    "/gaps",
    "/deviations",
    "/deviations?status=open&sort=risk",
    "/deviations/stats",
    "/routines",
    "/my/reading",
    "/risks",
    "/risks/matrix",
    "/audit",
    "/barometer",
    "/amu",
    "/amu/meetings",
    f"/amu/report/{today().year}",
)


def _grow(session, admin, departments, n: int) -> None:
    """`n` more of everything the pages list, spread over the departments."""
    day = today()
    principal = principal_for(session, admin, day)
    for i in range(n):
        department = departments[i % len(departments)]
        person = make_person(session, department=department)
        session.add(Appointment(kind="safety_rep", person_id=person.id, starts_on=date(2020, 1, 1)))
        make_deviation(session, department, reporter=person, title=f"Avvik {i}")
        make_risk(session, principal, department, day, title=f"Risiko {i}")
        published_routine(session, principal, day, title=f"Rutine {i}")
    session.commit()


def _counts(client, app) -> dict[str, tuple[int, int]]:
    """Per page: the statements with nothing cached, and again with what it caches."""
    found = {}
    for page in PAGES:
        clear_caches()  # each page cold (the start page reads the rule engine's report too)
        counted = []
        for _time in ("cold", "warm"):
            with statements_on(app.state.engine) as statements:
                response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            counted.append(len(statements))
        found[page] = (counted[0], counted[1])
    return found


@pytest.mark.parametrize("more", [12])
def test_every_key_page_runs_as_many_statements_with_more_records(app, client, session, more):
    departments = [make_department(session, name=f"Avdeling {i}") for i in range(3)]
    admin = make_user(session, is_admin=True, department=departments[0])
    session.add(DepartmentLeader(department_id=departments[1].id, person_id=admin.person_id))
    session.commit()
    login_as(client, session, admin)
    _grow(session, admin, departments, 2)
    client.get("/")  # the first request warms what is read once per process
    few = _counts(client, app)
    _grow(session, admin, departments, more)
    many = _counts(client, app)
    assert all(n > 0 for pair in few.values() for n in pair), few  # the counter sees them
    assert few["/training"][1] < few["/training"][0]  # the rule engine's report was cached
    assert many == few


PAGE_ROWS = 51  # a page of 50, and the one after it that says there is more
# Lists that hold what is in force, not the company's history: they grow with the
# company's size, not with the years.
UNPAGED = {
    "/appointments": "the appointments in force (verneombud, AMU, …)",
    "/my/reading": "the routines that apply to the one person reading",
}


def test_no_page_reads_more_rows_than_it_shows(app, client, session):
    departments = [make_department(session, name=f"Avdeling {i}") for i in range(3)]
    admin = make_user(session, is_admin=True, department=departments[0])
    session.commit()
    login_as(client, session, admin)
    _grow(session, admin, departments, PAGE_ROWS + 9)
    widest = {}
    for page in PAGES:
        client.get(page)  # what the page caches is read once per change of the records
        with rows_on(app.state.engine) as seen:
            assert client.get(page).status_code == 200
        assert seen, page  # the counter sees the page's statements
        widest[page] = max(n for _statement, n in seen)
    too_wide = {p: n for p, n in widest.items() if n > PAGE_ROWS and p not in UNPAGED}
    assert too_wide == {}, too_wide
    assert widest["/people"] == 50 and widest["/audit"] == PAGE_ROWS  # paged at 50
