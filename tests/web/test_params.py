"""Numbers and ids from text: ASCII digits only, bounded; a form field sent twice is refused."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from hms_tracker.web.forms import RepeatedField, read_form
from hms_tracker.web.params import MAX_ID, parse_id, parse_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), (" 42 ", 42), ("007", 7), (str(MAX_ID), MAX_ID), (5, 5)],
)
def test_an_id_is_written_with_ascii_digits(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "²",  # passes str.isdigit(), int() refuses it
        "①",
        "٣",  # Arabic-Indic three: int() reads it as 3
        "３",  # full-width three: int() reads it as 3
        "1" * 40,  # not an overflow in the database, just unknown
        str(MAX_ID + 1),
        "0",
        "-1",
        "+1",
        "1_000",
        "1.0",
        "",
        None,
        True,
        ["1"],
    ],
)
def test_anything_else_is_no_id(text):
    assert parse_id(text) is None


def test_parse_int_keeps_to_its_range():
    assert parse_int("0") == 0
    assert parse_int("5", minimum=1, maximum=5) == 5
    assert parse_int("6", minimum=1, maximum=5) is None
    assert parse_int("10", maximum=9) is None  # longer than the largest: never converted


def test_a_single_valued_field_sent_twice_is_refused_with_400():
    with pytest.raises(RepeatedField) as refused:
        read_form(FormData([("next", "/a"), ("next", "/b")]))
    assert refused.value.status_code == 400


def test_checkbox_groups_are_lists_and_the_csrf_token_is_left_out():
    values = read_form(
        FormData(
            [("csrf_token", "t"), ("title", "x"), ("area_ids", "1"), ("department_ids", "2")]
            + [("department_ids", "3")]
        )
    )
    assert values == {"title": "x", "area_ids": ["1"], "department_ids": ["2", "3"]}


def test_an_address_with_a_parameter_twice_or_other_digits_is_a_problem():
    from hms_tracker.web.params import query_problem

    assert query_problem([("page", "2"), ("q", "m²")]) is None  # ² in a search is text
    assert query_problem([("page", "-1"), ("page_x", "²")]) is None  # other odd values: lists'
    assert query_problem([("page", "²")]) == ("digits", "page")
    assert query_problem([("person", "٣")]) == ("digits", "person")
    assert query_problem([("status", "open"), ("status", "closed")]) == ("twice", "status")


def test_the_page_says_what_is_wrong_with_the_address(client, session):
    from tests.login import login_admin

    login_admin(client, session)
    twice = client.get("/deviations?status=open&status=closed")
    assert twice.status_code == 400 and "«status» to ganger" in twice.text
    digits = client.get("/people", params={"page": "²"})
    assert digits.status_code == 400 and "sifrene 0–9" in digits.text
    assert client.get("/deviations", params={"q": "m²"}).status_code == 200
