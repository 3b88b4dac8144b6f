"""Every deviation transition, allowed and refused, per role and per state, over HTTP.

Two tables drive most of this file:

- ROLE_TABLE: each operation on one deviation (in the state the operation needs) by each
  role. 200/303 is allowed; 409 is a refused transition shown on the case page with a clear
  message (for those who can see the case); 403 is for those who cannot see the case (and
  for the edit page, which only those who work on the case may open).
- STATE_TABLE: each transition from each state, as the coordinator.

Whenever something is refused, the deviation tables and their audit events are unchanged.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from hms_tracker.accounts.models import User, UserSession
from hms_tracker.accounts.service import start_session
from hms_tracker.appointments.models import Appointment, AppointmentArea
from hms_tracker.audit.models import AuditEvent
from hms_tracker.db import create_db_engine, utcnow
from hms_tracker.deviations import service
from hms_tracker.deviations.access import Access
from hms_tracker.deviations.forms import ActionForm, AssignForm, CloseForm, ReasonForm
from hms_tracker.deviations.models import (
    CorrectiveAction,
    Deviation,
    DeviationAttachment,
    DeviationComment,
)
from hms_tracker.organisation.models import DepartmentLeader, Person
from hms_tracker.web.auth import SESSION_COOKIE
from hms_tracker.web.dates import today
from hms_tracker.web.i18n import OSLO
from tests.conftest import MigratedPostgres, _reset_postgres, postgres_rows
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_person, make_user

TITLE = "Fall fra trapp på lageret"
REPORTER_FILE = b"%PDF-1.4 reporter's file"
INTERNAL_FILE = b"%PDF-1.4 internal file"

# Direct service calls that build the starting state act as the coordinator.
COORDINATOR = Access(view=True, internal=True, handle=True, work=True, comment=True)

ROLES = (
    "admin",  # the HMS coordinator
    "leader",  # leader of the deviation's department (Lager)
    "parent_leader",  # leader of Drift, the department above Lager
    "other_leader",  # leader of Kontor
    "responsible",  # the assigned responsible person, not a leader
    "action_owner",  # owns one corrective action
    "vo_area",  # verneombud whose verneområde is Lager
    "vo_other",  # verneombud whose verneområde is Kontor
    "hvo",  # hovedverneombud (every area)
    "reporter",  # the employee who reported it
    "employee",  # another employee of Lager
)

# Messages of the refused transitions (409), as the case page shows them.
HANDLER_ONLY = "Bare lederen for avdelingen eller HMS-koordinatoren kan gjøre dette."
WORKER_ONLY = "Bare den ansvarlige, lederen for avdelingen eller HMS-koordinatoren kan legge"
OWNER_ONLY = "Bare eieren av tiltaket, den ansvarlige eller lederen kan merke det som utført."
WITHDRAW_ONLY = "Bare den ansvarlige, lederen eller HMS-koordinatoren kan trekke tilbake"
AUTHOR_ONLY = "Bare den som skrev kommentaren eller HMS-koordinatoren kan trekke den tilbake."


def table(text: str, columns: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """Parse a whitespace table: the first column names the row, then one code per column."""
    result = {}
    for line in text.strip().splitlines():
        name, *codes = line.split()
        assert len(codes) == len(columns), line
        for column, code in zip(columns, codes, strict=True):
            result[(name, column)] = int(code)
    return result


# fmt: off
#                      admin   lead    par    oth   resp    own   vo_a   vo_o    hvo    rep    emp
ROLE_TABLE = table("""
view                     200    200    200    403    200    200    200    403    200    200    403
assign                   303    303    303    403    409    409    409    403    409    409    403
reject                   303    303    303    403    409    409    409    403    409    409    403
close                    303    303    303    403    409    409    409    403    409    409    403
reopen                   303    303    303    403    409    409    409    403    409    409    403
notify                   303    303    303    403    409    409    409    403    409    409    403
add_action               303    303    303    403    303    409    409    403    409    409    403
done_owners_action       303    303    303    403    303    303    409    403    409    409    403
done_resp_action         303    303    303    403    303    409    409    403    409    409    403
withdraw_action          303    303    303    403    303    409    409    403    409    409    403
edit                     303    303    303    403    303    403    403    403    403    403    403
comment_internal         303    303    303    403    303    303    303    403    303    303    403
comment_reporter         303    303    303    403    303    303    303    403    303    303    403
withdraw_own_comment     303    303    303    403    303    303    303    403    303    303    403
withdraw_other_comment   303    409    409    403    409    409    409    403    409    409    403
download_reporter        200    200    200    403    200    200    200    403    200    200    403
download_internal        200    200    200    403    200    200    200    403    200    403    403
""", ROLES)
# fmt: on


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    session: Session
    users: dict[str, Any] = field(default_factory=dict)
    deviation_id: int = 0
    owners_action_id: int = 0  # owned by action_owner
    resp_action_id: int = 0  # owned by the responsible person
    other_comment_id: int = 0  # an internal comment by a colleague without a login
    reporter_file_id: int = 0
    internal_file_id: int = 0
    own_comment_id: int = 0  # made by prepare() for withdraw_own_comment

    def person_id(self, role: str) -> int:
        return int(self.users[role].person_id)

    def deviation(self) -> Deviation:
        self.session.flush()
        self.session.expire_all()
        found = self.session.get(Deviation, self.deviation_id)
        assert found is not None
        return found

    def action(self, action_id: int) -> CorrectiveAction:
        self.session.flush()
        self.session.expire_all()
        found = self.session.get(CorrectiveAction, action_id)
        assert found is not None
        return found

    @property
    def url(self) -> str:
        return f"/deviations/{self.deviation_id}"


def _safety_rep(session: Session, person_id: int, kind: str, area: int | None) -> None:
    appointment = Appointment(
        kind=kind,
        person_id=person_id,
        starts_on=today() - timedelta(days=30),
        ends_on=today() + timedelta(days=700),
    )
    session.add(appointment)
    session.flush()
    if area is not None:
        session.add(AppointmentArea(appointment_id=appointment.id, department_id=area))


def build_world(session: Session, *, serious: bool = True) -> World:
    """Drift ⊃ Lager, and Kontor. One deviation in Lager, reported by an employee, assigned to
    a responsible person, with two open actions, two comments and two attachments."""
    drift = make_department(session, name="Drift")
    lager = make_department(session, name="Lager", parent_id=drift.id)
    kontor = make_department(session, name="Kontor")
    w = World(session=session)
    w.users["admin"] = make_user(session, is_admin=True, department=kontor)
    for role, home, led in (
        ("leader", lager, lager),
        ("parent_leader", drift, drift),
        ("other_leader", kontor, kontor),
    ):
        w.users[role] = make_user(session, department=home)
        session.add(DepartmentLeader(department_id=led.id, person_id=w.users[role].person_id))
    for role in ("responsible", "action_owner", "vo_area", "reporter", "employee"):
        w.users[role] = make_user(session, department=lager)
    w.users["vo_other"] = make_user(session, department=kontor)
    w.users["hvo"] = make_user(session, department=kontor)
    _safety_rep(session, w.person_id("vo_area"), "safety_rep", lager.id)
    _safety_rep(session, w.person_id("vo_other"), "safety_rep", kontor.id)
    _safety_rep(session, w.person_id("hvo"), "chief_safety_rep", None)
    colleague = make_person(session, department=lager, name="Kollega Uten Innlogging")

    overrides = {"category": "personal_injury", "serious_injury": "true"} if serious else {}
    deviation, _receipt = make_deviation(
        session,
        lager,
        reporter=session.get(Person, w.person_id("reporter")),
        title=TITLE,
        **overrides,
    )
    w.deviation_id = int(deviation.id)
    service.assign(
        session=session,
        access=COORDINATOR,
        deviation=deviation,
        data=AssignForm(
            responsible_person_id=w.person_id("responsible"),
            deadline=today() + timedelta(days=14),
            version=deviation.version,
        ),
        today=today(),
    )
    for role in ("action_owner", "responsible"):
        action = service.add_action(
            session=session,
            access=COORDINATOR,
            deviation=deviation,
            data=ActionForm(
                description=f"Tiltak for {role}",
                owner_person_id=w.person_id(role),
                deadline=today() + timedelta(days=7),
            ),
            today=today(),
        )
        if role == "action_owner":
            w.owners_action_id = int(action.id)
        else:
            w.resp_action_id = int(action.id)
    comment = DeviationComment(
        deviation_id=w.deviation_id, author_person_id=colleague.id, body="Kollegaens merknad"
    )
    session.add(comment)
    files = []
    for content, from_reporter in ((REPORTER_FILE, True), (INTERNAL_FILE, False)):
        row = DeviationAttachment(
            deviation_id=w.deviation_id,
            content=content,
            content_type="application/pdf",
            filename="bilde.pdf",
            size=len(content),
            uploaded_by_person_id=w.person_id("reporter" if from_reporter else "leader"),
            from_reporter=from_reporter,
        )
        session.add(row)
        files.append(row)
    session.flush()
    w.other_comment_id = int(comment.id)
    w.reporter_file_id, w.internal_file_id = (int(f.id) for f in files)
    session.commit()
    return w


@dataclass(frozen=True)
class BuiltWorld:
    """A world built once per database kind and module (per xdist worker): its database
    (a SQLite file, or every row of the PostgreSQL database) and the ids in it. Each test
    gets a copy: its database starts as the world was just built."""

    database: Path | dict[str, list[dict[str, Any]]]
    user_ids: dict[str, int]
    ids: dict[str, int]

    def world(self, session: Session) -> World:
        users = {role: session.get(User, user_id) for role, user_id in self.user_ids.items()}
        return World(session=session, users=users, **self.ids)


def _built(w: World) -> tuple[dict[str, int], dict[str, int]]:
    user_ids = {role: int(user.id) for role, user in w.users.items()}
    ids = {
        name: getattr(w, name)
        for name in (
            "deviation_id",
            "owners_action_id",
            "resp_action_id",
            "other_comment_id",
            "reporter_file_id",
            "internal_file_id",
        )
    }
    return user_ids, ids


@pytest.fixture(scope="module")
def built_world_sqlite(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> BuiltWorld:
    path = tmp_path_factory.mktemp("transitions") / "world.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        with Session(engine, expire_on_commit=False) as session:
            user_ids, ids = _built(build_world(session))
        with engine.connect() as conn:  # everything into the file itself, for copying
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return BuiltWorld(path, user_ids, ids)


@pytest.fixture(scope="module")
def built_world_postgres(postgres_migrated: MigratedPostgres) -> BuiltWorld:
    _reset_postgres(postgres_migrated)
    engine = create_db_engine(postgres_migrated.url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user_ids, ids = _built(build_world(session))
    finally:
        engine.dispose()
    return BuiltWorld(postgres_rows(postgres_migrated.url), user_ids, ids)


@pytest.fixture
def db_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The empty migrated database of tests/conftest.py; for a test that asks for `world`,
    the world as build_world made it (copied from one built before)."""
    if "world" not in request.fixturenames:
        return db_url
    if db_url.startswith("sqlite"):
        built: BuiltWorld = request.getfixturevalue("built_world_sqlite")
        path = tmp_path / "world.db"
        shutil.copyfile(built.database, path)
        return f"sqlite:///{path}"
    built = request.getfixturevalue("built_world_postgres")
    _reset_postgres(request.getfixturevalue("postgres_migrated"), built.database)
    return db_url


@pytest.fixture
def world(session: Session, db_url: str, request: pytest.FixtureRequest) -> World:
    """build_world(session), as it left the database (see `db_url`)."""
    kind = "sqlite" if db_url.startswith("sqlite") else "postgres"
    built: BuiltWorld = request.getfixturevalue(f"built_world_{kind}")
    return built.world(session)


# --- what a refusal must leave alone -----------------------------------------------------

DEVIATION_TABLES = ("deviation", "corrective_action", "deviation_comment", "deviation_attachment")


def snapshot(session: Session) -> dict[str, Any]:
    """Every row of the deviation tables (attachment content left out) and the number of
    audit events about them."""
    session.expire_all()
    rows: dict[str, Any] = {}
    for name in DEVIATION_TABLES:
        tbl = SQLModel.metadata.tables[name]
        columns = [c for c in tbl.c if c.name != "content"]
        rows[name] = [
            dict(r._mapping) for r in session.execute(sa.select(*columns).order_by(tbl.c.id))
        ]
    rows["audit"] = session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(col(AuditEvent.entity).in_(DEVIATION_TABLES))
    ).scalar_one()
    return rows


# --- signing in -------------------------------------------------------------------------------


class SignedIn:
    """A client with a real login session for one user (started through the accounts service
    instead of the login form, to spare a password hash per test) that posts forms with the
    session's CSRF token."""

    def __init__(self, client: Any, session: Session, user: Any, role: str = "") -> None:
        token = start_session(session=session, user=user)
        session.commit()
        session.info.pop("actor", None)
        self.csrf = session.exec(
            select(UserSession.csrf_token).where(UserSession.user_id == user.id)
        ).one()
        client.cookies.set(SESSION_COOKIE, token)
        self.client = client
        self.role = role

    def get(self, url: str) -> Any:
        return self.client.get(url, follow_redirects=False)

    def submit(self, url: str, data: dict[str, str]) -> Any:
        return self.client.post(url, data={**data, "csrf_token": self.csrf}, follow_redirects=False)


# --- the operations -------------------------------------------------------------------------


def local(when: Any) -> str:
    return when.astimezone(OSLO).strftime("%Y-%m-%dT%H:%M")


def complete_actions(w: World, *, done_on: date | None = None) -> None:
    for action_id in (w.owners_action_id, w.resp_action_id):
        action = w.action(action_id)
        action.done_on = done_on or today()
        action.done_note = "Gjort"
        w.session.add(action)


def notified(w: World) -> None:
    deviation = w.deviation()
    deviation.notified_at = deviation.occurred_at + timedelta(minutes=20)
    deviation.notified_by_person_id = w.person_id("leader")
    w.session.add(deviation)


def prepare_close(w: World, role: str) -> None:
    """Notified, both actions done: ready to close."""
    notified(w)
    complete_actions(w)
    w.session.commit()


def prepare_reopen(w: World, role: str) -> None:
    prepare_close(w, role)
    deviation = w.deviation()
    deviation.status = "closed"
    deviation.root_cause = "Løs trappekant"
    deviation.actions_effect = "yes"
    deviation.closed_at = utcnow()
    deviation.closed_by_person_id = w.person_id("leader")
    w.session.add(deviation)
    w.session.commit()


def prepare_reject(w: World, role: str) -> None:
    """Reopened after its actions were done: under behandling again, which may be rejected."""
    notified(w)
    complete_actions(w)
    deviation = w.deviation()
    deviation.status = "in_progress"
    deviation.reopen_reason = "Feil lukket"
    w.session.add(deviation)
    w.session.commit()


def prepare_own_comment(w: World, role: str) -> None:
    """A comment written by the role itself (the reporter's is visible to the reporter)."""
    comment = DeviationComment(
        deviation_id=w.deviation_id,
        author_person_id=w.person_id(role),
        from_reporter=role == "reporter",
        visibility="reporter" if role == "reporter" else "internal",
        body=f"Kommentar fra {role}",
    )
    w.session.add(comment)
    w.session.commit()
    w.own_comment_id = int(comment.id)


@dataclass(frozen=True)
class Op:
    request: Callable[[Any, World], Any]
    refused_message: str | None = None  # shown on a 409
    prepare: Callable[[World, str], None] | None = None
    allowed: Callable[[World, str, Any], None] | None = None  # checks after success


def _assigned(w: World, role: str, r: Any) -> None:
    d = w.deviation()
    assert d.deadline == today() + timedelta(days=21)
    assert d.responsible_person_id == w.person_id("employee")


def _status(expected: str) -> Callable[[World, str, Any], None]:
    def check(w: World, role: str, r: Any) -> None:
        assert w.deviation().status == expected

    return check


def _closed(w: World, role: str, r: Any) -> None:
    d = w.deviation()
    assert d.status == "closed" and d.root_cause == "Løs trappekant"
    assert d.closed_by_person_id == w.person_id(role)


def _notified(w: World, role: str, r: Any) -> None:
    d = w.deviation()
    assert d.notified_at is not None and d.notified_by_person_id == w.person_id(role)


def _action_added(w: World, role: str, r: Any) -> None:
    rows = w.session.exec(
        select(CorrectiveAction).where(CorrectiveAction.deviation_id == w.deviation_id)
    ).all()
    assert len(rows) == 3


def _done(which: str) -> Callable[[World, str, Any], None]:
    def check(w: World, role: str, r: Any) -> None:
        action = w.action(getattr(w, which))
        assert action.done_on == today() and action.done_note == f"Utført av {role}"

    return check


def _withdrawn(w: World, role: str, r: Any) -> None:
    action = w.action(w.owners_action_id)
    assert action.withdrawn_at is not None and action.withdrawn_reason == "Ikke nødvendig"


def _edited(w: World, role: str, r: Any) -> None:
    assert w.deviation().title == f"Endret av {role}"


def _commented(visibility: str) -> Callable[[World, str, Any], None]:
    def check(w: World, role: str, r: Any) -> None:
        w.session.expire_all()
        comment = w.session.exec(
            select(DeviationComment).where(DeviationComment.body == f"{visibility} fra {role}")
        ).one()
        assert comment.author_person_id == w.person_id(role)
        # The reporter's own comments are always visible to the reporter.
        assert comment.visibility == ("reporter" if role == "reporter" else visibility)
        assert comment.from_reporter == (role == "reporter")

    return check


def _comment_withdrawn(attr: str) -> Callable[[World, str, Any], None]:
    def check(w: World, role: str, r: Any) -> None:
        w.session.expire_all()
        comment = w.session.get(DeviationComment, getattr(w, attr))
        assert comment is not None and comment.withdrawn_at is not None
        assert comment.withdrawn_reason == "Skrevet på feil sak"

    return check


def _file(content: bytes) -> Callable[[World, str, Any], None]:
    def check(w: World, role: str, r: Any) -> None:
        assert r.content == content
        assert r.headers["content-disposition"].startswith("attachment")

    return check


def _view(w: World, role: str, r: Any) -> None:
    assert TITLE in r.text


def _edit_form(w: World, role: str) -> dict[str, str]:
    d = w.deviation()
    form = report_form(
        SimpleNamespace(id=d.department_id),  # report_form only needs the department's id
        title=f"Endret av {role}",
        category="personal_injury",
        serious_injury="true",
        occurred_at=local(d.occurred_at),
        version=str(d.version),
    )
    return form


OPS: dict[str, Op] = {
    "view": Op(request=lambda c, w: c.get(w.url), allowed=_view),
    "assign": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/assign",
            {
                "responsible_person_id": str(w.person_id("employee")),
                "deadline": (today() + timedelta(days=21)).isoformat(),
                "version": str(w.deviation().version),
            },
        ),
        refused_message=HANDLER_ONLY,
        allowed=_assigned,
    ),
    "reject": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/reject",
            {"reason": "Meldt to ganger", "version": str(w.deviation().version)},
        ),
        refused_message=HANDLER_ONLY,
        prepare=prepare_reject,
        allowed=_status("rejected"),
    ),
    "close": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/close",
            {
                "root_cause": "Løs trappekant",
                "actions_effect": "yes",
                "version": str(w.deviation().version),
            },
        ),
        refused_message=HANDLER_ONLY,
        prepare=prepare_close,
        allowed=_closed,
    ),
    "reopen": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/reopen", {"reason": "Skjedde igjen", "version": str(w.deviation().version)}
        ),
        refused_message=HANDLER_ONLY,
        prepare=prepare_reopen,
        allowed=_status("in_progress"),
    ),
    "notify": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/notified",
            {
                "notified_at": local(w.deviation().occurred_at + timedelta(minutes=15)),
                "notification_note": "Arbeidstilsynet og politiet på telefon",
                "version": str(w.deviation().version),
            },
        ),
        refused_message=HANDLER_ONLY,
        allowed=_notified,
    ),
    "add_action": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/actions",
            {
                "description": "Nytt rekkverk",
                "owner_person_id": str(w.person_id("action_owner")),
                "deadline": (today() + timedelta(days=10)).isoformat(),
            },
        ),
        refused_message=WORKER_ONLY,
        allowed=_action_added,
    ),
    "done_owners_action": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/actions/{w.owners_action_id}/done",
            {"done_on": today().isoformat(), "done_note": f"Utført av {c.role}", "version": "1"},
        ),
        refused_message=OWNER_ONLY,
        allowed=_done("owners_action_id"),
    ),
    "done_resp_action": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/actions/{w.resp_action_id}/done",
            {"done_on": today().isoformat(), "done_note": f"Utført av {c.role}", "version": "1"},
        ),
        refused_message=OWNER_ONLY,
        allowed=_done("resp_action_id"),
    ),
    "withdraw_action": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/actions/{w.owners_action_id}/withdraw", {"reason": "Ikke nødvendig"}
        ),
        refused_message=WITHDRAW_ONLY,
        allowed=_withdrawn,
    ),
    "edit": Op(
        request=lambda c, w: c.submit(f"{w.url}/edit", _edit_form(w, c.role)),
        allowed=_edited,
    ),
    "comment_internal": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/comments", {"body": f"internal fra {c.role}", "visibility": "internal"}
        ),
        allowed=_commented("internal"),
    ),
    "comment_reporter": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/comments", {"body": f"reporter fra {c.role}", "visibility": "reporter"}
        ),
        allowed=_commented("reporter"),
    ),
    "withdraw_own_comment": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/comments/{w.own_comment_id}/withdraw", {"reason": "Skrevet på feil sak"}
        ),
        prepare=prepare_own_comment,
        allowed=_comment_withdrawn("own_comment_id"),
    ),
    "withdraw_other_comment": Op(
        request=lambda c, w: c.submit(
            f"{w.url}/comments/{w.other_comment_id}/withdraw", {"reason": "Skrevet på feil sak"}
        ),
        refused_message=AUTHOR_ONLY,
        allowed=_comment_withdrawn("other_comment_id"),
    ),
    "download_reporter": Op(
        request=lambda c, w: c.get(f"{w.url}/attachments/{w.reporter_file_id}"),
        allowed=_file(REPORTER_FILE),
    ),
    "download_internal": Op(
        request=lambda c, w: c.get(f"{w.url}/attachments/{w.internal_file_id}"),
        allowed=_file(INTERNAL_FILE),
    ),
}

assert {name for name, _role in ROLE_TABLE} == set(OPS)


READ_ONLY = ("view", "download_reporter", "download_internal")


def role_cases() -> list[Any]:
    """One test per operation and allowed role (each changes the deviation, so each gets a
    fresh world); the refused roles of an operation, and every role of a read-only operation,
    share one world, since nothing they do may change it."""
    cases = []
    for op_name in OPS:
        allowed = [r for r in ROLES if ROLE_TABLE[(op_name, r)] in (200, 303)]
        if op_name in READ_ONLY:
            cases.append(pytest.param(op_name, ROLES, id=f"{op_name}-every-role"))
            continue
        cases += [pytest.param(op_name, (r,), id=f"{op_name}-{r}") for r in allowed]
        refused = tuple(r for r in ROLES if r not in allowed)
        cases.append(pytest.param(op_name, refused, id=f"{op_name}-refused"))
    return cases


@pytest.mark.parametrize(("op_name", "roles"), role_cases())
def test_each_role_each_operation(client, session, world, op_name, roles):
    op = OPS[op_name]
    for role in roles:
        expected = ROLE_TABLE[(op_name, role)]
        if op.prepare:
            op.prepare(world, role)
        as_role = SignedIn(client, session, world.users[role], role)
        before = snapshot(session)
        r = op.request(as_role, world)
        assert r.status_code == expected, (op_name, role, r.status_code, r.text[:1500])
        if expected in (200, 303):
            if expected == 303:
                assert r.headers["location"].startswith(world.url)
            if op.allowed:
                op.allowed(world, role, r)
            assert (snapshot(session) == before) == (op_name in READ_ONLY), (op_name, role)
            continue
        # Refused: nothing changed, and the page says why (or shows nothing of the case).
        assert snapshot(session) == before, (op_name, role)
        if expected == 409:
            assert op.refused_message is not None
            assert op.refused_message in r.text, (op_name, role)
            assert TITLE in r.text  # the case page again, with the message
        else:
            assert expected == 403
            assert TITLE not in r.text, (op_name, role)


# --- every transition from every state ---------------------------------------------------

STATES = ("registered", "in_progress", "actions_done", "actions_open", "closed", "rejected")

# fmt: off
#              registered in_progress actions_done actions_open closed rejected
STATE_TABLE = table("""
assign         303        303         303          303          409    409
reject         303        303         409          409          409    409
close          409        303         303          409          409    409
reopen         409        409         409          409          303    303
add_action     409        303         303          303          409    409
edit           303        303         303          303          409    409
notify         409        409         409          409          409    409
comment        303        303         303          303          303    303
""", STATES)
# fmt: on

STATE_MESSAGES = {
    ("assign", "closed"): "Et lukket eller avvist avvik kan ikke tildeles.",
    ("assign", "rejected"): "Et lukket eller avvist avvik kan ikke tildeles.",
    ("reject", "*"): "Bare et avvik som er registrert eller under behandling kan avvises.",
    ("close", "actions_open"): "Avviket kan ikke lukkes mens 1 tiltak er åpent.",
    ("close", "*"): "Bare et avvik som er under behandling eller har tiltak kan lukkes.",
    ("reopen", "*"): "Bare et lukket eller avvist avvik kan gjenåpnes.",
    ("add_action", "registered"): "Tildel avviket til en ansvarlig med frist",
    ("add_action", "*"): "Et lukket eller avvist avvik kan ikke få nye tiltak.",
    ("edit", "*"): "Et lukket eller avvist avvik kan ikke endres.",
    ("notify", "*"): "Avviket er ikke merket som alvorlig personskade.",
}


def state_world(session: Session, state: str) -> tuple[Any, Deviation]:
    """A non-serious deviation in `state`, reached through the service; and the admin."""
    lager = make_department(session, name="Lager")
    admin = make_user(session, is_admin=True, department=lager)
    worker = make_person(session, department=lager)
    deviation, _ = make_deviation(session, lager, reporter=session.get(Person, admin.person_id))
    if state != "registered":
        service.assign(
            session=session,
            access=COORDINATOR,
            deviation=deviation,
            data=AssignForm(
                responsible_person_id=worker.id,
                deadline=today() + timedelta(days=7),
                version=deviation.version,
            ),
            today=today(),
        )
    if state in ("actions_done", "actions_open", "closed"):
        action = service.add_action(
            session=session,
            access=COORDINATOR,
            deviation=deviation,
            data=ActionForm(
                description="Rist",
                owner_person_id=worker.id,
                deadline=today(),
            ),
            today=today(),
        )
        if state != "actions_open":
            action.done_on = today()
            session.add(action)
            session.flush()
    if state == "closed":
        service.close(
            session=session,
            access=COORDINATOR,
            deviation=deviation,
            data=CloseForm(root_cause="Lekkasje", actions_effect="yes", version=deviation.version),
            closed_by=admin.person_id,
        )
    if state == "rejected":
        service.reject(
            session=session,
            access=COORDINATOR,
            deviation=deviation,
            data=ReasonForm(reason="Dobbeltmelding", version=deviation.version),
        )
    session.commit()
    return admin, deviation


def state_request(client: Any, session: Session, transition: str, state: str, d: Deviation) -> Any:
    session.expire_all()
    d = session.get(Deviation, d.id)  # type: ignore[assignment]
    url = f"/deviations/{d.id}"
    version = str(d.version)
    if transition == "assign":
        person = d.responsible_person_id or d.reporter_person_id
        return client.submit(
            f"{url}/assign",
            {
                "responsible_person_id": str(person),
                "deadline": (today() + timedelta(days=3)).isoformat(),
                "version": version,
            },
        )
    if transition in ("reject", "reopen"):
        return client.submit(f"{url}/{transition}", {"reason": "Fordi", "version": version})
    if transition == "close":
        has_actions = state in ("actions_done", "actions_open", "closed")
        return client.submit(
            f"{url}/close",
            {
                "root_cause": "Lekkasje",
                "actions_effect": "yes" if has_actions else "no_actions",
                "closing_note": "" if has_actions else "Strakstiltaket var nok",
                "version": version,
            },
        )
    if transition == "add_action":
        return client.submit(
            f"{url}/actions",
            {
                "description": "Nytt tiltak",
                "owner_person_id": str(d.reporter_person_id),
                "deadline": today().isoformat(),
            },
        )
    if transition == "edit":
        form = report_form(
            SimpleNamespace(id=d.department_id),
            title="Ny tittel",
            occurred_at=local(d.occurred_at),
            version=version,
        )
        return client.submit(f"{url}/edit", form)
    if transition == "notify":
        return client.submit(
            f"{url}/notified",
            {"notified_at": local(d.occurred_at + timedelta(minutes=5)), "version": version},
        )
    assert transition == "comment"
    return client.submit(f"{url}/comments", {"body": "Merknad", "visibility": "internal"})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("transition", sorted({t for t, _s in STATE_TABLE}))
def test_each_transition_from_each_state(client, session, transition, state):
    admin, deviation = state_world(session, state)
    client = SignedIn(client, session, admin)
    before = snapshot(session)
    r = state_request(client, session, transition, state, deviation)
    expected = STATE_TABLE[(transition, state)]
    assert r.status_code == expected, (transition, state, r.text[:1500])
    if expected == 303:
        assert snapshot(session) != before
        return
    assert snapshot(session) == before
    message = STATE_MESSAGES.get((transition, state)) or STATE_MESSAGES[(transition, "*")]
    assert message in r.text


# --- rules with a form error (422) or a refusal, one by one -------------------------------


def refused_unchanged(session: Session, r: Any, status: int, text: str, before: Any) -> None:
    assert r.status_code == status, r.text[:1500]
    assert text in r.text
    assert snapshot(session) == before


def test_serious_injury_cannot_close_before_the_notification(client, session, world):
    complete_actions(world)
    session.commit()
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    form = {"root_cause": "Løs trappekant", "actions_effect": "yes"}
    r = client.submit(f"{world.url}/close", {**form, "version": str(world.deviation().version)})
    refused_unchanged(session, r, 409, "arbeidsmiljøloven § 5-2", before)
    notified(world)
    session.commit()
    r = client.submit(f"{world.url}/close", {**form, "version": str(world.deviation().version)})
    assert r.status_code == 303, r.text[:1500]
    assert world.deviation().status == "closed"


def test_serious_injury_cannot_be_rejected_before_the_notification(client, session, world):
    """Rejecting would leave the AML § 5-2 duty open on a case nobody handles; a report that
    was wrongly marked is edited first."""
    prepare_reject(world, "leader")
    d = world.deviation()
    d.notified_at = None
    d.notified_by_person_id = None
    session.add(d)
    session.commit()
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    form = {"reason": "Dobbeltmelding"}
    r = client.submit(f"{world.url}/reject", {**form, "version": str(world.deviation().version)})
    refused_unchanged(
        session, r, 409, "fjern merket hvis det ikke var en alvorlig personskade", before
    )
    edit = _edit_form(world, "leader")
    edit.update(serious_injury="", category="near_miss")
    assert client.submit(f"{world.url}/edit", edit).status_code == 303
    r = client.submit(f"{world.url}/reject", {**form, "version": str(world.deviation().version)})
    assert r.status_code == 303, r.text[:1500]
    assert world.deviation().status == "rejected"


def test_close_needs_a_root_cause(client, session, world):
    prepare_close(world, "leader")
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    r = client.submit(
        f"{world.url}/close",
        {"root_cause": "  ", "actions_effect": "yes", "version": str(world.deviation().version)},
    )
    refused_unchanged(session, r, 422, "Fyll ut dette feltet.", before)


@pytest.mark.parametrize(
    ("effect", "note", "message"),
    [
        ("no_actions", "Ingen trengtes", "Avviket har tiltak. Si om tiltakene virket."),
        ("partly", "", "Forklar hvorfor avviket lukkes selv om tiltakene ikke virket fullt ut."),
        ("no", "", "Forklar hvorfor avviket lukkes selv om tiltakene ikke virket fullt ut."),
    ],
)
def test_close_says_whether_the_actions_worked(client, session, world, effect, note, message):
    prepare_close(world, "leader")
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    r = client.submit(
        f"{world.url}/close",
        {
            "root_cause": "Løs trappekant",
            "actions_effect": effect,
            "closing_note": note,
            "version": str(world.deviation().version),
        },
    )
    refused_unchanged(session, r, 422, message, before)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda d: utcnow() + timedelta(days=1), "Tidspunktet kan ikke være fram i tid."),
        (lambda d: d.occurred_at - timedelta(hours=2), "Varslingen kan ikke være før hendelsen"),
    ],
    ids=["future", "before-the-event"],
)
def test_notification_time_must_be_real(client, session, world, when, message):
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    d = world.deviation()
    r = client.submit(
        f"{world.url}/notified", {"notified_at": local(when(d)), "version": str(d.version)}
    )
    refused_unchanged(session, r, 422, message, before)


@pytest.mark.parametrize(
    ("done_on", "message"),
    [
        (lambda: today() + timedelta(days=1), "Datoen kan ikke være fram i tid."),
        (lambda: today() - timedelta(days=30), "Datoen kan ikke være før tiltaket ble opprettet."),
    ],
    ids=["future", "before-created"],
)
def test_done_date_must_be_real(client, session, world, done_on, message):
    client = SignedIn(client, session, world.users["action_owner"])
    before = snapshot(session)
    r = client.submit(
        f"{world.url}/actions/{world.owners_action_id}/done",
        {"done_on": done_on().isoformat(), "version": "1"},
    )
    refused_unchanged(session, r, 422, message, before)


@pytest.mark.parametrize("what", ["done", "withdraw"])
def test_a_finished_action_cannot_be_finished_again(client, session, world, what):
    complete_actions(world)
    session.commit()
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    r = client.submit(
        f"{world.url}/actions/{world.owners_action_id}/{what}",
        {"done_on": today().isoformat(), "reason": "Igjen", "version": "2"},
    )
    refused_unchanged(session, r, 409, "Tiltaket er allerede utført eller trukket tilbake.", before)


def test_withdrawing_a_comment_twice_is_refused(client, session, world):
    client = SignedIn(client, session, world.users["admin"])
    url = f"{world.url}/comments/{world.other_comment_id}/withdraw"
    assert client.submit(url, {"reason": "Feil sak"}).status_code == 303
    before = snapshot(session)
    r = client.submit(url, {"reason": "Igjen"})
    refused_unchanged(session, r, 409, "Kommentaren er allerede trukket tilbake.", before)


@pytest.mark.parametrize(
    ("path", "form", "field_message"),
    [
        (
            "assign",
            lambda w: {
                "responsible_person_id": str(w.person_id("employee")),
                "deadline": (today() - timedelta(days=1)).isoformat(),
                "version": str(w.deviation().version),
            },
            "Fristen kan ikke være før i dag.",
        ),
        (
            "actions",
            lambda w: {
                "description": "For sent",
                "owner_person_id": str(w.person_id("employee")),
                "deadline": (today() - timedelta(days=1)).isoformat(),
            },
            "Fristen kan ikke være før i dag.",
        ),
        (
            "actions",
            lambda w: {
                "description": "Til en som har sluttet",
                "owner_person_id": str(w.left_id),  # type: ignore[attr-defined]
                "deadline": today().isoformat(),
            },
            "Velg en person som er ansatt i dag.",
        ),
        (
            "assign",
            lambda w: {
                "responsible_person_id": str(w.left_id),  # type: ignore[attr-defined]
                "deadline": today().isoformat(),
                "version": str(w.deviation().version),
            },
            "Velg en person som er ansatt i dag.",
        ),
    ],
    ids=["assign-past-deadline", "action-past-deadline", "action-owner-left", "assign-left"],
)
def test_deadlines_and_people_are_checked(client, session, world, path, form, field_message):
    left = make_person(
        session, employed_from=date(2015, 1, 1), employed_to=today() - timedelta(days=1)
    )
    session.commit()
    world.left_id = left.id  # type: ignore[attr-defined]
    client = SignedIn(client, session, world.users["leader"])
    before = snapshot(session)
    r = client.submit(f"{world.url}/{path}", form(world))
    refused_unchanged(session, r, 422, field_message, before)


# --- unknown ids ------------------------------------------------------------------------------

UNKNOWN = 987654


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/deviations/{unknown}"),
        ("get", "/deviations/{unknown}/edit"),
        ("post", "/deviations/{unknown}/assign"),
        ("post", "/deviations/{unknown}/close"),
        ("post", "/deviations/{unknown}/comments"),
        ("post", "{url}/actions/{unknown}/done"),
        ("post", "{url}/actions/{unknown}/withdraw"),
        ("post", "{url}/actions/{other_action}/done"),
        ("post", "{url}/comments/{unknown}/withdraw"),
        ("post", "{url}/comments/{other_comment}/withdraw"),
        ("get", "{url}/attachments/{unknown}"),
        ("get", "{url}/attachments/{other_file}"),
    ],
)
def test_unknown_ids_are_404(client, session, world, method, path):
    """Unknown ids, and ids of another deviation's actions, comments and files."""
    lager = session.get(Deviation, world.deviation_id).department_id  # type: ignore[union-attr]
    other, _ = make_deviation(session, SimpleNamespace(id=lager), title="Et annet avvik")
    service.assign(
        session=session,
        access=COORDINATOR,
        deviation=other,
        data=AssignForm(
            responsible_person_id=world.person_id("responsible"),
            deadline=today(),
            version=other.version,
        ),
        today=today(),
    )
    action = service.add_action(
        session=session,
        access=COORDINATOR,
        deviation=other,
        data=ActionForm(
            description="Annet", owner_person_id=world.person_id("responsible"), deadline=today()
        ),
        today=today(),
    )
    comment = DeviationComment(deviation_id=other.id, body="Annen sak")
    file = DeviationAttachment(
        deviation_id=other.id,
        content=b"%PDF-1.4 x",
        content_type="application/pdf",
        filename="x.pdf",
        size=10,
    )
    session.add_all([comment, file])
    session.commit()
    client = SignedIn(client, session, world.users["admin"])
    url = path.format(
        unknown=UNKNOWN,
        url=world.url,
        other_action=action.id,
        other_comment=comment.id,
        other_file=file.id,
    )
    before = snapshot(session)
    if method == "get":
        r = client.get(url)
    else:
        r = client.submit(
            url, {"reason": "x", "done_on": today().isoformat(), "version": "1", "body": "x"}
        )
    assert r.status_code == 404, (url, r.status_code)
    assert snapshot(session) == before
