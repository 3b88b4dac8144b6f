"""The `hms-tracker` command: migrate, serve's migration gate, create-admin, backup.

Commands run in-process with Typer's CliRunner, configured through HMS_* environment
variables exactly as in production; the settings cache is cleared around each test.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import Result
from sqlmodel import Session, select
from typer.testing import CliRunner

from hms_tracker.accounts.models import User
from hms_tracker.audit.models import AuditEvent
from hms_tracker.cli import app as cli
from hms_tracker.config import get_settings
from hms_tracker.db import create_db_engine
from hms_tracker.migrate import downgrade, head_revision, is_up_to_date, upgrade
from hms_tracker.paths import MIGRATIONS_DIR
from tests.conftest import login
from tests.factories import make_person
from tests.test_migrations import empty_database

ADMIN_PASSWORD = "et-langt-og-godt-passord"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """A clean HMS_* environment with var/ in the test's own directory."""
    for name in list(os.environ):
        if name.startswith("HMS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HMS_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(cli_env: pytest.MonkeyPatch, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    cli_env.setenv("HMS_DATABASE_URL", url)
    return url


def run(*args: str, input: str | None = None) -> Result:
    get_settings.cache_clear()
    return CliRunner().invoke(cli, list(args), input=input)


class ServerStarts(Exception):
    """Raised instead of starting uvicorn, so a test can see the gate was passed."""


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_run(*args: Any, **kwargs: Any) -> None:
        calls.append(kwargs)
        raise ServerStarts()

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


# --- migrate and the serve gate ---------------------------------------------------------


def test_migrate_brings_an_empty_database_to_head_and_opens_the_serve_gate(
    empty_db_url: str, cli_env: pytest.MonkeyPatch, no_server: list[dict[str, Any]]
) -> None:
    cli_env.setenv("HMS_DATABASE_URL", empty_db_url)
    cli_env.setenv("HMS_SECRET_KEY", "test-secret-key")
    refused = run("serve")
    assert refused.exit_code == 1 and "hms-tracker migrate" in refused.output

    result = run("migrate")
    assert result.exit_code == 0, result.output
    engine = create_db_engine(empty_db_url)
    try:
        assert is_up_to_date(engine)
    finally:
        engine.dispose()
    again = run("migrate")  # running it twice is harmless
    assert again.exit_code == 0, again.output
    assert no_server == []
    started = run("serve")
    assert isinstance(started.exception, ServerStarts), started.output


def test_serve_refuses_an_unmigrated_database_and_names_the_command(
    sqlite_url: str, no_server: list[dict[str, Any]]
) -> None:
    result = run("serve")
    assert result.exit_code == 1
    assert "hms-tracker migrate" in result.output
    assert no_server == []


def test_serve_refuses_a_database_behind_the_newest_migration(
    sqlite_url: str, no_server: list[dict[str, Any]]
) -> None:
    """Migrated, then stepped back one revision (to base while there is only one)."""
    head = head_revision()
    assert head is not None
    previous = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(head).down_revision
    upgrade(sqlite_url)
    downgrade(sqlite_url, str(previous) if previous else "base")
    result = run("serve")
    assert result.exit_code == 1
    assert "hms-tracker migrate" in result.output
    assert no_server == []


def test_serve_starts_once_the_database_is_migrated(
    sqlite_url: str, no_server: list[dict[str, Any]]
) -> None:
    assert run("migrate").exit_code == 0
    result = run("serve", "--port", "8123")
    assert isinstance(result.exception, ServerStarts)
    assert no_server[0]["port"] == 8123 and no_server[0]["host"] == "127.0.0.1"


def test_serve_on_postgresql_without_secret_key_refuses_to_start(
    cli_env: pytest.MonkeyPatch, no_server: list[dict[str, Any]]
) -> None:
    cli_env.setenv("HMS_DATABASE_URL", "postgresql://hms@db.invalid/hms")
    result = run("serve")
    assert result.exit_code == 1
    assert "HMS_SECRET_KEY" in result.output
    assert no_server == []


def test_serve_process_exits_with_status_1_on_an_unmigrated_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMS_")}
    env["HMS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.db'}"
    env["HMS_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run(
        [sys.executable, "-m", "hms_tracker.cli", "serve", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "hms-tracker migrate" in done.stderr
    assert "Uvicorn running" not in done.stderr


# --- create-admin -----------------------------------------------------------------------


def test_create_admin_asks_for_the_password_and_the_admin_can_log_in(
    db_url: str, cli_env: pytest.MonkeyPatch, client: Any, session: Session
) -> None:
    cli_env.setenv("HMS_DATABASE_URL", db_url)
    result = run(
        "create-admin",
        "--email",
        "Kari.Admin@Test.Example",
        "--name",
        "Kari Admin",
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output
    assert ADMIN_PASSWORD not in result.output  # hidden input, never echoed

    login(client, "kari.admin@test.example", ADMIN_PASSWORD)
    assert client.get("/audit", follow_redirects=False).status_code == 200  # admin only

    user = session.exec(select(User).where(User.email == "kari.admin@test.example")).one()
    assert user.is_admin and user.password_hash != ADMIN_PASSWORD
    labels = session.exec(select(AuditEvent.actor_label).where(AuditEvent.entity == "app_user"))
    assert "cli:create-admin" in labels.all()


def test_create_admin_prompts_for_every_value(sqlite_url: str) -> None:
    assert run("migrate").exit_code == 0
    result = run(
        "create-admin",
        input=f"ola@test.example\nOla Nordmann\n{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as db:
        rows = db.execute(
            "SELECT p.name, u.is_admin FROM app_user u JOIN person p ON p.id = u.person_id"
        ).fetchall()
    assert rows == [("Ola Nordmann", 1)]


def test_create_admin_never_takes_the_password_as_an_option(sqlite_url: str) -> None:
    assert run("migrate").exit_code == 0
    result = run(
        "create-admin",
        "--email",
        "kari@test.example",
        "--name",
        "Kari",
        "--password",
        ADMIN_PASSWORD,
    )
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert _count(sqlite_url, "app_user") == 0


def test_create_admin_refuses_a_short_password_and_saves_nothing(sqlite_url: str) -> None:
    assert run("migrate").exit_code == 0
    result = run(
        "create-admin", "--email", "kari@test.example", "--name", "Kari", input="kort\nkort\n"
    )
    assert result.exit_code == 1
    assert "minst 10 tegn" in result.output
    assert _count(sqlite_url, "app_user") == 0
    assert _count(sqlite_url, "person") == 0


def test_create_admin_twice_with_one_email_is_refused_with_a_message(sqlite_url: str) -> None:
    assert run("migrate").exit_code == 0
    args = ("create-admin", "--email", "kari@test.example", "--name", "Kari")
    answer = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    assert run(*args, input=answer).exit_code == 0
    again = run(*args, input=answer)
    assert again.exit_code == 1
    assert "allerede en konto" in again.output
    assert again.exception is None or isinstance(again.exception, SystemExit)
    assert _count(sqlite_url, "app_user") == 1


def test_create_admin_gives_a_person_in_the_register_an_account(
    sqlite_url: str,
) -> None:
    assert run("migrate").exit_code == 0
    engine = create_db_engine(sqlite_url)
    with Session(engine) as session:
        person = make_person(session, name="Kari Registrert", email="kari@test.example")
        session.commit()
        person_id = person.id
    engine.dispose()

    result = run(
        "create-admin",
        "--email",
        "KARI@test.example",
        "--name",
        "Kari Registrert",
        input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert _count(sqlite_url, "person") == 1
    with sqlite3.connect(sqlite_url.split("///", 1)[1]) as db:
        assert db.execute("SELECT person_id, is_admin FROM app_user").fetchall() == [(person_id, 1)]


# --- backup -----------------------------------------------------------------------------


def _count(url: str, table: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_backup_on_sqlite_writes_a_readable_copy(sqlite_url: str, tmp_path: Path) -> None:
    assert run("migrate").exit_code == 0
    answer = f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    assert (
        run("create-admin", "--email", "a@test.example", "--name", "A", input=answer).exit_code == 0
    )

    target = tmp_path / "backups" / "hms-backup.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.output
    assert str(target) in result.output

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM person").fetchone() == (1,)
        assert copy.execute("SELECT email, is_admin FROM app_user").fetchall() == [
            ("a@test.example", 1)
        ]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),
        )
        audit_rows = copy.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    finally:
        copy.close()
    assert audit_rows == _count(sqlite_url, "audit_event") > 0


def test_backup_without_a_database_says_so(sqlite_url: str, tmp_path: Path) -> None:
    result = run("backup", str(tmp_path / "copy.db"))
    assert result.exit_code == 1
    assert "No database" in result.output
    assert not (tmp_path / "copy.db").exists()


def test_backup_on_postgresql_prints_the_pg_dump_command(
    cli_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cli_env.setenv("HMS_DATABASE_URL", "postgres://hms:s3cret-pw@db.example:5433/hms_prod")
    target = tmp_path / "hms.dump"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.output
    assert "pg_dump" in result.output
    for part in (
        "--format=custom",
        f"--file={target}",
        "--host=db.example",
        "--port=5433",
        "--username=hms",
        "hms_prod",
    ):
        assert part in result.output
    assert "s3cret-pw" not in result.output  # the password is not printed
    assert not target.exists()  # it prints the command, it does not run it


def test_help_lists_the_commands(cli_env: pytest.MonkeyPatch) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("serve", "migrate", "create-admin", "demo", "backup"):
        assert command in result.output
