"""Settings: the embedded default's generated secret key, PostgreSQL's explicit key, URLs."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hms_tracker.app import create_app
from hms_tracker.config import ConfigurationError, Settings, get_settings, normalise_database_url


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No HMS_* setting from the surrounding shell leaks into these tests."""
    for name in list(os.environ):
        if name.startswith("HMS_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_embedded_default_is_sqlite_under_the_var_directory(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("HMS_VAR_DIR", str(tmp_path / "var"))
    settings = get_settings()
    assert settings.is_sqlite
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'var' / 'hms-tracker.db'}"
    assert settings.default_language == "nb"


def test_first_start_generates_a_secret_key_readable_only_by_the_owner(
    clean_env, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    clean_env.setenv("HMS_VAR_DIR", str(var))
    key_file = var / "secret_key"
    assert not key_file.exists()

    app = create_app(get_settings())
    app.state.engine.dispose()

    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 48
    assert app.state.secret_key == key


def test_later_starts_reuse_the_generated_key(clean_env, tmp_path: Path) -> None:
    var = tmp_path / "var"
    first = Settings(var_dir=var).resolved_secret_key()
    second = Settings(var_dir=var).resolved_secret_key()
    assert first == second
    other = Settings(var_dir=tmp_path / "elsewhere").resolved_secret_key()
    assert other != first  # generated, not a constant


def test_a_configured_secret_key_is_used_and_nothing_is_written(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("HMS_SECRET_KEY", "from-the-environment")
    clean_env.setenv("HMS_VAR_DIR", str(tmp_path / "var"))
    assert get_settings().resolved_secret_key() == "from-the-environment"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_postgresql_without_secret_key_refuses_to_start(clean_env, tmp_path: Path) -> None:
    clean_env.setenv("HMS_DATABASE_URL", "postgresql://hms@db.example/hms")
    clean_env.setenv("HMS_VAR_DIR", str(tmp_path / "var"))
    settings = get_settings()
    with pytest.raises(ConfigurationError, match="HMS_SECRET_KEY") as refused:
        create_app(settings)
    assert "PostgreSQL" in str(refused.value)
    assert not (tmp_path / "var" / "secret_key").exists()  # no silent per-instance key


def test_postgresql_with_secret_key_starts(clean_env, tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://hms@db.example/hms", secret_key="k" * 48, var_dir=tmp_path
    )
    assert settings.resolved_secret_key() == "k" * 48


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5433/db", "postgresql+psycopg://u:p@h:5433/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////srv/hms/hms.db", "sqlite:////srv/hms/hms.db"),
    ],
)
def test_database_urls_are_normalised_to_psycopg(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_postgres_url_from_the_environment_uses_psycopg(clean_env) -> None:
    clean_env.setenv("HMS_DATABASE_URL", "postgres://hms:pw@db.example:5432/hms")
    settings = get_settings()
    assert settings.resolved_database_url == "postgresql+psycopg://hms:pw@db.example:5432/hms"
    assert not settings.is_sqlite


def test_settings_are_read_from_hms_environment_variables(clean_env) -> None:
    clean_env.setenv("HMS_BASE_URL", "https://hms.example.no")
    clean_env.setenv("HMS_COOKIE_SECURE", "true")
    clean_env.setenv("HMS_UPLOAD_MAX_BYTES", "1234")
    clean_env.setenv("HMS_DEFAULT_LANGUAGE", "en")
    settings = get_settings()
    assert settings.base_url == "https://hms.example.no"
    assert settings.cookie_secure is True
    assert settings.upload_max_bytes == 1234
    assert settings.default_language == "en"
