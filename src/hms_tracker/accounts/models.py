"""Accounts (login), server-side sessions and login throttling."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hms_tracker.db import UTCDateTime, utcnow


class User(SQLModel, table=True):
    """A login. Always belongs to one person of the register."""

    __tablename__ = "app_user"
    __audited__ = True
    __audit_redact__ = frozenset({"password_hash"})

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("person.id"), nullable=False, unique=True)
    )
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    password_hash: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    is_admin: bool = Field(default=False, nullable=False)
    is_active: bool = Field(default=True, nullable=False)
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    last_login_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    version: int = Field(default=1, nullable=False)


class UserSession(SQLModel, table=True):
    """A server-side session. `id` is the SHA-256 of the cookie's token, never the token."""

    __tablename__ = "user_session"

    id: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    user_id: int = Field(foreign_key="app_user.id", index=True)
    csrf_token: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    ended_at: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
    end_reason: str | None = Field(default=None, max_length=40)


class LoginThrottle(SQLModel, table=True):
    """Failed logins per key: an e-mail (hashed) or a client address (hashed)."""

    __tablename__ = "login_throttle"

    key: str = Field(sa_column=sa.Column(sa.String(80), primary_key=True))
    failures: int = Field(default=0, nullable=False)
    first_failed_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    last_failed_at: datetime = Field(
        default_factory=utcnow, sa_column=sa.Column(UTCDateTime(), nullable=False)
    )
    locked_until: datetime | None = Field(
        default=None, sa_column=sa.Column(UTCDateTime(), nullable=True)
    )
