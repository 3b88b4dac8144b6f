"""What tests need to look at the SQL a piece of code runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


@contextmanager
def statements_on(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block, in order."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


@contextmanager
def rows_on(engine: sa.Engine) -> Iterator[list[tuple[str, int]]]:
    """Each SELECT run on `engine` inside the block with the number of rows it returns
    (counted by a second statement on the same connection, past SQLAlchemy's events)."""
    seen: list[tuple[str, int]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        text = statement.lstrip()
        if text[:6].upper() != "SELECT" or " FOR UPDATE" in text.upper():
            return
        counter = conn.connection.driver_connection.cursor()
        try:
            counter.execute(f"SELECT count(*) FROM ({text}) AS counted", parameters)
            seen.append((statement, int(counter.fetchone()[0])))
        finally:
            counter.close()

    sa.event.listen(engine, "after_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "after_cursor_execute", note)
