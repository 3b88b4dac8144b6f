"""Whole numbers and ids from text the browser sent (query strings, form fields, settings).

One rule everywhere: a number is written with the ASCII digits 0-9 only. `str.isdigit()`
also says yes to "²", "①" and "٣", and `int()` turns "٣" (Arabic-Indic three) or "３"
(full-width three) into 3, so neither is used on input. A number longer than the largest
allowed one is unknown (None), never an overflow in the database: ids are PostgreSQL
`integer` columns.
"""

from __future__ import annotations

import re
from typing import Any

MAX_ID = 2**31 - 1  # the largest PostgreSQL `integer`
_ASCII_DIGITS = re.compile(r"[0-9]+")  # not \d, which matches every script's digits


def parse_int(value: object, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`value` as an int when it is written with the digits 0-9 only (spaces around it are
    ignored) and lies between `minimum` and `maximum`; None for anything else: empty, a sign,
    a decimal point, another script's digits, a number out of range. An int is checked
    against the range; a bool is not a number here."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > len(str(maximum)) or not _ASCII_DIGITS.fullmatch(text):
            return None
        number = int(text)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value: object) -> int | None:
    """The id of a record (1 to MAX_ID) written in `value`, or None: an id that cannot
    exist is an unknown one."""
    return parse_int(value, minimum=1)


def picker_search(request: Any, field: str) -> str:
    """What was typed in the person picker of `field` (`pick_<field>` in the address): the
    picker's search, at most 100 characters."""
    return str(request.query_params.get(f"pick_{field}", "")).strip()[:100]


# Query parameters whose value is a whole number or a record's id, on any page.
NUMBER_QUERY = frozenset(
    {
        "page", "department", "department_id", "person", "person_id", "course",
        "course_type_id", "owner", "owner_id", "year", "selected", "a", "b", "min_score",
        "consequence", "probability", "routine", "routine_id", "risk_id",
    }
)  # fmt: skip


def query_problem(items: list[tuple[str, str]]) -> tuple[str, str] | None:
    """What is wrong with an address's query, as (kind, parameter name), or None: a
    parameter sent twice ("twice": a page reads one value of each), or a number written
    with other digits than 0-9 ("digits": "²", "٣", "①" — never a number here). Other
    odd values are each list's business (its filters fall back to their defaults)."""
    seen: set[str] = set()
    for name, value in items:
        if name in seen:
            return "twice", name
        seen.add(name)
        if name in NUMBER_QUERY and any(ch.isdigit() and ch not in "0123456789" for ch in value):
            return "digits", name
    return None
