"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

- `db_url` is parametrized `sqlite` / `postgresql`. SQLite gets a fresh copy of a migrated
  file per test; PostgreSQL gets one database per test run (per xdist worker), created and
  migrated at the start, emptied before each test and dropped at the end.
- PostgreSQL comes from HMS_TEST_POSTGRES_URL. Without it (or unreachable) PostgreSQL tests
  are skipped, except under CI=true, where that fails the run.
- What does not depend on the test is made once per process and reused, the database never:
  the app (`app` gives the app of an earlier test a fresh state, the test's settings and a
  new engine, see `_app_for`), the engines' dialect and compiled SQL (`_sharing_compiled_sql`)
  and, on the worker's PostgreSQL database, the engines with their connections
  (`_test_engine`). Each test still starts with an empty, migrated database.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel
from starlette.datastructures import State

import hms_tracker.models  # noqa: F401  (every table, for resetting PostgreSQL)
from hms_tracker.app import create_app
from hms_tracker.config import Settings, normalise_database_url
from hms_tracker.db import PoolSettings, create_db_engine
from hms_tracker.migrate import upgrade

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Argon2 at its cheapest in tests (login is exercised hundreds of times; its cost is not
# what the tests measure). Production keeps the strong default: tests/accounts/
# test_password_cost.py checks it.
os.environ.setdefault("HMS_PASSWORD_TIME_COST", "1")
os.environ.setdefault("HMS_PASSWORD_MEMORY_KIB", "8")
os.environ.setdefault("HMS_PASSWORD_PARALLELISM", "1")
PASSWORD = "riktig-passord-123"


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true", pytrace=False)
    pytest.skip(f"{what} not available")


# --- databases --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def postgres_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database on HMS_TEST_POSTGRES_URL, dropped afterwards; or,
    with `template` (the URL of a database nobody is connected to), a copy of that one.
    Without PostgreSQL: skipped, or failed under CI=true."""
    base = os.environ.get("HMS_TEST_POSTGRES_URL")
    if not base:
        _missing("PostgreSQL (HMS_TEST_POSTGRES_URL)")
    admin_url = make_url(normalise_database_url(base))
    name = f"{re.sub(r'[^a-z0-9_]', '', prefix.lower())}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            source = f' TEMPLATE "{make_url(template).database}"' if template else ""
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{source}'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if template:  # PostgreSQL is there (it holds the template): a real error
            raise
        _missing(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} ({exc.orig})")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@dataclass
class MigratedPostgres:
    """A migrated database and the rows the migrations seeded (restored before each test)."""

    url: str
    seeded: dict[str, list[dict[str, Any]]]
    engine: Engine | None = None  # for resetting, made on first use


def postgres_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of a PostgreSQL database, by table (for `_reset_postgres`)."""
    engine = sa.create_engine(url)
    rows: dict[str, list[dict[str, Any]]] = {}
    try:
        with engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                found = [dict(r._mapping) for r in conn.execute(sa.select(table))]
                if found:
                    rows[table.name] = found
    finally:
        engine.dispose()
    return rows


@pytest.fixture(scope="session")
def postgres_migrated(worker_id: str) -> Iterator[MigratedPostgres]:
    """One migrated PostgreSQL database per test run (per xdist worker)."""
    with postgres_database(f"hms_test_{worker_id}") as url:
        upgrade(url)
        db = MigratedPostgres(url, postgres_rows(url))
        _SHARED_POSTGRES_URLS.add(normalise_database_url(url))
        try:
            yield db
        finally:
            _dispose_postgres_engines(normalise_database_url(url))
            if db.engine is not None:
                db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_migrated: MigratedPostgres) -> str:
    return postgres_migrated.url


# One round trip: with triggers and foreign-key checks off for the transaction
# (`session_replication_role = replica`; the audit log refuses DELETE otherwise), DELETE from
# every table that has a row, then restart every sequence that has been used.
_EMPTY_POSTGRES = """
SET LOCAL session_replication_role = replica;
DO $$
DECLARE
  r record;
  found boolean;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE 'SELECT EXISTS (SELECT FROM ' || quote_ident(r.tablename) || ')' INTO found;
    IF found THEN
      EXECUTE 'DELETE FROM ' || quote_ident(r.tablename);
    END IF;
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences
           WHERE schemaname = 'public' AND last_value IS NOT NULL LOOP
    EXECUTE 'ALTER SEQUENCE ' || quote_ident(r.sequencename) || ' RESTART';
  END LOOP;
END $$;
"""


def _reset_postgres(
    db: MigratedPostgres, rows: dict[str, list[dict[str, Any]]] | None = None
) -> None:
    """Empty every table, then put back what the migrations seeded (course types …), or
    `rows` instead (every row of a database as `postgres_rows` read it), with each table's
    id sequence set past its rows.

    The same result as TRUNCATE … RESTART IDENTITY on every table, in a fraction of the
    time on tables this small (it runs before every PostgreSQL test): one statement that
    DELETEs only from the tables that have rows and restarts only the sequences that were
    used (`pg_sequences.last_value` is NULL for a sequence at its start).
    """
    if db.engine is None:
        db.engine = sa.create_engine(db.url, pool_size=1)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(_EMPTY_POSTGRES)
        for table in SQLModel.metadata.sorted_tables:
            found = (db.seeded if rows is None else rows).get(table.name)
            if not found:
                continue
            conn.execute(sa.insert(table), found)
            if "id" in table.c:
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :n)"),
                    {"n": max(r["id"] for r in found)},
                )


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    db: MigratedPostgres = request.getfixturevalue("postgres_migrated")
    _reset_postgres(db)
    return db.url


# Settings read from the environment once per set of HMS_* variables, then copied per test
# with the test's own database and var/ folder (reading the environment is most of what
# constructing Settings costs).
_BASE_SETTINGS: dict[tuple[tuple[str, str], ...], Settings] = {}


def _hms_environment() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("HMS_")))


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    environment = _hms_environment()
    base = _BASE_SETTINGS.get(environment)
    if base is None:
        base = _BASE_SETTINGS[environment] = Settings(
            database_url="",
            secret_key="test-secret-key-not-for-production",
            var_dir=tmp_path / "var",
            company_name="Testbedrift AS",
        )
    return base.model_copy(update={"database_url": db_url, "var_dir": tmp_path / "var"})


# SQLAlchemy keeps compiled SQL per engine, keyed on the engine's dialect, so the engines made
# for each test started with nothing compiled: compiling the same statements again was about
# a fifth of what a test cost. The engines of the fixtures below share the dialect and the
# compiled-SQL cache of the first engine made in this process for the same kind of database
# (the same SQLite library, or the same PostgreSQL server); each keeps its own pool, so its
# own connections to its own database.
_SHARED_DIALECTS: dict[str, tuple[Any, Any]] = {}


def _sharing_compiled_sql(engine: Engine) -> Engine:
    kind = f"{engine.dialect.name}+{engine.dialect.driver}"
    shared = _SHARED_DIALECTS.get(kind)
    if shared is None:
        with engine.connect():  # the dialect learns the server (version …) on a first connect
            pass
        _SHARED_DIALECTS[kind] = (engine.dialect, engine._compiled_cache)
    else:
        engine.dialect, engine._compiled_cache = shared
    return engine


# The PostgreSQL database of a worker (`postgres_migrated`) is the same for every test,
# emptied before each: its engines are kept from test to test with their pooled connections
# (a new connection costs a server process and a handshake), one engine per use so that the
# test's engine and the app's stay apart as before. An engine that a test left with a
# connection checked out is disposed of instead of kept.
_SHARED_POSTGRES_URLS: set[str] = set()
_POSTGRES_ENGINES: dict[tuple[str, str, PoolSettings | None], Engine] = {}


def _test_engine(url: str, pool: PoolSettings | None = None, *, use: str) -> Engine:
    """create_db_engine(url, pool) for a test's `use` ("engine", "app")."""
    if url not in _SHARED_POSTGRES_URLS:
        return _sharing_compiled_sql(create_db_engine(url, pool))
    key = (url, use, pool)
    engine = _POSTGRES_ENGINES.get(key)
    if engine is None:
        engine = _POSTGRES_ENGINES[key] = _sharing_compiled_sql(create_db_engine(url, pool))
    return engine


def _done_with(engine: Engine) -> None:
    """The end of a test's use of an engine from `_test_engine` (or create_app)."""
    kept = [key for key, e in _POSTGRES_ENGINES.items() if e is engine]
    if kept and engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
        return
    for key in kept:
        del _POSTGRES_ENGINES[key]
    engine.dispose()


def _dispose_postgres_engines(url: str) -> None:
    for key in [key for key in _POSTGRES_ENGINES if key[0] == url]:
        _POSTGRES_ENGINES.pop(key).dispose()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = _test_engine(settings.resolved_database_url, use="engine")
    yield engine
    _done_with(engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@dataclass
class _ReusableApp:
    """An app made by create_app() for an earlier test, and what it looked like then."""

    app: FastAPI
    settings_key: dict[str, Any]
    state: dict[str, Any]
    routes: list[Any]
    middleware: list[Any]
    exception_handlers: dict[Any, Any]

    def unchanged(self) -> bool:
        """No test added a route, a middleware or an exception handler to it."""
        return (
            _same(self.app.router.routes, self.routes)
            and _same(self.app.user_middleware, self.middleware)
            and self.app.exception_handlers == self.exception_handlers
        )


def _same(now: list[Any], then: list[Any]) -> bool:
    return len(now) == len(then) and all(a is b for a, b in zip(now, then, strict=True))


_REUSABLE_APP: list[_ReusableApp] = []
# What create_app() takes from the settings and the per-test app replaces.
_PER_TEST = {"settings", "secret_key", "engine"}


def _settings_key(settings: Settings) -> dict[str, Any]:
    return settings.model_dump(exclude={"database_url", "var_dir"})


def _app_for(settings: Settings) -> FastAPI:
    """create_app(settings), made cheaply: the app of an earlier test, given this test's
    settings, secret key and a new engine, a fresh `app.state`, no dependency overrides
    and its middleware rebuilt on the first request.

    Most of what create_app() and an app's first request cost is FastAPI building its
    routes (their dependencies, read from the signatures); that depends on the code, not
    on the test. The middleware takes a few settings when it is built, so an app is reused
    only for settings equal to its own but for the database URL and the var/ folder; and
    never after a test changed its routes, middleware or exception handlers.
    """
    key = _settings_key(settings)
    if _REUSABLE_APP and not _REUSABLE_APP[0].unchanged():
        _REUSABLE_APP.clear()
    if not _REUSABLE_APP or _REUSABLE_APP[0].settings_key != key:
        application = create_app(settings)
        _sharing_compiled_sql(application.state.engine)
        if not _REUSABLE_APP:
            _REUSABLE_APP.append(
                _ReusableApp(
                    application,
                    key,
                    {k: v for k, v in application.state._state.items() if k not in _PER_TEST},
                    list(application.router.routes),
                    list(application.user_middleware),
                    dict(application.exception_handlers),
                )
            )
        return application
    reusable = _REUSABLE_APP[0]
    application = reusable.app
    application.state = State(
        {
            **reusable.state,
            "settings": settings,
            "secret_key": settings.resolved_secret_key(),
            "engine": _test_engine(settings.resolved_database_url, settings.pool, use="app"),
        }
    )
    application.middleware_stack = None
    application.dependency_overrides.clear()
    return application


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    application = _app_for(settings)
    yield application
    _done_with(application.state.engine)


class AppClient(TestClient):
    """A test client that finds the CSRF token on a page and sends it with forms."""

    def token(self, page: str = "/login") -> str:
        html = self.get(page).text
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    def submit(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        files: Any = None,
        token_page: str | None = None,
        **kwargs: Any,
    ) -> Any:
        token = self.token(token_page or ("/" if self.cookies.get("hms_session") else "/login"))
        payload = dict(data or {})
        payload["csrf_token"] = token
        kwargs.setdefault("follow_redirects", False)
        return self.post(url, data=payload, files=files, **kwargs)


@pytest.fixture
def client(app: Any) -> Iterator[AppClient]:
    with AppClient(app, raise_server_exceptions=False) as c:
        yield c


def login(client: AppClient, email: str, password: str = PASSWORD) -> Any:
    response = client.submit("/login", {"email": email, "password": password}, token_page="/login")
    assert response.status_code == 303, response.text[:500]
    return response
