"""Logging a test client in without the password form.

`login_as(client, session, user)` makes the session row the way a successful login does
(`accounts.service.start_session`) and gives the client its cookie: no password hash, no
login form, no throttle bookkeeping. Tests of the login itself (tests/accounts/, the login
form, the throttle) post the form instead, with `tests.conftest.login`.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from hms_tracker.accounts.models import User
from hms_tracker.accounts.service import start_session
from hms_tracker.web.auth import SESSION_COOKIE
from hms_tracker.web.security import LANGUAGE_COOKIE
from tests.factories import make_user


def _cookie_domain(client: TestClient) -> str:
    """The domain the cookie jar gives a cookie the app sets (a host without a dot gets
    ".local"), so that the app can replace or delete ours later (logout, a second login)."""
    host = client.base_url.host
    return host if "." in host else host + ".local"


def login_as(client: TestClient, session: Session, user: User) -> User:
    """`client` is logged in as `user` from its next request on. Commits `session`."""
    actor = session.info.get("actor")
    token = start_session(session=session, user=user)
    session.commit()
    # start_session makes the session act as the user; the test's own writes do not.
    if actor is None:
        session.info.pop("actor", None)
    else:
        session.info["actor"] = actor
    domain = _cookie_domain(client)
    client.cookies.set(SESSION_COOKIE, token, domain=domain)
    if user.language:  # as the login does
        client.cookies.set(LANGUAGE_COOKIE, user.language, domain=domain)
    return user


def login_admin(client: TestClient, session: Session, **fields: Any) -> User:
    """A new admin (`make_user(is_admin=True, **fields)`), logged in on `client`."""
    return login_as(client, session, make_user(session, is_admin=True, **fields))
