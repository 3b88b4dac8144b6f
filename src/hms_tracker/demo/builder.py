"""The demo company: a Norwegian mechanical workshop, written through the ORM in one
transaction (so the audit trail records it, with the actor "demo").

`build_demo()` composes small builders that each return what they made; later issues
(appointments, training, deviations) add their own builder taking the `DemoCompany`.
Everything random comes from one `random.Random(seed)` and every date is counted from
`today`, so a seed and a day always give the same company.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from hms_tracker.accounts.models import User
from hms_tracker.accounts.service import hash_password
from hms_tracker.appointments.models import (
    AmuChairPeriod,
    AmuSide,
    Appointment,
    AppointmentArea,
    AppointmentKind,
)
from hms_tracker.audit.service import Actor, acting_as
from hms_tracker.demo.routines import build_routines
from hms_tracker.demo.service import DEMO_MARKER, DEMO_PASSWORD
from hms_tracker.deviations.models import Deviation
from hms_tracker.errors import Conflict
from hms_tracker.organisation.models import (
    CompanySetting,
    Department,
    DepartmentLeader,
    EmploymentType,
    Person,
)
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import Routine
from hms_tracker.rules.engine import add_months
from hms_tracker.training.models import CourseType, TrainingRecord

COMPANY_NAME = "Nordvik Mekaniske AS"
EMAIL_DOMAIN = "nordvik.example"
DEMO_ACTOR = Actor(label="demo")

COORDINATOR_EMAIL = "koordinator@example.com"
LEADER_EMAIL = "leder@example.com"
EMPLOYEE_EMAIL = "ansatt@example.com"
SAFETY_REP_EMAIL = "verneombud@example.com"
AMU_EMAIL = "amu@example.com"
ACCOUNT_EMAILS = (COORDINATOR_EMAIL, LEADER_EMAIL, EMPLOYEE_EMAIL, SAFETY_REP_EMAIL, AMU_EMAIL)

ADMINISTRATION = "Administrasjon"
PRODUCTION = "Produksjon"
WELDING = "Sveis og montering"
WAREHOUSE = "Lager og logistikk"
MAINTENANCE = "Vedlikehold"

# (name, parent, share of women among the people drawn for it)
DEPARTMENTS: tuple[tuple[str, str | None, float], ...] = (
    (ADMINISTRATION, None, 0.6),
    (PRODUCTION, None, 0.2),
    (WELDING, PRODUCTION, 0.1),
    (WAREHOUSE, None, 0.25),
    (MAINTENANCE, None, 0.1),
)

PERMANENT = EmploymentType.permanent.value
TEMPORARY = EmploymentType.temporary.value
HIRED_IN = EmploymentType.hired_in.value

# Common Norwegian given names and surnames (SSB's lists, shortened).
MALE_NAMES = (
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas",
    "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Erik", "Martin", "Andreas", "Jørgen",
    "Anders", "Rune", "Trond", "Jon", "Stian", "Espen", "Kristian", "Magnus", "Henrik",
    "Sindre", "Even", "Øyvind", "Håkon", "Eirik", "Sigurd", "Jonas", "Mathias", "Sander",
    "Emil", "Ståle", "Ørjan", "Åge", "Vegard", "Torbjørn", "Kåre", "Halvor", "Fredrik",
    "Tobias", "Kristoffer", "Aksel",
)  # fmt: skip
FEMALE_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth",
    "Kristin", "Camilla", "Ingvild", "Tone", "Hege", "Linn", "Mari", "Nora", "Emma",
    "Thea", "Ragnhild", "Åse", "Grete", "Tonje", "Guro", "Siri", "Kjersti", "Mette",
    "Sissel", "Tuva", "Synnøve", "Heidi", "Line", "Gro", "Bente", "Turid", "Sigrid",
)  # fmt: skip
SURNAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Pedersen", "Nilsen", "Jensen", "Karlsen",
    "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen",
    "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Henriksen", "Lund", "Halvorsen",
    "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Svendsen", "Eide", "Knutsen",
    "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen",
    "Rasmussen", "Solheim", "Nygård", "Bakke", "Kristensen", "Fredriksen", "Holm", "Lien",
    "Haugland", "Sæther", "Aasen", "Myhre", "Østby", "Ødegård", "Brekke", "Løken",
    "Tangen", "Aune", "Vik", "Hovland", "Fjeld", "Kvam", "Røed",
)  # fmt: skip


@dataclass(frozen=True)
class Slot:
    """`count` people with this title in a department, all alike."""

    title: str
    count: int = 1
    weekly_hours: str = "37.5"
    employment_type: str = PERMANENT
    leads: bool = False
    account: str | None = None  # one of the demo e-mails: a fixed person with an account


# Who works here today, department by department.
ROSTER: dict[str, tuple[Slot, ...]] = {
    ADMINISTRATION: (
        Slot("Daglig leder", leads=True),
        Slot("HMS-koordinator", account=COORDINATOR_EMAIL),
        Slot("Økonomisjef"),
        Slot("Økonomimedarbeider", 2),
        Slot("HR-rådgiver"),
        Slot("Salgsingeniør", 2),
        Slot("Resepsjonist", weekly_hours="22.5"),
        Slot("Renholder", weekly_hours="15"),
    ),
    PRODUCTION: (
        Slot("Produksjonsleder", leads=True),
        Slot("Produksjonsplanlegger"),
        Slot("Kvalitetsingeniør"),
        Slot("Kvalitetskontrollør"),
        Slot("CNC-operatør", 10),
        Slot("CNC-operatør", 2, employment_type=HIRED_IN),
        Slot("Maskinarbeider", 5),
        Slot("Produksjonsmedarbeider", 2, weekly_hours="30"),
        Slot("Produksjonsmedarbeider", weekly_hours="20", employment_type=TEMPORARY),
        Slot("Lærling CNC-maskinering", 2, employment_type=TEMPORARY),
        Slot("CNC-operatør", account=AMU_EMAIL),
    ),
    WELDING: (
        Slot("Formann sveis og montering", leads=True),
        Slot("Sveiser", 8),
        Slot("Sveiser", 3, employment_type=HIRED_IN),
        Slot("Platearbeider", 4),
        Slot("Montør", 4),
        Slot("Lærling platearbeiderfaget", employment_type=TEMPORARY),
        Slot("Sveiser", account=SAFETY_REP_EMAIL),
    ),
    WAREHOUSE: (
        Slot("Lager- og logistikkleder", leads=True, account=LEADER_EMAIL),
        Slot("Lagermedarbeider", account=EMPLOYEE_EMAIL),
        Slot("Lagermedarbeider", 4),
        Slot("Lagermedarbeider", 2, weekly_hours="15"),
        Slot("Truckfører", 3),
        Slot("Truckfører", employment_type=HIRED_IN),
        Slot("Innkjøper"),
        Slot("Logistikkoordinator"),
        Slot("Sjåfør"),
    ),
    MAINTENANCE: (
        Slot("Vedlikeholdsleder", leads=True),
        Slot("Industrimekaniker", 4),
        Slot("Elektriker", 2),
        Slot("Automatiker"),
        Slot("Vaktmester", weekly_hours="30"),
    ),
}

# The people with demo accounts have fixed names, so the README and tests can name them.
ACCOUNT_NAMES = {
    COORDINATOR_EMAIL: "Ingrid Solheim",
    LEADER_EMAIL: "Tore Kristiansen",
    EMPLOYEE_EMAIL: "Silje Andersen",
    SAFETY_REP_EMAIL: "Marius Berntsen",
    AMU_EMAIL: "Hanne Lunde",
}


@dataclass(frozen=True)
class Former:
    """Someone who worked here and has left. `last_year` pins both dates to last calendar
    year (so the yearly average the law counts differs from today's headcount)."""

    department: str
    title: str
    end_reason: str
    employment_type: str = PERMANENT
    weekly_hours: str = "37.5"
    last_year: tuple[tuple[int, int], tuple[int, int]] | None = None  # ((m, d), (m, d))


FORMER: tuple[Former, ...] = (
    Former(PRODUCTION, "CNC-operatør", "Gikk av med pensjon"),
    Former(PRODUCTION, "Maskinarbeider", "Sa opp selv – ny jobb"),
    Former(WELDING, "Sveiser", "Sa opp selv – ny jobb"),
    Former(WELDING, "Montør", "Avtalefestet pensjon (AFP)"),
    Former(WAREHOUSE, "Lagermedarbeider", "Midlertidig ansettelse utløpt", TEMPORARY),
    Former(WAREHOUSE, "Truckfører", "Sa opp selv – flyttet"),
    Former(ADMINISTRATION, "Økonomimedarbeider", "Sa opp selv – flyttet"),
    Former(MAINTENANCE, "Elektriker", "Sa opp selv – ny jobb"),
    Former(WELDING, "Sveiser", "Innleieavtalen avsluttet", HIRED_IN, last_year=((2, 1), (11, 30))),
    Former(
        PRODUCTION,
        "Sommervikar",
        "Sommervikariatet avsluttet",
        TEMPORARY,
        last_year=((6, 10), (8, 16)),
    ),  # fmt: skip
    Former(
        WAREHOUSE,
        "Sommervikar",
        "Sommervikariatet avsluttet",
        TEMPORARY,
        "30",
        last_year=((6, 17), (8, 9)),
    ),  # fmt: skip
)


# --- what the company looks like (pure: a seed and a day give the same plan) ------------


@dataclass(frozen=True)
class PersonPlan:
    name: str
    email: str
    phone: str
    title: str
    department: str
    employed_from: date
    employed_to: date | None
    end_reason: str | None
    employment_type: str
    weekly_hours: Decimal
    leads: bool = False


def ascii_fold(text: str) -> str:
    """'Ødegård' -> 'odegard': æ→ae, ø→o, å→a, other accents dropped."""
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _email_for(name: str, taken: set[str]) -> str:
    local = ".".join(ascii_fold(part) for part in name.split())
    email = f"{local}@{EMAIL_DOMAIN}"
    n = 2
    while email in taken:
        email = f"{local}{n}@{EMAIL_DOMAIN}"
        n += 1
    taken.add(email)
    return email


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = f"+47 9{rng.randint(0, 99):02d} {rng.randint(0, 99):02d} {rng.randint(0, 999):03d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _name(rng: random.Random, women_share: float, taken: set[str]) -> str:
    while True:
        given = rng.choice(FEMALE_NAMES if rng.random() < women_share else MALE_NAMES)
        name = f"{given} {rng.choice(SURNAMES)}"
        if name not in taken:
            taken.add(name)
            return name


def _years(n: float) -> int:
    return int(n * 365)


def _dates(rng: random.Random, slot: Slot, today: date) -> tuple[date, date | None]:
    """When someone in this slot started, and when a fixed-term contract ends."""
    if slot.leads or slot.account:
        return today - timedelta(days=rng.randint(_years(4), _years(15))), None
    if slot.employment_type == HIRED_IN:
        return today - timedelta(days=rng.randint(20, _years(2.5))), None
    if slot.employment_type == TEMPORARY:
        start = today - timedelta(days=rng.randint(30, _years(1.5)))
        return start, start + timedelta(days=_years(2))  # fixed term, ends in the future
    return today - timedelta(days=rng.randint(15, _years(15))), None


def plan_people(*, rng: random.Random, today: date) -> list[PersonPlan]:
    """Everyone the demo company has employed: today's staff, then the people who left."""
    women = {name: share for name, _parent, share in DEPARTMENTS}
    names: set[str] = set(ACCOUNT_NAMES.values())
    emails: set[str] = set(ACCOUNT_NAMES)
    phones: set[str] = set()
    plans: list[PersonPlan] = []
    for department, slots in ROSTER.items():
        for slot in slots:
            for _ in range(slot.count):
                if slot.account:
                    name, email = ACCOUNT_NAMES[slot.account], slot.account
                else:
                    name = _name(rng, women[department], names)
                    email = _email_for(name, emails)
                employed_from, employed_to = _dates(rng, slot, today)
                plans.append(
                    PersonPlan(
                        name=name,
                        email=email,
                        phone=_phone(rng, phones),
                        title=slot.title,
                        department=department,
                        employed_from=employed_from,
                        employed_to=employed_to,
                        end_reason=None,
                        employment_type=slot.employment_type,
                        weekly_hours=Decimal(slot.weekly_hours),
                        leads=slot.leads,
                    )
                )
    last_year = today.year - 1
    for former in FORMER:
        if former.last_year:
            (m1, d1), (m2, d2) = former.last_year
            employed_from, employed_to = date(last_year, m1, d1), date(last_year, m2, d2)
        else:
            employed_to = today - timedelta(days=rng.randint(60, _years(6)))
            employed_from = employed_to - timedelta(days=rng.randint(_years(1), _years(9)))
        name = _name(rng, women[former.department], names)
        plans.append(
            PersonPlan(
                name=name,
                email=_email_for(name, emails),
                phone=_phone(rng, phones),
                title=former.title,
                department=former.department,
                employed_from=employed_from,
                employed_to=employed_to,
                end_reason=former.end_reason,
                employment_type=former.employment_type,
                weekly_hours=Decimal(former.weekly_hours),
            )
        )
    return plans


# --- writing it -------------------------------------------------------------------------


@dataclass
class Appointees:
    """Who holds which appointment today, for the training builder."""

    safety_reps: dict[str, Person]  # department name -> its verneombud
    former_safety_rep: Person  # term ended, succeeded
    chief: Person  # hovedverneombud, on AMU's employee side
    director: Person  # daglig leder, on AMU's employer side
    amu_start: date  # the AMU's term began
    amu_regular: list[Person]  # both sides, people of the register
    amu_deputies: list[Person]  # trained deputies
    amu_deputy_partial: Person  # has taken the first part of the course only
    amu_deputy_new: Person  # appointed lately: in the grace period
    former_amu_deputy: Person  # stepped down during the term


@dataclass
class DemoCompany:
    """What the demo builders made, for the builders of later domains to extend."""

    today: date
    departments: dict[str, Department] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    leaders: dict[str, Person] = field(default_factory=dict)  # department name -> leader
    users: dict[str, User] = field(default_factory=dict)  # e-mail -> account
    appointments: list[Appointment] = field(default_factory=list)
    appointees: Appointees | None = None
    training: list[TrainingRecord] = field(default_factory=list)
    routines: list[Routine] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)

    def person(self, email: str) -> Person:
        return next(p for p in self.people if p.email == email)

    def employed_on(self, day: date) -> list[Person]:
        return [p for p in self.people if p.is_active_on(day)]


class DemoAlreadyLoaded(Conflict):
    pass


def has_people(engine: Engine) -> bool:
    with Session(engine) as session:
        return _has_people(session)


def _has_people(session: Session) -> bool:
    return session.exec(select(Person.id).limit(1)).first() is not None


def _set(session: Session, key: str, value: str) -> CompanySetting:
    row = session.get(CompanySetting, key) or CompanySetting(key=key, value=value)
    row.value = value
    session.add(row)
    return row


def build_settings(session: Session) -> list[CompanySetting]:
    """The company's name, and the marker that lists the demo accounts on the login page."""
    return [_set(session, "company_name", COMPANY_NAME), _set(session, DEMO_MARKER, "1")]


def build_departments(session: Session) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for name, parent, _women in DEPARTMENTS:
        department = Department(name=name, parent_id=departments[parent].id if parent else None)
        session.add(department)
        session.flush()  # the next one may need this id as its parent
        departments[name] = department
    return departments


def build_people(
    session: Session, *, departments: dict[str, Department], rng: random.Random, today: date
) -> tuple[list[Person], dict[str, Person]]:
    """Every person of the plan; returns them and each department's leader."""
    people: list[Person] = []
    leaders: dict[str, Person] = {}
    for plan in plan_people(rng=rng, today=today):
        person = Person(
            name=plan.name,
            email=plan.email,
            phone=plan.phone,
            title=plan.title,
            department_id=departments[plan.department].id,
            employed_from=plan.employed_from,
            employed_to=plan.employed_to,
            end_reason=plan.end_reason,
            employment_type=plan.employment_type,
            weekly_hours=plan.weekly_hours,
        )
        session.add(person)
        people.append(person)
        if plan.leads:
            leaders[plan.department] = person
    session.flush()
    return people, leaders


def build_leaders(
    session: Session, *, departments: dict[str, Department], leaders: dict[str, Person]
) -> list[DepartmentLeader]:
    rows = [
        DepartmentLeader(
            department_id=departments[name].id,
            person_id=person.id,
            starts_on=person.employed_from,
        )
        for name, person in leaders.items()
    ]
    session.add_all(rows)
    session.flush()
    return rows


def build_accounts(session: Session, *, people: list[Person]) -> dict[str, User]:
    """The demo logins. The password is hashed once: Argon2 is slow on purpose."""
    password_hash = hash_password(DEMO_PASSWORD)
    by_email = {p.email: p for p in people}
    users = {
        email: User(
            person_id=by_email[email].id,
            email=email,
            password_hash=password_hash,
            is_admin=email == COORDINATOR_EMAIL,
        )
        for email in ACCOUNT_EMAILS
    }
    session.add_all(users.values())
    session.flush()
    return users


# --- appointments and training (issue 3) ---------------------------------------------------

SAFETY_REP_COURSE = "Grunnopplæring for verneombud"
AMU_COURSE = "Grunnopplæring for AMU-medlemmer"
EMPLOYER_COURSE = "HMS-opplæring for arbeidsgiver"
FIRST_AID_COURSE = "Førstehjelp"
# The demo company requires first aid of its verneombud (a company's own choice).
FIRST_AID_REQUIRED_FOR = "safety_rep,chief_safety_rep"
BHT_NAME = "Marte Fossum"
BHT_ORGANISATION = "Bedriftshelse Vest AS"
TERM_MONTHS = 24  # two-year terms (forskrift §§ 3-4, 3-15)
PROVIDERS = {
    SAFETY_REP_COURSE: ("AOF Vestland", "Arbeidsmiljøsenteret"),
    AMU_COURSE: ("AOF Vestland", "Arbeidsmiljøsenteret"),
    EMPLOYER_COURSE: ("Arbeidsmiljøsenteret", "NHO Vestland"),
    FIRST_AID_COURSE: ("Norsk Folkehjelp", "Røde Kors Førstehjelp"),
}


def _term_end(start: date) -> date:
    return add_months(start, TERM_MONTHS) - timedelta(days=1)


def _pick(
    rng: random.Random,
    company: DemoCompany,
    departments: tuple[str, ...],
    used: set[int],
    *,
    since: date,
) -> Person:
    """Someone permanent, working 20 hours or more, employed since `since` and still today,
    not a leader, not a demo account, and not picked before; from `departments` when they
    have someone (else from the whole company)."""
    leader_ids = {p.id for p in company.leaders.values()}
    eligible = [
        p
        for p in company.people
        if p.is_active_on(company.today)
        and p.employed_from <= since
        and p.employment_type == PERMANENT
        and p.weekly_hours >= Decimal(20)
        and p.id not in used
        and p.id not in leader_ids
        and p.email not in ACCOUNT_EMAILS
    ]
    wanted = {company.departments[name].id for name in departments}
    candidates = [p for p in eligible if p.department_id in wanted] or eligible
    person = rng.choice(candidates)
    used.add(person.id)
    return person


def _appoint(
    session: Session,
    rows: list[Appointment],
    kind: AppointmentKind,
    person: Person | None,
    starts_on: date,
    *,
    ends_on: date | None = None,
    ended_on: date | None = None,
    end_reason: str | None = None,
    side: AmuSide | None = None,
    deputy: bool = False,
    note: str | None = None,
    areas: tuple[Department, ...] = (),
) -> Appointment:
    """One appointment (a person of the register, or the external BHT person), appended
    to `rows`, with its verneområde."""
    appointment = Appointment(
        kind=kind.value,
        person_id=person.id if person else None,
        external_name=None if person else BHT_NAME,
        external_organisation=None if person else BHT_ORGANISATION,
        starts_on=starts_on,
        ends_on=ends_on,
        ended_on=ended_on,
        end_reason=end_reason,
        amu_side=side.value if side else None,
        is_deputy=deputy,
        note=note,
    )
    session.add(appointment)
    session.flush()
    session.add_all(
        AppointmentArea(appointment_id=appointment.id, department_id=d.id) for d in areas
    )
    rows.append(appointment)
    return appointment


def _elected(department: str) -> str:
    return f"Valgt av de ansatte i {department.lower()}"


def build_appointments(
    session: Session, *, company: DemoCompany, rng: random.Random
) -> tuple[list[Appointment], Appointees]:
    """Verneombud (one without training, one term ended and succeeded; Administrasjon left
    without one), a hovedverneombud, daglig leder, BHT contact and an AMU with a BHT member,
    unequal deputies, a deputy appointed lately, and a chair that changed side this year."""
    today, departments = company.today, company.departments
    used: set[int] = set()
    rows: list[Appointment] = []
    rep = AppointmentKind.safety_rep

    def safety_rep(person: Person, department: str, start: date) -> Appointment:
        return _appoint(
            session, rows, rep, person, start, ends_on=_term_end(start),
            note=_elected(department), areas=(departments[department],),
        )  # fmt: skip

    # Verneombud, one per verneområde. The demo account's is past the grace period.
    account_rep = company.person(SAFETY_REP_EMAIL)
    safety_rep(account_rep, WELDING, today - timedelta(days=300))

    former_start = add_months(today, -33)
    former_rep = _pick(rng, company, (PRODUCTION,), used, since=former_start)
    former = safety_rep(former_rep, PRODUCTION, former_start)
    former.ended_on = former.ends_on  # the term ran out and a successor was elected
    former.end_reason = "Valgperioden utløp; ny verneombud valgt"
    successor_start = _term_end(former_start) + timedelta(days=1)
    production_rep = _pick(rng, company, (PRODUCTION,), used, since=successor_start)
    safety_rep(production_rep, PRODUCTION, successor_start)

    start = add_months(today, -23)  # the term ends within two months: up for election
    warehouse_rep = _pick(rng, company, (WAREHOUSE,), used, since=start)
    safety_rep(warehouse_rep, WAREHOUSE, start)

    start = add_months(today, -20)
    chief = _pick(rng, company, (MAINTENANCE,), used, since=start)
    safety_rep(chief, MAINTENANCE, start)
    _appoint(
        session, rows, AppointmentKind.chief_safety_rep, chief, start,
        ends_on=_term_end(start), note="Valgt av verneombudene",
    )  # fmt: skip

    # Daglig leder, and the BHT contact (an external person, no account).
    director = company.leaders[ADMINISTRATION]
    _appoint(
        session, rows, AppointmentKind.managing_director, director, director.employed_from,
        note="Ansatt av styret",
    )  # fmt: skip
    _appoint(
        session, rows, AppointmentKind.ohs_contact, None, date(today.year - 3, 1, 1),
        note="Avtale med godkjent bedriftshelsetjeneste",
    )  # fmt: skip

    # AMU: a two-year term from 1 January last year.
    amu_start, amu_end = date(today.year - 1, 1, 1), date(today.year, 12, 31)

    def member(
        person: Person | None,
        side: AmuSide,
        note: str,
        *,
        deputy: bool = False,
        start: date = amu_start,
    ) -> Appointment:
        return _appoint(
            session, rows, AppointmentKind.amu_member, person, start, ends_on=amu_end,
            side=side, deputy=deputy, note=note,
        )  # fmt: skip

    employer, employee, chosen = AmuSide.employer, AmuSide.employee, "Utpekt av daglig leder"
    director_seat = member(director, employer, "Daglig leder")
    production_leader = company.leaders[PRODUCTION]
    member(production_leader, employer, chosen)
    administration = _pick(rng, company, (ADMINISTRATION,), used, since=amu_start)
    member(administration, employer, chosen)
    maintenance_leader = company.leaders[MAINTENANCE]
    member(maintenance_leader, employer, chosen, deputy=True)
    partial = _pick(rng, company, (ADMINISTRATION, PRODUCTION), used, since=amu_start)
    member(partial, employer, chosen, deputy=True)

    member(chief, employee, "Hovedverneombud")
    amu_account = company.person(AMU_EMAIL)
    account_seat = member(amu_account, employee, "Valgt av de ansatte")
    warehouse = _pick(rng, company, (WAREHOUSE,), used, since=amu_start)
    member(warehouse, employee, "Valgt av de ansatte")
    former_deputy = _pick(rng, company, (WELDING,), used, since=amu_start)
    stepped_down = today - timedelta(days=61)
    left = member(former_deputy, employee, "Valgt av de ansatte", deputy=True)
    left.ended_on, left.end_reason = stepped_down, "Trakk seg fra vervet"
    new_deputy = _pick(rng, company, (WELDING,), used, since=amu_start)
    member(
        new_deputy, employee, "Valgt av de ansatte for resten av perioden", deputy=True,
        start=stepped_down + timedelta(days=1),
    )  # fmt: skip
    member(None, AmuSide.ohs, "Bedriftshelsetjenesten, uten stemmerett")

    # The chair alternates: the employer side last year, the employee side this year.
    session.add_all(
        [
            AmuChairPeriod(
                appointment_id=director_seat.id,
                starts_on=amu_start,
                ends_on=date(today.year - 1, 12, 31),
            ),
            AmuChairPeriod(
                appointment_id=account_seat.id,
                starts_on=date(today.year, 1, 1),
                ends_on=amu_end,
            ),
        ]
    )
    session.flush()
    appointees = Appointees(
        safety_reps={
            WELDING: account_rep,
            PRODUCTION: production_rep,
            WAREHOUSE: warehouse_rep,
            MAINTENANCE: chief,
        },
        former_safety_rep=former_rep,
        chief=chief,
        director=director,
        amu_start=amu_start,
        amu_regular=[director, production_leader, administration, chief, amu_account, warehouse],
        amu_deputies=[maintenance_leader],
        amu_deputy_partial=partial,
        amu_deputy_new=new_deputy,
        former_amu_deputy=former_deputy,
    )
    return rows, appointees


def _courses(session: Session) -> dict[str, CourseType]:
    """The course types seeded by the migration, by name."""
    return {c.name: c for c in session.exec(select(CourseType)).all()}


def build_training(
    session: Session, *, company: DemoCompany, appointees: Appointees, rng: random.Random
) -> list[TrainingRecord]:
    """Completed courses: most appointees trained (some in two parts); the verneombud of the
    demo account, a leader and the newest AMU deputy without; first aid expired for one
    verneombud and expiring for another."""
    today = company.today
    courses = _courses(session)
    first_aid = courses[FIRST_AID_COURSE]
    first_aid.required_for = FIRST_AID_REQUIRED_FOR
    session.add(first_aid)
    records: list[TrainingRecord] = []

    def took(person: Person, course: str, on: date, hours: int) -> None:
        record = TrainingRecord(
            person_id=person.id,
            course_type_id=courses[course].id,
            completed_on=min(on, today),
            hours=Decimal(hours),
            provider=rng.choice(PROVIDERS[course]),
        )
        session.add(record)
        records.append(record)

    def soon_after(start: date) -> date:
        return start + timedelta(days=rng.randint(30, 150))

    def full_course(person: Person, course: str, start: date, *, in_parts: bool = False) -> None:
        done = soon_after(start)
        if in_parts:
            took(person, course, done - timedelta(days=rng.randint(20, 40)), 24)
            took(person, course, done, 16)
        else:
            took(person, course, done, 40)

    appointed: dict[int | None, date] = {}  # each verneombud's first appointment
    for a in company.appointments:
        if a.kind == AppointmentKind.safety_rep.value:
            appointed[a.person_id] = min(appointed.get(a.person_id, a.starts_on), a.starts_on)

    # Verneombud course (40 h; never expires). The demo account's verneombud has none.
    former = appointees.former_safety_rep
    full_course(former, SAFETY_REP_COURSE, appointed[former.id])
    for department in (PRODUCTION, WAREHOUSE, MAINTENANCE):
        rep = appointees.safety_reps[department]
        in_parts = department == PRODUCTION
        full_course(rep, SAFETY_REP_COURSE, appointed[rep.id], in_parts=in_parts)

    # AMU course (40 h): every regular member and a deputy; one deputy has taken the first
    # part only, the newest deputy is within the grace period.
    amu_start = appointees.amu_start
    for person in appointees.amu_regular + appointees.amu_deputies:
        full_course(person, AMU_COURSE, amu_start, in_parts=person.email == AMU_EMAIL)
    took(appointees.amu_deputy_partial, AMU_COURSE, soon_after(amu_start), 24)
    full_course(appointees.former_amu_deputy, AMU_COURSE, amu_start)

    # The employer's HMS course: daglig leder and the leaders, except the welding foreman.
    for department, leader in company.leaders.items():
        if department != WELDING:
            took(leader, EMPLOYER_COURSE, soon_after(leader.employed_from), 16)

    # First aid (valid 24 months): expired for one verneombud, expiring for another, valid
    # for the hovedverneombud; and taken by a few people it is not required of.
    took(appointees.safety_reps[PRODUCTION], FIRST_AID_COURSE, add_months(today, -26), 8)
    expiring_soon = add_months(today, -24) + timedelta(days=30)
    took(appointees.safety_reps[WAREHOUSE], FIRST_AID_COURSE, expiring_soon, 8)
    took(appointees.chief, FIRST_AID_COURSE, add_months(today, -8), 8)
    for leader in company.leaders.values():
        took(leader, FIRST_AID_COURSE, today - timedelta(days=rng.randint(60, 600)), 8)
    session.flush()
    return records


def build_company(session: Session, *, today: date, seed: int) -> DemoCompany:
    """Everything of the demo, added to `session` (not committed)."""
    rng = random.Random(seed)
    company = DemoCompany(today=today)
    build_settings(session)
    company.departments = build_departments(session)
    company.people, company.leaders = build_people(
        session, departments=company.departments, rng=rng, today=today
    )
    build_leaders(session, departments=company.departments, leaders=company.leaders)
    company.users = build_accounts(session, people=company.people)
    company.appointments, company.appointees = build_appointments(session, company=company, rng=rng)
    company.training = build_training(
        session, company=company, appointees=company.appointees, rng=rng
    )
    # Routines draw from their own generator, so adding them changes nothing drawn before.
    company.routines = build_routines(session, company=company, rng=random.Random(seed + 5))
    from hms_tracker.demo.deviations import build_deviations  # it imports this module

    company.deviations = build_deviations(
        session, company=company, appointees=company.appointees, rng=rng
    )
    from hms_tracker.demo.risks import build_risks  # it imports this module

    company.risks = build_risks(session, company=company)
    from hms_tracker.demo.barometer import build_barometer  # it imports this module

    # Its own generator, so nothing drawn before changes.
    build_barometer(session, company=company, rng=random.Random(seed + 12))
    from hms_tracker.demo.amu import build_amu  # it imports this module

    build_amu(session, company=company, rng=random.Random(seed + 13))
    return company


def build_demo(engine: Engine, *, today: date | None = None, seed: int = 2024) -> str:
    """Load the demo company into an empty database, in one transaction. Refuses (with
    DemoAlreadyLoaded) when the database already has people."""
    if today is None:
        from hms_tracker.web.dates import today as oslo_today

        today = oslo_today()
    with Session(engine, expire_on_commit=False) as session, acting_as(DEMO_ACTOR):
        if _has_people(session):
            raise DemoAlreadyLoaded(
                "The database already has people; the demo is only loaded into an empty "
                "database (`hms-tracker demo --if-empty` skips it quietly)."
            )
        company = build_company(session, today=today, seed=seed)
        session.commit()
    employed = len(company.employed_on(today))
    return (
        f"Demo loaded: {len(company.people)} people ({employed} employed today) in "
        f"{len(company.departments)} departments, with {len(company.appointments)} appointments "
        f"and {len(company.training)} training records; "
        f"log in as {COORDINATOR_EMAIL} / {DEMO_PASSWORD}"
    )
