"""The risk register: who sees and manages which risk, writing and assessing risks, the
routines that control them, planned measures, the list with filters and the 5 × 5 matrix.

Keyword-only functions, `session` first. Who may do what:

- The HMS coordinator (admin) manages every risk; a leader manages the risks of the
  departments they lead (and those below them).
- A verneombud sees the risks of their verneområde, the hovedverneombud every risk (the
  appointments domain puts every department in their `safety_area` scope).
- An AMU member reads every risk (AMU reviews the whole company's risks and gaps).
- Every employee sees the risks of their own department, read-only: the risk assessment is
  something the employees take part in (AML § 3-1 (2) c, § 4-1) and should know.
- The risk's owner and the owner of a planned measure see the risk, and a measure's owner
  marks it done.

Nothing is deleted: a risk is archived with a reason; a measure is withdrawn with one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BeforeValidator, Field
from sqlmodel import Session, col, func, select

from hms_tracker.db import claim_version
from hms_tracker.deviations import service as deviations
from hms_tracker.deviations.forms import ActionDoneForm, ActionForm
from hms_tracker.deviations.models import CorrectiveAction
from hms_tracker.errors import Forbidden, InvalidInput, NotFound, TransitionRefused
from hms_tracker.organisation import service as organisation
from hms_tracker.organisation.models import Department, Person
from hms_tracker.risk import LEVEL_RANGES, SCALE, consequence_label, probability_label
from hms_tracker.risks.access import (
    Access,
    may_create,
    reads_all,
    require_manage,
    seen_departments,
    visible_clause,
)
from hms_tracker.risks.forms import ArchiveForm, RiskEditForm, RiskForm
from hms_tracker.risks.models import Risk, RiskRoutine
from hms_tracker.routines.models import Routine, RoutineVersion, VersionStatus
from hms_tracker.rules.engine import (
    is_assessment_overdue,
    risk_assessment_cutoff,
    risk_assessment_due,
)
from hms_tracker.web.auth import Principal
from hms_tracker.web.filters import Flag, ListQuery, PageNumber, one_of
from hms_tracker.web.i18n import _, format_date
from hms_tracker.web.pagination import count_rows, paged
from hms_tracker.web.params import parse_id, parse_int


def _require_not_archived(risk: Risk) -> None:
    if risk.archived_on is not None:
        raise TransitionRefused(_("Risikoen er arkivert og kan ikke endres."))


# --- choices ------------------------------------------------------------------------------


def department_choices(
    *, session: Session, principal: Principal, include_id: int | None = None
) -> list[tuple[int, str]]:
    """Departments a risk may be placed in: every open one for the coordinator, the led
    ones for a leader (and the risk's current one, so an edit never changes it silently)."""
    only = None if principal.is_admin else principal.led_department_ids
    return organisation.department_options(session=session, only_ids=only, include_ids=[include_id])


def _active_person(session: Session, person_id: int, today: date, field_name: str) -> None:
    person = session.get(Person, person_id)
    if person is None or not person.is_active_on(today):
        raise InvalidInput({field_name: _("Velg en person som er ansatt i dag.")})


# --- writing ------------------------------------------------------------------------------

EDITABLE_FIELDS = (
    "title",
    "description",
    "department_id",
    "consequence",
    "probability",
    "existing_measures",
    "last_assessed_on",
    "owner_person_id",
)


def _check(
    session: Session, principal: Principal, data: RiskForm, today: date, risk: Risk | None
) -> None:
    errors: dict[str, str] = {}
    allowed = {
        dept_id
        for dept_id, _name in department_choices(
            session=session, principal=principal, include_id=risk.department_id if risk else None
        )
    }
    if data.department_id not in allowed:
        errors["department_id"] = _("Velg en avdeling fra listen.")
    if data.last_assessed_on > today:
        errors["last_assessed_on"] = _("Datoen kan ikke være fram i tid.")
    if data.owner_person_id is not None and not (
        risk is not None and risk.owner_person_id == data.owner_person_id
    ):
        person = session.get(Person, data.owner_person_id)
        if person is None or not person.is_active_on(today):
            errors["owner_person_id"] = _("Velg en person som er ansatt i dag.")
    if errors:
        raise InvalidInput(errors)


def create_risk(*, session: Session, principal: Principal, data: RiskForm, today: date) -> Risk:
    if not may_create(principal):
        raise Forbidden()
    _check(session, principal, data, today, None)
    risk = Risk(
        title=data.title,
        description=data.description or "",
        department_id=data.department_id,
        consequence=data.consequence,
        probability=data.probability,
        existing_measures=data.existing_measures or "",
        last_assessed_on=data.last_assessed_on,
        owner_person_id=data.owner_person_id,
    )
    session.add(risk)
    session.flush()
    return risk


def form_values_of(risk: Risk) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(risk, name) for name in EDITABLE_FIELDS}
    values["last_assessed_on"] = risk.last_assessed_on.isoformat()
    values["version"] = risk.version
    return values


def update_risk(
    *, session: Session, principal: Principal, access: Access, risk: Risk, data: RiskEditForm,
    today: date,
) -> Risk:  # fmt: skip
    """Save an edit made on version `data.version`; EditConflict if someone saved since."""
    require_manage(access)
    _require_not_archived(risk)
    _check(session, principal, data, today, risk)
    if data.department_id != risk.department_id and not (
        principal.is_admin or data.department_id in principal.led_department_ids
    ):
        raise InvalidInput({"department_id": _("Velg en avdeling fra listen.")})
    claim_version(session, risk, data.version)
    for name in EDITABLE_FIELDS:
        value = getattr(data, name)
        if name in ("description", "existing_measures"):
            value = value or ""
        setattr(risk, name, value)
    session.add(risk)
    session.flush()
    return risk


def mark_assessed(
    *, session: Session, access: Access, risk: Risk, version: int, today: date
) -> Risk:
    """The risk was assessed today (the score and measures still stand)."""
    require_manage(access)
    _require_not_archived(risk)
    claim_version(session, risk, version)
    risk.last_assessed_on = today
    session.add(risk)
    session.flush()
    return risk


def archive_risk(
    *, session: Session, access: Access, risk: Risk, data: ArchiveForm, today: date
) -> Risk:
    require_manage(access)
    _require_not_archived(risk)
    claim_version(session, risk, data.version)
    risk.archived_on = today
    risk.archived_reason = data.reason
    session.add(risk)
    session.flush()
    return risk


# --- routines -----------------------------------------------------------------------------


def _in_force_ids(today: date) -> Any:
    """SQL: ids of routines with a published version in force on `today`."""
    return (
        select(RoutineVersion.routine_id)
        .join(Routine, col(Routine.id) == RoutineVersion.routine_id)
        .where(
            RoutineVersion.status == VersionStatus.published.value,
            col(RoutineVersion.published_on) <= today,
            sa.or_(col(Routine.archived_on).is_(None), col(Routine.archived_on) > today),
        )
    )


@dataclass(frozen=True)
class LinkedRoutine:
    id: int
    title: str
    in_force: bool


def linked_routines(
    *, session: Session, risk_ids: list[int], today: date
) -> dict[int, list[LinkedRoutine]]:
    """Risk id → its routines, in force or not, by title; one query (whether each is in
    force is asked in it, not by reading every routine in force)."""
    if not risk_ids:
        return {}
    # Per linked routine (correlated), not a list of every routine in force.
    in_force = sa.and_(
        sa.exists().where(
            col(RoutineVersion.routine_id) == Routine.id,
            RoutineVersion.status == VersionStatus.published.value,
            col(RoutineVersion.published_on) <= today,
        ),
        sa.or_(col(Routine.archived_on).is_(None), col(Routine.archived_on) > today),
    )
    result: dict[int, list[LinkedRoutine]] = {}
    for risk_id, routine_id, title, live in session.exec(
        select(RiskRoutine.risk_id, Routine.id, Routine.title, in_force)
        .join(Routine, col(Routine.id) == RiskRoutine.routine_id)
        .where(col(RiskRoutine.risk_id).in_(risk_ids))
        .order_by(func.lower(Routine.title))
    ).all():
        result.setdefault(risk_id, []).append(LinkedRoutine(routine_id, title, bool(live)))
    return result


def routine_choices(*, session: Session, risk: Risk, today: date) -> list[tuple[int, str]]:
    """Routines that may be linked: not archived and not linked yet; a routine not yet in
    force says so (it does not count for the rule until it is published)."""
    in_force = set(session.exec(_in_force_ids(today)).all())
    linked = select(RiskRoutine.routine_id).where(RiskRoutine.risk_id == risk.id)
    rows = session.exec(
        select(Routine.id, Routine.title)
        .where(col(Routine.archived_on).is_(None), col(Routine.id).not_in(linked))
        .order_by(func.lower(Routine.title))
    ).all()
    return [
        (rid, title if rid in in_force else _("%(title)s (ikke publisert)", title=title))
        for rid, title in rows
        if rid is not None
    ]


def link_routine(
    *, session: Session, access: Access, risk: Risk, routine_id: int, today: date
) -> RiskRoutine:
    require_manage(access)
    _require_not_archived(risk)
    offered = {rid for rid, _t in routine_choices(session=session, risk=risk, today=today)}
    if routine_id not in offered:
        raise InvalidInput({"routine_id": _("Velg en rutine fra listen.")})
    link = RiskRoutine(risk_id=risk.id, routine_id=routine_id)
    session.add(link)
    session.flush()
    return link


def unlink_routine(*, session: Session, access: Access, risk: Risk, routine_id: int) -> None:
    require_manage(access)
    _require_not_archived(risk)
    link = session.exec(
        select(RiskRoutine).where(
            RiskRoutine.risk_id == risk.id, RiskRoutine.routine_id == routine_id
        )
    ).first()
    if link is None:
        raise NotFound()
    session.delete(link)  # a link, not a record: the audit trail keeps that it existed
    session.flush()


# --- planned measures (corrective actions of the risk) ------------------------------------


def measures_of(*, session: Session, risk: Risk) -> list[CorrectiveAction]:
    return list(
        session.exec(
            select(CorrectiveAction)
            .where(CorrectiveAction.risk_id == risk.id)
            .order_by(col(CorrectiveAction.deadline), col(CorrectiveAction.id))
        ).all()
    )


def get_measure(*, session: Session, risk: Risk, action_id: int) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id) if 0 < action_id < 2**31 else None
    if action is None or action.risk_id != risk.id:
        raise NotFound()
    return action


def add_measure(
    *, session: Session, access: Access, risk: Risk, data: ActionForm, today: date
) -> CorrectiveAction:
    require_manage(access)
    _require_not_archived(risk)
    _active_person(session, data.owner_person_id, today, "owner_person_id")
    if data.deadline < today:
        raise InvalidInput({"deadline": _("Fristen kan ikke være før i dag.")})
    action = CorrectiveAction(
        risk_id=risk.id,
        description=data.description,
        owner_person_id=data.owner_person_id,
        deadline=data.deadline,
    )
    session.add(action)
    session.flush()
    return action


def complete_measure(
    *,
    session: Session,
    access: Access,
    principal: Principal,
    action: CorrectiveAction,
    data: ActionDoneForm,
    today: date,
) -> CorrectiveAction:
    if not (access.manage or action.owner_person_id == principal.person_id):
        raise TransitionRefused(
            _("Bare eieren av tiltaket, lederen eller HMS-koordinatoren kan merke det som utført.")
        )
    return deviations.mark_action_done(session=session, action=action, data=data, today=today)


def withdraw_measure(
    *, session: Session, access: Access, action: CorrectiveAction, reason: str
) -> CorrectiveAction:
    require_manage(access)
    return deviations.mark_action_withdrawn(session=session, action=action, reason=reason)


# --- the list -----------------------------------------------------------------------------

SORTS = ("score", "assessed", "title")
PAGE_SIZE = 25  # rows with measures and routines: as many as the deviation list


def assessment_cutoff(today: date) -> date:
    """The earliest last-assessed date still in time on `today`: a risk assessed before it
    is overdue (the rule's boundary, `rules.engine.risk_assessment_cutoff`)."""
    return risk_assessment_cutoff(today)


def _number(low: int, high: int) -> Any:
    return BeforeValidator(lambda v: parse_int(v, minimum=low, maximum=high))


class ListFilters(ListQuery):
    """The risk register's filters, from the address and back into its links."""

    department_id: Annotated[int | None, _number(1, 2**31 - 1)] = Field(None, alias="department")
    level: Annotated[str, one_of(*LEVEL_RANGES)] = ""  # low / medium / high / critical
    consequence: Annotated[int | None, _number(1, 5)] = None
    probability: Annotated[int | None, _number(1, 5)] = None
    min_score: Annotated[int | None, _number(1, 25)] = None
    without_routine: Flag = False  # no linked routine in force
    not_assessed: Flag = False  # not assessed in 12 months
    overdue_measures: Flag = False  # an open planned measure past its deadline
    archived: Flag = False  # the archived risks instead of the current ones
    sort: Annotated[str, one_of(*SORTS)] = "score"
    page: PageNumber = 1


def _score() -> Any:
    return col(Risk.consequence) * col(Risk.probability)


def _in_department(session: Session, department_id: int) -> Any:
    """SQL: the risk is in the department or one below it (as the routines' scope filter)."""
    ids = organisation.subtree_ids(session=session, department_ids=[department_id])
    return col(Risk.department_id).in_(ids)


def _filtered(session: Session, principal: Principal, filters: ListFilters, today: date) -> Any:
    query = select(Risk).where(visible_clause(principal))
    if filters.archived:
        query = query.where(col(Risk.archived_on).is_not(None))
    else:
        query = query.where(col(Risk.archived_on).is_(None))
    if filters.department_id:
        query = query.where(_in_department(session, filters.department_id))
    if filters.level:
        low, high = LEVEL_RANGES[filters.level]
        query = query.where(_score() >= low, _score() <= high)
    if filters.consequence:
        query = query.where(Risk.consequence == filters.consequence)
    if filters.probability:
        query = query.where(Risk.probability == filters.probability)
    if filters.min_score:
        query = query.where(_score() >= filters.min_score)
    if filters.without_routine:
        controlled = select(RiskRoutine.risk_id).where(
            col(RiskRoutine.routine_id).in_(_in_force_ids(today))
        )
        query = query.where(col(Risk.id).not_in(controlled))
    if filters.not_assessed:
        query = query.where(col(Risk.last_assessed_on) < assessment_cutoff(today))
    if filters.overdue_measures:
        late = select(CorrectiveAction.risk_id).where(
            col(CorrectiveAction.risk_id).is_not(None),
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
            col(CorrectiveAction.deadline) < today,
        )
        query = query.where(col(Risk.id).in_(late))
    return query


def _ordered(query: Any, sort: str) -> Any:
    if sort == "assessed":
        return query.order_by(col(Risk.last_assessed_on), col(Risk.id))
    if sort == "title":
        return query.order_by(func.lower(Risk.title), col(Risk.id))
    return query.order_by(_score().desc(), col(Risk.consequence).desc(), func.lower(Risk.title))


@dataclass
class RiskRow:
    risk: Risk
    department: str
    routines: list[LinkedRoutine]
    open_measures: int
    overdue_measures: int
    assessment_overdue: bool
    assessment_due: date

    @property
    def has_routine_in_force(self) -> bool:
        return any(r.in_force for r in self.routines)


@dataclass
class RiskPage:
    rows: list[RiskRow]
    total: int
    page: int
    pages: int


def list_risks(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> RiskPage:
    """One page of the risks the principal may see, filtered and sorted; a fixed number of
    queries whatever the register's size."""
    risks, where = paged(
        session,
        _ordered(_filtered(session, principal, filters, today), filters.sort),
        requested=filters.page,
        size=PAGE_SIZE,
    )
    filters.page = where.number
    return RiskPage(
        rows=risk_rows(session, risks, today), total=where.total, page=where.number,
        pages=where.pages,
    )  # fmt: skip


def risk_rows(session: Session, risks: list[Risk], today: date) -> list[RiskRow]:
    if not risks:
        return []
    ids = [r.id for r in risks]
    departments = dict(
        session.exec(
            select(Department.id, Department.name).where(
                col(Department.id).in_({r.department_id for r in risks})
            )
        ).all()
    )
    routines = linked_routines(session=session, risk_ids=ids, today=today)
    open_counts: dict[int, int] = {}
    late_counts: dict[int, int] = {}
    for risk_id, deadline in session.exec(
        select(CorrectiveAction.risk_id, CorrectiveAction.deadline).where(
            col(CorrectiveAction.risk_id).in_(ids),
            col(CorrectiveAction.done_on).is_(None),
            col(CorrectiveAction.withdrawn_at).is_(None),
        )
    ).all():
        if risk_id is None:
            continue
        open_counts[risk_id] = open_counts.get(risk_id, 0) + 1
        if deadline < today:
            late_counts[risk_id] = late_counts.get(risk_id, 0) + 1
    return [
        RiskRow(
            risk=r,
            department=departments.get(r.department_id, ""),
            routines=routines.get(r.id, []),
            open_measures=open_counts.get(r.id, 0),
            overdue_measures=late_counts.get(r.id, 0),
            assessment_overdue=is_assessment_overdue(r.last_assessed_on, today),
            assessment_due=risk_assessment_due(r.last_assessed_on),
        )
        for r in risks
    ]


def department_filter_options(*, session: Session, principal: Principal) -> list[tuple[int, str]]:
    """Departments to filter by: every one for the coordinator and AMU, else those the
    principal sees risks of."""
    if reads_all(principal):
        return organisation.departments_by_name(session=session)
    with_risks = select(Risk.department_id).where(visible_clause(principal)).distinct()
    query = (
        select(Department.id, Department.name)
        .order_by(Department.name)
        .where(
            sa.or_(
                col(Department.id).in_(seen_departments(principal) or {0}),
                col(Department.id).in_(with_risks),
            )
        )
    )
    return [(dept_id, name) for dept_id, name in session.exec(query).all() if dept_id is not None]


# --- the matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    counts: dict[tuple[int, int], int]  # (consequence, probability) -> current risks

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, consequence: int, probability: int) -> int:
        return self.counts.get((consequence, probability), 0)


def risk_matrix(
    *, session: Session, principal: Principal, department_id: int | None = None
) -> Matrix:
    """Current (not archived) risks the principal may see, counted per cell; one query."""
    query = (
        select(Risk.consequence, Risk.probability, func.count())
        .where(visible_clause(principal), col(Risk.archived_on).is_(None))
        .group_by(col(Risk.consequence), col(Risk.probability))
    )
    if department_id:
        query = query.where(_in_department(session, department_id))
    counts = {(c, p): int(n) for c, p, n in session.exec(query).all() if c in SCALE and p in SCALE}
    return Matrix(counts)


# --- the detail page ----------------------------------------------------------------------


def changes_since(
    *, session: Session, risk: Risk, values: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(field, saved value, your value) where the saved risk differs from what was sent,
    in words: departments and people by name, dates as dates, the scale with its label."""
    labels = field_labels()
    saved = {
        "title": risk.title,
        "description": risk.description,
        "department_id": str(risk.department_id),
        "consequence": str(risk.consequence),
        "probability": str(risk.probability),
        "existing_measures": risk.existing_measures,
        "last_assessed_on": risk.last_assessed_on.isoformat(),
        "owner_person_id": str(risk.owner_person_id or ""),
    }
    differ = [
        (name, saved_value, str(values[name] or "").strip())
        for name, saved_value in saved.items()
        if name in values and str(values[name] or "").strip() != str(saved_value).strip()
    ]
    ids: dict[str, set[int]] = {"department_id": set(), "owner_person_id": set()}
    for name, saved_value, yours in differ:
        if name in ids:
            ids[name] |= {i for v in (saved_value, yours) if (i := parse_id(v)) is not None}
    departments = (
        dict(
            session.exec(
                select(Department.id, Department.name).where(
                    col(Department.id).in_(ids["department_id"])
                )
            ).all()
        )
        if ids["department_id"]
        else {}
    )
    people = organisation.person_names(session=session, person_ids=set(ids["owner_person_id"]))

    def shown(name: str, value: str) -> str:
        if not value:
            return ""
        if name == "department_id":
            return departments.get(parse_id(value) or 0, value)
        if name == "owner_person_id":
            return people.get(parse_id(value) or 0, value)
        if name == "last_assessed_on":
            try:
                return format_date(date.fromisoformat(value))
            except ValueError:
                return value
        if name in ("consequence", "probability") and parse_int(value) in SCALE:
            label = consequence_label if name == "consequence" else probability_label
            return f"{value} – {label(int(value))}"
        return value

    return [
        (labels[name], shown(name, saved_value), shown(name, yours))
        for name, saved_value, yours in differ
    ]


def field_labels() -> dict[str, str]:
    return {
        "title": _("Arbeidsoppgave eller fare"),
        "description": _("Beskrivelse"),
        "department_id": _("Avdeling"),
        "consequence": _("Konsekvens"),
        "probability": _("Sannsynlighet"),
        "existing_measures": _("Tiltak som er på plass"),
        "last_assessed_on": _("Sist vurdert"),
        "owner_person_id": _("Ansvarlig"),
        "routine_id": _("Rutine"),
        "reason": _("Begrunnelse"),
        "description_measure": _("Tiltak"),
        "deadline": _("Frist"),
        "done_on": _("Utført dato"),
        "version": _("Versjon"),
    }


def count_risks(
    *, session: Session, principal: Principal, filters: ListFilters, today: date
) -> int:
    """How many risks the list shows for these filters (the home page's counts link to it)."""
    return count_rows(session, _filtered(session, principal, filters, today))
