"""Risk register pages on both databases: create, read, edit with a version conflict,
assess, archive, routines, planned measures, the matrix, and who may see and do what."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.organisation.models import Person
from hms_tracker.risks.models import Risk, RiskRoutine
from tests.conftest import login
from tests.factories import make_department, make_leader, make_user
from tests.risks.helpers import appoint_safety_rep, make_risk, principal_for, risk_form
from tests.routines.helpers import published_routine, routine_form


def setup_company(session):
    verksted = make_department(session, name="Verksted")
    lager = make_department(session, name="Lager")
    admin = make_user(session, is_admin=True, department=verksted)
    leader = make_leader(session, department=verksted)
    session.commit()
    return verksted, lager, admin, leader


def test_leader_registers_a_risk_in_their_department_and_sees_it_listed(client, session):
    verksted, lager, _admin, leader = setup_company(session)
    login(client, leader.email)
    page = client.get("/risks/new")
    assert page.status_code == 200
    # A leader may only choose the departments they lead.
    assert ">Verksted<" in page.text and ">Lager<" not in page.text

    refused = client.submit("/risks/new", risk_form(lager))
    assert refused.status_code == 422
    assert "Velg en avdeling fra listen." in refused.text
    assert 'value="Sveising i trange rom"' in refused.text  # what was typed is kept

    created = client.submit("/risks/new", risk_form(verksted, owner_person_id=leader.person_id))
    assert created.status_code == 303
    risk_id = int(created.headers["location"].rsplit("/", 1)[1])
    detail = client.get(f"/risks/{risk_id}")
    assert detail.status_code == 200
    assert "Sveising i trange rom" in detail.text
    assert "12 av 25: Høy risiko" in detail.text

    listing = client.get("/risks")
    assert f'href="/risks/{risk_id}"' in listing.text
    assert "Høy risiko" in listing.text and "Ingen rutine" in listing.text


def test_form_errors_are_explained_and_future_assessment_is_refused(client, session, today):
    verksted, _lager, admin, _leader = setup_company(session)
    login(client, admin.email)
    response = client.submit(
        "/risks/new",
        risk_form(
            verksted,
            title="",
            consequence="7",
            last_assessed_on=(today + timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    assert "Fyll ut dette feltet." in response.text
    assert "Tallet kan være høyst 5." in response.text
    response = client.submit(
        "/risks/new",
        risk_form(verksted, last_assessed_on=(today + timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 422
    assert "Datoen kan ikke være fram i tid." in response.text
    assert session.exec(select(Risk)).all() == []


def test_who_sees_and_who_manages(client, session, today):
    verksted, lager, admin, leader = setup_company(session)
    admin_p = principal_for(session, admin, today)
    in_verksted = make_risk(session, admin_p, verksted, today, title="Kappsag")
    in_lager = make_risk(session, admin_p, lager, today, title="Truckkjøring")
    employee = make_user(session, department=verksted)
    vo_user = make_user(session, department=verksted)
    appoint_safety_rep(session, session.get(Person, vo_user.person_id), [lager])
    outsider = make_user(session, department=make_department(session, name="Kontor"))
    session.commit()

    # The employee: own department, read-only.
    login(client, employee.email)
    assert client.get(f"/risks/{in_verksted.id}").status_code == 200
    assert "Merk som vurdert i dag" not in client.get(f"/risks/{in_verksted.id}").text
    assert client.get(f"/risks/{in_lager.id}").status_code == 403
    assert client.get("/risks/999999").status_code == 404
    assert client.get(f"/risks/{in_verksted.id}/edit").status_code == 403
    assert client.get("/risks/new").status_code == 403
    assert client.submit(f"/risks/{in_verksted.id}/assessed", {"version": "1"}).status_code == 403
    listing = client.get("/risks").text
    assert "Kappsag" in listing and "Truckkjøring" not in listing
    client.post("/logout", data={"csrf_token": client.token("/")})

    # The verneombud: own department and the verneområde (Lager), read-only.
    login(client, vo_user.email)
    listing = client.get("/risks").text
    assert "Kappsag" in listing and "Truckkjøring" in listing
    assert client.get(f"/risks/{in_lager.id}").status_code == 200
    assert client.get(f"/risks/{in_lager.id}/edit").status_code == 403
    client.post("/logout", data={"csrf_token": client.token("/")})

    # Someone in another department sees neither.
    login(client, outsider.email)
    listing = client.get("/risks").text
    assert "Kappsag" not in listing and "Truckkjøring" not in listing
    assert client.get(f"/risks/{in_verksted.id}").status_code == 403
    client.post("/logout", data={"csrf_token": client.token("/")})

    # The leader of Verksted manages its risk, but not Lager's.
    login(client, leader.email)
    assert client.get(f"/risks/{in_verksted.id}/edit").status_code == 200
    assert client.get(f"/risks/{in_lager.id}").status_code == 403
    assert "Risiko" in client.get("/").text  # the menu item


def test_edit_conflict_shows_what_changed_and_saves_nothing(client, session, today):
    verksted, _lager, admin, _leader = setup_company(session)
    risk = make_risk(session, principal_for(session, admin, today), verksted, today)
    session.commit()
    login(client, admin.email)
    first = client.submit(
        f"/risks/{risk.id}/edit", risk_form(verksted, probability="5", version="1")
    )
    assert first.status_code == 303
    stale = client.submit(
        f"/risks/{risk.id}/edit",
        risk_form(verksted, title="Sveising i tank", probability="2", version="1"),
    )
    assert stale.status_code == 409
    assert "Forskjeller mellom det som er lagret og det du skrev" in stale.text
    assert re.search(
        r"<th scope=\"row\">Sannsynlighet</th><td[^>]*>5 – Svært sannsynlig</td>", stale.text
    )
    assert 'name="version" value="2"' in stale.text
    session.expire_all()
    saved = session.get(Risk, risk.id)
    assert (saved.title, saved.probability, saved.version) == ("Sveising i trange rom", 5, 2)


def test_mark_assessed_archive_and_the_archived_filter(client, session, today):
    verksted, _lager, admin, _leader = setup_company(session)
    old = today - timedelta(days=400)
    risk = make_risk(
        session, principal_for(session, admin, today), verksted, today,
        last_assessed_on=old.isoformat(),
    )  # fmt: skip
    session.commit()
    login(client, admin.email)
    assert "Over 12 måneder" in client.get("/risks?not_assessed=1").text
    assert client.submit(f"/risks/{risk.id}/assessed", {"version": "1"}).status_code == 303
    assert "Ingen risikoer passer" in client.get("/risks?not_assessed=1").text
    stale = client.submit(f"/risks/{risk.id}/assessed", {"version": "1"})
    assert stale.status_code == 409

    no_reason = client.submit(f"/risks/{risk.id}/archive", {"reason": "", "version": "2"})
    assert no_reason.status_code == 422
    archived = client.submit(
        f"/risks/{risk.id}/archive", {"reason": "Maskinen er solgt", "version": "2"}
    )
    assert archived.status_code == 303
    assert "Sveising i trange rom" not in client.get("/risks").text
    assert "Sveising i trange rom" in client.get("/risks?archived=1").text
    page = client.get(f"/risks/{risk.id}").text
    assert "Maskinen er solgt" in page and "Merk som vurdert i dag" not in page
    session.expire_all()
    assert session.get(Risk, risk.id).archived_on == today


def test_routines_are_linked_and_unlinked_and_drafts_say_so(client, session, today):
    verksted, _lager, admin, _leader = setup_company(session)
    admin_p = principal_for(session, admin, today)
    risk = make_risk(session, admin_p, verksted, today)
    hot = published_routine(session, admin_p, today, title="Varme arbeider", tags="varme")
    from hms_tracker.routines import service as routines

    draft = routines.create_routine(
        session=session, data=routine_form(title="Utkast til løfterutine"), actor=admin_p,
        today=today,
    )  # fmt: skip
    session.commit()
    login(client, admin.email)
    page = client.get(f"/risks/{risk.id}").text
    assert "Varme arbeider" in page and "Utkast til løfterutine (ikke publisert)" in page

    assert (
        client.submit(f"/risks/{risk.id}/routines", {"routine_id": str(hot.id)}).status_code == 303
    )
    again = client.submit(f"/risks/{risk.id}/routines", {"routine_id": str(hot.id)})
    assert again.status_code == 422 and "Velg en rutine fra listen." in again.text
    client.submit(f"/risks/{risk.id}/routines", {"routine_id": str(draft.id)})
    listing = client.get("/risks").text
    assert f'href="/routines/{hot.id}"' in listing and "Ikke gjeldende" in listing
    assert "Sveising" not in client.get("/risks?without_routine=1").text

    unlinked = client.submit(f"/risks/{risk.id}/routines/{hot.id}/unlink", {})
    assert unlinked.status_code == 303
    # Only the draft is left: that does not control the risk.
    assert "Sveising" in client.get("/risks?without_routine=1").text
    links = session.exec(select(RiskRoutine.routine_id)).all()
    assert links == [draft.id]


def test_planned_measures_with_owner_deadline_done_and_withdrawn(client, session, today):
    verksted, _lager, admin, leader = setup_company(session)
    risk = make_risk(session, principal_for(session, admin, today), verksted, today)
    worker = make_user(session, department=make_department(session, name="Vedlikehold"))
    session.commit()
    login(client, leader.email)
    late = client.submit(
        f"/risks/{risk.id}/measures",
        {
            "description": "Nytt avtrekk",
            "owner_person_id": str(worker.person_id),
            "deadline": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert late.status_code == 422 and "Fristen kan ikke være før i dag." in late.text
    for text in ("Nytt avtrekk", "Gassmåler"):
        response = client.submit(
            f"/risks/{risk.id}/measures",
            {
                "description": text,
                "owner_person_id": str(worker.person_id),
                "deadline": (today + timedelta(days=30)).isoformat(),
            },
        )
        assert response.status_code == 303
    assert "2 åpne" in client.get("/risks").text
    actions = session.exec(
        select(CorrectiveAction).where(CorrectiveAction.risk_id == risk.id)
    ).all()
    assert [a.deviation_id for a in actions] == [None, None]
    first, second = sorted(actions, key=lambda a: a.id)
    withdrawn = client.submit(
        f"/risks/{risk.id}/measures/{second.id}/withdraw", {"reason": "Ikke nødvendig"}
    )
    assert withdrawn.status_code == 303
    client.post("/logout", data={"csrf_token": client.token("/")})

    # The measure's owner (another department) sees the risk and marks their measure done.
    login(client, worker.email)
    assert client.get(f"/risks/{risk.id}").status_code == 200
    done = client.submit(
        f"/risks/{risk.id}/measures/{first.id}/done",
        {"done_on": today.isoformat(), "done_note": "Montert", "version": "1"},
    )
    assert done.status_code == 303
    # but may not add measures or withdraw them.
    refused = client.submit(f"/risks/{risk.id}/measures/{first.id}/withdraw", {"reason": "x"})
    assert refused.status_code == 403
    session.expire_all()
    assert session.get(CorrectiveAction, first.id).done_on == today
    assert session.get(CorrectiveAction, second.id).withdrawn_reason == "Ikke nødvendig"


def test_matrix_counts_per_cell_link_to_the_list_and_skip_archived(client, session, today):
    verksted, lager, admin, _leader = setup_company(session)
    admin_p = principal_for(session, admin, today)
    make_risk(session, admin_p, verksted, today, title="A", consequence=4, probability=3)
    make_risk(session, admin_p, lager, today, title="B", consequence=4, probability=3)
    make_risk(session, admin_p, verksted, today, title="C", consequence=1, probability=5)
    gone = make_risk(session, admin_p, verksted, today, title="D", consequence=1, probability=5)
    gone.archived_on = today
    session.add(gone)
    session.commit()
    login(client, admin.email)
    page = client.get("/risks/matrix").text
    assert "<caption>" in page and 'scope="row"' in page and 'scope="col"' in page
    assert re.search(r'href="/risks\?consequence=4&amp;probability=3">2<', page)
    assert re.search(r'href="/risks\?consequence=1&amp;probability=5">1<', page)
    assert page.count('href="/risks?consequence=') == 2
    assert "3 gjeldende risikoer i matrisen." in page
    only_verksted = client.get(f"/risks/matrix?department={verksted.id}").text
    assert re.search(
        rf'href="/risks\?consequence=4&amp;probability=3&amp;department={verksted.id}">1<',
        only_verksted,
    )
    cell = client.get("/risks?consequence=4&probability=3").text
    assert ">A<" in cell and ">B<" in cell and ">C<" not in cell
