"""The server under concurrent use, on both databases, against a real uvicorn server.

Bounded in time and count: every request has a timeout, every test a fixed number of
clients. What people do at the same moment — read lists, report anonymously, save the same
case, log in — never hangs, never loses a write and never answers 500.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from hms_tracker.accounts import service as accounts
from hms_tracker.accounts.models import LoginThrottle, User, UserSession
from hms_tracker.app import create_app
from hms_tracker.config import Settings
from hms_tracker.deviations.models import Deviation
from hms_tracker.organisation.models import DepartmentLeader
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_user
from tests.live import serve

TIMEOUT = httpx.Timeout(60.0)


@pytest.fixture
def live_url(settings: Settings) -> Iterator[str]:
    app = create_app(settings)
    try:
        with serve(app, name="concurrency") as base_url:
            yield base_url
    finally:
        app.state.engine.dispose()


def logged_in_cookies(session: Session, user: User) -> tuple[dict[str, str], str]:
    """A session made directly (no password hash): the cookies and its CSRF token."""
    token = accounts.start_session(session=session, user=user)
    session.commit()
    row = session.get(UserSession, accounts._token_id(token))
    assert row is not None
    return {"hms_session": token}, row.csrf_token


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` for i in range(count) in as many threads, released together."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        barrier.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=120))


def anonymous_token(client: httpx.Client) -> str:
    page = client.get("/report")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def test_fifty_readers_of_the_deviation_list_for_ten_seconds(live_url, session):
    department = make_department(session, name="Lager")
    users = [make_user(session, department=department) for _ in range(5)]
    for user in users:
        session.add(DepartmentLeader(department_id=department.id, person_id=user.person_id))
    for n in range(30):
        make_deviation(session, department, title=f"Avvik {n}")
    session.commit()
    cookies = [logged_in_cookies(session, user)[0] for user in users]
    deadline = time.monotonic() + 10
    statuses: list[int] = []
    lock = threading.Lock()

    def reader(i: int) -> None:
        with httpx.Client(
            base_url=live_url, cookies=cookies[i % len(cookies)], timeout=TIMEOUT
        ) as c:
            while time.monotonic() < deadline:
                status = c.get("/deviations").status_code
                with lock:
                    statuses.append(status)

    at_once(50, reader)
    assert len(statuses) >= 50
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    # The server still answers.
    assert httpx.get(f"{live_url}/healthz", timeout=5).status_code == 200


def test_twenty_anonymous_reporters_at_once_are_all_answered_and_stored(live_url, session):
    department = make_department(session, name="Verksted")
    session.commit()
    department_id = department.id
    before = session.exec(select(func.count()).select_from(Deviation)).one()

    def reporter(i: int) -> tuple[int, str | None]:
        with httpx.Client(base_url=live_url, timeout=TIMEOUT) as c:
            token = anonymous_token(c)
            data = report_form(department, title=f"Anonym melding {i}")
            data["department_id"] = str(department_id)
            data["csrf_token"] = token
            r = c.post("/report", data=data)
            return r.status_code, r.cookies.get("hms_receipt")

    results = at_once(20, reporter)
    assert [status for status, _ in results] == [303] * 20, results
    codes = {code for _, code in results}
    assert None not in codes and len(codes) == 20
    session.expire_all()
    stored = session.exec(select(func.count()).select_from(Deviation)).one() - before
    assert stored == 20


def test_ten_simultaneous_saves_of_one_deviation_one_wins(live_url, session):
    department = make_department(session, name="Lager")
    leaders = [make_user(session, department=department) for _ in range(10)]
    for user in leaders:
        session.add(DepartmentLeader(department_id=department.id, person_id=user.person_id))
    deviation, _ = make_deviation(session, department)
    session.commit()
    logins = [logged_in_cookies(session, user) for user in leaders]
    url = f"/deviations/{deviation.id}/edit"
    version = deviation.version

    def save(i: int) -> int:
        cookies, csrf = logins[i]
        with httpx.Client(base_url=live_url, cookies=cookies, timeout=TIMEOUT) as c:
            data = report_form(department, title=f"Lagring {i}", version=str(version))
            data["csrf_token"] = csrf
            return c.post(url, data=data).status_code

    statuses = at_once(10, save)
    assert sorted(statuses) == [303] + [409] * 9, statuses
    session.expire_all()
    saved = session.get(Deviation, deviation.id)
    assert saved is not None and saved.version == version + 1
    assert saved.title.startswith("Lagring ")
    with httpx.Client(base_url=live_url, cookies=logins[0][0], timeout=TIMEOUT) as c:
        assert c.get(f"/deviations/{deviation.id}").status_code == 200


def test_fifteen_simultaneous_wrong_logins_are_throttled_as_sequential_ones(
    live_url, session, settings
):
    make_user(session, email="kari@test.example")
    session.commit()

    clients = [httpx.Client(base_url=live_url, timeout=TIMEOUT) for _ in range(15)]
    tokens = []
    for c in clients:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
        assert token
        tokens.append(token[1])

    def guess(i: int) -> tuple[int, float]:
        data = {"email": "kari@test.example", "password": f"feil-{i}", "csrf_token": tokens[i]}
        status = clients[i].post("/login", data=data).status_code
        return status, time.monotonic()

    started = time.monotonic()
    try:
        answers = at_once(15, guess)
    finally:
        for c in clients:
            c.close()
    statuses = [status for status, _ in answers]
    # As 15 guesses one after another: the first `login_slowdown_after` are checked (and
    # fail); after them the n-th further one may be checked only 1 + 2 + … + 2^(n-1)
    # seconds after the last failure. On a slow machine the burst may itself last that long,
    # so as many further checks as the burst's length allows sequential guesses are allowed.
    checked = settings.login_slowdown_after
    elapsed = max(at for _, at in answers) - started
    later = 0
    while 2 ** (later + 1) - 1 <= elapsed:
        later += 1
    assert set(statuses) <= {422, 429}, statuses
    assert checked <= statuses.count(422) <= checked + later, (statuses, elapsed)
    row = session.get(LoginThrottle, accounts._throttle_key("email", "kari@test.example"))
    assert row is not None and row.failures == statuses.count(422)


def test_simultaneous_first_logins_for_a_new_email_never_fail(live_url, session):
    def guess(i: int) -> int:
        with httpx.Client(base_url=live_url, timeout=TIMEOUT) as c:
            page = c.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            data = {"email": "ny@test.example", "password": "feil", "csrf_token": token[1]}
            return c.post("/login", data=data).status_code

    statuses = at_once(8, guess)
    assert set(statuses) <= {422, 429} and statuses.count(422) >= 1, statuses


# --- a database that cannot answer -------------------------------------------------------


def test_healthz_answers_while_the_pool_is_exhausted(settings):
    tight = settings.model_copy(
        update={"db_pool_size": 1, "db_pool_overflow": 0, "db_pool_timeout_seconds": 1.0}
    )
    app = create_app(tight)
    held = app.state.engine.connect()  # the pool's only connection
    try:
        with serve(app, name="exhausted") as base_url:
            started = time.monotonic()
            assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
            assert time.monotonic() - started < 2
            page = httpx.get(f"{base_url}/login", timeout=30)
            assert page.status_code == 503
            assert "Tjenesten er opptatt" in page.text
            assert page.headers["retry-after"]
    finally:
        held.close()
        app.state.engine.dispose()


def test_requests_beyond_the_door_wait_then_get_the_busy_page(settings):
    """More requests than the pool has connections wait at the door, not in the pool."""
    tight = settings.model_copy(
        update={"db_pool_size": 1, "db_pool_overflow": 0, "busy_wait_seconds": 0.5}
    )
    app = create_app(tight)
    release = threading.Event()
    entered = threading.Event()

    @app.get("/_test/slow", dependencies=[])
    def slow() -> dict[str, str]:
        entered.set()
        release.wait(10)
        return {"done": "yes"}

    try:
        with serve(app, name="door") as base_url, ThreadPoolExecutor(1) as pool:
            first = pool.submit(httpx.get, f"{base_url}/_test/slow", timeout=30)
            assert entered.wait(10)
            busy = httpx.get(f"{base_url}/login", timeout=30)
            assert busy.status_code == 503
            assert "Tjenesten er opptatt" in busy.text
            assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
            release.set()
            assert first.result(timeout=30).status_code == 200
            assert httpx.get(f"{base_url}/login", timeout=30).status_code == 200
    finally:
        release.set()
        app.state.engine.dispose()


def test_a_slow_upload_holds_no_slot_while_its_body_trickles_in(settings):
    """A body is received before the request asks for a slot: with a pool of one, a form
    whose body is still on its way keeps nobody else at the door."""
    tight = settings.model_copy(
        update={"db_pool_size": 1, "db_pool_overflow": 0, "busy_wait_seconds": 0.5}
    )
    app = create_app(tight)
    body = b"x" * 200_000
    try:
        with serve(app, name="slow-upload") as base_url:
            host, port = base_url.removeprefix("http://").split(":")
            with socket.create_connection((host, int(port)), timeout=30) as slow:
                slow.sendall(
                    b"POST /report HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body[:1000]
                )
                time.sleep(0.2)  # the first bytes are in; the rest has not come
                for _ in range(3):  # each would have waited 0.5 s at the door and got 503
                    assert httpx.get(f"{base_url}/login", timeout=30).status_code == 200
                slow.sendall(body[1000:])
                answer = slow.recv(200)
            # The upload, once whole, was read by the app: refused for its missing CSRF
            # token, not lost and not 503.
            assert answer.startswith(b"HTTP/1.1 403"), answer
            assert httpx.get(f"{base_url}/login", timeout=30).status_code == 200
    finally:
        app.state.engine.dispose()


def _unreachable(settings: Settings, tmp_path: Path) -> tuple[Settings, Callable[[], None]]:
    """Settings whose database cannot be reached, and how to make it reachable again."""
    if settings.is_sqlite:
        # A folder where the database file should be: SQLite cannot open it.
        path = tmp_path / "later.db"
        path.mkdir()

        def repair() -> None:
            path.rmdir()
            from hms_tracker.migrate import upgrade

            upgrade(f"sqlite:///{path}")

        return settings.model_copy(update={"database_url": f"sqlite:///{path}"}), repair
    url = sa.engine.make_url(settings.resolved_database_url)
    missing = url.set(database=url.database + "_later")

    def create() -> None:
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{missing.database}"'))
        admin.dispose()
        from hms_tracker.migrate import upgrade

        upgrade(missing.render_as_string(hide_password=False))

    return settings.model_copy(
        update={"database_url": missing.render_as_string(hide_password=False)}
    ), create


@pytest.fixture
def unreachable(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, Callable]]:
    bad, repair = _unreachable(settings, tmp_path)
    yield bad, repair
    if not settings.is_sqlite:
        url = sa.engine.make_url(bad.resolved_database_url)
        admin = sa.create_engine(
            sa.engine.make_url(settings.resolved_database_url), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": url.database},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        admin.dispose()


def test_pages_answer_503_while_the_database_is_unreachable_then_recover(unreachable):
    bad, repair = unreachable
    app = create_app(bad)
    try:
        with serve(app, name="no-database") as base_url:
            for path in ("/login", "/report", "/deviations"):
                r = httpx.get(f"{base_url}{path}", timeout=30, cookies={"hms_session": "x"})
                assert r.status_code == 503, (path, r.status_code)
                assert "Tjenesten er opptatt" in r.text
            assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
            assert httpx.get(f"{base_url}/readyz", timeout=30).status_code == 503
            repair()
            assert httpx.get(f"{base_url}/readyz", timeout=30).status_code == 200
            assert httpx.get(f"{base_url}/login", timeout=30).status_code == 200
    finally:
        app.state.engine.dispose()


@contextmanager
def _hung_postgres() -> Iterator[int]:
    """A server on a local port that accepts connections and never answers (a hung
    database: the TCP connection is made, PostgreSQL's handshake never comes)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def test_pages_answer_503_in_bounded_time_while_the_database_hangs(tmp_path):
    with _hung_postgres() as port:
        hung = Settings(
            database_url=f"postgresql://postgres@127.0.0.1:{port}/hms",
            secret_key="test-secret-key-not-for-production",
            var_dir=tmp_path / "var",
            db_connect_timeout_seconds=2,
        )
        app = create_app(hung)
        try:
            with serve(app, name="hung-database") as base_url:
                started = time.monotonic()
                for path in ("/login", "/deviations"):
                    r = httpx.get(f"{base_url}{path}", timeout=30, cookies={"hms_session": "x"})
                    assert r.status_code == 503, (path, r.status_code)
                    assert "Tjenesten er opptatt" in r.text
                assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
                assert httpx.get(f"{base_url}/readyz", timeout=30).status_code == 503
                # Each answer waited for the connect timeout at most, not for ever.
                assert time.monotonic() - started < 25
        finally:
            app.state.engine.dispose()


def test_a_statement_blocked_by_a_lock_is_cancelled_and_the_page_answers_503(postgres_url):
    """PostgreSQL: a query that does not answer (here: waiting for a lock held elsewhere)
    is cancelled after `db_statement_timeout_seconds`; the page answers 503, the server
    keeps serving, and the same page answers 200 once the lock is gone."""
    settings = Settings(
        database_url=postgres_url,
        secret_key="test-secret-key-not-for-production",
        db_statement_timeout_seconds=1,
    )
    locker = sa.create_engine(settings.resolved_database_url)
    app = create_app(settings)
    try:
        with serve(app, name="locked") as base_url:
            with locker.connect() as conn:
                trans = conn.begin()
                conn.execute(sa.text("LOCK TABLE department IN ACCESS EXCLUSIVE MODE"))
                started = time.monotonic()
                r = httpx.get(f"{base_url}/report", timeout=30)
                assert r.status_code == 503, r.status_code
                assert time.monotonic() - started < 15
                assert httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200
                trans.rollback()
            assert httpx.get(f"{base_url}/report", timeout=30).status_code == 200
    finally:
        app.state.engine.dispose()
        locker.dispose()
