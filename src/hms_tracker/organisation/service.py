"""People and departments: the register the law's counts are computed from.

Keyword-only functions, `session` first. Reads that pages need load what the page shows in
a fixed number of statements. Nothing is deleted: people end their employment, departments
close. Every change is audited by the session listener (audit/service.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import Field
from sqlmodel import Session, col, func, select

from hms_tracker.db import VersionedCache, claim_version
from hms_tracker.errors import InvalidInput, NotFound
from hms_tracker.organisation.forms import DepartmentForm, PersonForm
from hms_tracker.organisation.models import Department, DepartmentLeader, Person
from hms_tracker.rules.departments import subtree_of
from hms_tracker.web.filters import ListQuery, OptionalId, SearchText, contains_pattern, one_of
from hms_tracker.web.i18n import _
from hms_tracker.web.pagination import paged

PAGE_SIZE = 50


def get_person(*, session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound()
    return person


def person_names(*, session: Session, person_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all()
    return {pid: name for pid, name in rows if pid is not None}


PICKER_SIZE = 30


def person_choices(
    *,
    session: Session,
    today: date,
    search: str = "",
    department_ids: Iterable[int] = (),
    include: Iterable[int | None] = (),
    size: int = PICKER_SIZE,
    former_too: bool = False,
    starting_later_too: bool = False,
) -> list[tuple[int, str]]:
    """The people a person picker offers, employed `today` (`starting_later_too`: or
    starting later; `former_too`: everyone ever registered), by name, at most `size` (one
    statement): those whose name or e-mail holds `search`; without a search, the people
    of `department_ids` (those a choice most likely falls on). The people in `include`
    (the current choice) are always offered.
    Each is labelled with their name and department."""
    wanted = {i for i in include if i is not None}
    if not search.strip():
        # Without a search the offer is a department's people: kept under the data version.
        key = (tuple(sorted(set(department_ids))), tuple(sorted(wanted)), today, size,
               former_too, starting_later_too)  # fmt: skip
        return list(
            CHOICES.get_or_compute(
                session,
                key,
                lambda: _choices(
                    session, today, "", department_ids, wanted, size, former_too, starting_later_too
                ),  # fmt: skip
            )
        )
    return _choices(
        session, today, search, department_ids, wanted, size, former_too, starting_later_too
    )


CHOICES: VersionedCache[tuple[Any, ...], list[tuple[int, str]]] = VersionedCache(size=256)


def _choices(
    session: Session,
    today: date,
    search: str,
    department_ids: Iterable[int],
    wanted: set[int],
    size: int,
    former_too: bool,
    starting_later_too: bool,
) -> list[tuple[int, str]]:
    if former_too:
        employed: Any = sa.true()
    elif starting_later_too:  # a leader or an appointment may be set up before the start
        employed = sa.or_(col(Person.employed_to).is_(None), col(Person.employed_to) >= today)
    else:
        employed = active_on(today)
    query = select(Person.id, Person.name).where(employed)
    text = search.strip()
    if text:
        pattern = contains_pattern(text)
        query = query.where(
            sa.or_(
                func.lower(Person.name).like(pattern, escape="\\"),
                func.lower(Person.email).like(pattern, escape="\\"),
            )
        )
    else:
        query = query.where(col(Person.department_id).in_(list(department_ids)))
    if wanted:
        # A union, not an OR of two IN lists: PostgreSQL would read every person for it.
        # (the first `size` in a subquery of its own: SQLite allows no LIMIT in a union's part)
        first = (
            query.with_only_columns(col(Person.id).label("id"))
            .order_by(Person.name, col(Person.id))
            .limit(size)
            .subquery()
        )
        offered = sa.union(select(first.c.id), select(Person.id).where(col(Person.id).in_(wanted)))
        query = select(Person.id, Person.name).where(col(Person.id).in_(offered))
    labelled = (
        query.add_columns(col(Department.name))
        .outerjoin(Department, col(Department.id) == col(Person.department_id))
        .order_by(Person.name, col(Person.id))
        .limit(size + len(wanted))
    )
    # Two people of the same name are told apart by their department.
    return [
        (pid, f"{name} · {department}" if department else name)
        for pid, name, department in session.exec(labelled).all()
        if pid is not None
    ]


# --- employment status --------------------------------------------------------------------


def active_on(day: date) -> Any:
    """SQL condition: the person is employed on `day`."""
    return sa.and_(
        col(Person.employed_from) <= day,
        sa.or_(col(Person.employed_to).is_(None), col(Person.employed_to) >= day),
    )


def employment_status(person: Person, today: date) -> str:
    """active | former | upcoming, as the list and the detail page show it."""
    if person.employed_to is not None and person.employed_to < today:
        return "former"
    if person.employed_from > today:
        return "upcoming"
    return "active"


# --- departments ------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    parent_name: str | None
    leaders: list[tuple[int, str]]
    people_count: int


def get_department(*, session: Session, department_id: int) -> Department:
    department = session.get(Department, department_id)
    if department is None:
        raise NotFound()
    return department


def _leaders_by_department(
    session: Session, department_ids: Iterable[int] | None = None
) -> dict[int, list[tuple[int, str]]]:
    query = (
        select(DepartmentLeader.department_id, Person.id, Person.name)
        .join(Person, col(Person.id) == DepartmentLeader.person_id)
        .order_by(Person.name)
    )
    if department_ids is not None:
        query = query.where(col(DepartmentLeader.department_id).in_(list(department_ids)))
    result: dict[int, list[tuple[int, str]]] = {}
    for dept_id, person_id, name in session.exec(query).all():
        result.setdefault(dept_id, []).append((person_id, name))
    return result


def list_departments(*, session: Session, today: date) -> list[DepartmentRow]:
    """Every department with its parent, leaders and number of people employed today.

    Three statements, whatever the number of departments.
    """
    departments = session.exec(select(Department).order_by(Department.name)).all()
    names = {d.id: d.name for d in departments}
    counts = dict(
        session.exec(
            select(Person.department_id, func.count(col(Person.id)))
            .where(active_on(today), col(Person.department_id).is_not(None))
            .group_by(col(Person.department_id))
        ).all()
    )
    leaders = _leaders_by_department(session)
    return [
        DepartmentRow(
            department=d,
            parent_name=names.get(d.parent_id) if d.parent_id else None,
            leaders=leaders.get(d.id, []),
            people_count=int(counts.get(d.id, 0)),
        )
        for d in departments
    ]


# Every department (id, name, closed) by name, kept under the data version: the filter
# selects of most lists read it.
DEPARTMENTS: VersionedCache[str, tuple[tuple[int | None, str, date | None], ...]] = VersionedCache(
    size=1
)


def _departments_by_name(session: Session) -> tuple[tuple[int | None, str, date | None], ...]:
    query = select(col(Department.id), col(Department.name), col(Department.closed_on))
    return tuple(session.exec(query.order_by(Department.name)).all())


def department_options(
    *,
    session: Session,
    only_ids: Iterable[int] | None = None,
    include_ids: Iterable[int | None] = (),
) -> list[tuple[int, str]]:
    """Open departments to choose from (limited to `only_ids` when given); `include_ids` are
    shown even when closed, so that a form never silently changes a stored choice."""
    keep = {i for i in include_ids if i is not None}
    allowed = set(only_ids) if only_ids is not None else None
    options = []
    for dept_id, name, closed_on in DEPARTMENTS.get_or_compute(
        session, "by_name", lambda: _departments_by_name(session)
    ):
        if dept_id is None:
            continue
        if dept_id in keep or (closed_on is None and (allowed is None or dept_id in allowed)):
            options.append((dept_id, name))
    return options


def departments_by_name(*, session: Session) -> list[tuple[int, str]]:
    """Every department, closed ones too, as (id, name) by name: a filter's choices."""
    return [
        (dept_id, name)
        for dept_id, name, _closed in DEPARTMENTS.get_or_compute(
            session, "by_name", lambda: _departments_by_name(session)
        )
        if dept_id is not None
    ]


def department_parents(*, session: Session) -> dict[int, int | None]:
    """Every department's id mapped to its parent's id (None at the top), in one statement,
    kept under the data version (not to be changed by those who read it)."""
    return DEPARTMENTS_TREE.get_or_compute(
        session,
        "parents",
        lambda: {
            dept_id: parent_id
            for dept_id, parent_id in session.exec(select(Department.id, Department.parent_id))
            if dept_id is not None
        },
    )


DEPARTMENTS_TREE: VersionedCache[str, dict[int, int | None]] = VersionedCache(size=1)


def subtree_ids(*, session: Session, department_ids: Iterable[int]) -> frozenset[int]:
    """The departments `department_ids` and every department below them.

    With the mapping at hand already, call `subtree_of(department_ids, parents)`.
    """
    ids = set(department_ids)
    if not ids:
        return frozenset()
    return subtree_of(ids, department_parents(session=session))


def department_detail(*, session: Session, department: Department, today: date) -> dict[str, Any]:
    """What the department page shows, in a fixed number of statements."""
    people = session.exec(
        select(Person)
        .where(Person.department_id == department.id, active_on(today))
        .order_by(Person.name, col(Person.id))
    ).all()
    former_count = session.exec(
        select(func.count(col(Person.id))).where(
            Person.department_id == department.id, col(Person.employed_to) < today
        )
    ).one()
    leader_rows = session.exec(
        select(DepartmentLeader, Person)
        .join(Person, col(Person.id) == DepartmentLeader.person_id)
        .where(DepartmentLeader.department_id == department.id)
        .order_by(Person.name)
    ).all()
    children = session.exec(
        select(Department).where(Department.parent_id == department.id).order_by(Department.name)
    ).all()
    parent = session.get(Department, department.parent_id) if department.parent_id else None
    return {
        "people": list(people),
        "former_count": int(former_count),
        "leaders": list(leader_rows),
        "children": list(children),
        "parent": parent,
    }


def _check_department(
    session: Session, data: DepartmentForm, department: Department | None
) -> None:
    errors: dict[str, str] = {}
    name = data.name.strip()
    same_name = session.exec(
        select(Department.id).where(func.lower(Department.name) == name.lower())
    ).first()
    if same_name is not None and (department is None or same_name != department.id):
        errors["name"] = _("Det finnes allerede en avdeling med navnet «%(name)s».", name=name)
    if data.parent_id is not None:
        parents = department_parents(session=session)
        closed = set(
            session.exec(select(Department.id).where(col(Department.closed_on).is_not(None))).all()
        )
        if data.parent_id not in parents:
            errors["parent_id"] = _("Velg en avdeling fra listen.")
        elif data.parent_id in closed and (
            department is None or department.parent_id != data.parent_id
        ):
            errors["parent_id"] = _("Avdelingen er lagt ned og kan ikke velges.")
        elif (
            department is not None
            and department.id is not None
            and data.parent_id in subtree_of([department.id], parents)
        ):
            # Under itself or one of its own sub-departments would make a cycle.
            errors["parent_id"] = _(
                "En avdeling kan ikke ligge under seg selv eller en av sine underavdelinger."
            )
    if errors:
        raise InvalidInput(errors)


def create_department(*, session: Session, data: DepartmentForm) -> Department:
    _check_department(session, data, None)
    department = Department(name=data.name.strip(), parent_id=data.parent_id)
    session.add(department)
    session.flush()
    return department


def update_department(
    *, session: Session, department: Department, data: DepartmentForm
) -> Department:
    _check_department(session, data, department)
    department.name = data.name.strip()
    department.parent_id = data.parent_id
    department.version += 1
    session.add(department)
    session.flush()
    return department


def close_department(
    *, session: Session, department: Department, closed_on: date, today: date
) -> Department:
    """Close a department on a date; refused while people work there or a sub-department
    is open. Nothing is deleted."""
    if department.closed_on is not None:
        raise InvalidInput({"closed_on": _("Avdelingen er allerede lagt ned.")})
    active_people = session.exec(
        select(func.count(col(Person.id))).where(
            Person.department_id == department.id, active_on(max(closed_on, today))
        )
    ).one()
    if active_people:
        raise InvalidInput(
            {
                "closed_on": _(
                    "Avdelingen har %(count)s ansatte den dagen. Flytt dem til en annen "
                    "avdeling eller avslutt ansettelsene først.",
                    count=active_people,
                )
            }
        )
    open_children = session.exec(
        select(func.count(col(Department.id))).where(
            Department.parent_id == department.id, col(Department.closed_on).is_(None)
        )
    ).one()
    if open_children:
        raise InvalidInput({"closed_on": _("Legg ned underavdelingene først, eller flytt dem.")})
    department.closed_on = closed_on
    department.version += 1
    session.add(department)
    session.flush()
    return department


def reopen_department(*, session: Session, department: Department) -> Department:
    department.closed_on = None
    department.version += 1
    session.add(department)
    session.flush()
    return department


def add_leader(*, session: Session, department: Department, person_id: int, today: date) -> None:
    person = session.get(Person, person_id)
    if person is None or employment_status(person, today) == "former":
        raise InvalidInput({"person_id": _("Velg en ansatt fra listen.")})
    exists = session.exec(
        select(DepartmentLeader.id).where(
            DepartmentLeader.department_id == department.id,
            DepartmentLeader.person_id == person_id,
        )
    ).first()
    if exists is not None:
        raise InvalidInput(
            {"person_id": _("%(name)s leder allerede avdelingen.", name=person.name)}
        )
    session.add(DepartmentLeader(department_id=department.id, person_id=person_id, starts_on=today))
    session.flush()


def remove_leader(*, session: Session, department: Department, leader_id: int) -> Person:
    """Remove a leader link. The link is deleted (it is a link, not a record), and the
    audit listener records the deletion with what it was."""
    row = session.get(DepartmentLeader, leader_id)
    if row is None or row.department_id != department.id:
        raise NotFound()
    person = get_person(session=session, person_id=row.person_id)
    session.delete(row)
    session.flush()
    return person


def led_by(*, session: Session, person_id: int) -> list[Department]:
    """The departments a person leads directly."""
    return list(
        session.exec(
            select(Department)
            .join(DepartmentLeader, col(DepartmentLeader.department_id) == Department.id)
            .where(DepartmentLeader.person_id == person_id)
            .order_by(Department.name)
        ).all()
    )


# --- people: lists ----------------------------------------------------------------------

STATUSES = ("active", "former", "all")


class PeopleFilter(ListQuery):
    """The people list's filters (and its export's), from the address and into links."""

    always_in_links = ("status",)

    q: SearchText = ""
    department_id: OptionalId = Field(None, alias="department")
    status: Annotated[str, one_of(*STATUSES)] = "active"


@dataclass
class PeoplePage:
    rows: list[tuple[Person, str | None]]
    total: int
    page: int
    pages: int
    filters: PeopleFilter = field(default_factory=PeopleFilter)


def _people_query(filters: PeopleFilter, scope: frozenset[int] | None, today: date) -> Any:
    """People matching the filters, limited to departments in `scope` (None: everyone)."""
    conditions: list[Any] = []
    if scope is not None:
        conditions.append(col(Person.department_id).in_(sorted(scope)))
    if filters.department_id is not None:
        conditions.append(Person.department_id == filters.department_id)
    if filters.status == "active":
        conditions.append(active_on(today))
    elif filters.status == "former":
        conditions.append(col(Person.employed_to) < today)
    for term in filters.q.lower().split():
        pattern = contains_pattern(term)
        conditions.append(
            sa.or_(
                func.lower(Person.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Person.email, "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(Person.title, "")).like(pattern, escape="\\"),
            )
        )
    return conditions


def search_people(
    *,
    session: Session,
    filters: PeopleFilter,
    scope: frozenset[int] | None,
    today: date,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> PeoplePage:
    """One page of people (sorted by name) and the total: two statements."""
    rows, where = paged(
        session,
        select(Person, Department.name)
        .outerjoin(Department, col(Department.id) == Person.department_id)
        .where(*_people_query(filters, scope, today))
        .order_by(Person.name, col(Person.id)),
        requested=page,
        size=page_size,
    )
    return PeoplePage(
        rows=[(p, d) for p, d in rows],
        total=where.total,
        page=where.number,
        pages=where.pages,
        filters=filters,
    )


def export_people(
    *, session: Session, filters: PeopleFilter, scope: frozenset[int] | None, today: date
) -> list[tuple[Person, str | None]]:
    """Every person the list's filters match (no pagination), with the department's name."""
    rows = session.exec(
        select(Person, Department.name)
        .outerjoin(Department, col(Department.id) == Person.department_id)
        .where(*_people_query(filters, scope, today))
        .order_by(Person.name, col(Person.id))
    ).all()
    return [(p, d) for p, d in rows]


# --- people: changes --------------------------------------------------------------------


def _check_email_free(session: Session, email: str | None, person_id: int | None) -> None:
    if not email:
        return
    other = session.exec(select(Person.id).where(func.lower(Person.email) == email.lower())).first()
    if other is not None and other != person_id:
        raise InvalidInput(
            {
                "email": _(
                    "En annen person i registeret har allerede e-postadressen %(email)s.",
                    email=email,
                )
            }
        )


def _check_department_open(
    session: Session, department_id: int | None, current: int | None = None
) -> None:
    if department_id is None or department_id == current:
        return
    department = session.get(Department, department_id)
    if department is None:
        raise InvalidInput({"department_id": _("Velg en avdeling fra listen.")})
    if department.closed_on is not None:
        raise InvalidInput({"department_id": _("Avdelingen er lagt ned og kan ikke velges.")})


def _apply(person: Person, data: PersonForm) -> None:
    person.name = data.name.strip()
    person.email = data.email or None
    person.phone = (data.phone or "").strip() or None
    person.title = (data.title or "").strip() or None
    person.department_id = data.department_id
    person.employed_from = data.employed_from
    person.employed_to = data.employed_to
    person.employment_type = data.employment_type.value
    person.weekly_hours = data.weekly_hours


def create_person(*, session: Session, data: PersonForm) -> Person:
    _check_email_free(session, data.email, None)
    _check_department_open(session, data.department_id)
    person = Person(name=data.name, employed_from=data.employed_from)
    _apply(person, data)
    session.add(person)
    session.flush()
    return person


def update_person(
    *,
    session: Session,
    person: Person,
    data: PersonForm,
    version: int,
    actor_person_id: int | None = None,
) -> Person:
    """Save the form over the version it was opened on; EditConflict if someone was first.
    Nobody ends their own employment here either (it would lock them out); clearing the
    last day (a rehire) clears the old reason for leaving."""
    if person.id == actor_person_id and data.employed_to != person.employed_to:
        raise InvalidInput(
            {"employed_to": _("Du kan ikke endre din egen sluttdato. Be en annen om å gjøre det.")}
        )
    _check_email_free(session, data.email, person.id)
    _check_department_open(session, data.department_id, person.department_id)
    claim_version(session, person, version)
    _apply(person, data)
    if person.employed_to is None:
        person.end_reason = None
    session.add(person)
    session.flush()
    return person


def end_employment(
    *, session: Session, person: Person, employed_to: date, end_reason: str, today: date
) -> bool:
    """Record the last day and the reason. Nothing is deleted.

    When the last day has already passed, the person's account (if any) is deactivated and
    its sessions end now; a last day still ahead leaves the account working until then (the
    login refuses anyone whose employment has ended). Returns whether the account was
    deactivated now."""
    from hms_tracker.accounts import service as accounts

    if employed_to < person.employed_from:
        raise InvalidInput(
            {"employed_to": _("Siste arbeidsdag kan ikke være før ansatt fra-datoen.")}
        )
    person.employed_to = employed_to
    person.end_reason = end_reason.strip()
    person.version += 1
    person.__audit_action__ = "employment_ended"  # type: ignore[attr-defined]
    session.add(person)
    session.flush()
    del person.__audit_action__  # type: ignore[attr-defined]
    user = accounts.user_for_person(session=session, person_id=person.id)
    if user is None or employed_to >= today:
        return False
    if user.is_active:
        user.is_active = False
        session.add(user)
    accounts.end_all_sessions(session=session, user=user)
    session.flush()
    return True


# --- CSV import -------------------------------------------------------------------------


def department_lookup(*, session: Session) -> dict[str, tuple[int, bool]]:
    """Department name (lower-case) → (id, is closed), for the CSV import."""
    rows = session.exec(
        select(col(Department.id), col(Department.name), col(Department.closed_on))
    ).all()
    return {
        name.strip().lower(): (dept_id, closed is not None)
        for dept_id, name, closed in rows
        if dept_id is not None
    }


def registered_emails(*, session: Session) -> set[str]:
    rows = session.exec(select(Person.email).where(col(Person.email).is_not(None))).all()
    return {e.lower() for e in rows if e}


def import_people(*, session: Session, people: list[PersonForm]) -> list[Person]:
    """Save every person of a validated import in the caller's transaction (all or none).

    A person already in the register with the same name and first day is refused, so a
    confirm sent twice (a double click, the back button) cannot import everyone twice."""
    names = {data.name.lower() for data in people}
    existing = {
        (name.lower(), start)
        for name, start in session.exec(select(Person.name, Person.employed_from)).all()
        if name.lower() in names
    }
    repeated = sorted({d.name for d in people if (d.name.lower(), d.employed_from) in existing})
    if repeated:
        raise InvalidInput(
            {
                "file": _(
                    "Disse finnes allerede i registeret med samme navn og startdato, så "
                    "ingenting er lagret: %(names)s. Er filen allerede importert?",
                    names=", ".join(repeated[:10]),
                )
            }
        )
    created = []
    for data in people:
        person = Person(name=data.name, employed_from=data.employed_from)
        _apply(person, data)
        session.add(person)
        created.append(person)
    session.flush()
    return created


def department_names(*, session: Session, department_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in department_ids if i is not None}
    if not ids:
        return {}
    rows = session.exec(
        select(Department.id, Department.name).where(col(Department.id).in_(ids))
    ).all()
    return {did: name for did, name in rows if did is not None}
