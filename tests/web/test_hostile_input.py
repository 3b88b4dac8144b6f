"""Hostile input is answered 4xx (or handled), never 500 — generated from the route table.

Every route of the app is a test (per database, logged in as an admin and anonymous), so a
new route is covered without writing anything here:

- GET: each query parameter the route declares, and a fixed list of names handlers read from
  `request.query_params` by hand, gets "²", "٣", "①", a 40-digit number, "-1", and is sent
  twice; path ids are a real record's (found by crawling the pages), an unknown id, a
  40-digit one and "²".
- POST: the route's form as the pages render it (found by crawling), each field replaced by
  the same values and each field sent twice (refused with 4xx), with a valid CSRF token.

One database with the demo company per database kind and xdist worker (a module-scoped
`world`), one Argon2 login per world.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args
from urllib.parse import quote, urlsplit

import pytest
from fastapi.routing import APIRoute
from sqlmodel import Session, select

from hms_tracker.accounts.models import User
from hms_tracker.app import create_app
from hms_tracker.config import Settings
from hms_tracker.demo.builder import COORDINATOR_EMAIL, build_demo
from hms_tracker.demo.service import DEMO_PASSWORD
from hms_tracker.web.auth import declared_permission
from tests.conftest import AppClient, postgres_database
from tests.web.test_routes_declare_access import api_routes

HOSTILE = ["²", "٣", "①", "1" * 40, "-1"]
TWICE = ["1", "²"]
PER_FIELD = ["²"]  # in each form field alone; the others (a huge number too) in every field at once
# Names handlers read from request.query_params by hand (list filters), tried on every page.
COMMON_QUERY = [
    "page", "department", "department_id", "person", "person_id", "course", "course_type_id",
    "owner", "status", "category", "kind", "on", "year", "next", "q", "sort", "tag", "risk",
    "level", "consequence", "probability", "min_score", "overdue", "mine", "assigned",
    "archived", "entity", "a", "b", "expired",
]  # fmt: skip
# A form we could not find on any page is still sent these.
FALLBACK_FIELDS = {"version": "1", "reason": "Grunn", "next": "/"}
UNKNOWN_IDS = ["999999999", "1" * 40, "²"]
# Routes the logged-in client must not post to: it would log itself out.
ADMIN_SKIPS = {"/logout"}
PAGES_PER_KIND = 3  # records of one kind visited to find links and forms

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _declared(route: APIRoute) -> str:
    return next(
        name
        for dep in route.dependant.dependencies
        if (name := declared_permission(dep.call)) is not None
    )


def _routes() -> list[APIRoute]:
    tmp = Path(tempfile.gettempdir())
    app = create_app(Settings(database_url=f"sqlite:///{tmp}/unused-hostile.db", var_dir=tmp))
    return api_routes(app.routes)


ROUTES = _routes()
GET_ROUTES = [r for r in ROUTES if "GET" in r.methods]
POST_ROUTES = [r for r in ROUTES if "POST" in r.methods]


def _query_names(dependant: Any) -> list[str]:
    names = [p.alias or p.name for p in dependant.query_params]
    for sub in dependant.dependencies:
        names += _query_names(sub)
    return list(dict.fromkeys(names))


def _is_text(annotation: Any) -> bool:
    return annotation is str or (
        bool(get_args(annotation)) and set(get_args(annotation)) <= {str, type(None)}
    )


def _typed_query_names(dependant: Any) -> list[str]:
    names = [
        p.alias or p.name for p in dependant.query_params if not _is_text(p.field_info.annotation)
    ]
    for sub in dependant.dependencies:
        names += _typed_query_names(sub)
    return names


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _PARAM.finditer(template):
        parts += [re.escape(template[last : match.start()]), f"(?P<{match.group(1)}>[0-9]+)"]
        last = match.end()
    return re.compile("".join([*parts, re.escape(template[last:])]) + "$")


def _fill(template: str, value: str) -> str:
    return _PARAM.sub(lambda _m: quote(value, safe=""), template)


# --- what the pages show: links and forms -------------------------------------------------


@dataclass
class Form:
    action: str
    fields: dict[str, Any] = field(default_factory=dict)  # a list for a checkbox group
    names: set[str] = field(default_factory=set)  # also unchecked boxes and file inputs
    # Fields that hold a number: number inputs, hidden numbers (a version), and selects
    # whose every option is a number (a person, a course, a department).
    numbers: set[str] = field(default_factory=set)
    _options: dict[str, list[str]] = field(default_factory=dict)

    def close_select(self, name: str) -> None:
        values = [v for v in self._options.get(name, []) if v]
        if values and all(v.isascii() and v.isdigit() for v in values):
            self.numbers.add(name)


class _PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def _add(self, name: str, value: str, *, group: bool = False) -> None:
        assert self._form is not None
        if name == "csrf_token":
            return
        if group:
            self._form.fields.setdefault(name, []).append(value)
        else:
            self._form.fields[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "action", "src", "hx-get", "hx-post"):
            if a.get(key, "").startswith("/"):
                self.links.append(urlsplit(a[key]).path)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(action=urlsplit(a.get("action") or self.page).path)
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            # The selected option, else the first with a value.
            value = a.get("value", "")
            self._form._options.setdefault(self._select, []).append(value)
            first = not self._select_chosen and value and not self._form.fields[self._select]
            if "selected" in a or first:
                self._form.fields[self._select] = value
                self._select_chosen = self._select_chosen or "selected" in a
            return
        name = a.get("name", "")
        if not name or name == "csrf_token":
            return
        self._form.names.add(name)
        kind = a.get("type", "text").lower()
        if tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self._add(name, a.get("value", "on"), group=kind == "checkbox")
        elif tag == "input" and kind != "file":
            value = a.get("value", "")
            self._add(name, value)
            if kind == "number" or (kind == "hidden" and value.isascii() and value.isdigit()):
                self._form.numbers.add(name)
        elif tag == "select":
            self._select, self._select_chosen = name, False
            self._add(name, "")
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")
        elif tag == "button" and a.get("value"):
            self._add(name, a["value"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._form is not None and self._select is not None:
                self._form.close_select(self._select)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# --- one world per database: the demo company, an admin and an anonymous client -----------


@dataclass
class World:
    admin: AppClient
    anonymous: AppClient
    admin_token: str
    anonymous_token: str
    admin_person_id: int
    paths: dict[str, str] = field(default_factory=dict)  # template -> a real record's path
    forms: dict[str, Form] = field(default_factory=dict)  # POST template -> its form
    cases: int = 0


def _token(client: AppClient, page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def _spread(items: list[str], count: int) -> list[str]:
    if len(items) <= count:
        return items
    return [items[i * (len(items) - 1) // (count - 1)] for i in range(count)]


def _crawl(world: World) -> None:
    """Fetch the pages (the list pages first, then a few records of each kind in different
    states) and keep, for each route template, the links to real records found on them and,
    for each POST route, the first form."""
    patterns = {r.path: _pattern(r.path) for r in ROUTES if "{" in r.path}
    forms = {r.path: _pattern(r.path) for r in POST_ROUTES}
    candidates: dict[str, list[str]] = {t: [] for t in patterns}
    fetched: set[str] = set()

    def visit(client: AppClient, page: str) -> None:
        response = client.get(page)
        # Not the start page's links (also behind /login's redirect): the records it names
        # are those waiting for someone, not a spread of states (the lists give those).
        follow = response.url.path != "/"
        if "text/html" not in response.headers.get("content-type", ""):
            return
        parser = _PageParser(page)
        parser.feed(response.text)
        for form in parser.forms:
            for t, pattern in forms.items():
                if pattern.match(form.action) and _usable(world, t, form.action):
                    world.forms.setdefault(t, form)
        for link in [*parser.links, *(f.action for f in parser.forms)] if follow else ():
            for t, pattern in patterns.items():
                if pattern.match(link) and link not in candidates[t] and _usable(world, t, link):
                    candidates[t].append(link)

    for route in GET_ROUTES:
        if "{" not in route.path and "export" not in route.path:
            visit(world.admin, route.path)
            if _declared(route) == "public":
                visit(world.anonymous, route.path)
    for _round in range(3):
        pages = [
            page
            for r in GET_ROUTES
            if "{" in r.path and not r.path.endswith((".svg", "certificate"))
            for page in _spread(candidates[r.path], PAGES_PER_KIND)
            if page not in fetched
        ]
        for page in pages:
            fetched.add(page)
            visit(world.admin, page)
    world.paths = {t: found[0] for t, found in candidates.items() if found}


def _usable(world: World, template: str, path: str) -> bool:
    """Not the admin's own person: a form there could end the admin's own session."""
    match = _pattern(template).match(path)
    assert match is not None
    return match.groupdict().get("person_id") != str(world.admin_person_id)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("hostile")
    if request.param == "sqlite":
        shutil.copyfile(sqlite_template, tmp / "test.db")
        databases: Any = nullcontext(f"sqlite:///{tmp / 'test.db'}")
    else:
        databases = postgres_database("hms_hostile")
    with databases as url:
        if request.param == "postgresql":
            from hms_tracker.migrate import upgrade

            upgrade(url)
        settings = Settings(
            database_url=url,
            secret_key="test-secret-key-not-for-production",
            var_dir=tmp / "var",
            company_name="Testbedrift AS",
        )
        app = create_app(settings)
        build_demo(app.state.engine)
        with Session(app.state.engine) as session:
            admin_user = session.exec(select(User).where(User.email == COORDINATOR_EMAIL)).one()
            admin_person_id = admin_user.person_id
        with (
            AppClient(app, raise_server_exceptions=False) as admin,
            AppClient(app, raise_server_exceptions=False) as anonymous,
        ):
            response = admin.submit(
                "/login", {"email": COORDINATOR_EMAIL, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 303, response.text[:500]
            world = World(
                admin=admin,
                anonymous=anonymous,
                admin_token=_token(admin, "/"),
                anonymous_token=_token(anonymous, "/login"),
                admin_person_id=admin_person_id,
            )
            _crawl(world)
            yield world
        app.state.engine.dispose()


# --- the cases --------------------------------------------------------------------------


def _send(
    world: World,
    client: AppClient,
    method: str,
    url: str,
    data: Any,
    case: str,
    *,
    refused: bool = False,
) -> str | None:
    """The request; a description of the case when it was answered 5xx (or, `refused`,
    anything but 4xx)."""
    world.cases += 1
    if method == "GET":
        response = client.get(url, params=data, follow_redirects=False)
    else:
        token = world.admin_token if client is world.admin else world.anonymous_token
        response = client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
    if response.status_code >= 500 or (refused and not 400 <= response.status_code < 500):
        return f"{method} {url} with {case} -> {response.status_code}"
    return None


# Every name carries a number parameter (page, person, …): a number written with other
# digits than 0-9, or any parameter sent twice, is refused (400) on every page — but the
# liveness probe, which answers before the app and reads nothing.
REFUSED_IN_QUERY = ("²", "٣", "①")
READS_NO_QUERY = {"/healthz"}


def _get_cases(world: World, route: APIRoute, client: AppClient) -> list[str | None]:
    url = world.paths.get(route.path, _fill(route.path, UNKNOWN_IDS[0]))
    typed = _typed_query_names(route.dependant)
    every = dict.fromkeys([*_query_names(route.dependant), *COMMON_QUERY])
    names = [n for n in every if n not in typed]
    if client is world.anonymous and _declared(route) != "public":
        # Refused before the login page: the address itself is wrong.
        data = dict.fromkeys(names, "²")
        refused = route.path not in READS_NO_QUERY
        return [_send(world, client, "GET", url, data, "every name = '²'", refused=refused)]
    # Every name at once (but those FastAPI validates): the handler reads each of them.
    results = [
        _send(
            world, client, "GET", url, dict.fromkeys(names, value), f"every name = {value!r}",
            refused=(value in REFUSED_IN_QUERY or value is TWICE)
            and route.path not in READS_NO_QUERY,
        )
        for value in [*HOSTILE, TWICE]
    ]  # fmt: skip
    # A parameter FastAPI validates (typed other than str) refuses the whole request and would
    # hide what the others do: each of those alone.
    for name in typed:
        for value in [*HOSTILE, TWICE]:
            results.append(_send(world, client, "GET", url, {name: value}, f"{name}={value!r}"))
    if "{" in route.path:
        for unknown in UNKNOWN_IDS:
            path = _fill(route.path, unknown)
            results.append(_send(world, client, "GET", path, {}, f"the id {unknown!r}"))
    return results


def _post_cases(world: World, route: APIRoute, client: AppClient) -> list[str | None]:
    form = world.forms.get(route.path)
    if form is None:
        url = world.paths.get(route.path, _fill(route.path, UNKNOWN_IDS[0]))
        base: dict[str, Any] = dict(FALLBACK_FIELDS)
        names = sorted(base)
    else:
        url, base = form.action, dict(form.fields)
        # Without the create form's one-time key (web/once.py): once one sending with it has
        # saved, every other goes to what it saved, and the values would go unread.
        base.pop("form_key", None)
        names = sorted((form.names | set(base)) - {"form_key"})
    if client is world.anonymous and _declared(route) != "public":
        # Refused before any field is read.
        return [_send(world, client, "POST", url, base, "the form as shown")]
    results = []
    # Each field alone, the others as the page filled them in (so the handler gets past
    # them): a digit that passes str.isdigit() but not int(), a number too large for the
    # database, and the field twice.
    for name in names:
        for value in PER_FIELD:
            data = {**base, name: value}
            # A number field that gets "²" is refused (4xx: the form again with a message,
            # or 400); in a text field "m²" is text.
            numeric = form is not None and name in form.numbers
            results.append(
                _send(world, client, "POST", url, data, f"{name}={value!r}", refused=numeric)
            )
        sent = base.get(name, "1")
        data = {**base, name: [*(sent if isinstance(sent, list) else [sent, sent]), "²"]}
        # A field of the form sent twice is refused (4xx); a field the form does not have
        # (the fallback names, for a form not found on any page) may go unread.
        results.append(
            _send(world, client, "POST", url, data, f"{name} sent twice", refused=form is not None)
        )
    # The other values in every field at once.
    for value in HOSTILE:
        if value not in PER_FIELD:
            data = {**base, **dict.fromkeys(names, value)}
            results.append(_send(world, client, "POST", url, data, f"every field = {value!r}"))
    if "{" in route.path:
        for unknown in UNKNOWN_IDS[:2]:
            path = _fill(route.path, unknown)
            results.append(_send(world, client, "POST", path, base, f"the id {unknown!r}"))
    return results


def _id(route: APIRoute) -> str:
    return f"{'/'.join(sorted(route.methods))} {route.path}"


@pytest.mark.parametrize("who", ["admin", "anonymous"])
@pytest.mark.parametrize("route", GET_ROUTES, ids=_id)
def test_get_route_answers_hostile_query_without_server_error(
    world: World, route: APIRoute, who: str
) -> None:
    failures = [f for f in _get_cases(world, route, getattr(world, who)) if f]
    assert not failures, "\n".join(failures)


# The admin does not post to the routes that would log them out for the routes after it
# (those are tried anonymously).
POST_CASES = [
    pytest.param(route, who, id=f"{_id(route)}-{who}")
    for route in POST_ROUTES
    for who in ("admin", "anonymous")
    if not (who == "admin" and route.path in ADMIN_SKIPS)
]


@pytest.mark.parametrize(("route", "who"), POST_CASES)
def test_post_route_answers_hostile_form_without_server_error(
    world: World, route: APIRoute, who: str
) -> None:
    failures = [f for f in _post_cases(world, route, getattr(world, who)) if f]
    assert not failures, "\n".join(failures)
    if who == "admin":  # no case may have ended the admin's session for the tests after it
        assert world.admin.get("/", follow_redirects=False).status_code == 200


def test_the_crawl_found_real_records_and_forms(world: World) -> None:
    """Most routes with an id are tried on a real record, most POST routes with their form."""
    # A secret token in the address (a calendar feed) is linked from no page.
    with_ids = [r.path for r in ROUTES if "{" in r.path and "{token}" not in r.path]
    unresolved = [t for t in with_ids if t not in world.paths and t not in world.forms]
    assert len(unresolved) <= len(with_ids) // 4, unresolved
    formless = [r.path for r in POST_ROUTES if r.path not in world.forms]
    assert len(formless) <= len(POST_ROUTES) // 4, formless
    # The number fields were recognised (so "²" in them is required to be refused).
    numeric = {name for form in world.forms.values() for name in form.numbers}
    assert {"person_id", "version"} <= numeric, sorted(numeric)
