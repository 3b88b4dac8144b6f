"""The scaled demo's company: the department tree, ten years of people, the leaders, the
demo accounts, the appointments (verneombud per area, hovedverneombud, AMU with deputies
and chairs) and the training records, written in bulk (demo/bulk.py) with their audit
events.

Everything random comes from the `Company`'s `random.Random`; every date is counted from
`today`, so a seed, a scale and a day always give the same company.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

import sqlalchemy as sa

from hms_tracker.appointments.models import AmuSide, AppointmentKind
from hms_tracker.demo import scale_texts as texts
from hms_tracker.demo.builder import (
    ACCOUNT_NAMES,
    AMU_COURSE,
    AMU_EMAIL,
    BHT_NAME,
    BHT_ORGANISATION,
    COORDINATOR_EMAIL,
    EMAIL_DOMAIN,
    EMPLOYEE_EMAIL,
    EMPLOYER_COURSE,
    FEMALE_NAMES,
    FIRST_AID_COURSE,
    FIRST_AID_REQUIRED_FOR,
    LEADER_EMAIL,
    MALE_NAMES,
    SAFETY_REP_COURSE,
    SAFETY_REP_EMAIL,
    SURNAMES,
    ascii_fold,
)
from hms_tracker.demo.bulk import Audit, BulkWriter, Row
from hms_tracker.organisation.models import EmploymentType
from hms_tracker.rules.periods import add_years, period_end
from hms_tracker.translation import OSLO

PERMANENT = EmploymentType.permanent.value
TEMPORARY = EmploymentType.temporary.value
HIRED_IN = EmploymentType.hired_in.value
SAFETY_REP = AppointmentKind.safety_rep.value
CHIEF = AppointmentKind.chief_safety_rep.value
AMU = AppointmentKind.amu_member.value
ADMINISTRATION, PRODUCTION, WAREHOUSE = "Administrasjon", "Produksjon", "Lager og logistikk"
TERM_YEARS = 2
DAY = timedelta(days=1)


# --- time ---------------------------------------------------------------------------------


class Clock:
    """Days and moments of the demo's ten years. People act on weekdays in working hours
    (07:15–15:30 Norwegian time); nothing happens on or after today."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.yesterday = today - DAY
        self.founded = add_years(today, -10)
        self.midnight = self.local(today, 0)

    @staticmethod
    @cache
    def offset(day: date) -> timedelta:
        """Norway's offset from UTC on `day` (working hours never straddle the change)."""
        offset = datetime.combine(day, time(12), OSLO).utcoffset()
        assert offset is not None
        return offset

    def local(self, day: date, minutes: float) -> datetime:
        """`minutes` after midnight, Norwegian time, on `day`, in UTC."""
        base = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return base + timedelta(minutes=minutes) - self.offset(day)

    def moment(self, day: date, rng: random.Random) -> datetime:
        """A moment in the working hours of `day` (to the microsecond)."""
        return self.local(day, 435 + rng.random() * 495)

    @staticmethod
    def weekday_before(day: date) -> date:
        """`day`, or the Friday before when it is a weekend."""
        weekday = day.weekday()
        return day - timedelta(days=weekday - 4) if weekday > 4 else day

    @staticmethod
    def weekday_after(day: date) -> date:
        weekday = day.weekday()
        return day + timedelta(days=7 - weekday) if weekday > 4 else day

    def workday(self, day: date, rng: random.Random) -> datetime:
        """A working moment on `day` moved to a weekday, never today or later."""
        day = self.weekday_before(min(day, self.yesterday))
        return self.moment(day, rng)

    @staticmethod
    def day_of(moment: datetime) -> date:
        """The Norwegian date of a moment."""
        return moment.astimezone(OSLO).date()

    def later(
        self, moment: datetime, low: int, high: int, rng: random.Random, *, before: date
    ) -> datetime:
        """A working moment `low`–`high` days after `moment`, on a day before `before`; a
        little later the same day when there is no room."""
        start = self.day_of(moment)
        day = self.weekday_after(start + timedelta(days=rng.randint(low, high)))
        if day >= before:
            day = self.weekday_before(before - DAY)
        if day <= start:
            return self.soon_after(moment, rng)
        return self.moment(day, rng)

    def soon_after(self, moment: datetime, rng: random.Random) -> datetime:
        """A few minutes later, but before midnight today."""
        later = moment + timedelta(minutes=5 + rng.random() * 60)
        if later >= self.midnight:
            later = moment + (self.midnight - moment) / 2
        return later


# --- the company --------------------------------------------------------------------------


@dataclass(eq=False)
class Dept:
    id: int
    name: str
    parent_id: int | None
    level: int
    division: str
    unit: str | None = None
    closed_on: date | None = None
    leader: Emp | None = None
    leader_since: date | None = None


@dataclass(eq=False)
class Emp:
    """A person of the register, as planned."""

    id: int
    name: str
    email: str
    dept: int
    title: str
    start: date
    end: date | None
    kind: str
    hours: Decimal
    end_reason: str | None = None
    account: str | None = None
    leads: int | None = None

    def employed(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)

    def through(self, first: date, last: date) -> bool:
        """Employed every day from `first` to `last`."""
        return self.start <= first and (self.end is None or self.end >= last)


@dataclass
class Area:
    """A verneområde: the departments it names, and whose people elect its verneombud."""

    named: list[int]
    home: frozenset[int]


@dataclass
class Term:
    """A verneombud appointment, for looking up who represented an area on a day."""

    person: Emp
    first: date
    last: date


@dataclass
class Company:
    rng: random.Random
    clock: Clock
    writer: BulkWriter
    audit: Audit
    scale: float
    depts: list[Dept] = field(default_factory=list)
    people: list[Emp] = field(default_factory=list)
    by_dept: dict[int, list[Emp]] = field(default_factory=dict)
    accounts: dict[str, Emp] = field(default_factory=dict)
    areas: list[Area] = field(default_factory=list)
    reps: dict[int, list[Term]] = field(default_factory=dict)  # area index -> terms
    area_of: dict[int, int] = field(default_factory=dict)  # department id -> area index
    courses: dict[str, int] = field(default_factory=dict)  # course name -> id
    amu_people: set[int] = field(default_factory=set)
    rep_people: dict[int, date] = field(default_factory=dict)  # person -> first appointed
    progress: Callable[[str], None] = lambda _line: None

    def tick(self, what: str, done: int, total: int) -> None:
        """A line now and then in a long step (every fifth of it, for large ones only)."""
        if total >= 1000 and done % (total // 5) == 0 and done < total:
            self.progress(f"    {what}: {done:,} of {total:,}")

    @property
    def today(self) -> date:
        return self.clock.today

    @property
    def coordinator(self) -> Emp:
        return self.accounts[COORDINATOR_EMAIL]

    def dept(self, dept_id: int) -> Dept:
        return self.depts[self._index[dept_id]]

    def index(self) -> None:
        self._index = {d.id: i for i, d in enumerate(self.depts)}
        self.parents = {d.id: d.parent_id for d in self.depts}
        self.children: dict[int, list[int]] = {}
        for d in self.depts:
            if d.parent_id is not None:
                self.children.setdefault(d.parent_id, []).append(d.id)
        self._subtrees: dict[int, frozenset[int]] = {}

    def subtree(self, dept_id: int) -> frozenset[int]:
        found = self._subtrees.get(dept_id)
        if found is None:
            ids = {dept_id}
            for child in self.children.get(dept_id, ()):
                ids |= self.subtree(child)
            found = self._subtrees[dept_id] = frozenset(ids)
        return found

    def open_depts(self) -> list[Dept]:
        return [d for d in self.depts if d.closed_on is None]

    def actor(self, person: Emp | None, day: date) -> int | None:
        """The person as the actor of a step on `day`, or the demo itself."""
        return person.id if person is not None and person.employed(day) else None

    def handler(self, dept_id: int, day: date) -> Emp:
        """Who handled a case of the department on `day`: its leader (or the leader above)
        when they led it then, else the HMS coordinator."""
        current: int | None = dept_id
        while current is not None:
            d = self.dept(current)
            if d.leader is not None and d.leader_since is not None and d.leader_since <= day:
                return d.leader
            current = d.parent_id
        return self.coordinator

    def someone(
        self,
        pool: Sequence[Emp],
        ok: Callable[[Emp], bool],
        *,
        tries: int = 12,
    ) -> Emp | None:
        """A random person of `pool` for whom `ok` holds (a few random tries, then a scan)."""
        if not pool:
            return None
        rng = self.rng
        for _ in range(tries):
            person = pool[int(rng.random() * len(pool))]
            if ok(person):
                return person
        fitting = [p for p in pool if ok(p)]
        return rng.choice(fitting) if fitting else None

    def rep_on(self, dept_id: int, day: date) -> Emp | None:
        """The verneombud of the department's area on `day`."""
        area = self.area_of.get(dept_id)
        for term in self.reps.get(area, ()) if area is not None else ():
            if term.first <= day <= term.last:
                return term.person
        return None


# --- settings and departments -------------------------------------------------------------


def write_setting(company: Company, key: str, value: str, at: datetime) -> None:
    row = company.writer.new("company_setting", key=key, value=value)
    company.audit.created("company_setting", row, at)
    company.writer.add("company_setting", row)


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_departments(company: Company, count: int) -> None:
    """A tree of `count` departments: divisions, a division at each site, and units."""
    rng, clock, writer = company.rng, company.clock, company.writer
    tops = texts.DIVISIONS[: min(len(texts.DIVISIONS), max(3, count // 8))]
    rest = count - len(tops)
    seconds = max(1, round(rest * 0.32)) if rest else 0
    thirds = rest - seconds
    per_division = _largest_remainder(seconds, [texts.DIVISION_WEIGHT[n] for n, _u in tops])
    depts: list[Dept] = []

    ids = writer.tables["department"]

    def new(name: str, parent: Dept | None, level: int, division: str, unit: str | None) -> Dept:
        dept = Dept(ids.next_id, name, parent.id if parent else None, level, division, unit)
        ids.next_id += 1
        depts.append(dept)
        return dept

    seconds_of: list[tuple[Dept, tuple[str, ...], float]] = []
    for d_index, ((division, units), n) in enumerate(zip(tops, per_division, strict=True)):
        top = new(division, None, 1, division, None)
        for k in range(n):
            site = texts.SITES[(k + 2 * d_index) % len(texts.SITES)]
            second = new(f"{division} {site}", top, 2, division, site)
            seconds_of.append((second, units, texts.DIVISION_WEIGHT[division]))
    # The units go to the sites of the heavier divisions first, as many as each has.
    placed = [0] * len(seconds_of)
    for _ in range(thirds):
        room = [i for i, (_d, units, _w) in enumerate(seconds_of) if placed[i] < len(units)]
        if not room:
            break
        best = max(room, key=lambda i: (seconds_of[i][2] / (placed[i] + 1), -i))
        second, units, _w = seconds_of[best]
        unit = units[placed[best]]
        placed[best] += 1
        new(f"{unit} {second.unit}", second, 3, second.division, unit)
    company.depts = depts
    company.index()
    # A few small units were closed over the years (their people have all left).
    leaves = [d for d in depts if d.level == 3 and d.division not in (WAREHOUSE,)]
    closing = max(1, round(count * 0.03)) if leaves else 0
    for d in sorted(leaves, key=lambda d: d.id)[-closing:]:
        if d.unit in ("Sveis og montering", "CNC-maskinering") and len(leaves) > closing + 2:
            continue
        d.closed_on = clock.founded + timedelta(days=rng.randint(3 * 365, 9 * 365))
    for n, d in enumerate(depts):
        row = writer.new(
            "department",
            id=d.id,
            name=d.name,
            parent_id=d.parent_id,
            created_at=clock.local(clock.founded, 480 + n),
        )
        company.audit.created("department", row, row["created_at"])
        if d.closed_on is not None:
            at = clock.workday(d.closed_on, rng)
            company.audit.updated("department", row, at, None, {"closed_on": d.closed_on})
        writer.add("department", row)
    writer.flush()


# --- people -------------------------------------------------------------------------------


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.emails: set[str] = set(ACCOUNT_NAMES)
        self.phones: set[str] = set()

    def name(self, women: float) -> str:
        rng = self.rng
        given = FEMALE_NAMES if rng.random() < women else MALE_NAMES
        first = rng.choice(given)
        if rng.random() < 0.25:
            second = rng.choice(given)
            if second != first:
                first = f"{first} {second}"
        last = rng.choice(SURNAMES)
        if rng.random() < 0.08:
            last = f"{rng.choice(SURNAMES)} {last}"
        return f"{first} {last}"

    def email(self, name: str) -> str:
        local = ".".join(ascii_fold(part) for part in name.split())
        email, n = f"{local}@{EMAIL_DOMAIN}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{EMAIL_DOMAIN}", n + 1
        self.emails.add(email)
        return email

    def phone(self) -> str:
        rng = self.rng
        while True:
            phone = (
                f"+47 9{rng.randint(0, 99):02d} {rng.randint(0, 99):02d} {rng.randint(0, 999):03d}"
            )
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


WOMEN = {
    "Administrasjon": 0.6,
    "Produksjon": 0.15,
    "Lager og logistikk": 0.25,
    "Vedlikehold": 0.1,
    "Prosjekt og engineering": 0.3,
    "Salg og service": 0.3,
}


def _first_of(company: Company, division: str, unit: str | None = None) -> Dept:
    """The first open department of a division (of a unit when there is one), the
    deepest first."""
    fitting = [
        d
        for d in company.depts
        if d.division == division and d.closed_on is None and (unit is None or d.unit == unit)
    ]
    if not fitting:
        return _first_of(company, division) if unit else company.depts[0]
    return max(fitting, key=lambda d: (d.level, -d.id))


def build_people(company: Company, employed: int, former: int) -> None:
    """`employed` people working here today and `former` who left over the ten years; every
    open department has a leader (planned first), the demo accounts are fixed people."""
    rng, clock, writer, audit = company.rng, company.clock, company.writer, company.audit
    founded, today = clock.founded, clock.today
    names = _Names(rng)
    people: list[Emp] = []
    ids = writer.tables["person"]

    def person(
        dept: Dept,
        title: str,
        start: date,
        end: date | None = None,
        *,
        kind: str = PERMANENT,
        hours: str = "37.5",
        account: str | None = None,
        end_reason: str | None = None,
    ) -> Emp:
        if account:
            name, email = ACCOUNT_NAMES[account], account
        else:
            name = names.name(WOMEN.get(dept.division, 0.3))
            email = names.email(name)
        emp = Emp(
            ids.next_id,
            name,
            email,
            dept.id,
            title,
            start,
            end,
            kind,
            Decimal(hours),
            end_reason,
            account,
        )
        ids.next_id += 1
        people.append(emp)
        if account:
            company.accounts[account] = emp
        return emp

    def years(n: float) -> int:
        return int(n * 365)

    administration = company.depts[0]  # the division itself
    warehouse = next(d for d in company.depts if d.name == WAREHOUSE)
    director = person(administration, "Administrerende direktør", founded)
    person(administration, "HMS-koordinator", founded, account=COORDINATOR_EMAIL)
    leader = person(
        warehouse, "Direktør lager og logistikk", founded + timedelta(days=40), account=LEADER_EMAIL
    )
    person(
        _first_of(company, WAREHOUSE),
        "Lagermedarbeider",
        today - timedelta(days=rng.randint(years(2), years(5))),
        account=EMPLOYEE_EMAIL,
    )
    person(
        _first_of(company, PRODUCTION, "Sveis og montering"),
        "Sveiser",
        founded + timedelta(days=200),
        account=SAFETY_REP_EMAIL,
    )
    person(
        _first_of(company, PRODUCTION, "CNC-maskinering"),
        "CNC-operatør",
        founded + timedelta(days=300),
        account=AMU_EMAIL,
    )

    # A leader for every open department.
    for d in company.open_depts():
        if d.id == administration.id:
            chief, since = director, founded
        elif d.id == warehouse.id:
            chief, since = leader, leader.start + timedelta(days=20)
        else:
            start = founded + timedelta(days=rng.randint(0, years(6)))
            title = texts.LEADER_TITLES[d.level]
            chief = person(d, title, start)
            room = max(0, min(years(2), (today - start).days - 30))
            since = start + timedelta(days=rng.randint(0, room))
        d.leader, d.leader_since = chief, since
        chief.leads = d.id

    # Everyone else, spread over the departments by division and level.
    open_depts = company.open_depts()
    weights = []
    for d in open_depts:
        level = d.level if company.children.get(d.id) else 3
        factor = {1: 0.25, 2: 0.5, 3: 1.0}[level]
        weights.append(texts.DIVISION_WEIGHT[d.division] * factor * rng.uniform(0.6, 1.4))
    for d in rng.choices(open_depts, weights, k=max(0, employed - len(people))):
        title = rng.choice(texts.TITLES[d.division])
        draw = rng.random()
        if draw < 0.07:  # temporary: a fixed term that ends in the future
            start = today - timedelta(days=rng.randint(14, years(1.5)))
            end = max(start + timedelta(days=rng.randint(years(1), years(2))), today + DAY * 30)
            person(d, title, start, end, kind=TEMPORARY, hours=rng.choice(("37.5", "20")))
        elif draw < 0.14:
            start = today - timedelta(days=rng.randint(7, years(2.5)))
            person(d, title, start, kind=HIRED_IN)
        else:
            if rng.random() < 0.2:
                start = founded + timedelta(days=rng.randint(0, 60))
            else:
                start = founded + timedelta(days=rng.randint(0, (today - founded).days - 7))
            hours = rng.choices(("37.5", "30", "22.5", "15"), (85, 5, 5, 5))[0]
            person(d, title, start, hours=hours)

    # People who left: in the closed units first (before they closed), then anywhere.
    closed = [d for d in company.depts if d.closed_on is not None]
    left: list[tuple[Dept, date]] = []
    for d in closed:
        assert d.closed_on is not None
        left += [(d, d.closed_on) for _ in range(max(3, round(former * 0.01)))]
    for d in rng.choices(open_depts, weights, k=max(0, former - len(left))):
        left.append((d, today))
    for d, before in left:
        latest = (before - founded).days - 200
        start = founded + timedelta(days=rng.randint(0, max(0, latest)))
        end = start + timedelta(days=rng.randint(150, max(150, (before - start).days - 2)))
        end = min(end, before - DAY)
        draw = rng.random()
        kind = TEMPORARY if draw < 0.1 else HIRED_IN if draw < 0.18 else PERMANENT
        reason = {TEMPORARY: texts.TEMPORARY_END, HIRED_IN: texts.HIRED_IN_END}.get(
            kind, rng.choice(texts.END_REASONS)
        )
        person(d, rng.choice(texts.TITLES[d.division]), start, end, kind=kind, end_reason=reason)

    company.people = people
    for emp in people:
        company.by_dept.setdefault(emp.dept, []).append(emp)
        registered = clock.workday(emp.start - timedelta(days=rng.randint(1, 20)), rng)
        ended_early = emp.end is not None and emp.end < today
        row = writer.new(
            "person",
            id=emp.id,
            name=emp.name,
            email=emp.email,
            phone=names.phone(),
            title=emp.title,
            department_id=emp.dept,
            employed_from=emp.start,
            employed_to=None if ended_early else emp.end,
            employment_type=emp.kind,
            weekly_hours=emp.hours,
            created_at=registered,
        )
        audit.created(
            "person", row, registered, company.actor(company.coordinator, registered.date())
        )
        if ended_early:
            assert emp.end is not None
            at = max(clock.workday(emp.end - timedelta(days=rng.randint(0, 20)), rng), registered)
            audit.updated(
                "person",
                row,
                at,
                company.actor(company.coordinator, at.date()),
                {"employed_to": emp.end, "end_reason": emp.end_reason},
                action="employment_ended",
            )
        writer.add("person", row)
        writer.maybe_flush()
    writer.flush()


def build_leaders(company: Company) -> None:
    clock, writer = company.clock, company.writer
    for d in company.depts:
        if d.leader is None or d.leader_since is None:
            continue
        row = writer.new(
            "department_leader",
            department_id=d.id,
            person_id=d.leader.id,
            starts_on=d.leader_since,
        )
        at = clock.workday(d.leader_since, company.rng)
        company.audit.created(
            "department_leader", row, at, company.actor(company.coordinator, at.date())
        )
        writer.add("department_leader", row)
    writer.flush()


def build_accounts(company: Company, password_hash: str) -> None:
    """The demo logins (the small demo's e-mails and password)."""
    clock, writer = company.clock, company.writer
    for email, emp in company.accounts.items():
        at = clock.workday(max(emp.start, clock.today - timedelta(days=400)), company.rng)
        row = writer.new(
            "app_user",
            person_id=emp.id,
            email=email,
            password_hash=password_hash,
            is_admin=email == COORDINATOR_EMAIL,
            is_active=True,
            created_at=at,
        )
        company.audit.created("app_user", row, at, company.actor(company.coordinator, at.date()))
        company.audit.user_of[emp.id] = row["id"]
        writer.add("app_user", row)
    writer.flush()


# --- appointments -------------------------------------------------------------------------


@dataclass(eq=False)
class _Appointment:
    row: Row
    person: Emp | None
    areas: list[int] = field(default_factory=list)
    created: datetime | None = None


def _areas(company: Company) -> None:
    """One verneområde per site of a division (naming the division itself in the first),
    and one per division without sites."""
    for d in company.depts:
        if d.level != 1:
            continue
        seconds = [c for c in company.children.get(d.id, []) if company.dept(c).closed_on is None]
        if not seconds:
            company.areas.append(Area([d.id], company.subtree(d.id)))
            continue
        for i, second in enumerate(seconds):
            named = [second, d.id] if i == 0 else [second]
            home = company.subtree(second) | ({d.id} if i == 0 else set())
            company.areas.append(Area(named, frozenset(home)))
    for index, area in enumerate(company.areas):
        for dept_id in area.home:
            company.area_of.setdefault(dept_id, index)


def build_appointments(company: Company) -> None:
    rng, clock, writer, audit = company.rng, company.clock, company.writer, company.audit
    today, founded = clock.today, clock.founded
    coordinator = company.coordinator
    made: list[_Appointment] = []
    busy: dict[tuple[int, str], list[tuple[date, date]]] = {}
    _areas(company)

    def free(emp: Emp, kind: str, first: date, last: date) -> bool:
        return all(b < first or a > last for a, b in busy.get((emp.id, kind), ()))

    def appoint(
        kind: str,
        emp: Emp | None,
        first: date,
        ends_on: date | None,
        *,
        side: str | None = None,
        deputy: bool = False,
        note: str | None = None,
        areas: Iterable[int] = (),
    ) -> _Appointment:
        created = clock.workday(first - timedelta(days=rng.randint(2, 20)), rng)
        row = writer.new(
            "appointment",
            kind=kind,
            person_id=emp.id if emp else None,
            external_name=None if emp else BHT_NAME,
            external_organisation=None if emp else BHT_ORGANISATION,
            starts_on=first,
            ends_on=ends_on,
            amu_side=side,
            is_deputy=deputy,
            note=note,
            created_at=created,
        )
        appointment = _Appointment(row, emp, list(areas), created)
        made.append(appointment)
        if emp is not None:
            busy.setdefault((emp.id, kind), []).append((first, ends_on or date.max))
        return appointment

    def eligible(emp: Emp, kind: str, first: date, last: date) -> bool:
        current = last >= today
        return (
            emp.kind == PERMANENT
            and emp.hours >= 20
            and emp.start <= first
            and (emp.end is None if current else emp.end is None or emp.end >= last)
            and emp.account is None
            and free(emp, kind, first, last)
        )

    # Verneombud: two-year terms per area from the first year, some re-elected, a few
    # stepping down during the term (a successor for the rest of it).
    rep_account = company.accounts[SAFETY_REP_EMAIL]
    for index, area in enumerate(company.areas):
        pool = [p for d in sorted(area.home) for p in company.by_dept.get(d, []) if p.leads is None]
        first = founded + timedelta(days=rng.randint(0, 240))
        previous: Emp | None = None
        terms: list[Term] = []
        while first < today:
            ends_on = period_end(first, TERM_YEARS)
            last = min(ends_on, today)
            holder: Emp | None = None
            if rep_account.dept in area.home and first <= today <= ends_on:
                holder = rep_account
            elif (
                previous is not None
                and rng.random() < 0.5
                and eligible(previous, SAFETY_REP, first, ends_on)
            ):
                holder = previous
            else:
                holder = company.someone(pool, lambda p: eligible(p, SAFETY_REP, first, ends_on))  # noqa: B023
            if holder is not None:
                note = "Valgt av de ansatte i verneområdet"
                term = appoint(SAFETY_REP, holder, first, ends_on, note=note, areas=area.named)
                room = (min(ends_on, today - timedelta(days=60)) - first).days
                if holder is not rep_account and room > 120 and rng.random() < 0.05:
                    stop = first + timedelta(days=rng.randint(60, room - 30))
                    term.row["ended_on"], term.row["end_reason"] = stop, "Trakk seg fra vervet"
                    terms.append(Term(holder, first, stop))
                    successor = company.someone(
                        pool,
                        lambda p: eligible(p, SAFETY_REP, stop + DAY, ends_on),  # noqa: B023
                    )
                    if successor is not None:
                        appoint(
                            SAFETY_REP,
                            successor,
                            stop + DAY,
                            ends_on,
                            note="Valgt for resten av valgperioden",
                            areas=area.named,
                        )
                        terms.append(Term(successor, stop + DAY, last))
                    holder = successor
                else:
                    terms.append(Term(holder, first, last))
                for t in terms:
                    company.rep_people.setdefault(t.person.id, t.first)
            previous = holder
            first = ends_on + DAY
        company.reps[index] = terms

    # Daglig leder and the occupational health service (external, no account).
    director = company.depts[0].leader
    assert director is not None
    appoint(
        AppointmentKind.managing_director.value,
        director,
        director.start,
        None,
        note="Ansatt av styret",
    )
    appoint(
        AppointmentKind.ohs_contact.value,
        None,
        founded,
        None,
        note="Avtale med godkjent bedriftshelsetjeneste",
    )

    # AMU: two-year terms from 1 January; the hovedverneombud sits on the employee side; the
    # chair alternates between the sides every year.
    amu_account = company.accounts[AMU_EMAIL]
    leaders = [d.leader for d in company.depts if d.leader is not None and d.level == 1]
    others = [d.leader for d in company.depts if d.leader is not None and d.level > 1]
    staff = [p for p in company.people if p.leads is None]
    starts = [date(today.year - 1 - 2 * k, 1, 1) for k in range(5)]
    for start in sorted(s for s in starts if s >= founded):
        end = period_end(start, TERM_YEARS)
        current_term = end >= today
        # The demo's AMU login has an employee seat of its own in the current term.
        taken: set[int] = {amu_account.id} if current_term else set()

        def fits(emp: Emp, *, leader_ok: bool = False) -> bool:
            return (
                emp.id not in taken  # noqa: B023
                and (leader_ok or emp.leads is None)
                and eligible_amu(emp)
            )

        def eligible_amu(emp: Emp) -> bool:
            current = end >= today  # noqa: B023
            return (
                emp.start <= start  # noqa: B023
                and (emp.end is None if current else emp.end is None or emp.end >= end)  # noqa: B023
                and (emp.account is None or emp is amu_account)
                and free(emp, AMU, start, end)  # noqa: B023
            )

        def member(
            emp: Emp | None, side: str, note: str, *, deputy: bool = False, first: date = start
        ) -> _Appointment:
            if emp is not None:
                assert free(emp, AMU, first, end)  # noqa: B023
                taken.add(emp.id)  # noqa: B023
                company.amu_people.add(emp.id)
            return appoint(AMU, emp, first, end, side=side, deputy=deputy, note=note)  # noqa: B023

        # The hovedverneombud: one of the verneombud in office when the term begins.
        reps_then = [
            t.person
            for terms in company.reps.values()
            for t in terms
            if t.first <= start <= t.last and t.person.account is None
        ]
        chief = company.someone(reps_then, lambda p: eligible_amu(p) and free(p, CHIEF, start, end))  # noqa: B023
        if chief is None:
            chief = company.someone(staff, lambda p: fits(p) and free(p, CHIEF, start, end))  # noqa: B023
        if chief is not None:
            appoint(CHIEF, chief, start, end, note="Valgt av verneombudene")
            taken.add(chief.id)  # an employee-side seat below, not an employer one

        employer, employee = AmuSide.employer.value, AmuSide.employee.value
        chosen = "Utpekt av daglig leder"
        chair_employer = member(director, employer, "Daglig leder")
        for _ in range(3):
            emp = company.someone(leaders, lambda p: fits(p, leader_ok=True)) or company.someone(  # noqa: B023
                others,
                lambda p: fits(p, leader_ok=True),  # noqa: B023
            )
            if emp is not None:
                member(emp, employer, chosen)
        for _ in range(2):
            emp = company.someone(others, lambda p: fits(p, leader_ok=True)) or company.someone(  # noqa: B023
                staff, fits
            )
            if emp is not None:
                member(emp, employer, chosen, deputy=True)
        chair_employee: _Appointment | None = None
        if chief is not None:
            chair_employee = member(chief, employee, "Hovedverneombud")
        elected = "Valgt av de ansatte"
        if current_term:
            chair_employee = member(amu_account, employee, elected)
        regulars = 3 - (1 if current_term else 0)
        for _ in range(regulars):
            emp = company.someone(staff, fits)
            if emp is not None:
                regular = member(emp, employee, elected)
                chair_employee = chair_employee or regular
        for _ in range(2):
            emp = company.someone(staff, fits)
            if emp is not None:
                member(emp, employee, elected, deputy=True)
        room = (min(end, today - timedelta(days=40)) - start).days
        gone = next(
            (
                a
                for a in reversed(made)
                if a.row["is_deputy"]
                and a.person is not None
                and a.row["amu_side"] == employee
                and a.row["starts_on"] == start
            ),
            None,
        )
        if gone is not None and room > 150 and rng.random() < 0.5:
            stop = start + timedelta(days=rng.randint(90, room - 30))
            gone.row["ended_on"], gone.row["end_reason"] = stop, "Trakk seg fra vervet"
            emp = company.someone(staff, lambda p: fits(p) and p.start <= stop)  # noqa: B023
            if emp is not None:
                member(
                    emp,
                    employee,
                    "Valgt av de ansatte for resten av perioden",
                    deputy=True,
                    first=stop + DAY,
                )
        member(None, AmuSide.ohs.value, "Bedriftshelsetjenesten, uten stemmerett")

        # The chair: the employer side the first year, the employee side the second.
        chairs: list[tuple[_Appointment | None, date, date]] = [
            (chair_employer, start, date(start.year, 12, 31)),
            (chair_employee, date(start.year + 1, 1, 1), end),
        ]
        for seat, first, last in chairs:
            if seat is None or first > today:
                continue
            row = writer.new(
                "amu_chair_period", appointment_id=seat.row["id"], starts_on=first, ends_on=last
            )
            assert seat.created is not None
            at = max(clock.workday(first - timedelta(days=10), rng), seat.created)
            audit.created("amu_chair_period", row, at, company.actor(coordinator, at.date()))
            writer.add("amu_chair_period", row)

    # A term that ran out and was not renewed by its holder was ended (else it is a gap).
    later: dict[tuple[int, str], list[date]] = {}
    for a in made:
        if a.person is not None:
            later.setdefault((a.person.id, a.row["kind"]), []).append(a.row["starts_on"])
    for a in made:
        row = a.row
        ends_on = row["ends_on"]
        if a.person is None or ends_on is None or ends_on >= today or row.get("ended_on"):
            continue
        if not any(s > row["starts_on"] for s in later[(a.person.id, row["kind"])]):
            row["ended_on"], row["end_reason"] = ends_on, "Valgperioden utløp"

    for a in made:
        row = a.row
        ended, reason = row.pop("ended_on", None), row.pop("end_reason", None)
        row["ended_on"] = row["end_reason"] = None
        assert a.created is not None
        audit.created("appointment", row, a.created, company.actor(coordinator, a.created.date()))
        for dept_id in a.areas:
            link = writer.new("appointment_area", appointment_id=row["id"], department_id=dept_id)
            audit.created(
                "appointment_area", link, a.created, company.actor(coordinator, a.created.date())
            )
            writer.add("appointment_area", link)
        if ended is not None:
            at = max(clock.workday(ended, rng), a.created)
            audit.updated(
                "appointment",
                row,
                at,
                company.actor(coordinator, at.date()),
                {"ended_on": ended, "end_reason": reason},
                action="appointment_ended",
            )
        writer.add("appointment", row)
    writer.flush()


# --- training -----------------------------------------------------------------------------


def build_training(company: Company, course_ids: dict[str, int]) -> None:
    """The company's own courses beside the four seeded ones, and completed training:
    the introduction for everyone, first aid and fire drills renewed while they are
    employed, the courses of their trade, and the courses their appointments require."""
    rng, clock, writer, audit = company.rng, company.clock, company.writer, company.audit
    today, coordinator = clock.today, company.coordinator
    courses = dict(course_ids)
    founded_at = clock.local(clock.founded, 500)
    for name, required, validity, _hours in texts.OWN_COURSES:
        row = writer.new(
            "course_type",
            name=name,
            required_hours=Decimal(required),
            validity_months=validity,
            required_for="",
        )
        audit.created("course_type", row, founded_at, company.actor(coordinator, founded_at.date()))
        writer.add("course_type", row)
        courses[name] = row["id"]
    company.courses = courses
    writer.flush()

    def took(emp: Emp, course: str, day: date, hours: int) -> None:
        last = min(emp.end or today, today - DAY)
        if day > last or day < emp.start:
            return
        at = clock.workday(day + timedelta(days=rng.randint(0, 10)), rng)
        row = writer.new(
            "training_record",
            person_id=emp.id,
            course_type_id=courses[course],
            completed_on=day,
            hours=Decimal(hours),
            provider=rng.choice(texts.PROVIDERS),
            created_at=at,
        )
        actor = company.actor(coordinator, at.date())
        audit.created("training_record", row, at, actor)
        if rng.random() < 0.003:
            withdrawn = min(clock.day_of(at) + timedelta(days=rng.randint(1, 30)), today - DAY)
            when = max(clock.workday(withdrawn, rng), at)
            audit.updated(
                "training_record",
                row,
                when,
                company.actor(coordinator, when.date()),
                {"withdrawn_on": clock.day_of(when), "withdrawn_reason": texts.WITHDRAWN_RECORD},
                bump=False,
            )
        writer.add("training_record", row)

    def every(emp: Emp, course: str, first: int, low: int, high: int, hours: int) -> None:
        day = emp.start + timedelta(days=rng.randint(first // 4, first))
        while day < today:
            took(emp, course, day, hours)
            day += timedelta(days=rng.randint(low, high))

    own = {name: hours for name, _r, _v, hours in texts.OWN_COURSES}
    intro, truck, height, hot, fire, chemicals, crane, sja = (n for n, *_ in texts.OWN_COURSES)
    for emp in company.people:
        division = company.dept(emp.dept).division
        took(emp, intro, emp.start + timedelta(days=rng.randint(2, 30)), own[intro])
        if emp.id in company.rep_people or rng.random() < 0.36:
            every(emp, FIRST_AID_COURSE, 300, 600, 760, 8)
        if rng.random() < 0.28:
            every(emp, fire, 200, 330, 420, own[fire])
        trade = {
            PRODUCTION: ((hot, 0.45, 1700), (crane, 0.2, 0)),
            WAREHOUSE: ((truck, 0.85, 0), (crane, 0.1, 0)),
            "Vedlikehold": ((height, 0.5, 1000), (crane, 0.4, 0), (hot, 0.3, 1700)),
            "Salg og service": ((height, 0.4, 1000), (sja, 0.6, 0)),
            "Prosjekt og engineering": ((sja, 0.4, 0),),
        }.get(division, ())
        for course, share, renew in trade:
            if rng.random() < share:
                if renew:
                    every(emp, course, 120, renew, renew + 120, own[course])
                else:
                    took(emp, course, emp.start + timedelta(days=rng.randint(10, 200)), own[course])
        if rng.random() < 0.12:
            took(emp, chemicals, emp.start + timedelta(days=rng.randint(30, 900)), own[chemicals])
        writer.maybe_flush()

    # What the appointments require: most took it within months; a few late or not yet.
    by_id = {p.id: p for p in company.people}
    for person_id, first in sorted(company.rep_people.items()):
        emp = by_id[person_id]
        if rng.random() < 0.9:
            done = first + timedelta(days=rng.randint(30, 150))
            if rng.random() < 0.25:
                took(emp, SAFETY_REP_COURSE, done - timedelta(days=rng.randint(20, 40)), 24)
                took(emp, SAFETY_REP_COURSE, done, 16)
            else:
                took(emp, SAFETY_REP_COURSE, done, 40)
        elif first + timedelta(days=400) < today:
            took(emp, SAFETY_REP_COURSE, first + timedelta(days=rng.randint(200, 380)), 40)
    for person_id in sorted(company.amu_people):
        emp = by_id[person_id]
        first = max(emp.start, date(clock.founded.year + 1, 1, 1))
        if rng.random() < 0.92:
            took(emp, AMU_COURSE, first + timedelta(days=rng.randint(30, 700)), 40)
    for d in company.depts:
        if d.leader is not None and d.leader_since is not None and rng.random() < 0.9:
            took(
                d.leader, EMPLOYER_COURSE, d.leader_since + timedelta(days=rng.randint(20, 200)), 16
            )
    writer.flush()


def require_first_aid(company: Company, connection: sa.Connection | None) -> None:
    """The company requires first aid of its verneombud (as the small demo does)."""
    course_id = company.courses[FIRST_AID_COURSE]
    row = {"id": course_id, "required_for": ""}
    at = company.clock.local(company.clock.founded, 520)
    company.audit.updated(
        "course_type",
        row,
        at,
        company.actor(company.coordinator, at.date()),
        {"required_for": FIRST_AID_REQUIRED_FOR},
        bump=False,
    )
    if connection is not None:
        table = company.writer.tables["course_type"].table
        connection.execute(
            sa.update(table)
            .where(table.c.id == course_id)
            .values(required_for=FIRST_AID_REQUIRED_FOR)
        )
