"""Appointments service: rules of input, default term, overlaps, status, chair, agreements,
and the roles an active appointment gives."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from hms_tracker.accounts.models import User
from hms_tracker.appointments import service
from hms_tracker.appointments.forms import AgreementForm, AppointmentForm
from hms_tracker.appointments.models import AmuChairPeriod, AppointmentArea
from hms_tracker.errors import InvalidInput
from hms_tracker.organisation.models import CompanySetting, Person
from tests.factories import make_department, make_person, make_user

DAY = date(2025, 3, 1)


def form(**fields) -> AppointmentForm:
    data = {"kind": "safety_rep", "starts_on": DAY}
    data.update(fields)
    return AppointmentForm.model_validate(data)


def create(session, **fields):
    return service.create_appointment(session=session, data=form(**fields))


# --- create each kind ------------------------------------------------------------------


def test_each_kind_is_created_with_its_own_fields(session):
    person = make_person(session)
    lager = make_department(session, name="Lager")
    vo = create(session, person_id=person.id, area_ids=[lager.id])
    hvo = create(session, kind="chief_safety_rep", person_id=person.id)
    amu = create(
        session, kind="amu_member", person_id=person.id, amu_side="employee", is_deputy=True
    )
    dl = create(session, kind="managing_director", person_id=person.id)
    bht = create(
        session, kind="ohs_contact", external_name="Dr. Hansen", external_organisation="BHT AS"
    )
    assert [a.kind for a in (vo, hvo, amu, dl, bht)] == [
        "safety_rep",
        "chief_safety_rep",
        "amu_member",
        "managing_director",
        "ohs_contact",
    ]
    assert service.area_ids(session=session, appointment=vo) == [lager.id]
    assert amu.amu_side == "employee" and amu.is_deputy is True
    assert dl.ends_on is None and bht.ends_on is None
    assert bht.person_id is None and bht.external_organisation == "BHT AS"


def test_default_term_is_two_years_less_a_day_for_term_kinds(session):
    person = make_person(session)
    vo = create(session, person_id=person.id)
    amu = create(session, kind="amu_member", person_id=person.id, amu_side="employer")
    assert vo.ends_on == date(2027, 2, 28)
    assert amu.ends_on == date(2027, 2, 28)


def test_term_length_comes_from_the_company_setting(session):
    session.add(CompanySetting(key="appointment_term_years", value="3"))
    person = make_person(session)
    vo = create(session, person_id=person.id, starts_on=date(2024, 1, 1))
    assert vo.ends_on == date(2026, 12, 31)


def test_term_starting_on_29_february_ends_the_day_before_28_february(session):
    person = make_person(session)
    vo = create(session, person_id=person.id, starts_on=date(2024, 2, 29))
    assert vo.ends_on == date(2026, 2, 27)


def test_a_person_is_required_except_for_external_ohs(session):
    with pytest.raises(InvalidInput) as exc:
        create(session, kind="safety_rep", external_name="Noen Utenfra")
    assert "person_id" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        create(session, kind="amu_member", amu_side="employee", external_name="Noen Utenfra")
    assert "person_id" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        create(session, kind="ohs_contact")
    assert "external_name" in exc.value.errors
    amu_bht = create(session, kind="amu_member", amu_side="ohs", external_name="BHT-lege")
    assert amu_bht.person_id is None and amu_bht.external_name == "BHT-lege"


def test_amu_member_needs_a_side(session):
    person = make_person(session)
    with pytest.raises(InvalidInput) as exc:
        create(session, kind="amu_member", person_id=person.id)
    assert set(exc.value.errors) == {"amu_side"}


def test_end_of_term_before_start_is_refused(session):
    person = make_person(session)
    with pytest.raises(InvalidInput) as exc:
        create(session, person_id=person.id, ends_on=DAY - timedelta(days=1))
    assert "ends_on" in exc.value.errors


# --- overlaps --------------------------------------------------------------------------


def test_overlap_of_the_same_kind_for_the_same_person_is_refused_with_its_dates(session):
    person = make_person(session)
    create(session, person_id=person.id, starts_on=date(2025, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        create(session, person_id=person.id, starts_on=date(2026, 12, 31))
    message = exc.value.errors["starts_on"]
    assert "verneombud" in message
    assert "1. jan. 2025" in message and "31. des. 2026" in message
    # the day after the last day is free
    create(session, person_id=person.id, starts_on=date(2027, 1, 1))


def test_open_ended_appointment_overlaps_everything_after_it(session):
    person = make_person(session)
    create(session, kind="managing_director", person_id=person.id, starts_on=date(2020, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        create(session, kind="managing_director", person_id=person.id, starts_on=date(2030, 1, 1))
    assert "uten sluttdato" in exc.value.errors["starts_on"]


def test_different_kinds_and_different_people_may_overlap(session):
    kari, ola = make_person(session), make_person(session)
    create(session, person_id=kari.id)
    create(session, kind="chief_safety_rep", person_id=kari.id)
    create(session, person_id=ola.id)


def test_after_ending_the_person_may_be_appointed_again(session):
    person = make_person(session)
    first = create(session, person_id=person.id)
    service.end_appointment(
        session=session, appointment=first, ended_on=DAY + timedelta(days=10), end_reason="Nyvalg"
    )
    second = create(session, person_id=person.id, starts_on=DAY + timedelta(days=11))
    assert second.id != first.id
    with pytest.raises(InvalidInput):
        create(session, person_id=person.id, starts_on=DAY + timedelta(days=10))


def test_ending_before_the_start_is_refused(session):
    person = make_person(session)
    appointment = create(session, person_id=person.id)
    with pytest.raises(InvalidInput) as exc:
        service.end_appointment(
            session=session,
            appointment=appointment,
            ended_on=DAY - timedelta(days=1),
            end_reason="x",
        )
    assert "ended_on" in exc.value.errors
    assert appointment.ended_on is None


def test_editing_does_not_collide_with_itself_and_checks_the_version(session):
    from hms_tracker.appointments.forms import AppointmentEditForm
    from hms_tracker.errors import EditConflict

    person = make_person(session)
    appointment = create(session, person_id=person.id)
    data = AppointmentEditForm.model_validate(
        {
            "kind": "safety_rep",
            "person_id": person.id,
            "starts_on": DAY,
            "note": "Valgt",
            "version": 1,
        }
    )
    service.update_appointment(session=session, appointment=appointment, data=data, version=1)
    assert appointment.note == "Valgt" and appointment.version == 2
    with pytest.raises(EditConflict):
        service.update_appointment(session=session, appointment=appointment, data=data, version=1)


# --- status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_day_offset", "expected"),
    [
        (-1, "ended"),
        (0, "ending_soon"),
        (60, "ending_soon"),
        (61, "active"),
        (None, "active"),
    ],
)
def test_status_at_the_boundaries(last_day_offset, expected):
    today = date(2025, 6, 1)
    last = None if last_day_offset is None else today + timedelta(days=last_day_offset)
    assert service.status_of(starts_on=date(2024, 1, 1), last_day=last, today=today) == expected
    assert service.status_of(starts_on=today + timedelta(days=1), last_day=last, today=today) == (
        "upcoming"
    )


def test_list_status_and_filters_match_the_computed_status(session):
    today = date(2025, 6, 1)
    people = [make_person(session) for _ in range(5)]
    ended = create(
        session,
        person_id=people[0].id,
        starts_on=date(2023, 6, 1),
        ends_on=today - timedelta(days=1),
    )
    last_today = create(session, person_id=people[1].id, starts_on=date(2024, 1, 1), ends_on=today)
    soon = create(
        session,
        person_id=people[2].id,
        starts_on=date(2024, 1, 1),
        ends_on=today + timedelta(days=60),
    )
    active = create(
        session,
        person_id=people[3].id,
        starts_on=date(2024, 1, 1),
        ends_on=today + timedelta(days=61),
    )
    upcoming = create(session, person_id=people[4].id, starts_on=today + timedelta(days=1))
    early = create(
        session, kind="managing_director", person_id=people[0].id, starts_on=date(2020, 1, 1)
    )
    service.end_appointment(
        session=session, appointment=early, ended_on=today - timedelta(days=1), end_reason="x"
    )
    rows = service.list_appointments(session=session, today=today, status="all")
    by_id = {r.appointment.id: r.status for r in rows}
    assert by_id == {
        ended.id: "ended",
        last_today.id: "ending_soon",
        soon.id: "ending_soon",
        active.id: "active",
        upcoming.id: "upcoming",
        early.id: "ended",
    }
    for status in ("active", "ending_soon", "ended", "upcoming"):
        filtered = service.list_appointments(session=session, today=today, status=status)
        assert {r.appointment.id for r in filtered} == {i for i, s in by_id.items() if s == status}
    only_md = service.list_appointments(
        session=session, today=today, kind="managing_director", status="all"
    )
    assert [r.appointment.id for r in only_md] == [early.id]
    mine = service.appointments_for_person(session=session, person_id=people[0].id, today=today)
    assert {r.appointment.id for r in mine} == {ended.id, early.id}


def test_list_uses_a_fixed_number_of_statements(session, engine):
    from sqlalchemy import event

    lager = make_department(session)
    for _ in range(6):
        create(session, person_id=make_person(session).id, area_ids=[lager.id])
    session.flush()
    statements: list[str] = []

    def count(*args, **kwargs):
        statements.append(args[2])

    conn = session.connection()
    event.listen(conn, "before_cursor_execute", count)
    try:
        rows = service.list_appointments(session=session, today=DAY)
    finally:
        event.remove(conn, "before_cursor_execute", count)
    assert len(rows) == 6
    assert len(statements) <= 3


# --- chair -----------------------------------------------------------------------------


def test_chair_period_defaults_to_one_year_and_overlaps_are_refused(session):
    a, b = make_person(session), make_person(session)
    first = create(session, kind="amu_member", person_id=a.id, amu_side="employer")
    second = create(session, kind="amu_member", person_id=b.id, amu_side="employee")
    period = service.set_chair(session=session, appointment=first, starts_on=DAY, ends_on=None)
    assert (period.starts_on, period.ends_on) == (DAY, date(2026, 2, 28))
    with pytest.raises(InvalidInput) as exc:
        service.set_chair(
            session=session, appointment=second, starts_on=date(2026, 2, 28), ends_on=None
        )
    assert "AMU har allerede en leder" in exc.value.errors["starts_on"]
    service.set_chair(session=session, appointment=second, starts_on=date(2026, 3, 1), ends_on=None)
    assert len(session.exec(select(AmuChairPeriod)).all()) == 2


def test_only_an_amu_member_can_chair(session):
    vo = create(session, person_id=make_person(session).id)
    with pytest.raises(InvalidInput):
        service.set_chair(session=session, appointment=vo, starts_on=DAY, ends_on=None)


# --- agreements ------------------------------------------------------------------------


def test_agreement_longer_than_two_years_is_refused(session):
    ok = AgreementForm(
        valid_from=date(2025, 1, 1), valid_to=date(2026, 12, 31), description="Avtale"
    )
    service.create_agreement(session=session, data=ok)
    too_long = AgreementForm(
        valid_from=date(2025, 1, 1), valid_to=date(2027, 1, 1), description="x"
    )
    with pytest.raises(InvalidInput) as exc:
        service.create_agreement(session=session, data=too_long)
    assert "høyst 2 år" in exc.value.errors["valid_to"] and "§ 6-1" in exc.value.errors["valid_to"]
    rows = service.list_agreements(session=session, today=date(2025, 6, 1))
    assert [r.status for r in rows] == ["active"]


# --- roles -----------------------------------------------------------------------------


def _roles(session, person, day):
    user = session.exec(select(User).where(User.person_id == person.id)).first()
    return service.appointment_roles(session, user, person, day)


def test_active_safety_rep_gets_the_role_with_their_areas_and_loses_it_after_ending(session):
    lager, kontor = make_department(session), make_department(session)
    make_department(session)
    user = make_user(session)
    person = session.get(Person, user.person_id)
    vo = create(session, person_id=person.id, area_ids=[lager.id, kontor.id])
    roles, scopes = _roles(session, person, DAY)
    assert roles == {"safety_rep"}
    assert scopes == {"safety_area": frozenset({lager.id, kontor.id})}
    service.end_appointment(session=session, appointment=vo, ended_on=DAY, end_reason="Sluttet")
    assert _roles(session, person, DAY)[0] == {"safety_rep"}  # the last day still counts
    assert _roles(session, person, DAY + timedelta(days=1)) == (set(), {})
    assert _roles(session, person, DAY - timedelta(days=1)) == (set(), {})


def test_safety_rep_without_areas_and_chief_cover_every_department(session):
    depts = {make_department(session).id for _ in range(3)}
    vo_person, hvo_person = make_person(session), make_person(session)
    create(session, person_id=vo_person.id)
    create(session, kind="chief_safety_rep", person_id=hvo_person.id)
    assert _roles(session, vo_person, DAY)[1]["safety_area"] >= depts
    roles, scopes = _roles(session, hvo_person, DAY)
    assert roles == {"chief_safety_rep"} and scopes["safety_area"] >= depts


def test_amu_deputy_gets_the_amu_role(session):
    person = make_person(session)
    create(session, kind="amu_member", person_id=person.id, amu_side="employee", is_deputy=True)
    create(session, kind="managing_director", person_id=person.id)
    assert _roles(session, person, DAY) == ({"amu_member"}, {})


def test_areas_are_replaced_on_edit(session):
    from hms_tracker.appointments.forms import AppointmentEditForm

    a, b = make_department(session), make_department(session)
    person = make_person(session)
    vo = create(session, person_id=person.id, area_ids=[a.id])
    data = AppointmentEditForm.model_validate(
        {
            "kind": "safety_rep",
            "person_id": person.id,
            "starts_on": DAY,
            "area_ids": [str(b.id)],
            "version": 1,
        }
    )
    service.update_appointment(session=session, appointment=vo, data=data, version=1)
    rows = session.exec(
        select(AppointmentArea).where(AppointmentArea.appointment_id == vo.id)
    ).all()
    assert [r.department_id for r in rows] == [b.id]


def test_agreement_limit_follows_the_rules_setting(session):
    from hms_tracker.organisation.models import CompanySetting

    session.add(CompanySetting(key="rules.agreement_max_years", value="1"))
    session.flush()
    with pytest.raises(InvalidInput) as exc:
        service.create_agreement(
            session=session,
            data=AgreementForm(
                valid_from=date(2025, 1, 1), valid_to=date(2026, 6, 30), description="Avtale"
            ),
        )
    assert "høyst 1 år" in exc.value.errors["valid_to"]
