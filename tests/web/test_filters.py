"""A list's filters from the address: each field on its own, a bad value is the default."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hms_tracker.web.filters import Flag, ListQuery, OptionalId, PageNumber, SearchText, one_of


class Example(ListQuery):
    always_in_links = ("status",)

    q: SearchText = ""
    department_id: OptionalId = Field(None, alias="department")
    status: Annotated[str, one_of("active", "former", "all")] = "active"
    mine: Flag = False
    page: PageNumber = 1


def test_good_values_are_read_by_their_names_in_the_address():
    f = Example.from_query(
        {"q": "  truck  ", "department": "7", "status": "former", "mine": "on", "page": "3"}
    )
    assert (f.q, f.department_id, f.status, f.mine, f.page) == ("truck", 7, "former", True, 3)


def test_a_bad_value_falls_back_to_the_default_and_keeps_the_others():
    f = Example.from_query(
        {"q": "a\x00b", "department": "x", "status": "gone", "mine": "maybe", "page": "-2"}
    )
    assert (f.q, f.department_id, f.status, f.mine, f.page) == ("ab", None, "active", False, 1)
    f = Example.from_query({"department": "٣", "page": "99999999999999999999"})
    assert f.department_id is None and f.page == 1  # not a page number: the first page
    assert Example.from_query({"page": "250000"}).page == 100_000


def test_search_text_is_cut_to_200_characters():
    assert Example.from_query({"q": "x" * 500}).q == "x" * 200


def test_links_carry_what_was_chosen_without_defaults():
    f = Example.from_query({"q": "truck", "department": "7", "page": "2"})
    assert f.query_params() == {"q": "truck", "department": "7", "status": "active", "page": "2"}
    assert f.query_params(page="") == {"q": "truck", "department": "7", "status": "active"}
    assert Example().query_params(mine=True) == {"status": "active", "mine": "1"}
