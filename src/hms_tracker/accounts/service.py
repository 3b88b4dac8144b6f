"""Accounts: password hashing, login with throttling, server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select, update

from hms_tracker.accounts.models import LoginThrottle, User, UserSession
from hms_tracker.audit.service import Actor, record_event
from hms_tracker.config import Settings, get_settings
from hms_tracker.db import UTCDateTime, after_request, note_version_tokens, utcnow, version_tokens
from hms_tracker.errors import InvalidInput, NotFound
from hms_tracker.organisation.models import Person
from hms_tracker.web.dates import today as today_in_norway
from hms_tracker.web.i18n import _


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHash:
    return PasswordHash(
        (Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism),)
    )


def password_hasher() -> PasswordHash:
    """Argon2id with the cost from the settings (HMS_PASSWORD_*)."""
    settings = get_settings()
    return _hasher(
        settings.password_time_cost, settings.password_memory_kib, settings.password_parallelism
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both paths cost the same. Made on
    first use, not at import."""
    return hash_password("not-a-real-password-" + secrets.token_hex(8))


MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttle_key(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:64]


# --- throttling -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleState:
    allowed: bool
    retry_after_seconds: int = 0


def _throttle_rows(session: Session, keys: list[str]) -> list[LoginThrottle]:
    return list(session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(keys))).all())


def _limits(settings: Settings, key: str) -> tuple[int, int]:
    factor = settings.login_client_factor if key.startswith("client:") else 1
    return settings.login_slowdown_after * factor, settings.login_lock_after * factor


def check_throttle(
    *, session: Session, settings: Settings, email: str, client: str, now: datetime | None = None
) -> ThrottleState:
    """May a login be tried now for this e-mail from this client?

    After `login_slowdown_after` failures each attempt must wait 1, 2, 4 … seconds after the
    last failure; after `login_lock_after` failures the key is locked for `login_lock_minutes`.
    Unknown e-mails are throttled exactly like known ones.
    """
    now = now or utcnow()
    keys = [_throttle_key("email", normalise_email(email)), _throttle_key("client", client)]
    wait = 0
    for row in _throttle_rows(session, keys):
        if row.last_failed_at < now - timedelta(minutes=settings.login_window_minutes) and (
            row.locked_until is None or row.locked_until <= now
        ):
            continue
        if row.locked_until and row.locked_until > now:
            wait = max(wait, int((row.locked_until - now).total_seconds()) + 1)
            continue
        slow_after, _lock_after = _limits(settings, row.key)
        if row.failures >= slow_after:
            delay = 2 ** min(row.failures - slow_after, 10)
            ready_at = row.last_failed_at + timedelta(seconds=delay)
            if ready_at > now:
                wait = max(wait, int((ready_at - now).total_seconds()) + 1)
    return ThrottleState(allowed=wait == 0, retry_after_seconds=wait)


def _count_attempt(*, session: Session, settings: Settings, key: str, now: datetime) -> bool:
    """Count one login attempt on `key` if the throttle allows it now; False if refused.

    One atomic upsert (INSERT … ON CONFLICT DO UPDATE … WHERE allowed … RETURNING): of
    any number of simultaneous attempts on one key, each sees the count the one before it
    left, exactly as if they came one after another. An attempt is counted as a failure
    before the password is checked; a successful login clears the account's count.
    """
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    c = table.c
    slow_after, lock_after = _limits(settings, key)
    window_start = now - timedelta(minutes=settings.login_window_minutes)

    def at(moment: datetime) -> Any:
        return sa.literal(moment, UTCDateTime())

    # After `slow_after` failures the next attempt must wait 1, 2, 4 … (at most 1024) seconds
    # after the last one: the latest allowed `last_failed_at` for each failure count.
    ready = sa.case(
        *((c.failures == slow_after + n, at(now - timedelta(seconds=2**n))) for n in range(10)),
        else_=at(now - timedelta(seconds=2**10)),
    )
    allowed = sa.and_(
        sa.or_(c.locked_until.is_(None), c.locked_until <= at(now)),
        sa.or_(
            c.last_failed_at < at(window_start),
            c.failures < slow_after,
            c.last_failed_at <= ready,
        ),
    )
    window_passed = c.last_failed_at < at(window_start)
    failures = sa.case((window_passed, 1), else_=c.failures + 1)
    lock_until = now + timedelta(minutes=settings.login_lock_minutes)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(
            key=key,
            failures=1,
            first_failed_at=now,
            last_failed_at=now,
            locked_until=lock_until if lock_after <= 1 else None,
        )
        .on_conflict_do_update(
            index_elements=[c.key],
            set_={
                "failures": failures,
                "first_failed_at": sa.case((window_passed, at(now)), else_=c.first_failed_at),
                "last_failed_at": at(now),
                "locked_until": sa.case((failures >= lock_after, at(lock_until)), else_=None),
            },
            where=allowed,
        )
        .returning(c.failures)
    )
    counted = session.execute(statement).first() is not None
    # The ORM may hold the row from an earlier read: it must not write old values back.
    session.expire_all()
    return counted


def _clear_failures(*, session: Session, email: str) -> None:
    row = session.get(LoginThrottle, _throttle_key("email", normalise_email(email)))
    if row is not None:
        row.failures = 0
        row.locked_until = None
        session.add(row)


class LoginThrottled(Exception):
    def __init__(self, retry_after_seconds: int):
        super().__init__(retry_after_seconds)
        self.retry_after_seconds = retry_after_seconds


class LoginFailed(Exception):
    pass


def authenticate(
    *, session: Session, settings: Settings, email: str, password: str, client: str
) -> User:
    """The user for these credentials, or LoginFailed / LoginThrottled.

    The attempt is counted (per client address and per e-mail) and committed before the
    password is checked, so simultaneous guesses are throttled exactly like sequential ones,
    and the slow hash check runs with no transaction open (on SQLite other writers do not
    wait for it). This is the one service that commits: an attempt counts even when the
    request then fails. The failure is the same whether the e-mail exists or not.
    """
    now = utcnow()
    email = normalise_email(email)
    keys = [_throttle_key("client", client), _throttle_key("email", email)]
    for key in keys:
        if not _count_attempt(session=session, settings=settings, key=key, now=now):
            session.commit()
            state = check_throttle(
                session=session, settings=settings, email=email, client=client, now=now
            )
            raise LoginThrottled(max(state.retry_after_seconds, 1))
    user = session.exec(select(User).where(User.email == email)).first()
    may_log_in = user is not None and can_log_in(
        session=session, user=user, today=today_in_norway()
    )
    session.commit()
    if user is None:
        password_hasher().verify(password, _dummy_hash())
        raise LoginFailed()
    valid, new_hash = password_hasher().verify_and_update(password, user.password_hash)
    if not valid or not may_log_in:
        raise LoginFailed()
    if new_hash:
        user.password_hash = new_hash
        session.add(user)
    _clear_failures(session=session, email=email)
    # This attempt was counted on the client address as a failure in advance: it was not
    # one (an office behind one address logs in all morning).
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    session.execute(
        sa.update(table)
        .where(table.c.key == keys[0], table.c.failures > 0)
        .values(failures=table.c.failures - 1)
    )
    return user


def can_log_in(*, session: Session, user: User, today: date, person: Person | None = None) -> bool:
    """An active account of a person who has not left (employment ended before today);
    `person`, the user's, when it is at hand."""
    if not user.is_active:
        return False
    person = person or session.get(Person, user.person_id)
    return person is not None and (person.employed_to is None or person.employed_to >= today)


# --- sessions ---------------------------------------------------------------------------


def start_session(*, session: Session, user: User, previous_token: str | None = None) -> str:
    """A new session for the user; the old one (if any) ends. Returns the cookie token.
    From here on the request acts as this user (the audit trail records them)."""
    session.info["actor"] = Actor(label=user.email, user_id=user.id, person_id=user.person_id)
    if previous_token:
        end_session(session=session, token=previous_token, reason="rotated")
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(id=_token_id(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32))
    )
    user.last_login_at = utcnow()
    session.add(user)
    return token


def load_session(
    *, session: Session, settings: Settings, token: str
) -> tuple[UserSession, User, Person] | None:
    """The live session for a cookie token, with its user and person, touching its
    last-seen time; None if it ended.

    A session ends after `session_idle_minutes` without a request, and after
    `session_max_hours` in any case.
    """
    # One statement: the session, its user and person, and the data versions the page's
    # caches will ask for (a round trip each otherwise, on every page).
    found = session.exec(
        select(UserSession, User, Person, *version_tokens())  # type: ignore[call-overload]
        .outerjoin(User, col(User.id) == UserSession.user_id)
        .outerjoin(Person, col(Person.id) == User.person_id)
        .where(col(UserSession.id) == _token_id(token))
    ).first()
    if found is None:
        return None
    row, user, person, *tokens = found
    note_version_tokens(session, tokens)
    if row.ended_at is not None:
        return None
    now = utcnow()
    idle_limit = row.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    max_limit = row.created_at + timedelta(hours=settings.session_max_hours)
    if (
        now > idle_limit
        or now > max_limit
        or user is None
        or person is None
        or not can_log_in(session=session, user=user, today=today_in_norway(), person=person)
    ):
        # Recorded after the request, in a short transaction of its own: the request that
        # found it will not succeed, and a reading request must not become a writing one.
        ended_id = row.id

        def mark_ended(own: Session) -> None:
            own.exec(
                update(UserSession)
                .where(col(UserSession.id) == ended_id, col(UserSession.ended_at).is_(None))
                .values(ended_at=now, end_reason="expired")
            )

        _bookkeeping(session, mark_ended)
        return None
    if now - row.last_seen_at > timedelta(seconds=60):
        seen_id = row.id

        def touch(own: Session) -> None:
            own.exec(
                update(UserSession)
                .where(col(UserSession.id) == seen_id, col(UserSession.last_seen_at) < now)
                .values(last_seen_at=now)
            )

        _bookkeeping(session, touch)
    return row, user, person


def _bookkeeping(session: Session, work: Callable[[Session], None]) -> None:
    """After a web request (db.after_request); elsewhere (tests, commands) at once."""
    if session.info.get("web_request"):
        after_request(session, work)
    else:
        work(session)


def end_session(*, session: Session, token: str, reason: str = "logout") -> None:
    row = session.get(UserSession, _token_id(token))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        row.end_reason = reason
        session.add(row)


def end_all_sessions(*, session: Session, user: User) -> int:
    """An admin ends every live session of a user; returns how many ended."""
    result = session.exec(
        update(UserSession)
        .where(col(UserSession.user_id) == user.id, col(UserSession.ended_at).is_(None))
        .values(ended_at=utcnow(), end_reason="ended_by_admin")
    )
    count = result.rowcount or 0
    record_event(
        session=session,
        entity="app_user",
        entity_id=str(user.id),
        action="sessions_ended",
        after={"sessions_ended": count},
        subject_person_id=user.person_id,
    )
    return count


def live_session_count(*, session: Session, user: User) -> int:
    return len(
        session.exec(
            select(UserSession.id).where(
                UserSession.user_id == user.id, col(UserSession.ended_at).is_(None)
            )
        ).all()
    )


# --- accounts ---------------------------------------------------------------------------


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            {"password": _("Passordet må ha minst %(n)s tegn.", n=MIN_PASSWORD_LENGTH)}
        )


def create_user(
    *, session: Session, person: Person, email: str, password: str, is_admin: bool = False
) -> User:
    validate_password(password)
    email = normalise_email(email)
    if not email or "@" not in email:
        raise InvalidInput({"email": _("Skriv inn en gyldig e-postadresse.")})
    if session.exec(select(User).where(User.email == email)).first():
        raise InvalidInput({"email": _("Det finnes allerede en konto med denne e-postadressen.")})
    other = session.exec(select(Person).where(Person.email == email)).first()
    if other is not None and other.id != person.id:
        raise InvalidInput(
            {"email": _("E-postadressen tilhører %(name)s i registeret.", name=other.name)}
        )
    if session.exec(select(User).where(User.person_id == person.id)).first():
        raise InvalidInput({"email": _("Denne personen har allerede en konto.")})
    user = User(
        person_id=person.id, email=email, password_hash=hash_password(password), is_admin=is_admin
    )
    session.add(user)
    session.flush()
    return user


def get_user(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def user_for_person(*, session: Session, person_id: int) -> User | None:
    return session.exec(select(User).where(User.person_id == person_id)).first()


def set_admin(*, session: Session, user: User, is_admin: bool, actor: User) -> None:
    """Give or take the admin (HMS coordinator) role; nobody removes their own."""
    if not is_admin and user.id == actor.id:
        raise InvalidInput({"": _("Du kan ikke fjerne din egen administratorrolle.")})
    user.is_admin = is_admin
    session.add(user)


def set_active(*, session: Session, user: User, is_active: bool, actor: User) -> None:
    """Activate or deactivate an account; deactivating ends its sessions. Not one's own."""
    if not is_active and user.id == actor.id:
        raise InvalidInput({"": _("Du kan ikke deaktivere din egen konto.")})
    user.is_active = is_active
    session.add(user)
    if not is_active:
        end_all_sessions(session=session, user=user)
