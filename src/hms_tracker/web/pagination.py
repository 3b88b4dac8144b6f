"""One way to page a list: the page number as typed in the address, the count, the slice.

A page number that is not one (text, 0, negative, absurdly large) is the first page; a
page beyond the last is the last. Templates draw the links with the `pagination` macro
(templates/components/ui.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, func, select

from hms_tracker.web.params import parse_int

MAX_PAGE = 100_000


def page_number(text: str | int | None) -> int:
    """The page asked for in the query string; 1 when it is not a page number."""
    number = text if isinstance(text, int) else parse_int(text, minimum=1)
    return min(number, MAX_PAGE) if number and number > 0 else 1


@dataclass(frozen=True)
class PageSlice:
    number: int  # 1-based, within 1..pages
    pages: int  # at least 1
    total: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_slice(*, total: int, requested: int, size: int) -> PageSlice:
    pages = max(1, -(-total // size))
    return PageSlice(number=min(max(requested, 1), pages), pages=pages, total=total, size=size)


def count_rows(session: Session, query: Any) -> int:
    """How many rows a select returns (one statement)."""
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


def paged(
    session: Session, query: Any, *, requested: int, size: int
) -> tuple[list[Any], PageSlice]:
    """One page of an ordered select and where it lies: two statements."""
    where = page_slice(total=count_rows(session, query), requested=requested, size=size)
    rows = list(session.exec(query.offset(where.offset).limit(where.size)).all())
    return rows, where
