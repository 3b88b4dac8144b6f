"""The demo company, built once per database kind and xdist worker, copied for each test.

A test that asks for `demo` gets, as its `db_url` (so `engine`, `session`, `app` and
`client` too), a database of its own holding the demo company built for TODAY with the
default seed: a copy of a SQLite file, or on PostgreSQL a `CREATE DATABASE … TEMPLATE` of a
database built at the start and left alone. `demo` itself is the builder's summary line.
Building the demo takes a second or two; copying it a few milliseconds (SQLite) or a
tenth of a second (PostgreSQL). Tests that build on an empty database as part of what
they check (twice, the refusal, the login page before and after) still call build_demo.

`demo_seed_7` is an engine on a copy of the demo with seed 7, built once per worker on
SQLite, for the tests that check that a build with the same seed gives the same company.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from hms_tracker.db import create_db_engine
from hms_tracker.demo.builder import build_demo
from hms_tracker.migrate import upgrade
from tests.conftest import postgres_database

TODAY = date(2026, 3, 16)


@dataclass(frozen=True)
class BuiltDemo:
    url: str  # a SQLite file's URL, or a PostgreSQL database used only as a template
    summary: str  # what build_demo returned


def _build_sqlite(sqlite_template: Path, path: Path, *, seed: int) -> BuiltDemo:
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    try:
        summary = build_demo(engine, today=TODAY, seed=seed)
        with engine.connect() as conn:  # everything into the file itself, for copying
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return BuiltDemo(url, summary)


@pytest.fixture(scope="session")
def built_demo_sqlite(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> BuiltDemo:
    return _build_sqlite(sqlite_template, tmp_path_factory.mktemp("demo") / "demo.db", seed=2024)


@pytest.fixture(scope="session")
def built_demo_postgres(worker_id: str) -> Iterator[BuiltDemo]:
    with postgres_database(f"hms_demo_{worker_id}") as url:
        upgrade(url)
        engine = create_db_engine(url)
        try:
            summary = build_demo(engine, today=TODAY)
        finally:
            engine.dispose()  # nobody may be connected to a template
        yield BuiltDemo(url, summary)


@pytest.fixture
def db_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The empty migrated database of tests/conftest.py; a copy of the demo for a test that
    asks for `demo`."""
    if "demo" not in request.fixturenames:
        yield db_url
    elif db_url.startswith("sqlite"):
        built: BuiltDemo = request.getfixturevalue("built_demo_sqlite")
        path = tmp_path / "demo.db"
        shutil.copyfile(built.url.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
    else:
        built = request.getfixturevalue("built_demo_postgres")
        with postgres_database("hms_demo_copy", template=built.url) as url:
            yield url


@pytest.fixture
def demo(db_url: str, request: pytest.FixtureRequest) -> str:
    """The demo company (built for TODAY) is in this test's database: the build's summary."""
    kind = "sqlite" if db_url.startswith("sqlite") else "postgres"
    built: BuiltDemo = request.getfixturevalue(f"built_demo_{kind}")
    return built.summary


@pytest.fixture(scope="session")
def built_demo_seed_7(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> BuiltDemo:
    return _build_sqlite(sqlite_template, tmp_path_factory.mktemp("demo7") / "demo.db", seed=7)


@pytest.fixture
def demo_seed_7(built_demo_seed_7: BuiltDemo, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a copy of the demo built with seed 7 (on SQLite), to compare a second
    build with the same seed with."""
    path = tmp_path / "demo-seed-7.db"
    shutil.copyfile(built_demo_seed_7.url.removeprefix("sqlite:///"), path)
    engine = create_db_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
