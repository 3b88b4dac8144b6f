"""The scaled demo (`hms-tracker demo --scale …`), built at its hidden `tiny` scale (a
hundredth of large): the counts, every row valid for the app's rules and states, the
foreign keys, the audit trail of every row, the pages answering on it, and the command.

`check_company(rows, today)` takes every row of the demo's tables (as dicts, read from
the database or captured from a dry run) and asserts; it can be run on a medium or large
database by hand:

    .venv/bin/python -c "from tests.demo.test_scale import check_database as c; c('URL')"
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select
from typer.testing import CliRunner

import hms_tracker.models  # noqa: F401  (every table in the metadata)
from hms_tracker.accounts.models import User
from hms_tracker.config import get_settings
from hms_tracker.db import data_version
from hms_tracker.demo.bulk import BulkWriter, Sink, Table
from hms_tracker.demo.scale import SEEDED_COURSES, build, build_scaled, dry_run
from hms_tracker.demo.service import DEMO_ACCOUNTS, DEMO_PASSWORD
from hms_tracker.rules.engine import routine_review_due
from hms_tracker.rules.periods import chair_last_day, term_last_day
from hms_tracker.translation import OSLO
from hms_tracker.web.dates import today as oslo_today
from tests.conftest import login
from tests.demo.conftest import TODAY
from tests.login import login_as

Rows = dict[str, list[dict[str, Any]]]
OPEN = ("registered", "in_progress", "actions")
TERM_KINDS = ("safety_rep", "chief_safety_rep", "amu_member")


# --- reading the rows -----------------------------------------------------------------------


def rows_of(engine: Engine) -> Rows:
    rows: Rows = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows[table.name] = [dict(r._mapping) for r in connection.execute(sa.select(table))]
    return rows


class MemorySink(Sink):
    """Keeps what a dry run writes, as the database would give it back."""

    def __init__(self) -> None:
        self.rows: Rows = defaultdict(list)

    def write(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        for values in rows:
            row = dict(zip(table.columns, values, strict=True))
            for key in ("before", "after"):
                if isinstance(row.get(key), str):
                    row[key] = json.loads(row[key])
            self.rows[table.name].append(row)


def rows_of_dry_run(*, scale: str, today: date, seed: int) -> Rows:
    sink = MemorySink()
    writer = BulkWriter(sink)
    courses = [
        {"id": n, "name": name, "required_for": "", "version": 1, "required_hours": 0}
        for n, name in enumerate(SEEDED_COURSES, start=1)
    ]
    writer.tables["course_type"].next_id = len(courses) + 1
    build(
        writer,
        scale=scale,
        today=today,
        seed=seed,
        password_hash="x",
        course_ids={c["name"]: c["id"] for c in courses},
    )
    rows: Rows = {t.name: [] for t in SQLModel.metadata.sorted_tables}
    rows.update(sink.rows)
    rows["course_type"] = courses + rows["course_type"]
    return rows


def check_database(url: str, today: date | None = None) -> None:
    """Check a database loaded with a scaled demo (by hand, on medium or large)."""
    from hms_tracker.db import create_db_engine

    engine = create_db_engine(url)
    try:
        check_company(rows_of(engine), today or oslo_today())
    finally:
        engine.dispose()
    print("consistent")


# --- the checks -----------------------------------------------------------------------------


def oslo_day(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


class Employment:
    def __init__(self, people: Iterable[dict[str, Any]]) -> None:
        self.by_id = {p["id"]: p for p in people}

    def on(self, person_id: int | None, day: date) -> bool:
        person = self.by_id.get(person_id)
        return (
            person is not None
            and person["employed_from"] <= day
            and (person["employed_to"] is None or person["employed_to"] >= day)
        )


def check_keys(rows: Rows) -> None:
    """Every foreign key names a row; no unique constraint is broken."""
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            column, target = fk.parent.name, fk.column
            known = {r[target.name] for r in rows[target.table.name]}
            missing = [r[column] for r in rows[table.name] if r[column] is not None]
            missing = [v for v in missing if v not in known]
            assert not missing, f"{table.name}.{column}: {missing[:5]}"
        uniques = [c.columns for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
        uniques += [[c] for c in table.columns if c.unique or c.primary_key]
        for columns in uniques:
            names = [c.name for c in columns]
            seen = Counter(
                tuple(r[n] for n in names)
                for r in rows[table.name]
                if all(r[n] is not None for n in names)
            )
            twice = [k for k, n in seen.items() if n > 1]
            assert not twice, f"{table.name}{names} repeated: {twice[:3]}"


def check_people(rows: Rows, today: date, employed: Employment) -> None:
    people = rows["person"]
    for p in people:
        assert p["employed_to"] is None or p["employed_to"] >= p["employed_from"]
        assert p["employment_type"] in ("permanent", "temporary", "hired_in")
        assert 0 <= p["weekly_hours"] <= 100
    departments = {d["id"]: d for d in rows["department"]}
    for d in departments.values():
        if d["closed_on"] is not None:
            assert not [
                p for p in people
                if p["department_id"] == d["id"] and employed.on(p["id"], d["closed_on"])
            ], d  # fmt: skip
            assert not [c for c in departments.values() if c["parent_id"] == d["id"]
                        and c["closed_on"] is None]  # fmt: skip
    led = {r["department_id"] for r in rows["department_leader"]}
    for d in departments.values():
        if d["closed_on"] is None:
            assert d["id"] in led, d["name"]
    for r in rows["department_leader"]:
        assert employed.on(r["person_id"], today)
        assert r["starts_on"] is None or r["starts_on"] <= today
    users = {u["email"]: u for u in rows["app_user"]}
    assert set(users) == {email for email, _label in DEMO_ACCOUNTS}
    for email, user in users.items():
        assert user["is_admin"] == (email == "koordinator@example.com")
        assert user["is_active"] and employed.on(user["person_id"], today)
        assert employed.by_id[user["person_id"]]["email"] == email


def check_appointments(rows: Rows, today: date, employed: Employment) -> None:
    appointments = {a["id"]: a for a in rows["appointment"]}
    by_holder: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for a in appointments.values():
        assert a["person_id"] is not None or a["external_name"]
        if a["person_id"] is not None:
            assert employed.on(a["person_id"], a["starts_on"]), a
            by_holder[(a["person_id"], a["kind"])].append(a)
        if a["ends_on"] is not None:
            assert a["ends_on"] >= a["starts_on"]
            if a["kind"] in TERM_KINDS and a["amu_side"] != "ohs":
                assert a["ends_on"] <= term_last_day(a["starts_on"], 2)
        if a["ended_on"] is not None:
            assert a["starts_on"] <= a["ended_on"] <= (a["ends_on"] or date.max) and a["end_reason"]
        assert (a["amu_side"] is not None) == (a["kind"] == "amu_member")
    for held in by_holder.values():
        spans = sorted((a["starts_on"], last_day(a)) for a in held)
        for (_s1, last), (start, _l2) in zip(spans, spans[1:], strict=False):
            assert last < start, held
    for a in appointments.values():  # a lapsed term was renewed or ended (forskrift § 3-4)
        lapsed = a["kind"] in TERM_KINDS and a["amu_side"] != "ohs" and a["ends_on"] < today
        if lapsed and a["ended_on"] is None and employed.on(a["person_id"], today):
            assert any(
                b["starts_on"] > a["starts_on"] for b in by_holder[(a["person_id"], a["kind"])]
            ), a
    chairs = sorted(rows["amu_chair_period"], key=lambda c: c["starts_on"])
    for c, following in zip(chairs, [*chairs[1:], None], strict=False):
        seat = appointments[c["appointment_id"]]
        assert seat["kind"] == "amu_member" and not seat["is_deputy"]
        assert seat["amu_side"] in ("employer", "employee")
        assert seat["starts_on"] <= c["starts_on"] <= c["ends_on"] <= (last_day(seat) or date.max)
        assert c["ends_on"] <= chair_last_day(c["starts_on"])
        if following is not None:
            assert c["ends_on"] < following["starts_on"]
            if following["starts_on"] == c["ends_on"] + timedelta(days=1):  # sides alternate
                assert appointments[following["appointment_id"]]["amu_side"] != seat["amu_side"]
    kinds = Counter(a["kind"] for a in appointments.values())
    assert kinds["safety_rep"] and kinds["chief_safety_rep"] and kinds["amu_member"]


def last_day(appointment: dict[str, Any]) -> date | None:
    days = [d for d in (appointment["ends_on"], appointment["ended_on"]) if d is not None]
    return min(days) if days else None


def check_training(rows: Rows, today: date, employed: Employment) -> None:
    for r in rows["training_record"]:
        assert r["hours"] > 0
        assert r["completed_on"] < today
        assert employed.on(r["person_id"], r["completed_on"]), r
        assert (r["withdrawn_on"] is None) == (r["withdrawn_reason"] is None)


def check_deviations(rows: Rows, today: date, employed: Employment) -> None:
    """Each status with the fields the workflow sets for it."""
    actions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in rows["corrective_action"]:
        assert (a["deviation_id"] is None) != (a["risk_id"] is None)
        made = oslo_day(a["created_at"])
        assert a["deadline"] >= made
        assert a["done_on"] is None or a["withdrawn_at"] is None
        if a["done_on"] is not None:
            assert made - timedelta(days=1) <= a["done_on"] < today
        if a["withdrawn_at"] is not None:
            assert a["withdrawn_at"] >= a["created_at"] and a["withdrawn_reason"]
        assert employed.on(a["owner_person_id"], made), a
        if a["deviation_id"] is not None:
            actions[a["deviation_id"]].append(a)
    departments = {d["id"]: d for d in rows["department"]}
    for d in rows["deviation"]:
        mine = actions[d["id"]]
        still_open = [a for a in mine if a["done_on"] is None and a["withdrawn_at"] is None]
        kept = [a for a in mine if a["withdrawn_at"] is None]
        status, reported = d["status"], oslo_day(d["created_at"])
        assert d["occurred_at"] <= d["created_at"]
        closed = departments[d["department_id"]]["closed_on"]
        assert closed is None or closed > reported
        if d["anonymous"]:
            assert d["reporter_person_id"] is None and d["receipt_code_hash"]
        else:
            assert employed.on(d["reporter_person_id"], reported)
        assert (d["caused_absence"] is not None) == (d["category"] == "personal_injury")
        assert d["routine_id"] is None or d["category"] == "routine_breach"
        assert not d["serious_injury"] or d["category"] == "personal_injury"
        if d["notified_at"] is not None:
            assert d["serious_injury"] and d["notified_by_person_id"]
            assert d["notified_at"] >= d["occurred_at"]
        if status == "registered":
            assert d["responsible_person_id"] is None and d["deadline"] is None
            assert not mine and d["closed_at"] is None and d["closed_by_person_id"] is None
        elif status in ("in_progress", "actions"):
            assert d["responsible_person_id"] and d["deadline"]
            assert d["closed_at"] is None and d["closed_by_person_id"] is None
            assert employed.on(d["responsible_person_id"], today)
            assert bool(still_open) == (status == "actions"), d
            for a in still_open:
                assert employed.on(a["owner_person_id"], today)
            assert status == "actions" or not mine or d["reopen_reason"]
        elif status == "closed":
            assert d["responsible_person_id"] and d["deadline"]
            assert d["closed_at"] and d["closed_by_person_id"] and d["root_cause"]
            assert not still_open
            assert (d["actions_effect"] == "no_actions") == (not kept), d
            if d["actions_effect"] in ("no", "partly", "no_actions"):
                assert d["closing_note"]
            assert not d["serious_injury"] or d["notified_at"]
            assert employed.on(d["closed_by_person_id"], oslo_day(d["closed_at"]))
        else:
            assert status == "rejected"
            assert d["rejection_reason"] and d["closed_at"] and not mine
            assert d["closed_by_person_id"] is None
            assert not d["serious_injury"] or d["notified_at"]
        if d["closed_at"] is not None:
            assert d["created_at"] <= d["closed_at"]
            assert all(oslo_day(a["created_at"]) <= oslo_day(d["closed_at"]) for a in mine)
    for c in rows["deviation_comment"]:
        assert c["from_reporter"] is False or c["visibility"] == "reporter"
        if c["author_person_id"] is not None:
            assert employed.on(c["author_person_id"], oslo_day(c["created_at"]))
    by_id = {d["id"]: d for d in rows["deviation"]}
    for c in rows["deviation_comment"]:
        d = by_id[c["deviation_id"]]
        assert d["created_at"] <= c["created_at"]
        if d["closed_at"] is not None:
            assert c["created_at"] <= d["closed_at"]
    statuses = {d["status"] for d in rows["deviation"]}
    assert statuses <= {"registered", "in_progress", "actions", "closed", "rejected"}


def check_routines(rows: Rows, today: date, employed: Employment) -> None:
    """One published version per routine in force; acknowledgements by people in scope,
    employed on the day, while the version was in force."""
    versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in rows["routine_version"]:
        versions[v["routine_id"]].append(v)
        assert (v["status"] in ("draft", "discarded")) == (v["number"] is None)
        if v["status"] in ("published", "archived"):
            assert v["published_on"] and v["published_at"] and v["published_by_person_id"]
            assert oslo_day(v["published_at"]) == v["published_on"] < today
        if v["status"] in ("archived", "discarded"):
            assert v["archived_at"] is not None
    reviews: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows["routine_review"]:
        reviews[r["routine_id"]].append(r)
        assert r["reviewed_on"] < today
    parents = {d["id"]: d["parent_id"] for d in rows["department"]}
    scopes: dict[int, set[int]] = defaultdict(set)
    for rd in rows["routine_department"]:
        scopes[rd["routine_id"]] |= subtree(rd["department_id"], parents)
    in_force = 0
    windows: dict[int, tuple[dict[str, Any], datetime, datetime | None]] = {}
    for routine in rows["routine"]:
        mine = versions[routine["id"]]
        published = [v for v in mine if v["status"] == "published"]
        numbered = sorted(v["number"] for v in mine if v["number"] is not None)
        assert numbered == list(range(1, len(numbered) + 1))
        assert len([v for v in mine if v["status"] == "draft"]) <= 1
        assert routine["whole_company"] == (not scopes[routine["id"]])
        if routine["archived_on"] is not None or not numbered:
            assert not published and routine["next_review_on"] is None
        else:
            in_force += 1
            assert len(published) == 1, routine
            current = published[0]
            assert current["number"] == numbered[-1]
            no_change = [
                r["reviewed_on"] for r in reviews[routine["id"]] if r["outcome"] == "no_change"
            ]
            base = max([current["published_on"], *no_change])
            due = routine_review_due(base, routine["review_interval_months"])
            assert routine["next_review_on"] == due
        ordered = sorted((v for v in mine if v["number"]), key=lambda v: v["number"])
        for v, following in zip(ordered, [*ordered[1:], None], strict=False):
            if following is not None:
                assert v["status"] == "archived" and v["archived_at"] == following["published_at"]
            windows[v["id"]] = (routine, v["published_at"], v["archived_at"])
    assert in_force
    tagged = {t["routine_id"] for t in rows["routine_tag"] if t["tag"] == "varsling"}
    assert any(
        r["whole_company"] and r["archived_on"] is None and r["id"] in tagged
        for r in rows["routine"]
    )
    department_of = {p: person["department_id"] for p, person in employed.by_id.items()}
    for ack in rows["routine_acknowledgement"]:
        routine, start, end = windows[ack["routine_version_id"]]
        assert start <= ack["acknowledged_at"] and (end is None or ack["acknowledged_at"] < end)
        assert employed.on(ack["person_id"], oslo_day(ack["acknowledged_at"])), ack
        assert routine["whole_company"] or department_of[ack["person_id"]] in scopes[routine["id"]]


def subtree(department_id: int, parents: dict[int, int | None]) -> set[int]:
    from hms_tracker.rules.departments import subtree_of

    return set(subtree_of([department_id], parents))


def check_risks(rows: Rows, today: date, employed: Employment) -> None:
    for r in rows["risk"]:
        assert 1 <= r["consequence"] <= 5 and 1 <= r["probability"] <= 5
        assert oslo_day(r["created_at"]) <= r["last_assessed_on"] < today
        if r["archived_on"] is None and r["owner_person_id"] is not None:
            assert employed.on(r["owner_person_id"], today)
        if r["archived_on"] is not None:
            assert r["archived_reason"] and r["last_assessed_on"] <= r["archived_on"] < today
    archived = {r["id"] for r in rows["risk"] if r["archived_on"] is not None}
    for a in rows["corrective_action"]:
        if a["risk_id"] in archived:
            assert a["done_on"] is not None or a["withdrawn_at"] is not None


def check_audit(rows: Rows, today: date, employed: Employment) -> None:
    """One `create` event per row of every audited table; an edit version per update; every
    event before today, by someone employed that day."""
    midnight = datetime.combine(today, time(0), OSLO)
    creates: dict[str, Counter[str]] = defaultdict(Counter)
    updates: Counter[tuple[str, str]] = Counter()
    for e in rows["audit_event"]:
        assert e["occurred_at"] < midnight
        assert e["actor_label"] == "demo"
        if e["actor_person_id"] is not None:
            assert employed.on(e["actor_person_id"], oslo_day(e["occurred_at"])), e
        if e["action"] == "create":
            creates[e["entity"]][e["entity_id"]] += 1
            assert e["before"] is None and e["after"]
        else:
            updates[(e["entity"], e["entity_id"])] += 1
            assert set(e["before"]) == set(e["after"])
    for table in SQLModel.metadata.sorted_tables:
        model = next(
            (m for m in SQLModel.__subclasses__() if getattr(m, "__table__", None) is table), None
        )
        if model is None or not getattr(model, "__audited__", False) or table.name == "course_type":
            continue
        key = "id" if "id" in table.c else "key"
        ids = Counter(str(r[key]) for r in rows[table.name])
        assert creates[table.name] == ids, table.name
    for d in rows["deviation"]:
        assert d["version"] == 1 + updates[("deviation", str(d["id"]))], d
    redacted = [
        e for e in rows["audit_event"] if e["entity"] == "app_user" and e["action"] == "create"
    ]
    assert all(e["after"]["password_hash"] == "***" for e in redacted)


def check_company(rows: Rows, today: date) -> None:
    employed = Employment(rows["person"])
    check_keys(rows)
    check_people(rows, today, employed)
    check_appointments(rows, today, employed)
    check_training(rows, today, employed)
    check_deviations(rows, today, employed)
    check_routines(rows, today, employed)
    check_risks(rows, today, employed)
    check_audit(rows, today, employed)


# --- the tests ------------------------------------------------------------------------------


def test_tiny_scale_is_consistent_and_as_counted(engine):
    today = TODAY
    with Session(engine) as session:
        version_before = data_version(session)
    summary = build_scaled(engine, scale="tiny", today=today, seed=8)
    with Session(engine) as session:  # written past SQLAlchemy, still a new data version
        assert data_version(session) not in (None, version_before)

    rows = rows_of(engine)
    check_company(rows, today)
    counted, company = dry_run(scale="tiny", today=today, seed=8)  # the same, written nowhere
    for name, table_rows in rows.items():
        # Made by the migrations: the seeded courses, the data version's one row.
        seeded = {"course_type": len(SEEDED_COURSES), "data_version": 2}.get(name, 0)
        assert len(table_rows) == counted.count(name) + seeded, name
    assert len(rows["deviation"]) == 1000
    assert len(rows["person"]) == len(company.people) == 65
    assert sum(1 for p in company.people if p.employed(today)) == 50
    assert len(rows["department"]) == 6
    assert len(rows["routine"]) == 10 and len(rows["risk"]) == 30
    assert len(rows["corrective_action"]) > 1000 and len(rows["deviation_comment"]) > 1500
    assert len(rows["routine_acknowledgement"]) > 300 and len(rows["training_record"]) > 200
    statuses = Counter(d["status"] for d in rows["deviation"])
    assert set(statuses) == {"registered", "in_progress", "actions", "closed", "rejected"}
    assert statuses["closed"] > 800
    assert summary.startswith("Demo loaded (") and "1,000 deviations" in summary


@pytest.mark.parametrize(
    "today",
    [date(2027, 1, 1), date(2026, 3, 29), date(2028, 2, 29)],
    ids=["new-year", "summer-time-begins", "leap-day"],
)
def test_tiny_scale_is_consistent_on_awkward_days(today):
    check_company(rows_of_dry_run(scale="tiny", today=today, seed=3), today)


def test_the_same_seed_gives_the_same_company():
    today = date(2026, 3, 16)
    first = rows_of_dry_run(scale="tiny", today=today, seed=5)
    again = rows_of_dry_run(scale="tiny", today=today, seed=5)
    assert first == again


PAGES = (
    "/",
    "/people",
    "/people?q=sen",
    "/people?status=former",
    "/people/export.csv",
    "/departments",
    "/audit",
    "/audit?entity=deviation",
    "/appointments",
    "/appointments/agreements",
    "/training",
    "/training/courses",
    "/training/export.csv",
    "/gaps",
    "/deviations",
    "/deviations?status=open&sort=risk",
    "/deviations?overdue=1",
    "/deviations?q=truck",
    "/deviations/stats",
    "/deviations/export.xlsx",
    "/routines",
    "/routines?overdue=1",
    "/my/reading",
    "/risks",
    "/risks?not_assessed=1",
    "/risks/matrix",
    "/settings",
)


def detail_pages(rows: Rows) -> list[str]:
    """A page of each kind of record: every department and routine (and its versions), a
    deviation of each status, and a few of the rest."""
    pages = [f"/departments/{d['id']}" for d in rows["department"]]
    for v in rows["routine_version"]:
        if v["number"]:
            pages.append(f"/routines/{v['routine_id']}/versions/{v['number']}")
        if v["number"] == 2:
            pages.append(f"/routines/{v['routine_id']}/diff?a=1&b=2")
    pages += [f"/routines/{r['id']}" for r in rows["routine"]]
    by_status = {d["status"]: d["id"] for d in rows["deviation"]}
    by_status["anonymous"] = next(d["id"] for d in rows["deviation"] if d["anonymous"])
    pages += [f"/deviations/{i}" for i in by_status.values()]
    for table, url in (
        ("person", "/people/{}"),
        ("appointment", "/appointments/{}"),
        ("risk", "/risks/{}"),
        ("training_record", "/training/records/{}"),
    ):
        ids = [r["id"] for r in rows[table]]
        pages += [url.format(i) for i in (ids[0], ids[len(ids) // 2], ids[-1])]
    return pages


def test_the_main_pages_answer_on_it(client, engine, session):
    build_scaled(engine, scale="tiny", seed=11)

    coordinator = session.exec(select(User).where(User.email == "koordinator@example.com")).one()
    login_as(client, session, coordinator)
    past = oslo_today() - timedelta(days=400)
    for page in (*PAGES, f"/gaps?on={past}", *detail_pages(rows_of(engine))):
        response = client.get(page)
        assert response.status_code == 200, (page, response.text[:300])
    # Every demo login works with the small demo's password, and sees its start page.
    for email, _label in DEMO_ACCOUNTS:
        client.cookies.clear()
        login(client, email, DEMO_PASSWORD)
        for page in ("/", "/deviations", "/my/reading", "/routines"):
            response = client.get(page)
            assert response.status_code == 200, (email, page)


def test_the_command_loads_once(db_url, monkeypatch):
    from hms_tracker.cli import app

    monkeypatch.setenv("HMS_DATABASE_URL", db_url)
    runner = CliRunner()
    get_settings.cache_clear()
    try:
        wrong = runner.invoke(app, ["demo", "--scale", "huge"])
        assert wrong.exit_code == 1 and "--scale must be" in wrong.output
        first = runner.invoke(app, ["demo", "--scale", "tiny"])
        assert first.exit_code == 0, first.output
        assert "  deviations: " in first.output and "Demo loaded (" in first.output
        refused = runner.invoke(app, ["demo", "--scale", "tiny"])
        assert refused.exit_code == 1 and "already has people" in refused.output
        skipped = runner.invoke(app, ["demo", "--scale", "medium", "--if-empty"])
        assert skipped.exit_code == 0 and "demo not loaded" in skipped.output
    finally:
        get_settings.cache_clear()


def test_a_database_with_people_is_refused_and_left_alone(engine):
    build_scaled(engine, scale="tiny", seed=1)
    with Session(engine) as session:
        before = session.exec(select(sa.func.count()).select_from(User)).one()
    from hms_tracker.demo.builder import DemoAlreadyLoaded

    with pytest.raises(DemoAlreadyLoaded):
        build_scaled(engine, scale="tiny", seed=2)
    with Session(engine) as session:
        assert session.exec(select(sa.func.count()).select_from(User)).one() == before
