"""Small factories with sensible defaults: plain functions, not fixtures of fixtures."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from hms_tracker.accounts.models import User
from hms_tracker.accounts.service import hash_password
from hms_tracker.organisation.models import Department, DepartmentLeader, Person

_seq = itertools.count(1)
_PASSWORD_HASH: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _PASSWORD_HASH:
        _PASSWORD_HASH[password] = hash_password(password)
    return _PASSWORD_HASH[password]


def make_department(session: Session, *, name: str | None = None, **fields: Any) -> Department:
    dept = Department(name=name or f"Avdeling {next(_seq)}", **fields)
    session.add(dept)
    session.flush()
    return dept


def make_person(
    session: Session,
    *,
    name: str | None = None,
    department: Department | None = None,
    employed_from: date = date(2020, 1, 1),
    employed_to: date | None = None,
    weekly_hours: Decimal | float | str = Decimal("37.5"),
    employment_type: str = "permanent",
    email: str | None = None,
    **fields: Any,
) -> Person:
    n = next(_seq)
    person = Person(
        name=name or f"Person {n}",
        email=email if email is not None else f"person{n}@test.example",
        department_id=department.id if department else None,
        employed_from=employed_from,
        employed_to=employed_to,
        weekly_hours=Decimal(str(weekly_hours)),
        employment_type=employment_type,
        **fields,
    )
    session.add(person)
    session.flush()
    return person


def make_user(
    session: Session,
    *,
    person: Person | None = None,
    email: str | None = None,
    password: str = "riktig-passord-123",
    is_admin: bool = False,
    department: Department | None = None,
) -> User:
    person = person or make_person(session, department=department)
    user = User(
        person_id=person.id,
        email=(email or person.email or f"user{next(_seq)}@test.example").lower(),
        password_hash=_hash(password),
        is_admin=is_admin,
    )
    session.add(user)
    session.flush()
    return user


def make_leader(session: Session, *, department: Department, **kwargs: Any) -> User:
    user = make_user(session, department=department, **kwargs)
    session.add(DepartmentLeader(department_id=department.id, person_id=user.person_id))
    session.flush()
    return user
