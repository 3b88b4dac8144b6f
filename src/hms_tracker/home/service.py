"""What needs me: the start page's tasks for one person on one day.

Every count is asked of the same list the task links to (the deviation, risk and routine
lists' own filters, the rule engine's report for /gaps and /training, the AMU page's own
overview), so a count on the start page is the number of rows the link shows. What
another page lists only in part (a leader's people's training) is named item by item, each
with its own link, not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from hms_tracker.amu import overview as amu_overview
from hms_tracker.amu.access import reads_amu
from hms_tracker.amu.meetings import next_meeting
from hms_tracker.amu.models import AmuMeeting
from hms_tracker.appointments import service as appointments
from hms_tracker.compliance.presenter import present, urgency
from hms_tracker.compliance.service import report_on, status_counts
from hms_tracker.db import READINGS, RECORDS, VersionedCache
from hms_tracker.deviations import service as deviations
from hms_tracker.deviations.forms import status_tag
from hms_tracker.deviations.models import Deviation
from hms_tracker.organisation.models import Person
from hms_tracker.organisation.service import active_on, subtree_ids
from hms_tracker.risks import service as risks
from hms_tracker.routines import service as routines
from hms_tracker.rules.engine import TrainingStatus
from hms_tracker.rules.findings import Finding, Status
from hms_tracker.web.auth import Principal
from hms_tracker.web.i18n import _, format_date, get_language, ngettext

# How many of one's own reports the page shows (the rest are one link away).
OWN_REPORTS_SHOWN = 5
# How many legal gaps and people are named before "see all".
NAMED = 5


@dataclass(frozen=True)
class Task:
    """A count of things to do, and where they are done."""

    label: str
    count: int
    url: str
    tone: str = "warning"  # danger / warning / info


@dataclass(frozen=True)
class Named:
    """One thing to do, by name."""

    label: str
    url: str | None
    note: str = ""
    tone: str = "warning"


@dataclass(frozen=True)
class OwnReport:
    id: int
    title: str
    status_label: str
    status_colour: str
    finished: bool  # closed or rejected: the outcome is on its page


@dataclass
class Part:
    """One role's part of the page: its counts and named items (only those with work)."""

    id: str
    title: str
    tasks: list[Task] = field(default_factory=list)
    named: list[Named] = field(default_factory=list)
    named_title: str = ""

    @property
    def empty(self) -> bool:
        return not self.tasks and not self.named


@dataclass(frozen=True)
class Meeting:
    """The next AMU meeting, as the page names it."""

    id: int
    meets_on: date
    starts_at: time
    place: str


@dataclass
class Home:
    day: date
    to_read: int
    own_reports: list[OwnReport]
    own_open: int  # own reports still open (the link shows them)
    my_work: int  # open cases I am responsible for or hold an action on
    my_training: list[Named]
    parts: list[Part]
    meeting: Meeting | None


def _meeting(found: AmuMeeting | None) -> Meeting | None:
    if found is None or found.id is None:
        return None
    return Meeting(found.id, found.meets_on, found.starts_at, found.place)


def _url(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _task(label: str, count: int, url: str, tone: str = "warning") -> list[Task]:
    return [Task(label, count, url, tone)] if count else []


def _count_deviations(session: Session, principal: Principal, day: date, **params: str) -> int:
    filters = deviations.ListFilters.model_validate(params)
    return deviations.count_deviations(
        session=session, principal=principal, filters=filters, today=day
    )


def _deviation_tasks(session: Session, principal: Principal, day: date) -> list[Task]:
    """Cases nobody has taken up, and cases past a deadline, among those the person sees."""
    unhandled = _count_deviations(session, principal, day, status="registered")
    return [
        *_task(
            ngettext("%(num)s avvik ingen har tatt tak i", "%(num)s avvik ingen har tatt tak i",
                     unhandled),
            unhandled, _url("/deviations", status="registered"),
        ),
        *_overdue_task(session, principal, day),
    ]  # fmt: skip


def _overdue_task(session: Session, principal: Principal, day: date) -> list[Task]:
    overdue = _count_deviations(session, principal, day, overdue="1")
    return _task(
        ngettext("%(num)s avvik over fristen", "%(num)s avvik over fristen", overdue),
        overdue, _url("/deviations", overdue="1"), "danger",
    )  # fmt: skip


def _training_line(row: TrainingStatus, *, with_name: bool) -> Named:
    what = f"{row.person_name} – {row.course_name}" if with_name else row.course_name
    if row.status is Status.in_grace and row.due_on:
        note, tone = _("fristen er %(date)s", date=format_date(row.due_on)), "warning"
    elif row.status is Status.expiring and row.expires_on:
        note, tone = _("går ut %(date)s", date=format_date(row.expires_on)), "info"
    elif row.status is Status.expired:
        note, tone = _("utløpt"), "danger"
    else:
        note, tone = _("mangler"), "danger"
    return Named(what, f"/people/{row.person_id}", note, tone)


TRAINING_TO_DO = (Status.missing, Status.expired, Status.in_grace, Status.expiring)


@dataclass(frozen=True)
class TrainingIndex:
    """The rule engine's training rows of a day, counted per status (as /training counts
    them) and, those still to do, per person: the start page looks up its few people
    instead of going through the whole company's rows."""

    counts: dict[Status, int]
    to_do: dict[int, tuple[TrainingStatus, ...]]


def _training_index(session: Session, day: date) -> TrainingIndex:
    def build() -> TrainingIndex:
        rows = report_on(session=session, day=day).training
        to_do: dict[int, list[TrainingStatus]] = {}
        for r in rows:
            if r.status in TRAINING_TO_DO:
                to_do.setdefault(r.person_id, []).append(r)
        return TrainingIndex(
            status_counts(rows), {pid: tuple(found) for pid, found in to_do.items()}
        )

    return TRAINING.get_or_compute(session, day, build)


TRAINING: VersionedCache[date, TrainingIndex] = VersionedCache(size=4)


def _leader_part(
    session: Session, principal: Principal, day: date, training: TrainingIndex
) -> Part:
    part = Part("leader", _("Avdelingene du leder"))
    part.tasks += _deviation_tasks(session, principal, day)
    not_assessed = risks.count_risks(
        session=session, principal=principal,
        filters=risks.ListFilters.model_validate({"not_assessed": "1"}), today=day,
    )  # fmt: skip
    late_measures = risks.count_risks(
        session=session, principal=principal,
        filters=risks.ListFilters.model_validate({"overdue_measures": "1"}), today=day,
    )  # fmt: skip
    part.tasks += _task(
        ngettext("%(num)s risiko ikke vurdert på 12 måneder",
                 "%(num)s risikoer ikke vurdert på 12 måneder", not_assessed),
        not_assessed, _url("/risks", not_assessed="1"),
    )  # fmt: skip
    part.tasks += _task(
        ngettext("%(num)s risiko med tiltak over fristen",
                 "%(num)s risikoer med tiltak over fristen", late_measures),
        late_measures, _url("/risks", overdue_measures="1"), "danger",
    )  # fmt: skip
    part.tasks += _routine_task(session, principal, day)
    people = _people_of(session, principal, day) - {principal.person_id}
    gaps = sorted(
        (r for pid in people for r in training.to_do.get(pid, ())),
        key=lambda r: (r.person_name, r.course_name),
    )
    part.named_title = _("Opplæring som mangler eller går ut hos dine ansatte")
    part.named = [_training_line(r, with_name=True) for r in gaps[:NAMED]]
    if len(gaps) > NAMED:
        part.named.append(Named(_("og %(num)s til", num=len(gaps) - NAMED), None, "", "info"))
    return part


def _routine_task(session: Session, principal: Principal, day: date) -> list[Task]:
    overdue = routines.count_routines(
        session=session, principal=principal,
        filters=routines.ListFilters.model_validate({"overdue": "1"}), today=day,
    )  # fmt: skip
    return _task(
        ngettext("%(num)s rutine skulle vært gjennomgått",
                 "%(num)s rutiner skulle vært gjennomgått", overdue),
        overdue, _url("/routines", overdue="1"),
    )  # fmt: skip


def _people_of(session: Session, principal: Principal, day: date) -> set[int]:
    """The people employed today in the departments the leader leads (and below)."""
    led = subtree_ids(session=session, department_ids=principal.led_department_ids)
    if not led:
        return set()
    return {
        pid
        for pid in session.exec(
            select(Person.id).where(col(Person.department_id).in_(led), active_on(day))
        ).all()
        if pid is not None
    }


def _coordinator_part(
    session: Session, principal: Principal, day: date, report_gaps: list[Finding],
    training: TrainingIndex,
) -> Part:  # fmt: skip
    part = Part("coordinator", _("Som HMS-koordinator"))
    gaps = sorted((f for f in report_gaps if f.legal_basis), key=urgency)
    own = [f for f in report_gaps if not f.legal_basis]  # the company's own requirements
    part.tasks += _task(
        ngettext("%(num)s mangel etter loven", "%(num)s mangler etter loven", len(gaps)),
        len(gaps), "/gaps", "danger",
    )  # fmt: skip
    part.tasks += _task(
        ngettext("%(num)s av bedriftens egne krav er ikke oppfylt",
                 "%(num)s av bedriftens egne krav er ikke oppfylt", len(own)),
        len(own), "/gaps#own-heading",
    )  # fmt: skip
    part.tasks += _deviation_tasks(session, principal, day)
    ending = len(appointments.list_appointments(session=session, today=day, status="ending_soon"))
    part.tasks += _task(
        ngettext("%(num)s verv går ut innen %(days)s dager",
                 "%(num)s verv går ut innen %(days)s dager", ending,
                 days=appointments.ENDING_SOON_DAYS),
        ending, _url("/appointments", status="ending_soon"), "info",
    )  # fmt: skip
    missing = training.counts.get(Status.missing, 0)
    expired = training.counts.get(Status.expired, 0)
    expiring = training.counts.get(Status.expiring, 0)
    part.tasks += _task(
        ngettext("%(num)s mangler pålagt opplæring", "%(num)s mangler pålagt opplæring", missing),
        missing, _url("/training", status="missing"), "danger",
    )  # fmt: skip
    part.tasks += _task(
        ngettext("%(num)s har opplæring som er utløpt", "%(num)s har opplæring som er utløpt",
                 expired),
        expired, _url("/training", status="expired"), "danger",
    )  # fmt: skip
    part.tasks += _task(
        ngettext("%(num)s har opplæring som går ut snart",
                 "%(num)s har opplæring som går ut snart", expiring),
        expiring, _url("/training", status="expiring"), "info",
    )  # fmt: skip
    part.tasks += _routine_task(session, principal, day)
    part.named_title = _("Mangler etter loven, det mest hastende først")
    for finding in gaps[:NAMED]:
        shown = present(finding)
        part.named.append(
            Named(str(shown.title), shown.fix_url or "/gaps", finding.legal_basis, "danger")
        )
    return part


def _representative_part(session: Session, principal: Principal, day: date) -> Part:
    """The verneombud's (and hovedverneombud's) open cases in their area: the deviation
    list shows them what their area holds."""
    part = Part("safety_rep", _("Som verneombud"))
    open_cases = _count_deviations(session, principal, day, status="open")
    part.tasks += _task(
        ngettext("%(num)s åpent avvik i området ditt", "%(num)s åpne avvik i området ditt",
                 open_cases),
        open_cases, _url("/deviations", status="open"), "info",
    )  # fmt: skip
    part.tasks += _overdue_task(session, principal, day)
    return part


def _amu_part(session: Session, principal: Principal, day: date) -> Part:
    """The AMU page's counts, section by section, each linking to its section."""
    part = Part("amu", _("Til arbeidsmiljøutvalget"))
    found = amu_overview.overview(session=session, principal=principal, day=day)
    for section in found.sections:
        if section.count:
            tone = "info" if section.id in amu_overview.NOT_GAPS else "warning"
            label = _("%(section)s: %(num)s", section=section.title, num=section.count)
            part.tasks.append(Task(label, section.count, f"/amu#section-{section.id}", tone))
    return part


# Each person's start page of a day, kept under the data versions of the records and of
# the readings (a write anywhere, or an acknowledgement, computes it afresh); keyed by all
# that decides what the person sees, so a changed role or language is a new page.
PAGES: VersionedCache[tuple[object, ...], Home] = VersionedCache(size=512, rows=(RECORDS, READINGS))


def what_needs(*, session: Session, principal: Principal, day: date) -> Home:
    """The start page for `principal` on `day` (not to be changed by those who read it)."""
    key = (
        principal.person_id, day, get_language(), principal.roles,
        principal.led_department_ids,
        tuple(sorted((k, tuple(sorted(v))) for k, v in principal.scopes.items())),
    )  # fmt: skip
    return PAGES.get_or_compute(session, key, lambda: _what_needs(session, principal, day))


def _what_needs(session: Session, principal: Principal, day: date) -> Home:
    person = principal.person
    report = report_on(session=session, day=day)
    training = _training_index(session, day)
    own = session.exec(
        select(Deviation.id, Deviation.title, Deviation.status)
        .where(Deviation.reporter_person_id == principal.person_id)
        .order_by(col(Deviation.created_at).desc(), col(Deviation.id).desc())
        .limit(OWN_REPORTS_SHOWN)
    ).all()
    own_reports = []
    for dev_id, title, status in own:
        label, colour = status_tag(status)
        own_reports.append(
            OwnReport(dev_id, title, label, colour, status in ("closed", "rejected"))  # type: ignore[arg-type]
        )
    parts: list[Part] = []
    if principal.is_admin:
        parts.append(_coordinator_part(session, principal, day, report.gaps, training))
    if principal.is_leader:
        parts.append(_leader_part(session, principal, day, training))
    if not principal.is_admin and (
        principal.has_role("safety_rep") or principal.has_role("chief_safety_rep")
    ):
        parts.append(_representative_part(session, principal, day))
    if principal.has_role("amu_member") or (principal.is_admin and reads_amu(principal)):
        parts.append(_amu_part(session, principal, day))
    return Home(
        day=day,
        to_read=routines.unread_count(session=session, person=person, today=day),
        own_reports=own_reports,
        own_open=_count_deviations(session, principal, day, mine="1", status="open"),
        my_work=_count_deviations(session, principal, day, assigned="1", status="open"),
        my_training=[
            _training_line(r, with_name=False)
            for r in training.to_do.get(principal.person_id or 0, ())
        ],
        parts=parts,
        meeting=_meeting(next_meeting(session=session, day=day)) if reads_amu(principal) else None,
    )
