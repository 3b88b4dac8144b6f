"""`hms-tracker demo --scale large|medium`: the demo company grown to measure the app on.

Large is a ten-year engineering group with 5,000 people employed today (about 6,500 in
all), 100 departments in three levels, 100,000 deviations with their actions and
comments, 30,000 training records, 1,000 routines with their versions, reviews and
read acknowledgements, 3,000 risks, ten years of appointments, the demo logins of the
small demo (same e-mails, same password) and the audit trail of all of it. Medium is a
tenth of it; `tiny` (a hundredth, not offered in the help) is what the tests build.

Unlike the small demo (demo/builder.py), nothing goes through the ORM: rows are made as
plain dicts and written in batches (demo/bulk.py), with the audit events the listener
would have written for each step. Every row keeps the app's rules (see the docstrings of
demo/scale_*.py), so every page works on it. One transaction: on failure nothing is left.

Deterministic: a seed, a scale and a day give the same company.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from hms_tracker.demo.builder import (
    AMU_COURSE,
    COORDINATOR_EMAIL,
    EMPLOYER_COURSE,
    FIRST_AID_COURSE,
    SAFETY_REP_COURSE,
    DemoAlreadyLoaded,
)
from hms_tracker.demo.bulk import Audit, BulkWriter, PostgresSink, Sink, SqliteSink
from hms_tracker.demo.deviations import HOURS_KEY
from hms_tracker.demo.scale_company import (
    Clock,
    Company,
    build_accounts,
    build_appointments,
    build_departments,
    build_leaders,
    build_people,
    build_training,
    require_first_aid,
    write_setting,
)
from hms_tracker.demo.scale_deviations import build_deviations
from hms_tracker.demo.scale_routines import build_risks, build_routines, hours_worked
from hms_tracker.demo.service import DEMO_MARKER, DEMO_PASSWORD

COMPANY_NAME = "Nordvik Industri AS"
ACTOR_LABEL = "demo"
SCALES = {"large": 1.0, "medium": 0.1, "tiny": 0.01}
OFFERED = ("medium", "large")  # tiny is for the tests
SEEDED_COURSES = (SAFETY_REP_COURSE, AMU_COURSE, EMPLOYER_COURSE, FIRST_AID_COURSE)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Sizes:
    departments: int
    employed: int
    former: int
    deviations: int
    routines: int
    risks: int

    @classmethod
    def of(cls, scale: str) -> Sizes:
        f = SCALES[scale]
        return cls(
            departments=max(6, round(100 * f)),
            employed=max(30, round(5000 * f)),
            former=max(8, round(1500 * f)),
            deviations=round(100_000 * f),
            routines=max(8, round(1000 * f)),
            risks=max(10, round(3000 * f)),
        )


def _has_people(connection: sa.Connection) -> bool:
    return connection.execute(sa.text("SELECT 1 FROM person LIMIT 1")).first() is not None


def _sink(connection: sa.Connection) -> Sink:
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return SqliteSink(driver)
    return PostgresSink(driver)


class _Steps:
    """Runs the builders in order, printing what each wrote and how long it took."""

    def __init__(self, writer: BulkWriter, progress: Progress) -> None:
        self.writer, self.progress = writer, progress
        self.started = self.last = time.perf_counter()
        self.seen = {name: 0 for name in writer.tables}

    def done(self, label: str) -> None:
        now = time.perf_counter()
        parts = []
        for name in self.writer.tables:
            count = self.writer.count(name)
            if count != self.seen[name]:
                parts.append(f"{name} {count - self.seen[name]:,}")
                self.seen[name] = count
        self.progress(f"  {label}: {', '.join(parts)} ({now - self.last:.1f} s)")
        self.last = now


def build(
    writer: BulkWriter,
    *,
    scale: str,
    today: date,
    seed: int,
    password_hash: str,
    course_ids: dict[str, int],
    connection: sa.Connection | None = None,
    progress: Progress = lambda _line: None,
) -> Company:
    """Everything of the scaled demo, through `writer` (a dry run when its sink writes
    nowhere)."""
    sizes = Sizes.of(scale)
    clock = Clock(today)
    company = Company(
        random.Random(seed), clock, writer, Audit(writer, label=ACTOR_LABEL), SCALES[scale]
    )
    company.progress = progress
    steps = _Steps(writer, progress)
    founded_at = clock.local(clock.founded, 470)

    write_setting(company, "company_name", COMPANY_NAME, founded_at)
    write_setting(company, DEMO_MARKER, "1", founded_at)
    build_departments(company, sizes.departments)
    steps.done("departments")
    build_people(company, sizes.employed, sizes.former)
    build_leaders(company)
    build_accounts(company, password_hash)
    steps.done("people, leaders and accounts")
    build_appointments(company)
    steps.done("appointments")
    build_training(company, course_ids)
    require_first_aid(company, connection)
    steps.done("training")
    # Each later part draws from its own generator: changing one leaves the others alone.
    company.rng = random.Random(seed + 1)
    routines = build_routines(company, sizes.routines)
    steps.done("routines")
    company.rng = random.Random(seed + 2)
    build_risks(company, sizes.risks, routines)
    steps.done("risks")
    company.rng = random.Random(seed + 3)
    build_deviations(company, sizes.deviations, routines)
    steps.done("deviations")
    # The hours worked each year, for the injury rates on the statistics page.
    at = clock.local(clock.yesterday, 600)
    for year in range(clock.founded.year, today.year + 1):
        last = min(date(year, 12, 31), clock.yesterday)
        hours = hours_worked(company.people, date(year, 1, 1), last)
        if hours > 0:
            write_setting(company, HOURS_KEY.format(year=year), str(hours), at)
    writer.finish()
    steps.done("settings and the rest of the audit trail")
    return company


def summary(writer: BulkWriter, company: Company, seconds: float) -> str:
    count = writer.count
    employed = sum(1 for p in company.people if p.employed(company.today))
    return (
        f"Demo loaded ({seconds:.0f} s): {len(company.people):,} people ({employed:,} employed "
        f"today) in {count('department')} departments; {count('deviation'):,} deviations, "
        f"{count('corrective_action'):,} actions, {count('deviation_comment'):,} comments, "
        f"{count('training_record'):,} training records, {count('routine'):,} routines "
        f"({count('routine_version'):,} versions, {count('routine_acknowledgement'):,} "
        f"acknowledgements), {count('risk'):,} risks, {count('appointment'):,} appointments "
        f"and {count('audit_event'):,} audit events; log in as {COORDINATOR_EMAIL} / "
        f"{DEMO_PASSWORD}"
    )


def build_scaled(
    engine: Engine,
    *,
    scale: str,
    today: date | None = None,
    seed: int = 2024,
    progress: Progress = lambda _line: None,
) -> str:
    """Load the scaled demo into an empty database, in one transaction; refuses (with
    DemoAlreadyLoaded) when the database already has people. Returns a summary line."""
    from hms_tracker.accounts.service import hash_password
    from hms_tracker.db import bump_every_data_version, writing_engine

    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} (one of {', '.join(SCALES)})")
    if today is None:
        from hms_tracker.web.dates import today as oslo_today

        today = oslo_today()
    started = time.perf_counter()
    with writing_engine(engine).begin() as connection:
        if _has_people(connection):
            raise DemoAlreadyLoaded(
                "The database already has people; the demo is only loaded into an empty "
                "database (`hms-tracker demo --if-empty` skips it quietly)."
            )
        progress(f"Loading the {scale} demo for {today.isoformat()} (seed {seed}) …")
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # a large page cache: the indexes are built as the rows go in
            connection.exec_driver_sql("PRAGMA cache_size=-262144")
        courses = dict(connection.execute(sa.text("SELECT name, id FROM course_type")).all())
        writer = BulkWriter(_sink(connection))
        writer.start_ids(connection)
        company = build(
            writer,
            scale=scale,
            today=today,
            seed=seed,
            password_hash=hash_password(DEMO_PASSWORD),
            course_ids={name: courses[name] for name in SEEDED_COURSES},
            connection=connection,
            progress=progress,
        )
        if sqlite:
            connection.exec_driver_sql("PRAGMA cache_size=-2000")
        # Written past SQLAlchemy (the driver's executemany / COPY): the data version is
        # changed here, so nothing cached for the empty database stands.
        bump_every_data_version(connection)
        progress("  committing …")
    if engine.dialect.name == "postgresql":
        progress("  analysing the tables …")
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return summary(writer, company, time.perf_counter() - started)


def dry_run(*, scale: str, today: date, seed: int = 2024) -> tuple[BulkWriter, Company]:
    """Build without a database (nothing written): for counting and checking determinism."""
    writer = BulkWriter(Sink())
    writer.tables["course_type"].next_id = len(SEEDED_COURSES) + 1
    company = build(
        writer,
        scale=scale,
        today=today,
        seed=seed,
        password_hash="$argon2id$dry-run",
        course_ids={name: n for n, name in enumerate(SEEDED_COURSES, start=1)},
    )
    return writer, company
