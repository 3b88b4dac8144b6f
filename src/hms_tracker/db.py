"""Engine, metadata conventions, the per-request session and shared column types.

One transaction per request: `SessionDep` commits when the route function returns and
rolls back on any exception, before the response is sent.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col

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


class _WriterQueue:
    """This process's SQLite writers, one at a time, waiting in a lock rather than in
    SQLite's busy handler. The busy handler polls with growing sleeps, so under many
    concurrent writers a newcomer often takes the lock while an older one sleeps, and that
    one can wait out the whole busy timeout (a refused request); a thread waiting on this
    lock is woken as soon as the writer before it is done. Held from BEGIN IMMEDIATE to its
    commit or rollback. A thread that writes on a second connection while holding it goes
    straight to SQLite (as before); past `timeout` the writer goes on to SQLite's own wait.
    Other processes on the same file still meet at SQLite's lock."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._owner: int | None = None

    def enter(self, connection: sa.Connection) -> None:
        if self._owner == threading.get_ident():
            return
        if self._lock.acquire(timeout=self.timeout):
            self._owner = threading.get_ident()
            connection.info[_HOLDS_WRITER_LOCK] = self

    def leave(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_WRITER_LOCK, None) is self:
            self._owner = None
            self._lock.release()


_HOLDS_WRITER_LOCK = "holds_sqlite_writer_lock"


def _leave_writer_queue(conn: sa.Connection) -> None:
    queue = conn.info.get(_HOLDS_WRITER_LOCK)
    if queue is not None:
        queue.leave(conn.info)


def _leave_writer_queue_on_reset(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    queue = record.info.get(_HOLDS_WRITER_LOCK)
    if queue is not None:  # back in the pool without a commit or rollback event
        queue.leave(record.info)


def _leave_writer_queue_on_invalidate(dbapi_connection: Any, record: Any, exception: Any) -> None:
    queue = record.info.get(_HOLDS_WRITER_LOCK)
    if queue is not None:  # the connection is thrown away mid-transaction
        queue.leave(record.info)


def _sqlite_begin(connection: sa.Connection, queue: _WriterQueue | None = None) -> None:
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
        if queue is not None:
            queue.enter(connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except Exception:
            _leave_writer_queue(connection)
            raise
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
        queue = _WriterQueue(pool.sqlite_busy_ms / 1000)
        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, queue))
        watch_data_version(engine)
        # After the data version's own commit listener (its statement is the transaction's
        # last, under the lock); the next writer's BEGIN waits the moment the COMMIT takes.
        event.listen(engine, "commit", _leave_writer_queue)
        event.listen(engine, "rollback", _leave_writer_queue)
        event.listen(engine.pool, "reset", _leave_writer_queue_on_reset)
        event.listen(engine.pool, "invalidate", _leave_writer_queue_on_invalidate)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": pool.connect_timeout_seconds}
    if pool.statement_timeout_seconds > 0:
        connect_args["options"] = (
            f"-c statement_timeout={int(pool.statement_timeout_seconds * 1000)}"
        )
    engine = sa.create_engine(
        url,
        pool_pre_ping=True,
        connect_args=connect_args,
        **options,
        **kwargs,
    )
    watch_data_version(engine)
    return engine


class DataVersion(SQLModel, table=True):
    """Rows whose token changes in every transaction that writes to what they stand for: a
    cache of something computed from it (the rule engine's report for a day) is valid while
    the token it was made under is still the token in the database. A token is random, so
    it never comes back (not after a restore or a reset either) and several instances of
    the app on one database agree on it. Row `RECORDS` stands for the company's records,
    row `READINGS` for the routines' read-acknowledgements (written by everyone, read only
    by the routines' coverage: an acknowledgement leaves the rule engine's cache alone)."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    token: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))


class FormSubmission(SQLModel, table=True):
    """A create form that has been sent (its one-time key, web/once.py) and where what it
    saved is: the same form sent again (a double click, the back button, a retry on a slow
    line) goes there instead of saving a second record."""

    __tablename__ = "form_submission"

    key: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    # NULL while (or when) the first sending did not save: a later sending of it saves.
    result_url: str | None = Field(default=None, sa_column=sa.Column(sa.String(500)))
    created_at: datetime = Field(
        sa_column=sa.Column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    )


def insert_ignoring_conflict(
    connection: sa.Connection | Session, table: sa.Table, values: dict[str, Any], keys: list[str]
) -> bool:
    """INSERT … ON CONFLICT (keys) DO NOTHING on SQLite and PostgreSQL. True if inserted.

    Unlike catching IntegrityError this leaves the surrounding transaction usable, and a
    concurrent insert of the same key (another process) waits for that one and then skips.
    """
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    name = bind.dialect.name
    if name == "postgresql":
        stmt: Any = (
            postgresql.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
        )
    elif name == "sqlite":
        stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(name)
    # RETURNING, not rowcount: drivers report -1 as the rowcount of an INSERT.
    key = next(iter(table.primary_key.columns))
    return connection.execute(stmt.returning(key)).first() is not None


# Tables whose writes leave the data version alone: bookkeeping, the audit trail and what
# nothing computed-and-cached reads. Every other table changes it, so a new table is safe
# by default (tests/rules/test_report_cache.py checks that the rule engine reads none of
# these).
UNVERSIONED_TABLES = frozenset(
    {
        "alembic_version",
        "app_user",
        "audit_event",
        "certificate",
        "data_version",
        "deviation_attachment",
        "deviation_comment",
        "form_submission",
        "login_throttle",
        "outbox_message",
        "reminder_digest",
        "routine_attachment",
        "user_session",
    }
)
RECORDS = 1
READINGS = 2
# Tables with a version row of their own (not RECORDS).
VERSIONED_APART = {"routine_acknowledgement": READINGS}
_WROTE = "data_version_wrote"


def _note_write(conn: sa.Connection, cursor: Any, statement: str, params: Any, context: Any,
                executemany: bool) -> None:  # fmt: skip
    if not conn.get_execution_options().get("watch_data_version", True):
        return
    if context.isinsert or context.isupdate or context.isdelete:
        table = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(table, "name", None)
        if name in VERSIONED_APART:
            conn.info.setdefault(_WROTE, set()).add(VERSIONED_APART[name])
        elif name not in UNVERSIONED_TABLES:
            conn.info.setdefault(_WROTE, set()).add(RECORDS)
    elif statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
        # SQL text: which table is not known, so every version
        conn.info.setdefault(_WROTE, set()).update({RECORDS, *VERSIONED_APART.values()})


def _bump_on_commit(conn: sa.Connection) -> None:
    for row in sorted(conn.info.pop(_WROTE, set())):
        bump_data_version(conn, row)


def bump_data_version(conn: sa.Connection, row: int = RECORDS) -> None:
    """A new data version (of the records, or of `row`), in `conn`'s transaction."""
    conn.execute(_bump_statement(conn.dialect.name, row))


def bump_every_data_version(conn: sa.Connection) -> None:
    """New versions of everything (after writes past SQLAlchemy: migrations, bulk loads)."""
    for row in (RECORDS, *VERSIONED_APART.values()):
        bump_data_version(conn, row)


def _forget_on_rollback(conn: sa.Connection) -> None:
    conn.info.pop(_WROTE, None)


def _forget_on_reset(dbapi_connection: Any, record: Any, reset_state: Any) -> None:
    record.info.pop(_WROTE, None)  # back in the pool without a commit: rolled back


def _bump_statement(dialect: str, row: int) -> Any:
    values = {"id": row, "token": secrets.token_hex(16)}
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(DataVersion.__table__)  # type: ignore[attr-defined]
    stmt = insert.values(**values)
    return stmt.on_conflict_do_update(index_elements=["id"], set_={"token": values["token"]})


def watch_data_version(engine: Engine) -> None:
    """Every transaction on `engine` that wrote to a versioned table changes the data
    version as its last statement before COMMIT (in the same transaction: a reader that
    sees the new records sees the new token). Last, so that the row lock it takes on
    PostgreSQL is held only for the commit itself and is never waited on while holding it."""
    event.listen(engine, "after_cursor_execute", _note_write)
    event.listen(engine, "commit", _bump_on_commit)
    event.listen(engine, "rollback", _forget_on_rollback)
    event.listen(engine.pool, "reset", _forget_on_reset)


_READ_VERSIONS = "data_versions_read"


_MEMO = "request_memo"


@event.listens_for(Session, "after_transaction_end")
def _forget_versions_read(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_READ_VERSIONS, None)
        session.info.pop(_MEMO, None)


def request_memo(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """What a web request reads several times (the department tree, a routine's scope),
    read once per transaction — as long as the transaction has written nothing; any other
    session computes every time."""
    if not session.info.get("web_request") or session.connection().info.get(_WROTE):
        return compute()
    memo: dict[Hashable, Any] = session.info.setdefault(_MEMO, {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def data_version(session: Session, rows: tuple[int, ...] = (RECORDS,)) -> str | None:
    """The data version `session` reads (of the records, or of each of `rows`), or None when
    its own transaction has written to what they stand for (not yet committed: nothing
    cached may stand for what it sees) or a version row is missing (no caching until the
    next write makes it). A web request reads it once per transaction: the caches one page
    asks share the read (the page is one moment of the records); other sessions read it
    every time."""
    if not session.info.get("web_request"):
        version = _read_version(session, rows)
    else:
        read: dict[tuple[int, ...], str | None] = session.info.setdefault(_READ_VERSIONS, {})
        if rows not in read:
            read[rows] = _read_version(session, rows)
        version = read[rows]
    if version is None or session.connection().info.get(_WROTE, set()) & set(rows):
        return None
    return version


def version_tokens() -> list[Any]:
    """Every data version's token as a scalar subquery, to ride along with a statement a
    web request makes anyway (its session); `note_version_tokens` keeps what they read."""
    rows = (RECORDS, *VERSIONED_APART.values())
    return [
        sa.select(DataVersion.token).where(DataVersion.id == row).scalar_subquery()  # type: ignore[arg-type]
        for row in rows
    ]


def note_version_tokens(session: Session, tokens: Sequence[str | None]) -> None:
    """What `version_tokens` read, as if `data_version` had read it: one statement fewer
    for every page. Only in a web request's transaction (other sessions read every time)."""
    if not session.info.get("web_request"):
        return
    rows = (RECORDS, *VERSIONED_APART.values())
    found = dict(zip(rows, tokens, strict=True))
    read: dict[tuple[int, ...], str | None] = session.info.setdefault(_READ_VERSIONS, {})
    for key in [(row,) for row in rows] + [rows]:
        if key not in read:
            parts = [found[row] for row in key]
            read[key] = None if None in parts else "-".join(parts)  # type: ignore[arg-type]


def _read_version(session: Session, rows: tuple[int, ...]) -> str | None:
    if len(rows) == 1:
        tokens = list(
            session.execute(sa.select(DataVersion.token).where(DataVersion.id == rows[0])).scalars()  # type: ignore[call-overload, arg-type]
        )
    else:
        found = dict(
            session.execute(
                sa.select(DataVersion.id, DataVersion.token).where(col(DataVersion.id).in_(rows))  # type: ignore[call-overload]
            ).all()
        )
        tokens = [found[row] for row in rows if row in found]
    if len(tokens) != len(rows):
        return None
    return "-".join(tokens)


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


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_CACHES: list[VersionedCache[Any, Any]] = []


def clear_caches() -> None:
    """Forget every cached value (tests that count what a page reads when nothing is
    cached)."""
    for cache in _CACHES:
        cache.clear()


class VersionedCache(Generic[K, V]):
    """Values computed from the records, each kept under the data version it was computed
    on (`DataVersion`): a reader asks the version (one small query) and gets the value
    computed for that version and key, or computes it. Every committed write to the
    records changes the version in its own transaction, so a value is never served after a
    write it does not include, on this instance or on another on the same database; a
    transaction that has written itself always computes. The `size` most recently used
    keys are kept; values must not be changed by those who read them."""

    def __init__(self, size: int = 8, rows: tuple[int, ...] = (RECORDS,)) -> None:
        self.size = size
        self.rows = rows  # the version rows that stand for what the values are computed from
        self._values: OrderedDict[tuple[str, K], V] = OrderedDict()
        self._lock = threading.Lock()
        _CACHES.append(self)

    def get_or_compute(self, session: Session, key: K, compute: Callable[[], V]) -> V:
        version = data_version(session, self.rows)
        if version is None:
            return compute()
        with self._lock:
            if (version, key) in self._values:
                self._values.move_to_end((version, key))
                return self._values[(version, key)]
        value = compute()
        with self._lock:
            self._values[(version, key)] = value
            self._values.move_to_end((version, key))
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
