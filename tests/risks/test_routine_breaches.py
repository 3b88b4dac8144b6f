"""A deviation of category "brudd på rutine" names the routine that was not followed: the
report form offers published routines, other categories drop the choice, the routine page
lists the breaches and /routines highlights a routine broken at least twice in 12 months."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from hms_tracker.db import utcnow
from hms_tracker.deviations.models import Deviation
from hms_tracker.organisation.models import Person
from hms_tracker.routines import service as routines
from tests.conftest import login
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_user
from tests.risks.helpers import principal_for
from tests.routines.helpers import published_routine, routine_form


def setup(session, today):
    dept = make_department(session, name="Verksted")
    admin_user = make_user(session, is_admin=True, department=dept)
    admin = principal_for(session, admin_user, today)
    lifting = published_routine(session, admin, today, title="Løfteoperasjoner")
    draft = routines.create_routine(
        session=session, data=routine_form(title="Ny kjemikalierutine"), actor=admin, today=today
    )
    employee = make_user(session, department=dept)
    session.commit()
    return dept, admin_user, lifting, draft, employee


def test_report_names_the_routine_only_for_routine_breach(client, session, today):
    dept, _admin, lifting, draft, employee = setup(session, today)
    login(client, employee.email)
    form = client.get("/deviations/new").text
    assert "Rutine som ikke ble fulgt" in form and "Bare for brudd på rutine" in form
    assert ">Løfteoperasjoner<" in form and "Ny kjemikalierutine" not in form

    breach = client.submit(
        "/deviations/new",
        report_form(dept, category="routine_breach", routine_id=str(lifting.id), title="Brudd"),
    )
    assert breach.status_code == 303
    other = client.submit(
        "/deviations/new",
        report_form(dept, category="near_miss", routine_id=str(lifting.id), title="Nesten"),
    )
    assert other.status_code == 303
    draft_only = client.submit(
        "/deviations/new",
        report_form(dept, category="routine_breach", routine_id=str(draft.id), title="Utkast"),
    )
    assert draft_only.status_code == 422 and "Velg en rutine fra listen." in draft_only.text

    stored = dict(session.exec(select(Deviation.title, Deviation.routine_id)).all())
    assert stored == {"Brudd": lifting.id, "Nesten": None}
    deviation_id = breach.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/deviations/{deviation_id}").text
    assert f'href="/routines/{lifting.id}">Løfteoperasjoner</a>' in page


def test_repeated_breaches_are_highlighted_and_listed_on_the_routine_page(client, session, today):
    dept, admin, lifting, _draft, employee = setup(session, today)
    other = published_routine(
        session, principal_for(session, admin, today), today, title="Hvilerutine"
    )
    reporter = session.get(Person, employee.person_id)
    first, _ = make_deviation(
        session, dept, reporter=reporter, category="routine_breach", routine_id=str(lifting.id),
        title="Løftet uten stropp",
    )  # fmt: skip
    make_deviation(
        session, dept, reporter=reporter, category="routine_breach", routine_id=str(other.id),
        title="Én gang",
    )  # fmt: skip
    # A rejected one and one from more than a year ago do not count.
    rejected, _ = make_deviation(
        session, dept, reporter=reporter, category="routine_breach", routine_id=str(lifting.id),
        title="Ikke et brudd",
    )  # fmt: skip
    rejected.status = "rejected"
    old, _ = make_deviation(
        session, dept, reporter=reporter, category="routine_breach", routine_id=str(lifting.id),
        title="For lenge siden",
    )  # fmt: skip

    old.occurred_at = utcnow() - timedelta(days=400)
    session.add_all([rejected, old])
    session.commit()

    login(client, admin.email)
    listing = client.get("/routines").text
    assert "Brutt 1 gang siste 12 mnd" not in listing
    assert "Brutt 2 ganger" not in listing  # one current breach each so far

    make_deviation(
        session, dept, reporter=reporter, category="routine_breach", routine_id=str(lifting.id),
        title="Stod under lasten",
    )  # fmt: skip
    session.commit()
    listing = client.get("/routines").text
    assert listing.count("Brutt 2 ganger siste 12 mnd") == 1
    page = client.get(f"/routines/{lifting.id}").text
    assert "Brudd på rutinen" in page and "Brutt 2 ganger siste 12 mnd" in page
    assert f'href="/deviations/{first.id}"' in page and "Stod under lasten" in page
    assert "For lenge siden" in page  # listed (history), just not counted
    assert "Ikke et brudd" not in page  # rejected: neither counted nor listed
    quiet = client.get(f"/routines/{other.id}").text
    assert "Brutt" not in quiet and "Én gang" in quiet

    # The employee who reported them sees their own; an outsider sees only the count.
    client.post("/logout", data={"csrf_token": client.token("/")})
    outsider = make_user(session, department=dept)
    session.commit()
    login(client, outsider.email)
    page = client.get(f"/routines/{lifting.id}").text
    assert (
        "Stod under lasten" not in page and "Du har ikke tilgang til å se disse avvikene." in page
    )
