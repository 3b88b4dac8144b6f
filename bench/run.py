"""Page latency against the floor, and concurrent load, on SQLite and PostgreSQL.

    bench/run [--scale large|medium|demo] [--databases sqlite,postgresql] [--rounds N]
              [--sqlite-db PATH] [--postgres-url URL] [--output FILE]
    make bench BENCH_ARGS="..."

For each database the app is served as in production, one uvicorn worker without access log,
from `bench/floor.py`: the app plus one page, /_bench/floor, that renders `base.html` with a
50-row table and touches no database (the floor). Then, against that one server:

1. interleaved rounds: each round requests the floor and every key page once, in an order
   shuffled per round (fixed seed), after warm-up rounds; per page p50, p95, p50 / floor p50
   and the largest body. The pages are read as the coordinator (koordinator@example.com),
   /report anonymously. An answer other than 200 is an error and is shown;
2. 50 logged-in readers on /deviations for 20 s (wrk when installed, else httpx threads);
3. 50 anonymous reporters for 30 s, each with its own client: GET /report, fill in the form
   it returns, POST it. Every report has a unique title; afterwards the database is asked
   which were stored, and each answer is compared with it (lost: answered as filed but not
   stored, or stored but answered with an error).

Data: a fresh database (a temporary SQLite file; PostgreSQL `hms_bench`, dropped and created)
migrated and loaded with `hms-tracker demo --scale SCALE`, or an already loaded one given by
--sqlite-db / --postgres-url. Such a database is only read, apart from what using the app
writes: the coordinator's login (a session row, the last-login time) and the anonymous
reports of step 3, which stay in it (their titles start with "Benk").

The results go to bench/RESULTS.md (or --output): the machine, the data, the figures and which
targets are met. The exit status is 0 when the run completed, whatever the figures; non-zero
when it could not run (a server that does not start, a login that fails, no database).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
COORDINATOR = "koordinator@example.com"
DEMO_PASSWORD = "demo-passord"
SESSION_COOKIE = "hms_session"
FLOOR_PATH = "/_bench/floor"  # bench/floor.py
DEFAULT_PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
FRESH_PG_DATABASE = "hms_bench"
AUDIT_PAGE_SIZE_FALLBACK = 50
DEEP_AUDIT_PAGE = 20_000
SEED = 2024
KIB = 1024

# Targets at large scale, both databases, and the product's goal beyond them.
RATIO_TARGET = 3.0
P95_TARGET_MS = 100.0
BODY_TARGET_BYTES = 200 * KIB
RATIO_GOAL = 1.5
P95_GOAL_MS = 50.0

COUNTED_TABLES = (
    "person",
    "department",
    "app_user",
    "deviation",
    "corrective_action",
    "deviation_comment",
    "training_record",
    "routine",
    "routine_version",
    "routine_acknowledgement",
    "risk",
    "audit_event",
)
OPEN_STATUSES = ("registered", "in_progress", "actions")
# Pages that only some versions of the app have: measured when the route exists.
OPTIONAL_PAGES = ("/barometer", "/amu")
NO_ANSWER = 0  # the status recorded when no answer came (connection closed, timeout)


def say(message: str) -> None:
    print(message, flush=True)


class RunFailed(Exception):
    """The run itself could not go on (not a missed target)."""


# --- databases -----------------------------------------------------------------------------


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    url: str  # for HMS_DATABASE_URL
    preloaded: bool
    sqlite_path: Path | None = None

    @property
    def label(self) -> str:
        return "SQLite" if self.kind == "sqlite" else "PostgreSQL"

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement (placeholders written `?`)."""
        if self.kind == "sqlite":
            assert self.sqlite_path is not None
            db = sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=30)
            try:
                return list(db.execute(sql, tuple(params)).fetchall())
            finally:
                db.close()
        import psycopg

        with psycopg.connect(libpq_url(self.url)) as conn:
            conn.read_only = True  # BEGIN READ ONLY
            return list(conn.execute(sql.replace("?", "%s"), tuple(params)).fetchall())  # type: ignore[arg-type]

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def version(self) -> str:
        if self.kind == "sqlite":
            return f"SQLite {sqlite3.sqlite_version}"
        text = str(self.scalar("SELECT version()"))
        return text.split(" on ")[0].split(",")[0]


def libpq_url(url: str) -> str:
    """postgresql+psycopg://… (SQLAlchemy) as postgresql://… (libpq)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def server_env(database: Database, var_dir: Path, secret_key: str) -> dict[str, str]:
    """The environment without any HMS_ setting of the caller, plus the bench's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HMS_")}
    env.update(
        HMS_DATABASE_URL=database.url,
        HMS_VAR_DIR=str(var_dir),
        HMS_SECRET_KEY=secret_key,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")])),
    )
    return env


def cli(env: dict[str, str], *args: str) -> None:
    """`hms-tracker ARGS`, its output shown as it comes."""
    say(f"$ hms-tracker {' '.join(args)}")
    done = subprocess.run([sys.executable, "-m", "hms_tracker.cli", *args], env=env, cwd=REPO)
    if done.returncode != 0:
        raise RunFailed(f"hms-tracker {' '.join(args)} failed (exit status {done.returncode})")


def load_fresh(database: Database, env: dict[str, str], scale: str) -> None:
    started = time.monotonic()
    cli(env, "migrate")
    cli(env, "demo", *([] if scale == "demo" else ["--scale", scale]))
    say(f"{database.label}: loaded in {time.monotonic() - started:.0f} s")


def fresh_postgres(server_url: str) -> str:
    """Drop and create the database `hms_bench` on the server; its URL."""
    import psycopg

    base = libpq_url(server_url).rstrip("/")
    admin = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    try:
        with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {FRESH_PG_DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {FRESH_PG_DATABASE}")
    except psycopg.Error as exc:
        raise RunFailed(f"cannot create {FRESH_PG_DATABASE} on {admin}: {exc}") from exc
    return f"{admin}/{FRESH_PG_DATABASE}"


def check_migrated(database: Database) -> None:
    """The server is started with uvicorn, not `hms-tracker serve`: the same check here."""
    from sqlalchemy import create_engine

    from hms_tracker.config import normalise_database_url
    from hms_tracker.migrate import current_revision, head_revision

    engine = create_engine(normalise_database_url(database.url))
    try:
        current = current_revision(engine)
    except Exception as exc:
        raise RunFailed(f"{database.label}: cannot read the database: {exc}") from exc
    finally:
        engine.dispose()
    head = head_revision()
    if current != head:
        raise RunFailed(
            f"{database.label}: the database is at migration {current or 'none'}, the app at "
            f"{head}; migrate it first (hms-tracker migrate)"
        )


def source_fingerprint() -> str:
    """A short hash of the app's code, templates and migrations as they are on disk now:
    tells whether they changed between or during the runs (the server reads templates
    when they change; `git describe --dirty` would not show an edit in progress)."""
    digest = hashlib.sha256()
    for top in ("src", "templates", "migrations"):
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".txt", ".po", ".css", ".js"):
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def table_counts(database: Database) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for table in COUNTED_TABLES:
        try:
            counts[table] = int(database.scalar(f"SELECT count(*) FROM {table}"))
        except Exception:  # a table this version of the app does not have
            counts[table] = None
    return counts


# --- the pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    path: str
    client: str  # "floor", "coordinator" or "anonymous"

    @property
    def is_floor(self) -> bool:
        return self.client == "floor"


def app_get_paths() -> set[str]:
    """The GET paths of the app's route table (routers included, at any depth)."""
    from hms_tracker.app import create_app
    from hms_tracker.config import Settings

    with tempfile.TemporaryDirectory(prefix="hms-bench-routes-") as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/none.db", secret_key="routes", var_dir=Path(tmp)
        )
        app = create_app(settings)
        paths: set[str] = set()

        def walk(routes: Sequence[Any]) -> None:
            for route in routes:
                inner = getattr(route, "original_router", None)
                if inner is not None:
                    walk(inner.routes)
                elif "GET" in (getattr(route, "methods", None) or ()):
                    paths.add(route.path)

        walk(app.routes)
        app.state.engine.dispose()
        return paths


def search_word(database: Database) -> str:
    """A word that occurs in deviation titles: the most common one of 5 letters or more."""
    titles = database.query("SELECT title FROM deviation ORDER BY id LIMIT 3000")
    words: Counter[str] = Counter()
    for (title,) in titles:
        words.update(w.lower() for w in re.findall(r"[^\W\d_]{5,}", str(title)))
    if not words:
        raise RunFailed(f"{database.label}: no deviations to search for")
    return words.most_common(1)[0][0]


def audit_page_size() -> int:
    try:
        from hms_tracker.audit.service import PAGE_SIZE

        return int(PAGE_SIZE)
    except (ImportError, AttributeError):
        return AUDIT_PAGE_SIZE_FALLBACK


def deep_audit_cursor(database: Database, newer: int) -> str | None:
    """The audit trail's position after `newer` events, newest first: what the page's
    «Eldre» links carry (the trail is paged by position, not by number). None for a
    commit from before that (its deep page is asked by number)."""
    try:
        from hms_tracker.web.pagination import encode_cursor
    except ImportError:
        return None
    rows = database.query(
        "SELECT occurred_at, id FROM audit_event ORDER BY occurred_at DESC, id DESC "
        "LIMIT 1 OFFSET ?",
        (max(newer - 1, 0),),
    )
    if not rows:
        return None
    when, row_id = rows[0]
    if isinstance(when, str):  # SQLite keeps UTC without a zone
        when = datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return encode_cursor(when, int(row_id))


def key_pages(database: Database, get_paths: set[str]) -> tuple[list[Page], dict[str, str]]:
    """The floor, the key pages with ids picked from the data, and what was picked."""
    open_deviation = database.scalar(
        "SELECT d.id FROM deviation d LEFT JOIN deviation_comment c ON c.deviation_id = d.id "
        f"WHERE d.status IN ({', '.join('?' for _ in OPEN_STATUSES)}) "
        "GROUP BY d.id ORDER BY count(c.id) DESC, d.id DESC LIMIT 1",
        OPEN_STATUSES,
    )
    routine = database.scalar(
        "SELECT r.id FROM routine r JOIN routine_version v ON v.routine_id = r.id "
        "WHERE r.archived_on IS NULL GROUP BY r.id ORDER BY count(v.id) DESC, r.id LIMIT 1"
    )
    if open_deviation is None or routine is None:
        raise RunFailed(f"{database.label}: no open deviation or no routine in the data")
    word = search_word(database)
    audit_events = int(database.scalar("SELECT count(*) FROM audit_event"))
    last_audit_page = max(1, -(-audit_events // audit_page_size()))
    deep_page = DEEP_AUDIT_PAGE if last_audit_page >= DEEP_AUDIT_PAGE else last_audit_page
    deep_cursor = deep_audit_cursor(database, (deep_page - 1) * audit_page_size())
    picked = {
        "open deviation": f"#{open_deviation} (the open one with the most comments)",
        "routine": f"#{routine} (the live one with the most versions)",
        "search word": f"«{word}» (the commonest word of 5+ letters in the first titles)",
        "audit page": f"{deep_page} of {last_audit_page} (the trail's position after "
        f"{(deep_page - 1) * audit_page_size():,} newer events, as its «Eldre» links write it)",
    }
    coordinator = [
        "/",
        "/people",
        "/deviations",
        "/deviations?status=open&sort=risk",
        f"/deviations?q={word}",
        f"/deviations/{open_deviation}",
        "/deviations/stats",
        "/gaps",
        "/training",
        "/routines",
        f"/routines/{routine}",
        "/my/reading",
        "/risks",
        "/risks/matrix",
        "/appointments",
        "/audit",
        f"/audit?before={deep_cursor}" if deep_cursor else f"/audit?page={deep_page}",
        *(path for path in OPTIONAL_PAGES if path in get_paths),
    ]
    pages = [Page(FLOOR_PATH, "floor")]
    pages += [Page(path, "coordinator") for path in coordinator]
    pages.append(Page("/report", "anonymous"))
    return pages, picked


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """uvicorn on bench/floor.py, one worker, no access log; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.floor:create_app",
        "--factory",
        "--workers",
        "1",
        "--no-access-log",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RunFailed(f"the server stopped:\n{log_path.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RunFailed(f"no answer on /healthz within 60 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        say(f"server up at {base} (pid {server.pid}): {shlex.join(command[2:])}")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class ServerLog:
    """What the server log tells of trouble: exceptions (by their last line), busy answers
    (admission), other error lines, and the first traceback in full."""

    exceptions: Counter[str] = field(default_factory=Counter)
    busy: Counter[str] = field(default_factory=Counter)  # "METHOD /path" -> busy answers
    # "METHOD /path: reason" -> answers 503 because the database refused (web/errors.py)
    unavailable: Counter[str] = field(default_factory=Counter)
    other_errors: Counter[str] = field(default_factory=Counter)
    first_traceback: list[str] = field(default_factory=list)

    @property
    def troubled(self) -> bool:
        return bool(self.exceptions or self.busy or self.unavailable or self.other_errors)


LOG_LEVELS = ("INFO", "WARNING", "ERROR", "CRITICAL", "DEBUG")
BUSY_LINE = re.compile(r"busy: (\S+ \S+) waited")  # web/admission.py
UNAVAILABLE_LINE = re.compile(r"database unavailable for (\S+ \S+): (.*)")  # web/errors.py
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(: |$)")


def read_server_log(log_path: Path) -> ServerLog:
    lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    log = ServerLog()
    block: list[str] = []

    def close_block() -> None:
        if not block:
            return
        # The exception's own line: "module.Name: message" (not "[SQL: …]", "(Background…").
        named = [line for line in block if EXCEPTION_LINE.match(line)]
        log.exceptions[(named[-1] if named else block[-1])[:300]] += 1
        if not log.first_traceback:
            log.first_traceback = block[:] if len(block) <= 40 else block[:5] + block[-35:]
        block.clear()

    for line in lines:
        if line.startswith("Traceback (most recent call last)"):
            close_block()
            block.append(line)
        elif block and not line.startswith(LOG_LEVELS):
            block.append(line)
        else:
            close_block()
            if match := BUSY_LINE.search(line):
                log.busy[match.group(1)] += 1
            elif match := UNAVAILABLE_LINE.search(line):
                log.unavailable[f"{match.group(1)}: {match.group(2)[:200]}"] += 1
            elif line.startswith(("ERROR", "CRITICAL")) and "Exception in ASGI" not in line:
                log.other_errors[line] += 1
    close_block()
    return log


def csrf_from(text: str) -> str | None:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    return match.group(1) if match else None


def settle(client: httpx.Client, limit_seconds: float = 60) -> None:
    """Wait until the server has worked off what a load run left: wrk stops with a request
    in flight on each connection, and those still queue at the admission door (and may end
    as busy pages nobody reads). The floor passes the same door, so it is quick only when
    no queue is left."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            client.get(FLOOR_PATH)
        if time.perf_counter() - t0 < 0.1:
            return
        time.sleep(0.5)


def login(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login")
    token = csrf_from(page.text)
    if page.status_code != 200 or token is None:
        raise RunFailed(f"no login form at /login (status {page.status_code})")
    response = client.post(
        "/login", data={"email": COORDINATOR, "password": DEMO_PASSWORD, "csrf_token": token}
    )
    if response.status_code != 303 or SESSION_COOKIE not in client.cookies:
        raise RunFailed(f"login as {COORDINATOR} failed (status {response.status_code})")
    return client


# --- 1. interleaved rounds ------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between the closest ranks (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class PageResult:
    page: Page
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    no_answer: Counter[str] = field(default_factory=Counter)  # exception names, warm-up too
    max_body: int = 0

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200)

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)


def interleaved(
    pages: list[Page], clients: dict[str, httpx.Client], rounds: int, warmup: int
) -> list[PageResult]:
    rng = random.Random(SEED)
    results = {page: PageResult(page) for page in pages}
    total = warmup + rounds
    started = time.monotonic()
    for number in range(total):
        order = pages[:]
        rng.shuffle(order)
        for page in order:
            t0 = time.perf_counter()
            try:
                response = clients[page.client].get(page.path)
                status, size = response.status_code, len(response.content)
            except httpx.HTTPError as exc:
                status, size = NO_ANSWER, 0
                results[page].no_answer[type(exc).__name__] += 1
            elapsed = (time.perf_counter() - t0) * 1000
            if number < warmup:
                continue
            result = results[page]
            result.latencies_ms.append(elapsed)
            result.statuses[status] += 1
            result.max_body = max(result.max_body, size)
        done = number + 1
        if done in (warmup, total) or (done > warmup and (done - warmup) % 10 == 0):
            kind = "warm-up" if done <= warmup else "measured"
            say(f"  round {done}/{total} ({kind}), {time.monotonic() - started:.0f} s")
    return list(results.values())


# --- 2. readers -----------------------------------------------------------------------------


@dataclass
class LoadResult:
    tool: str
    clients: int
    seconds: float
    requests: int = 0
    p50_ms: float = float("nan")
    p90_ms: float = float("nan")
    p95_ms: float = float("nan")
    p99_ms: float = float("nan")
    max_ms: float = float("nan")
    bad_status: int = 0  # non-2xx/3xx answers
    not_200: int = 0  # answers other than 200 (a redirect to /login is one)
    socket_errors: dict[str, int] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    raw: str = ""

    @property
    def errors(self) -> int:
        return self.not_200 + sum(self.socket_errors.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


WRK_SCRIPT = """
-- Counts answers other than 200 (wrk itself counts only those above 399, so a redirect to
-- the login page would pass) and prints one summary line for bench/run.py.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not200 = 0 end
function response(status, headers, body)
  if status ~= 200 then not200 = not200 + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, thread in ipairs(threads) do n = n + (thread:get("not200") or 0) end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "not200=%d p50=%d p90=%d p95=%d p99=%d max=%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, n,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def readers_wrk(
    wrk: str, url: str, cookie: str, clients: int, seconds: int, tmp: Path
) -> LoadResult:
    script = tmp / "summary.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        wrk,
        "-t2",
        f"-c{clients}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",
        "-s",
        str(script),
        "-H",
        f"Cookie: {SESSION_COOKIE}={cookie}",
        url,
    ]
    say("$ " + shlex.join(command).replace(cookie, "…"))
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    output = done.stdout + done.stderr
    say(output.rstrip())
    match = re.search(r"^BENCH (.*)$", output, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RunFailed(f"wrk failed (exit status {done.returncode}):\n{output}")
    values = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    return LoadResult(
        tool="wrk",
        clients=clients,
        seconds=values["duration_us"] / 1e6,
        requests=values["requests"],
        p50_ms=values["p50"] / 1000,
        p90_ms=values["p90"] / 1000,
        p95_ms=values["p95"] / 1000,
        p99_ms=values["p99"] / 1000,
        max_ms=values["max"] / 1000,
        bad_status=values["status"],
        not_200=values["not200"],
        socket_errors={k: values[k] for k in ("connect", "read", "write", "timeout")},
        raw="\n".join(line for line in output.splitlines() if not line.startswith("BENCH")),
    )


def readers_httpx(base: str, path: str, cookie: str, clients: int, seconds: int) -> LoadResult:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def reader() -> None:
        own: list[float] = []
        own_statuses: Counter[int] = Counter()
        own_failures: Counter[str] = Counter()
        with httpx.Client(base_url=base, timeout=30, cookies={SESSION_COOKIE: cookie}) as client:
            while time.monotonic() < deadline:
                t0 = time.perf_counter()
                try:
                    response = client.get(path)
                    own_statuses[response.status_code] += 1
                    own.append((time.perf_counter() - t0) * 1000)
                except httpx.TimeoutException:
                    own_failures["timeout"] += 1
                except httpx.HTTPError:
                    own_failures["connect/read"] += 1
        with lock:
            latencies.extend(own)
            statuses.update(own_statuses)
            failures.update(own_failures)

    say(f"httpx: {clients} threads on {path} for {seconds} s (wrk not found)")
    started = time.monotonic()
    threads = [threading.Thread(target=reader) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(
        tool="httpx threads",
        clients=clients,
        seconds=time.monotonic() - started,
        requests=sum(statuses.values()),
        p50_ms=percentile(latencies, 50),
        p90_ms=percentile(latencies, 90),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        max_ms=max(latencies, default=float("nan")),
        bad_status=sum(n for s, n in statuses.items() if not 200 <= s < 400),
        not_200=sum(n for s, n in statuses.items() if s != 200),
        socket_errors=dict(failures),
        statuses=statuses,
    )


# --- 3. anonymous reporters -------------------------------------------------------------------


class ReportFormParser(HTMLParser):
    """The fields of the anonymous report form (<form action="/report">) as a browser sees
    them: hidden inputs, prefilled values, the options of each select and radio group."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.select: str | None = None
        self.values: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.in_form = a.get("action") == "/report" and a.get("method", "").lower() == "post"
        if not self.in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                self.options.setdefault(name, []).append(a.get("value", "on"))
            elif kind != "file":
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self.select = name
            self.options.setdefault(name, [])
        elif tag == "option" and self.select and a.get("value"):
            self.options[self.select].append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None


def report_form_data(html: str, title: str, rng: random.Random) -> dict[str, str] | None:
    """A valid anonymous report, filled in from the form; None when the page has no form."""
    parser = ReportFormParser()
    parser.feed(html)
    data = dict(parser.values)  # csrf_token, occurred_at (prefilled: now) and the rest
    if "csrf_token" not in data:
        return None
    options = parser.options
    for required in ("department_id", "category", "consequence", "probability"):
        if not options.get(required):
            return None
    data.update(
        title=title,
        description="Testmelding fra bench/run.py (ytelsesmåling). Kan slettes.",
        department_id=rng.choice(options["department_id"]),
        category="hazard" if "hazard" in options["category"] else options["category"][0],
        consequence=rng.choice(options["consequence"]),
        probability=rng.choice(options["probability"]),
        place="Lager",
        immediate_action="",
    )
    data.pop("routine_id", None)
    return data


@dataclass
class Attempt:
    title: str
    status: int | None  # None: no answer (timeout, connection error)
    latency_ms: float


@dataclass
class ReportResult:
    clients: int
    seconds: float
    marker: str
    attempts: list[Attempt]
    form_failures: Counter[str]
    stored: Counter[str]  # title -> rows
    stored_anonymous: int
    rows_before: int
    rows_after: int

    @property
    def answered(self) -> Counter[str]:
        return Counter(status_label(a.status) for a in self.attempts)

    @property
    def filed(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == 303]

    @property
    def refused_rate_limit(self) -> int:
        return sum(1 for a in self.attempts if a.status == 429)

    @property
    def errors(self) -> int:
        """Answers that are neither "filed" (303) nor a rate-limit refusal (429), plus
        failures to get the form."""
        bad = sum(1 for a in self.attempts if a.status not in (303, 429))
        return bad + sum(self.form_failures.values())

    @property
    def lost(self) -> int:
        return len(self.filed_not_stored) + len(self.stored_not_filed)

    @property
    def filed_not_stored(self) -> list[str]:
        return [a.title for a in self.filed if a.title not in self.stored]

    @property
    def stored_not_filed(self) -> list[str]:
        return [a.title for a in self.attempts if a.status != 303 and a.title in self.stored]

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.stored.values() if n > 1)


def status_label(status: int | None) -> str:
    return "no answer" if status is None else str(status)


def reporters(database: Database, base: str, clients: int, seconds: int) -> ReportResult:
    marker = f"Benk {datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    rows_before = int(database.scalar("SELECT count(*) FROM deviation"))
    attempts: list[Attempt] = []
    form_failures: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def reporter(worker: int) -> None:
        rng = random.Random(SEED + worker)
        own: list[Attempt] = []
        own_failures: Counter[str] = Counter()
        with httpx.Client(base_url=base, timeout=60) as client:
            number = 0
            while time.monotonic() < deadline:
                number += 1
                try:
                    page = client.get("/report")
                except httpx.HTTPError as exc:
                    own_failures[f"GET /report: {type(exc).__name__}"] += 1
                    continue
                if page.status_code != 200:
                    own_failures[f"GET /report: {page.status_code}"] += 1
                    continue
                title = f"{marker} {worker:02d}-{number:05d}"
                data = report_form_data(page.text, title, rng)
                if data is None:
                    own_failures["GET /report: no complete form"] += 1
                    continue
                # As a browser sends the form: multipart, with an empty file part.
                files = {"files": ("", b"", "application/octet-stream")}
                t0 = time.perf_counter()
                status: int | None
                try:
                    status = client.post("/report", data=data, files=files).status_code
                except httpx.HTTPError:
                    status = None
                own.append(Attempt(title, status, (time.perf_counter() - t0) * 1000))
        with lock:
            attempts.extend(own)
            form_failures.update(own_failures)

    say(f"{clients} anonymous reporters for {seconds} s (titles «{marker} …»)")
    started = time.monotonic()
    threads = [threading.Thread(target=reporter, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    rows = database.query(
        "SELECT title, count(*), sum(CASE WHEN anonymous AND reporter_person_id IS NULL "
        "THEN 1 ELSE 0 END) FROM deviation WHERE title LIKE ? GROUP BY title",
        [marker + " %"],
    )
    return ReportResult(
        clients=clients,
        seconds=elapsed,
        marker=marker,
        attempts=attempts,
        form_failures=form_failures,
        stored=Counter({str(title): int(n) for title, n, _ in rows}),
        stored_anonymous=sum(int(anon or 0) for _, _, anon in rows),
        rows_before=rows_before,
        rows_after=int(database.scalar("SELECT count(*) FROM deviation")),
    )


# --- one database ----------------------------------------------------------------------------


@dataclass
class DatabaseRun:
    database: Database
    version: str
    counts: dict[str, int | None]
    picked: dict[str, str]
    pages: list[PageResult]
    readers: LoadResult | None
    reports: ReportResult | None
    server_log: ServerLog
    load: tuple[float, float]  # 1-minute load average before and after
    source: tuple[str, str]  # source_fingerprint() before and after

    @property
    def floor(self) -> PageResult:
        return next(r for r in self.pages if r.page.is_floor)

    @property
    def key_pages(self) -> list[PageResult]:
        return [r for r in self.pages if not r.page.is_floor]


def run_database(database: Database, args: argparse.Namespace, tmp: Path) -> DatabaseRun:
    say(f"\n== {database.label}: {database.url}")
    load_before = os.getloadavg()[0]
    source_before = source_fingerprint()
    check_migrated(database)
    counts = table_counts(database)
    say("  " + ", ".join(f"{t} {n:,}" for t, n in counts.items() if n is not None))
    pages, picked = key_pages(database, app_get_paths())
    for what, value in picked.items():
        say(f"  {what}: {value}")
    env = server_env(database, tmp / f"var-{database.kind}", secrets.token_urlsafe(32))
    log_path = tmp / f"server-{database.kind}.log"
    with running_server(env, log_path) as base:
        coordinator = login(base)
        anonymous = httpx.Client(base_url=base, timeout=60)
        floor = httpx.Client(base_url=base, timeout=60)
        clients = {"coordinator": coordinator, "anonymous": anonymous, "floor": floor}
        try:
            say(f"interleaved: {len(pages)} pages × {args.rounds} rounds after {args.warmup}")
            results = interleaved(pages, clients, args.rounds, args.warmup)
            floor_p50 = next(r for r in results if r.page.is_floor).p50
            for r in results:
                errors = ""
                if r.errors:
                    answers = {status_label(s or None): n for s, n in r.statuses.items()}
                    errors = f"  ERRORS {answers} {dict(r.no_answer) if r.no_answer else ''}"
                say(
                    f"  {r.page.path:<40} p50 {r.p50:7.1f}  p95 {r.p95:7.1f} ms  "
                    f"×{r.p50 / floor_p50:5.2f}  {size(r.max_body):>10}{errors}"
                )
            readers = None
            if args.readers_seconds > 0:
                cookie = coordinator.cookies[SESSION_COOKIE]
                wrk = shutil.which("wrk")
                if wrk:
                    readers = readers_wrk(
                        wrk, base + "/deviations", cookie, args.clients, args.readers_seconds, tmp
                    )
                else:
                    readers = readers_httpx(
                        base, "/deviations", cookie, args.clients, args.readers_seconds
                    )
                say(
                    f"  readers: {readers.requests} requests, {readers.per_second:.1f}/s, "
                    f"p50 {readers.p50_ms:.0f} ms, p95 {readers.p95_ms:.0f} ms, "
                    f"errors {readers.errors}"
                )
            reports = None
            if args.reporters_seconds > 0:
                settle(floor)
                reports = reporters(database, base, args.clients, args.reporters_seconds)
                say(
                    f"  reporters: {len(reports.attempts)} posted, answers "
                    f"{dict(reports.answered)}, form failures {dict(reports.form_failures)}, "
                    f"stored {sum(reports.stored.values())}, lost {reports.lost}"
                )
        finally:
            for client in clients.values():
                client.close()
    server_log = read_server_log(log_path)
    for line, n in server_log.exceptions.most_common():
        say(f"  server log: {n}× {line}")
    for request, n in server_log.busy.items():
        say(f"  server log: {n}× busy page (503) for {request}")
    for request, n in server_log.unavailable.items():
        say(f"  server log: {n}× database unavailable (503) for {request}")
    return DatabaseRun(
        database=database,
        version=database.version(),
        counts=counts,
        picked=picked,
        pages=results,
        readers=readers,
        reports=reports,
        server_log=server_log,
        load=(load_before, os.getloadavg()[0]),
        source=(source_before, source_fingerprint()),
    )


# --- RESULTS.md ------------------------------------------------------------------------------


def size(n: int) -> str:
    return f"{n} B" if n < KIB else f"{n / KIB:.1f} KiB"


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


@dataclass(frozen=True)
class PageVerdict:
    ratio_ok: bool
    p95_ok: bool
    body_ok: bool
    ratio_goal: bool
    p95_goal: bool

    @property
    def met(self) -> int:
        return sum((self.ratio_ok, self.p95_ok, self.body_ok))


def verdict(result: PageResult, floor_p50: float) -> PageVerdict:
    ok = result.errors == 0
    ratio = result.p50 / floor_p50
    return PageVerdict(
        ratio_ok=ok and ratio <= RATIO_TARGET,
        p95_ok=ok and result.p95 < P95_TARGET_MS,
        body_ok=ok and result.max_body <= BODY_TARGET_BYTES,
        ratio_goal=ok and ratio <= RATIO_GOAL,
        p95_goal=ok and result.p95 < P95_GOAL_MS,
    )


@dataclass
class Tally:
    met: int = 0
    total: int = 0
    goal_met: int = 0
    goal_total: int = 0
    misses: list[str] = field(default_factory=list)
    goal_misses: list[str] = field(default_factory=list)


def tally(run: DatabaseRun) -> Tally:
    t = Tally()
    floor_p50 = run.floor.p50
    for r in run.key_pages:
        v = verdict(r, floor_p50)
        t.met += v.met
        t.total += 3
        t.goal_met += v.ratio_goal + v.p95_goal
        t.goal_total += 2
        why = []
        if r.errors:
            why.append(f"{r.errors} errors")
        else:
            ratio = r.p50 / floor_p50
            if not v.ratio_ok:
                why.append(f"p50 {ratio:.2f}× the floor")
            if not v.p95_ok:
                why.append(f"p95 {r.p95:.0f} ms")
            if not v.body_ok:
                why.append(f"body {size(r.max_body)}")
            goal_why = [
                *([f"{ratio:.2f}×"] if not v.ratio_goal else []),
                *([f"p95 {r.p95:.0f} ms"] if not v.p95_goal else []),
            ]
            if goal_why:
                t.goal_misses.append(f"`{r.page.path}` ({', '.join(goal_why)})")
        if why:
            t.misses.append(f"`{r.page.path}` ({', '.join(why)})")
    if run.readers is not None:
        t.total += 1
        if run.readers.errors == 0:
            t.met += 1
        else:
            t.misses.append(f"readers on /deviations ({run.readers.errors} errors)")
    if run.reports is not None:
        t.total += 2
        if run.reports.errors == 0:
            t.met += 1
        else:
            t.misses.append(f"reporters ({run.reports.errors} errors)")
        if run.reports.lost == 0:
            t.met += 1
        else:
            t.misses.append(f"reporters ({run.reports.lost} lost reports)")
    return t


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    memory = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        out = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        wrk_version = (out.stdout + out.stderr).split("\n")[0].split(" Copyright")[0].strip()
    return [
        f"- Machine: {cpus} CPUs (`nproc`), {cpu}, {memory}, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; commit `{commit or 'unknown'}`",
        f"- Load generator: {wrk_version or 'httpx threads (wrk not installed)'}; "
        "client, load generator and server share the CPUs",
    ]


def format_ms(value: float) -> str:
    return f"{value:.1f}"


def page_table(run: DatabaseRun) -> list[str]:
    floor_p50 = run.floor.p50
    lines = [
        "| page | p50 ms | p95 ms | ×floor | body | ≤3× | p95 <100 ms | ≤200 KiB "
        "| goal ≤1.5× | goal p95 <50 ms | errors |",
        "|---|---:|---:|---:|---:|:-:|:-:|:-:|:-:|:-:|---|",
    ]
    for r in run.pages:
        errors = ", ".join(
            f"{n}× {status_label(s or None)}" for s, n in sorted(r.statuses.items()) if s != 200
        )
        if r.no_answer:
            errors += " (" + ", ".join(f"{n}× {e}" for e, n in r.no_answer.items()) + ")"
        if r.page.is_floor:
            lines.append(
                f"| floor (`{r.page.path}`) | {format_ms(r.p50)} | {format_ms(r.p95)} | 1.00 "
                f"| {size(r.max_body)} | | | | | | {errors or '–'} |"
            )
            continue
        v = verdict(r, floor_p50)
        name = f"`{r.page.path}`" + (" (anonymous)" if r.page.client == "anonymous" else "")
        lines.append(
            f"| {name} | {format_ms(r.p50)} | {format_ms(r.p95)} | {r.p50 / floor_p50:.2f} "
            f"| {size(r.max_body)} | {mark(v.ratio_ok)} | {mark(v.p95_ok)} | {mark(v.body_ok)} "
            f"| {mark(v.ratio_goal)} | {mark(v.p95_goal)} | {errors or '–'} |"
        )
    return lines


def readers_lines(readers: LoadResult) -> list[str]:
    socket_errors = ", ".join(f"{k} {v}" for k, v in readers.socket_errors.items()) or "none"
    lines = [
        f"**{readers.clients} logged-in readers on `/deviations`** ({readers.tool}, "
        f"{readers.seconds:.0f} s): {readers.requests} requests, {readers.per_second:.1f}/s; "
        f"latency p50 {readers.p50_ms:.0f} ms, p90 {readers.p90_ms:.0f} ms, "
        f"p95 {readers.p95_ms:.0f} ms, p99 {readers.p99_ms:.0f} ms, max {readers.max_ms:.0f} ms; "
        f"answers other than 200: {readers.not_200} (of which non-2xx/3xx "
        f"{readers.bad_status}); socket errors: {socket_errors}. "
        f"Zero errors: {mark(readers.errors == 0)}",
    ]
    if readers.raw:
        lines += ["", "```", readers.raw.strip(), "```"]
    return lines


def reporters_lines(reports: ReportResult) -> list[str]:
    answered = ", ".join(f"{n}× {s}" for s, n in sorted(reports.answered.items())) or "none"
    latencies = [a.latency_ms for a in reports.attempts if a.status is not None]
    form = ", ".join(f"{n}× {k}" for k, n in reports.form_failures.items()) or "none"
    stored = sum(reports.stored.values())
    lines = [
        f"**{reports.clients} anonymous reporters** ({reports.seconds:.0f} s, titles "
        f"«{reports.marker} …»): {len(reports.attempts)} reports posted "
        f"({len(reports.attempts) / reports.seconds:.1f}/s), POST latency "
        f"p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms, "
        f"max {max(latencies, default=float('nan')):.0f} ms.",
        "",
        f"- Answers to the POST: {answered} (303 = filed, redirected to the receipt; "
        "429 = refused by a rate limit, counted apart and not as an error)",
        f"- Failures to get the form (GET /report): {form}",
        f"- Stored afterwards: {stored} rows with these titles ({reports.stored_anonymous} "
        f"anonymous, without reporter); deviation rows {reports.rows_before:,} before, "
        f"{reports.rows_after:,} after",
        f"- Lost: {reports.lost} ({len(reports.filed_not_stored)} answered 303 but not stored, "
        f"{len(reports.stored_not_filed)} stored but answered otherwise); "
        f"stored twice: {reports.duplicates}",
        f"- Zero errors: {mark(reports.errors == 0)}; zero lost: {mark(reports.lost == 0)}",
    ]
    return lines


def server_log_lines(log: ServerLog) -> list[str]:
    if not log.troubled:
        return ["Server log: no exceptions, errors, busy answers or refusals by the database."]
    lines = ["Server log:", ""]
    lines += [f"- {n}× exception `{line}`" for line, n in log.exceptions.most_common()]
    lines += [f"- {n}× `{line}`" for line, n in log.other_errors.most_common(10)]
    lines += [
        f"- {n}× `{request}` waited too long for a slot: busy page (503)"
        for request, n in log.busy.most_common()
    ]
    lines += [
        f"- {n}× `{request}`: the database refused, answered 503"
        for request, n in log.unavailable.most_common()
    ]
    if log.busy:
        lines.append(
            "  (wrk stops with a request in flight on every connection; the server still "
            "answers those, and their busy pages are counted here, not in wrk's figures)"
        )
    if log.first_traceback:
        lines += ["", "The first traceback:", "", "```", *log.first_traceback, "```"]
    return lines


def results_markdown(
    runs: list[DatabaseRun], args: argparse.Namespace, failure: str | None = None
) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = "bench/run " + shlex.join(sys.argv[1:])
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run` (`bench/run.py`, `make bench`); one run on this machine.",
        "",
        f"- Date: {now}",
        *machine(),
        f"- Command: `{command.strip()}`",
        "- Server: `uvicorn bench.floor:create_app --factory --workers 1 --no-access-log` "
        "(the app plus the floor page, bench/floor.py), default settings (pool 10 + 10)",
    ]
    fingerprints = {f for run in runs for f in run.source}
    if len(fingerprints) > 1:
        changed = "; ".join(f"{run.database.label} {' → '.join(run.source)}" for run in runs)
        lines.insert(
            2,
            "**The source changed while this ran** (src/, templates/, migrations/ fingerprint "
            f"before → after each database: {changed}): the figures of the databases may come "
            "from different code.\n",
        )
    else:
        lines.append(f"- Source fingerprint (src/, templates/, migrations/): {fingerprints.pop()}")
    if failure:
        done = ", ".join(run.database.label for run in runs)
        lines.insert(2, f"**The run failed** after {done}: {failure.splitlines()[0]}\n")
    for run in runs:
        source = "given, already loaded" if run.database.preloaded else f"fresh, `{args.scale}`"
        lines.append(
            f"- {run.database.label}: {run.version}; database {source}; load average (1 min) "
            f"{run.load[0]:.1f} before its run, {run.load[1]:.1f} after"
        )
    if any(run.database.preloaded for run in runs):
        lines.append(
            "- A given database is written to only by using the app: the coordinator's login "
            "(a session row, the last-login time) and the anonymous reports of the "
            "concurrency run, which stay in it (titles starting with «Benk»)."
        )
    lines += ["", "## Data", "", "| table | " + " | ".join(r.database.label for r in runs) + " |"]
    lines.append("|---|" + "---:|" * len(runs))
    for table in COUNTED_TABLES:
        cells = [run.counts.get(table) for run in runs]
        lines.append(
            f"| {table} | " + " | ".join("–" if n is None else f"{n:,}" for n in cells) + " |"
        )
    lines += [
        "",
        "## Targets",
        "",
        f"Every key page: p50 at most {RATIO_TARGET:g}× the floor's p50, p95 under "
        f"{P95_TARGET_MS:g} ms, body at most {BODY_TARGET_BYTES // KIB} KiB; the concurrent "
        f"runs with zero errors and zero lost reports. The product's goal beyond these: "
        f"{RATIO_GOAL:g}× and {P95_GOAL_MS:g} ms (the goal columns).",
        "",
        "The floor is `/_bench/floor`: the same app and middleware rendering `base.html` "
        "(layout of a logged-in administrator) with a 50-row table, no database. Each round "
        "requests the floor and every key page once, shuffled (seed "
        f"{SEED}); {args.rounds} rounds after {args.warmup} warm-up rounds, one request at "
        "a time (httpx, keep-alive). Latency is measured by the client up to the last byte. "
        "Key pages as the coordinator, `/report` anonymously; an answer other than 200 is "
        "an error and fails the page's targets.",
    ]
    for run in runs:
        lines += ["", f"## {run.database.label}", ""]
        lines += [f"- {what}: {value}" for what, value in run.picked.items()]
        lines += ["", *page_table(run), ""]
        if run.readers is not None:
            lines += [*readers_lines(run.readers), ""]
        if run.reports is not None:
            lines += [*reporters_lines(run.reports), ""]
        lines += [*server_log_lines(run.server_log), ""]
    lines += ["## Summary", ""]
    tallies = [(run, tally(run)) for run in runs]
    lines.append(
        "Targets met on "
        + "; ".join(f"{run.database.label}: {t.met} of {t.total}" for run, t in tallies)
        + "."
    )
    lines.append(
        "Product goal (1.5×, p95 50 ms) met on "
        + "; ".join(f"{run.database.label}: {t.goal_met} of {t.goal_total}" for run, t in tallies)
        + "."
    )
    lines.append("")
    for run, t in tallies:
        missed = "; ".join(t.misses) if t.misses else "none"
        lines.append(f"- Missed on {run.database.label}: {missed}")
    for run, t in tallies:
        missed = "; ".join(t.goal_misses) if t.goal_misses else "none"
        lines.append(f"- Short of the goal on {run.database.label}: {missed}")
    lines.append("")
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--scale",
        choices=("large", "medium", "demo"),
        default="large",
        help="data loaded into a fresh database (hms-tracker demo --scale)",
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="which to run, comma-separated"
    )
    parser.add_argument("--sqlite-db", type=Path, help="an already migrated and loaded file")
    parser.add_argument("--postgres-url", help="an already migrated and loaded database")
    parser.add_argument(
        "--postgres-server",
        default=DEFAULT_PG_SERVER,
        help=f"where the fresh database {FRESH_PG_DATABASE} is created (dropped first)",
    )
    parser.add_argument("--rounds", type=int, default=60, help="measured interleaved rounds")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up rounds, not counted")
    parser.add_argument("--clients", type=int, default=50, help="concurrent readers/reporters")
    parser.add_argument("--readers-seconds", type=int, default=20, help="0: no reader run")
    parser.add_argument("--reporters-seconds", type=int, default=30, help="0: no reporter run")
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "RESULTS.md")
    args = parser.parse_args()
    args.kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    unknown = set(args.kinds) - {"sqlite", "postgresql"}
    if unknown or not args.kinds:
        parser.error(f"--databases: sqlite and/or postgresql, not {args.databases!r}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def prepare(kind: str, args: argparse.Namespace, tmp: Path) -> Database:
    if kind == "sqlite":
        if args.sqlite_db:
            path = args.sqlite_db.resolve()
            if not path.is_file():
                raise RunFailed(f"no SQLite database at {path}")
            return Database("sqlite", f"sqlite:///{path}", preloaded=True, sqlite_path=path)
        path = tmp / "bench.db"
        database = Database("sqlite", f"sqlite:///{path}", preloaded=False, sqlite_path=path)
    else:
        if args.postgres_url:
            return Database("postgresql", args.postgres_url, preloaded=True)
        database = Database("postgresql", fresh_postgres(args.postgres_server), preloaded=False)
    say(f"\n== {database.label}: loading a fresh database ({args.scale}) at {database.url}")
    load_fresh(database, server_env(database, tmp / f"var-{kind}", "load"), args.scale)
    return database


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    runs: list[DatabaseRun] = []
    failure: str | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="hms-bench-") as name:
            tmp = Path(name)
            for kind in args.kinds:
                runs.append(run_database(prepare(kind, args, tmp), args, tmp))
    except RunFailed as exc:
        failure = str(exc)
        print(f"bench: {failure}", file=sys.stderr)
    if runs:  # what was measured is written, also when a later database failed
        text = results_markdown(runs, args, failure)
        args.output.write_text(text)
        say(f"\n{text[text.index('## Summary') :]}")
        say(f"Written to {args.output} ({time.monotonic() - started:.0f} s in all)")
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
