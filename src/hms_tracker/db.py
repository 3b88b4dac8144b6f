"""Engine, metadata conventions, the per-request session and shared column types.

One transaction per request: `SessionDep` commits when the route function returns and
rolls back on any exception, before the response is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
log = logging.getLogger("hms_tracker")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp stored in UTC (timestamptz on PostgreSQL) and always read back aware.

    SQLite keeps no zone, so values come back naive there; this type makes them UTC again.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def timestamp_column(*, nullable: bool = False, default_now: bool = False) -> Any:
    return sa.Column(UTCDateTime(), nullable=nullable, default=utcnow if default_now else None)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, busy_ms: int = 10_000) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Writers wait for each other (in a worker thread, never on the event loop) instead of
    # failing with "database is locked".
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds ASCII only; searches must match "Øyvind" with "øy", as
    # PostgreSQL does.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _sqlite_begin(connection: sa.Connection) -> None:
    """How a transaction begins on SQLite.

    A connection marked for writing (`writing_engine`: a request that may write) begins
    IMMEDIATE: it takes the write lock before its first read, and concurrent writers queue
    on the busy wait. Otherwise a deferred transaction that read and then writes fails at
    once with "database is locked" when another writer committed in between (SQLite does
    not wait in that case). Other connections keep the driver's own mode: reads run
    outside a transaction, and a transaction begins at the first write, with nothing read
    in it yet, so it too waits on the busy wait instead of failing.
    """
    dbapi = connection.connection.driver_connection
    if connection.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
        dbapi.isolation_level = None  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        dbapi.isolation_level = ""  # type: ignore[union-attr]


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


@dataclass(frozen=True)
class PoolSettings:
    """How many connections a process keeps and how long a request waits for one.

    Chosen together with the web server's admission limit (web/admission.py) and the
    thread pool: at most `size + overflow` requests use the database at once, each holding
    at most one connection, so a checkout never waits unless the database is down or hung.
    """

    size: int = 10
    overflow: int = 10
    timeout_seconds: float = 10.0
    connect_timeout_seconds: int = 5
    # PostgreSQL: a statement that has not answered in this time is cancelled (0: never),
    # so a hung query or a lock held elsewhere cannot hold a request's thread for ever.
    statement_timeout_seconds: float = 0
    sqlite_busy_ms: int = 10_000

    @property
    def capacity(self) -> int:
        return self.size + self.overflow


def create_db_engine(url: str, pool: PoolSettings | None = None, **kwargs: Any) -> Engine:
    pool = pool or PoolSettings()
    options: dict[str, Any] = {
        "pool_size": pool.size,
        "max_overflow": pool.overflow,
        "pool_timeout": pool.timeout_seconds,
    }
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            options = {}  # an in-memory database keeps its single connection
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": pool.sqlite_busy_ms / 1000},
            **options,
            **kwargs,
        )
        event.listen(
            engine,
            "connect",
            lambda conn, record: _sqlite_pragmas(conn, record, busy_ms=pool.sqlite_busy_ms),
        )
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": pool.connect_timeout_seconds}
    if pool.statement_timeout_seconds > 0:
        connect_args["options"] = (
            f"-c statement_timeout={int(pool.statement_timeout_seconds * 1000)}"
        )
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args=connect_args,
        **options,
        **kwargs,
    )


def writing_engine(engine: Engine) -> Engine:
    """The engine for a request that may write: on SQLite its transactions begin
    IMMEDIATE (see `_sqlite_begin`); elsewhere the engine itself."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
AfterRequest = Callable[[Session], None]


def after_request(session: Session, work: AfterRequest) -> None:
    """Bookkeeping (a session's last-seen time, an expired session's end) written in a short
    transaction of its own after the request's transaction, on the same connection slot:
    it must not turn a reading request into a writing one, and it is kept even when the
    request itself fails."""
    session.info.setdefault("after_request", []).append(work)


def discard_after_request(session: Session) -> None:
    """Forget the bookkeeping planned so far (an anonymous report must leave no trace)."""
    session.info.pop("after_request", None)


def _run_after_request(session: Session) -> None:
    for work in session.info.pop("after_request", []):
        try:
            work(session)
            session.commit()
        except Exception:
            session.rollback()
            log.warning("bookkeeping after the request failed", exc_info=True)


def get_session(request: Request) -> Iterator[Session]:
    engine: Engine = request.app.state.engine
    if request.method not in SAFE_METHODS:
        engine = writing_engine(engine)
    with Session(engine, expire_on_commit=False) as session:
        # Marks a request's session: its audit events are stamped now, never with a time
        # set by audit.service.recorded_at (which is for the demo builder and imports).
        session.info["web_request"] = True
        # Pages read through this session too (the company name in the layout): a request
        # holds one connection, never two.
        request.state.db_session = session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            request.state.db_session = None
            _run_after_request(session)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def claim_version(session: Session, obj: Any, version: int) -> None:
    """Move a row to the next version if it still has the version the form was opened on.

    The conditional UPDATE also locks the row (PostgreSQL), so of two simultaneous saves of
    the same version exactly one wins and the other gets EditConflict (with the saved row).
    """
    from hms_tracker.errors import EditConflict

    model = type(obj)
    result = session.execute(
        sa.update(model)
        .where(model.id == obj.id, model.version == version)
        .values(version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(obj)
        raise EditConflict(obj)
    obj.version = version + 1


T = TypeVar("T")


def batches(values: list[T], size: int = 10_000) -> Iterator[list[T]]:
    """`values` in lists of at most `size`: for `IN (...)` lists that may grow past what one
    statement may carry (65,535 parameters on PostgreSQL)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]
