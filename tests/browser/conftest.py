"""Browser journeys: Playwright (sync API) driving Debian's Chromium against a live server.

What is shared, and for how long:

- **One browser per test session** (per xdist worker). Each test gets fresh browser
  contexts (cookies, storage) that are closed when it ends.
- **One live server per database backend** (`live`, parametrized `sqlite` / `postgresql`,
  session scope): a migrated database of its own (a SQLite file in a temp folder, or a
  `CREATE DATABASE` on HMS_TEST_POSTGRES_URL dropped at the end), the app from
  `create_app()` served by uvicorn in a background thread on a free port of 127.0.0.1.
- **No cleaning between tests.** The audit log is append-only (on SQLite a trigger refuses
  DELETE), so wiping tables between tests would fight the product. Instead every test
  seeds what it needs with `live.session()` and the factories, whose names and e-mails are
  unique per process (per worker, hence per database), and a journey that searches uses a
  unique token (`unique()`) so that rows left by earlier tests cannot match. Tests must
  therefore never assert on totals ("3 people"), only on their own rows.
- Each backend's journeys are marked as one xdist group, so that under `--dist loadgroup` a
  worker starts the server (and migrates the database) of one backend only. (pytest-xdist
  3.8 with pytest 9.2 ignores the groups: it still rewrites `item._nodeid`, which pytest 9
  no longer reads. The suite does not depend on grouping: databases and ports are per
  worker, so each worker simply starts both servers.)

Every test here is marked `browser`. Chromium, PostgreSQL and axe-core are skipped when
missing, except under CI=true, where a missing one fails the run.

Checks every journey gets without asking:
- a CSP violation or an uncaught script error on any page fails the test (we ship no inline
  script or style; a violation means we broke our own rule);
- a failing test leaves a screenshot of each open page in test-results/<test name>.png.

Helpers for journeys: `login(page, email)`, `check_a11y(page)` (axe-core; fails on serious
and critical violations; call it on every page a journey visits — for a page opened with
JavaScript off it re-reads the same URL with the same cookies in a scripted context, since
axe cannot run without scripts), `has_horizontal_scroll(page)`, `unique()`, and
`browsing.new_page(viewport=PHONE, java_script_enabled=False, ...)` for extra contexts.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hms_tracker.app import create_app
from hms_tracker.config import Settings
from hms_tracker.db import create_db_engine
from hms_tracker.migrate import upgrade
from tests.conftest import PASSWORD, _missing, postgres_database
from tests.live import serve

ROOT = Path(__file__).resolve().parents[2]
RESULTS_DIR = ROOT / "test-results"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HERE = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
BACKENDS = ["sqlite", "postgresql"]

# --- markers, groups and the report a fixture needs for screenshots --------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE not in Path(str(item.path)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("live") if callspec else None
        item.add_marker(pytest.mark.xdist_group(f"browser-{backend or 'any'}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the live server ---------------------------------------------------------------------


@dataclass
class LiveServer:
    backend: str
    base_url: str
    database_url: str
    engine: Engine

    def session(self) -> Session:
        """A direct session on the server's database: seed with the factories, then commit."""
        return Session(self.engine, expire_on_commit=False)


@pytest.fixture(scope="session", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[LiveServer]:
    backend: str = request.param
    tmp = tmp_path_factory.mktemp(f"live-{backend}")
    with ExitStack() as stack:
        if backend == "sqlite":
            database_url = f"sqlite:///{tmp / 'live.db'}"
        else:
            database_url = stack.enter_context(postgres_database(f"hms_browser_{worker_id}"))
        upgrade(database_url)
        settings = Settings(
            database_url=database_url,
            secret_key="browser-test-secret-key-not-for-production",
            var_dir=tmp / "var",
            company_name="Testbedrift AS",
        )
        app = create_app(settings)
        engine = create_db_engine(settings.resolved_database_url)
        try:
            with serve(app, name=f"live-{backend}") as base_url:
                yield LiveServer(backend, base_url, database_url, engine)
        finally:
            engine.dispose()
            app.state.engine.dispose()


@pytest.fixture
def base_url(live: LiveServer) -> str:
    return live.base_url


def unique(prefix: str = "") -> str:
    """A token no other test's rows contain (the databases are shared across tests)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if not executable:
        _missing("Chromium (the `chromium` executable)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


def _is_csp_message(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@dataclass
class PageProblems:
    """What went wrong inside the page's scripts: CSP violations and uncaught errors."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error" and _is_csp_message(message.text):
                self.messages.append(f"CSP violation on {page.url}: {message.text}")

        def on_page_error(error: Any) -> None:
            self.messages.append(f"uncaught script error on {page.url}: {error}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)


class Browsing:
    """The contexts and pages of one test; all closed (after screenshots) when it ends."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.pages: list[Any] = []

    def new_page(self, *, viewport: dict[str, int] | None = None, **context_options: Any) -> Any:
        context = self.browser.new_context(
            viewport=viewport or DESKTOP,
            locale="nb-NO",
            base_url=self.base_url,
            **context_options,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        problems.watch(page)
        page.problems = problems  # read by assert_no_page_problems
        page.browsing = self  # check_a11y opens a scripted twin of a page without JavaScript
        page.javascript_enabled = context_options.get("java_script_enabled", True)
        self.pages.append(page)
        return page

    def screenshot(self, name: str) -> None:
        RESULTS_DIR.mkdir(exist_ok=True)
        for index, page in enumerate(self.pages):
            suffix = "" if index == 0 else f"-{index + 1}"
            try:
                page.screenshot(path=str(RESULTS_DIR / f"{name}{suffix}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the test's own failure
                print(f"screenshot of {page.url} failed: {exc}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def _test_file_name(nodeid: str) -> str:
    name = nodeid.split("::", 1)[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")


@pytest.fixture
def browsing(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Browsing]:
    session = Browsing(browser, base_url)
    yield session
    try:
        report = getattr(request.node, "report_call", None)
        if report is None or report.failed:
            session.screenshot(_test_file_name(request.node.nodeid))
        problems = [m for page in session.pages for m in page.problems.messages]
    finally:
        session.close()
    if report is not None and report.passed:
        assert not problems, "\n".join(problems)


@pytest.fixture
def page(browsing: Browsing) -> Any:
    """A page in a new desktop context (1280×900, nb-NO), base URL set to the live server."""
    return browsing.new_page()


# --- helpers for journeys ----------------------------------------------------------------


def assert_no_page_problems(page: Any) -> None:
    problems = page.problems.messages
    assert not problems, "\n".join(problems)


def login(page: Any, email: str, password: str = PASSWORD) -> None:
    """Log in through the form and wait until the browser has left /login."""
    page.goto("/login")
    form = page.locator('form[action="/login"]')
    form.locator('input[name="email"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    form.get_by_role("button", name=re.compile("^(Logg inn|Log in)$")).click()
    page.wait_for_url(lambda url: "/login" not in url)


_AXE_SOURCE: str | None = None

_RUN_AXE = """async () => {
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error("axe-core did not finish in 30 s")), 30000));
  const result = await Promise.race([axe.run(document, {resultTypes: ["violations"]}), timeout]);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                              summary: n.failureSummary}))
  }));
}"""


def check_a11y(page: Any, *, context: str = "") -> None:
    """Run axe-core on the page as it is now; fail on serious or critical violations.

    axe is injected with page.evaluate (run through the DevTools protocol, not subject to
    the page's CSP), so the app's `script-src 'self'` stays on during the test.
    """
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        if not AXE_JS.exists():
            _missing(f"axe-core ({AXE_JS}; run `npm ci`)")
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    page.wait_for_load_state("load")
    if not page.javascript_enabled:
        # axe needs timers and promises, which do not run with JavaScript off (evaluate would
        # wait forever). Check the same URL, with the same cookies, in a scripted context.
        assert_no_page_problems(page)
        twin = page.browsing.new_page(
            viewport=page.viewport_size, storage_state=page.context.storage_state()
        )
        twin.goto(page.url)
        check_a11y(twin, context=f"{context}, re-read with JavaScript for axe".lstrip(", "))
        return
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_AXE_SOURCE)
    violations = page.evaluate(_RUN_AXE)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    where = f"{page.url}{' (' + context + ')' if context else ''}"
    lines = []
    for v in bad:
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
            lines.append(f"      {node['summary']}".replace("\n", "\n      "))
    if bad:
        pytest.fail(f"axe-core found accessibility violations on {where}:\n" + "\n".join(lines))
    assert_no_page_problems(page)


def has_horizontal_scroll(page: Any) -> bool:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    return bool(width > page.viewport_size["width"] + 1)
