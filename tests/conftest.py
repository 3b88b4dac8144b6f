"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

- `db_url` is parametrized `sqlite` / `postgresql`. SQLite gets a fresh copy of a migrated
  file per test; PostgreSQL gets one database per test run (per xdist worker), created and
  migrated at the start, emptied before each test and dropped at the end.
- PostgreSQL comes from HMS_TEST_POSTGRES_URL. Without it (or unreachable) PostgreSQL tests
  are skipped, except under CI=true, where that fails the run.
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
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

import hms_tracker.models  # noqa: F401  (every table, for resetting PostgreSQL)
from hms_tracker.app import create_app
from hms_tracker.config import Settings, normalise_database_url
from hms_tracker.db import create_db_engine
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
def postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on HMS_TEST_POSTGRES_URL, dropped afterwards.
    Without PostgreSQL: skipped, or failed under CI=true."""
    base = os.environ.get("HMS_TEST_POSTGRES_URL")
    if not base:
        _missing("PostgreSQL (HMS_TEST_POSTGRES_URL)")
    admin_url = make_url(normalise_database_url(base))
    name = f"{re.sub(r'[^a-z0-9_]', '', prefix.lower())}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
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


@pytest.fixture(scope="session")
def postgres_migrated(worker_id: str) -> Iterator[MigratedPostgres]:
    """One migrated PostgreSQL database per test run (per xdist worker)."""
    with postgres_database(f"hms_test_{worker_id}") as url:
        upgrade(url)
        engine = sa.create_engine(url)
        seeded: dict[str, list[dict[str, Any]]] = {}
        with engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                rows = [dict(r._mapping) for r in conn.execute(sa.select(table))]
                if rows:
                    seeded[table.name] = rows
        engine.dispose()
        db = MigratedPostgres(url, seeded)
        try:
            yield db
        finally:
            if db.engine is not None:
                db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_migrated: MigratedPostgres) -> str:
    return postgres_migrated.url


def _reset_postgres(db: MigratedPostgres) -> None:
    """Empty every table, then put back what the migrations seeded (course types …).

    DELETE with triggers and foreign-key checks off for the transaction
    (`session_replication_role = replica`; the audit log refuses DELETE otherwise), then
    every sequence restarted: the same result as TRUNCATE … RESTART IDENTITY, in a quarter
    of the time on tables this small (it runs before every PostgreSQL test).
    """
    if db.engine is None:
        db.engine = sa.create_engine(db.url, pool_size=1)
    with db.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        tables = conn.execute(
            sa.text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        for table_name in tables:
            conn.execute(sa.text(f'DELETE FROM "{table_name}"'))
        sequences = conn.execute(
            sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars()
        for sequence in sequences:
            conn.execute(sa.text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        for table in SQLModel.metadata.sorted_tables:
            rows = db.seeded.get(table.name)
            if not rows:
                continue
            conn.execute(sa.insert(table), rows)
            if "id" in table.c:
                conn.execute(
                    sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :n)"),
                    {"n": max(r["id"] for r in rows)},
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


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        secret_key="test-secret-key-not-for-production",
        var_dir=tmp_path / "var",
        company_name="Testbedrift AS",
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings.resolved_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


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
