"""People and departments: the register the law's counts are computed from."""

from __future__ import annotations

from sqlmodel import Session, col, select

from hms_tracker.errors import NotFound
from hms_tracker.organisation.models import Person


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


def people_choices(*, session: Session) -> list[tuple[int, str]]:
    rows = session.exec(select(Person.id, Person.name).order_by(Person.name)).all()
    return [(pid, name) for pid, name in rows if pid is not None]
