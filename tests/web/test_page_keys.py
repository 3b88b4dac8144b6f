"""A list page's rows are fetched by the keys its page had when last sorted out, under the
data version (web/pagination.py `paged`): a write in between is seen at once, in the right
place, on both databases."""

from __future__ import annotations

from tests.factories import make_department, make_person
from tests.login import login_admin


def _names_on(client, url: str, names: set[str]) -> list[str]:
    html = client.get(url).text
    return [n for _i, n in sorted((html.index(n), n) for n in names if n in html)]


def test_a_new_or_renamed_record_shows_in_its_place_on_the_next_read(client, session):
    department = make_department(session, name="Lager")
    login_admin(client, session, department=department)
    for i in range(55):  # more than a page of 50
        make_person(session, name=f"Mellom {i:02d}", department=department)
    session.commit()
    watched = {"Mellom 00", "Aase Først", "Mellom 01"}
    assert _names_on(client, "/people", watched) == ["Mellom 00", "Mellom 01"]
    assert _names_on(client, "/people", watched) == ["Mellom 00", "Mellom 01"]  # cached keys
    first = make_person(session, name="Aase Først", department=department)
    session.commit()
    assert _names_on(client, "/people", watched) == ["Aase Først", "Mellom 00", "Mellom 01"]
    first.name = "Zakarias Sist"
    session.add(first)
    session.commit()
    assert _names_on(client, "/people", watched | {"Zakarias Sist"}) == ["Mellom 00", "Mellom 01"]
    last_page = client.get("/people", params={"page": "2"}).text
    assert "Zakarias Sist" in last_page and "Mellom 00" not in last_page
