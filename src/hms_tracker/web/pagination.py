"""Two ways to page a list.

By number: the page number as typed in the address, the count, the slice. A page number
that is not one (text, 0, negative, absurdly large) is the first page; a page beyond the
last is the last. Templates draw the links with the `pagination` macro
(templates/components/ui.html).

By position (keyset), for lists that grow by the million (the audit trail): newest first,
a page is what comes after (older than) or before (newer than) a row's position — its
time and id, written in the address as a cursor — read through an index without counting
or skipping rows. Templates draw the links with the `keyset_pagination` macro.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import literal_column
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, func, select

from hms_tracker.db import UNVERSIONED_TABLES, VERSIONED_APART, VersionedCache
from hms_tracker.web.params import MAX_ID, parse_int

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


# Counts of the lists' filtered selects, each kept under the data version it was counted
# on (keyed by the statement's structure and parameters, the viewer's visibility included).
COUNTS: VersionedCache[tuple[Any, tuple[str, ...]], int] = VersionedCache(size=256)
# Per statement structure: whether it reads a table whose writes leave the data version
# alone (a list's select takes a few shapes, so this stays small).
_UNVERSIONED_READS: dict[Any, bool] = {}


def count_rows(session: Session, query: Any) -> int:
    """How many rows a select returns (one statement, or none while the count is cached):
    counted without its columns and its order (the rows themselves are neither read nor
    sorted). A select that reads a table whose writes leave the records' data version
    alone is always counted afresh. The cache is keyed by SQLAlchemy's own cache key of the
    statement (its structure, and its parameters' values), not by compiling it."""
    bare = query.with_only_columns(literal_column("1"), maintain_column_froms=True).order_by(None)
    counting = select(func.count()).select_from(bare.subquery())
    cache_key = counting._generate_cache_key()
    if cache_key is None or _reads_unversioned(cache_key.key, counting):
        return int(session.exec(counting).one())
    key = (cache_key.key, tuple(repr(p.effective_value) for p in cache_key.bindparams))
    return COUNTS.get_or_compute(session, key, lambda: int(session.exec(counting).one()))


def _reads_unversioned(structure: Any, counting: Any) -> bool:
    found = _UNVERSIONED_READS.get(structure)
    if found is None:
        tables = find_tables(counting, include_aliases=True, include_joins=True)
        found = bool({t.name for t in tables} & (UNVERSIONED_TABLES | set(VERSIONED_APART)))
        if len(_UNVERSIONED_READS) > 1024:
            _UNVERSIONED_READS.clear()
        _UNVERSIONED_READS[structure] = found
    return found


# The keys of the rows on a page of a list's select, under the data version they were read
# on: sorting and skipping a whole filtered list is done once per change of the records,
# and each later read of the page fetches its rows by key.
PAGE_KEYS: VersionedCache[tuple[Any, tuple[str, ...], int, int], tuple[Any, ...]] = VersionedCache(
    size=256
)


def paged(
    session: Session, query: Any, *, requested: int, size: int
) -> tuple[list[Any], PageSlice]:
    """One page of an ordered select and where it lies: the count (cached), and the page's
    rows fetched by the keys found when the page was last sorted out under the same data
    version (two statements then, three the first time). A select of columns rather than
    of a record, or one that reads a table outside the data version, is read directly."""
    where = page_slice(total=count_rows(session, query), requested=requested, size=size)
    window = query.offset(where.offset).limit(where.size)
    key_column = _record_key(query)
    cache_key = query._generate_cache_key() if key_column is not None else None
    if key_column is None or cache_key is None or _reads_unversioned(cache_key.key, query):
        return list(session.exec(window).all()), where
    key = (
        cache_key.key,
        tuple(repr(p.effective_value) for p in cache_key.bindparams),
        where.offset,
        where.size,
    )
    keys = PAGE_KEYS.get_or_compute(
        session,
        key,
        lambda: tuple(
            session.execute(window.with_only_columns(key_column, maintain_column_froms=True))
            .scalars()
            .all()
        ),
    )
    if not keys:
        return [], where
    # The same select and order, narrowed to the page's keys (no skipping, no limit).
    return list(session.exec(query.where(key_column.in_(set(keys)))).all()), where


def _record_key(query: Any) -> Any:
    """The primary key column of the record a select reads first (select(Routine, …)), or
    None for a select of columns or of a record with a composite key."""
    descriptions = query.column_descriptions
    entity = descriptions[0].get("entity") if descriptions else None
    if entity is None or descriptions[0].get("expr") is not entity:
        return None
    keys = list(sa_inspect(entity).primary_key)
    if len(keys) != 1:
        return None
    return getattr(entity, keys[0].key)


_CURSOR = re.compile(r"([0-9]{20})-([0-9]{1,10})")


def encode_cursor(when: datetime, row_id: int) -> str:
    """A row's position in a newest-first list, for the address: "<UTC time>-<id>"."""
    return f"{when.astimezone(UTC):%Y%m%d%H%M%S%f}-{row_id}"


def decode_cursor(text: str | None) -> tuple[datetime, int] | None:
    """The position written by `encode_cursor`; None for anything else (the list then
    starts at the newest)."""
    match = _CURSOR.fullmatch(text or "")
    if not match:
        return None
    try:
        when = datetime.strptime(match.group(1), "%Y%m%d%H%M%S%f").replace(tzinfo=UTC)
    except ValueError:
        return None
    row_id = int(match.group(2))
    return (when, row_id) if 1 <= row_id <= MAX_ID else None


@dataclass(frozen=True)
class Keyset:
    """Where a page of a newest-first list lies: the cursors of the pages next to it
    (None where there is none) and whether it is the newest page."""

    older: str | None
    newer: str | None

    @property
    def newest(self) -> bool:
        return self.newer is None
