"""Settings, one class, read from the environment with the prefix HMS_."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hms_tracker.db import PoolSettings


class ConfigurationError(RuntimeError):
    """The configuration cannot work; the message says what to change."""


# The pulse survey's results are never shown for fewer answers than this, whatever the
# setting says: with fewer, one person's answers can be told from the others'.
SURVEY_MIN_ANSWERS_FLOOR = 5


def default_var_dir() -> Path:
    return Path(os.environ.get("HMS_VAR_DIR", "var")).resolve()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HMS_", extra="ignore")

    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    cookie_secure: bool = False
    upload_max_bytes: int = 10 * 1024 * 1024
    # All files of one form together (several photos on a deviation report).
    upload_request_max_bytes: int = 40 * 1024 * 1024
    # Images: pixels of one image (read from its header before it is decoded, so a small
    # file that unpacks to gigabytes is refused), and of all images of one form together.
    upload_max_pixels: int = 50_000_000
    upload_request_max_pixels: int = 100_000_000
    default_language: str = "nb"
    company_name: str = "Vår bedrift AS"
    var_dir: Path = Field(default_factory=default_var_dir)

    # Concurrency. At most `db_pool_size + db_pool_overflow` requests use the database at
    # once (web/admission.py lets no more in), each holding one connection; the rest wait at
    # the door for up to `busy_wait_seconds` and then get a friendly 503 page. The thread
    # pool that runs the handlers is larger than that, so a request that holds a connection
    # always finds a thread. `db_pool_timeout_seconds` bounds a checkout when the database
    # is down or hung (503), `db_connect_timeout_seconds` a new connection to PostgreSQL.
    db_pool_size: int = 10
    db_pool_overflow: int = 10
    db_pool_timeout_seconds: float = 10.0
    db_connect_timeout_seconds: int = 5
    # PostgreSQL: the web app cancels a statement after this long (a hung query, a lock
    # held elsewhere) and the page answers 503; commands (demo, remind, backup) have none.
    db_statement_timeout_seconds: float = 30.0
    # SQLite: how long a writer waits for another writer's transaction (in a worker thread).
    sqlite_busy_timeout_ms: int = 10_000
    busy_wait_seconds: float = 10.0
    worker_threads: int = 40

    # Password hashing (Argon2id), argon2-cffi's recommended cost by default. The test
    # suite lowers it through the environment (tests/conftest.py), where login itself is
    # not what is measured; a test checks that the default stays the strong one.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    password_parallelism: int = 4

    # Sessions
    session_idle_minutes: int = 60
    session_max_hours: int = 12

    # Login throttling: after `login_slowdown_after` failures each further attempt must
    # wait twice as long as the one before; after `login_lock_after` the key is locked.
    login_slowdown_after: int = 3
    login_lock_after: int = 10
    # Per client address the limits are this many times higher: an office behind one
    # address must not be locked out by one person's typing.
    login_client_factor: int = 10
    login_lock_minutes: int = 15
    login_window_minutes: int = 15

    # The anonymous pulse survey: its results (for the company, or for one department) are
    # shown only when at least this many have answered. Never below 5.
    survey_min_answers: int = SURVEY_MIN_ANSWERS_FLOOR

    # The AMU: the agenda (with a calendar invitation) is e-mailed to the members called
    # this many days before a meeting, by `hms-tracker remind`.
    amu_agenda_days: int = Field(default=7, ge=0, le=60)

    # E-mail (SMTP). An empty host turns e-mail off: messages wait in the outbox.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "hms-tracker <hms@localhost>"
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout: float = 10.0
    # A message that failed this many times is given up (kept in the outbox, logged).
    smtp_max_attempts: int = 5

    @field_validator("survey_min_answers")
    @classmethod
    def _survey_min_answers_at_least_floor(cls, value: int) -> int:
        if value < SURVEY_MIN_ANSWERS_FLOOR:
            raise ValueError(
                f"HMS_SURVEY_MIN_ANSWERS must be at least {SURVEY_MIN_ANSWERS_FLOOR}: with "
                "fewer answers, one person's answers in the pulse survey can be told apart"
            )
        return value

    @property
    def pool(self) -> PoolSettings:
        return PoolSettings(
            size=self.db_pool_size,
            overflow=self.db_pool_overflow,
            timeout_seconds=self.db_pool_timeout_seconds,
            connect_timeout_seconds=self.db_connect_timeout_seconds,
            statement_timeout_seconds=self.db_statement_timeout_seconds,
            sqlite_busy_ms=self.sqlite_busy_timeout_ms,
        )

    @property
    def admission_limit(self) -> int:
        """Requests let in at once: one per connection the pool can give."""
        return self.db_pool_size + self.db_pool_overflow

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host.strip())

    @property
    def request_max_bytes(self) -> int:
        """The largest request body: the files of one form (a deviation report may carry
        several photos) plus room for the form's other fields, so a file just over the
        per-file limit gets the form's own message, not a 413."""
        return max(self.upload_max_bytes, self.upload_request_max_bytes) + 512 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.var_dir / 'hms-tracker.db'}"

    def resolved_secret_key(self) -> str:
        """The configured key; on the embedded default a generated one kept under var/."""
        if self.secret_key:
            return self.secret_key
        if not self.is_sqlite:
            raise ConfigurationError(
                "HMS_SECRET_KEY is not set. With a PostgreSQL database the key must be set "
                "explicitly (and be the same on every instance), for example: "
                "export HMS_SECRET_KEY="
                "$(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        key_file = self.var_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings of a PostgreSQL URL and use psycopg 3 for all of them."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
