"""The inspection pack (tilsynspakke): one ZIP for the day Arbeidstilsynet comes.

What it holds, as the registers stand on `today`:

- `oversikt.pdf`: the company's standing on one A4 overview — who is verneombud,
  hovedverneombud and in the AMU (with their terms and the chair), the open legal gaps,
  training, routines and their acknowledgement, the risk register, the deviations of the
  last three years, the AMU's meetings and reports, the latest self-assessment, and what
  else lies in the ZIP;
- `verv.csv` (the notice of who represents whom), `opplaering.csv` with the certificates of
  those records in `sertifikater/`, `rutiner.csv`, `risikoregister.csv`, `avvikslogg.csv`
  (the deviations of the last three years with their actions);
- `amu/referat-YYYY-MM-DD.pdf` and `amu/arsrapport-YYYY.pdf`: the approved minutes and
  yearly reports of the last three years, the same documents the AMU's pages offer;
- `egenvurdering-YYYY.pdf`: the newest yearly review (barometer snapshot), if there is one.

Anonymous reports stay anonymous: the deviation log says "Anonym" where the reporter would
be and carries nothing else about them (no reporter is stored, and the receipt code's hash
never leaves the database). Every CSV is made as the house's exports are (web/csv.py:
formulas never run), with the columns of the export that already exists where there is one
(the deviation list, the training overview).

Reads in a fixed number of statements per kind of file, whatever the number of people,
deviations, routines or risks; the AMU's documents are read one meeting or report at a time,
as their own pages read them.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlmodel import Session, col, select

from hms_tracker.amu import documents, meetings
from hms_tracker.amu.models import AmuMeeting, AmuReport, MeetingStatus
from hms_tracker.appointments.forms import amu_side_label
from hms_tracker.appointments.notice import Holder, Notice, notice_on
from hms_tracker.audit.service import record_event
from hms_tracker.barometer.export import snapshot_pdf
from hms_tracker.barometer.models import BarometerSnapshot
from hms_tracker.compliance import service as compliance
from hms_tracker.compliance.presenter import (
    SIDE_LABELS,
    present,
    status_label,
    training_table,
)
from hms_tracker.deviations import export as deviation_export
from hms_tracker.deviations import service as deviations
from hms_tracker.deviations.forms import category_label, years_before
from hms_tracker.deviations.models import CorrectiveAction, Deviation
from hms_tracker.organisation.models import Person
from hms_tracker.organisation.service import person_names
from hms_tracker.risk import level_code, level_options, risk_level
from hms_tracker.risks import service as risks
from hms_tracker.risks.models import Risk
from hms_tracker.routines import service as routines
from hms_tracker.routines.access import scopes_of
from hms_tracker.routines.models import Routine, RoutineVersion, VersionStatus
from hms_tracker.rules.engine import Report, TrainingStatus
from hms_tracker.training.models import Certificate, TrainingRecord
from hms_tracker.web.csv import encode_csv
from hms_tracker.web.i18n import OSLO, _, format_date, ngettext
from hms_tracker.web.pdf import a4_document, heading, latin1, paragraph
from hms_tracker.web.uploads import EXTENSIONS

# How far back the deviation log and the AMU's documents go.
PACK_YEARS = 3

OVERVIEW = "oversikt.pdf"
NOTICE_CSV = "verv.csv"
TRAINING_CSV = "opplaering.csv"
ROUTINES_CSV = "rutiner.csv"
RISKS_CSV = "risikoregister.csv"
DEVIATIONS_CSV = "avvikslogg.csv"
CERTIFICATES = "sertifikater/"
AMU_FOLDER = "amu/"
COUNTS_WIDTH = 90  # mm: a table of a label and a count


def pack_start(today: date) -> date:
    """The first day the pack's "last three years" covers."""
    return years_before(today, PACK_YEARS)


_SLUG_LETTERS = str.maketrans(
    {
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "å": "a",
        "Å": "A",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
    }
)


def slug(text: str, *, limit: int = 60) -> str:
    """`text` as a safe piece of a file name: ASCII lower-case letters, digits and dashes."""
    plain = unicodedata.normalize("NFKD", text.translate(_SLUG_LETTERS))
    ascii_text = plain.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:limit].strip("-")


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _percent(part: int, whole: int) -> str:
    return f"{routines.percent(part, whole)} %" if whole else ""


# --- the notice: who represents whom -----------------------------------------------------


def _notice_rows(notice: Notice) -> list[list[str]]:
    rows: list[list[str]] = []

    def row(
        role: str,
        holder: Holder,
        *,
        side: str = "",
        deputy: bool = False,
        chair: bool = False,
        areas: str = "",
    ) -> None:
        rows.append(
            [
                role,
                holder.name,
                holder.organisation or "",
                side,
                _("Ja") if deputy else _("Nei"),
                _("Ja") if chair else _("Nei"),
                areas,
                _iso(holder.starts_on),
                _iso(holder.last_day),
                holder.email or "",
                holder.phone or "",
            ]
        )

    for rep in notice.safety_reps:
        areas = ", ".join(name for _id, name in rep.areas) or _("Hele virksomheten")
        row(_("Verneombud"), rep.holder, areas=areas)
    for chief in notice.chief_safety_reps:
        row(_("Hovedverneombud"), chief, areas=_("Hele virksomheten"))
    for group in notice.amu:
        for entry in (*group.members, *group.deputies):
            row(
                _("AMU-medlem"),
                entry.holder,
                side=amu_side_label(group.side),
                deputy=entry.is_deputy,
                chair=entry.is_chair,
            )
    for ohs in notice.ohs:
        if ohs.is_contact:
            row(_("BHT-kontakt"), ohs.holder)
    return rows


def notice_csv(notice: Notice) -> bytes:
    header = [
        _("Verv"),
        _("Navn"),
        _("Organisasjon"),
        _("AMU-side"),
        _("Vara"),
        _("Leder av AMU"),
        _("Verneområde"),
        _("Fra"),
        _("Til og med"),
        _("E-post"),
        _("Telefon"),
    ]
    return encode_csv(header, _notice_rows(notice))


# --- training, with the certificates ------------------------------------------------------


@dataclass(frozen=True)
class CertificateFile:
    record_id: int
    person_id: int
    course_id: int
    name: str  # its path in the ZIP
    content: bytes


def certificates_of(
    *, session: Session, rows: Sequence[TrainingStatus], today: date
) -> list[CertificateFile]:
    """The certificates of the training records behind the rows shown (the person's records
    of that course, completed by `today` and not withdrawn): one statement."""
    wanted = {(r.person_id, r.course_id) for r in rows}
    if not wanted:
        return []
    found = session.exec(
        select(
            TrainingRecord.id,
            TrainingRecord.person_id,
            TrainingRecord.course_type_id,
            TrainingRecord.completed_on,
            Certificate.content_type,
            Certificate.content,
            Person.name,
        )
        .join(Certificate, col(Certificate.id) == TrainingRecord.certificate_id)
        .join(Person, col(Person.id) == TrainingRecord.person_id)
        .where(
            col(TrainingRecord.withdrawn_on).is_(None),
            col(TrainingRecord.completed_on) <= today,
            col(TrainingRecord.person_id).in_(sorted({p for p, _c in wanted})),
            col(TrainingRecord.course_type_id).in_(sorted({c for _p, c in wanted})),
        )
        .order_by(col(TrainingRecord.id))
    ).all()
    courses = {r.course_id: r.course_name for r in rows}
    files = []
    for record_id, person_id, course_id, completed_on, content_type, content, name in found:
        if (person_id, course_id) not in wanted:
            continue
        stem = "-".join(
            part
            for part in (slug(name, limit=40), slug(courses.get(course_id, ""), limit=40))
            if part
        )
        path = f"{CERTIFICATES}{completed_on.isoformat()}-{stem or 'kurs'}-{record_id}"
        files.append(
            CertificateFile(
                record_id=record_id,
                person_id=person_id,
                course_id=course_id,
                name=path + EXTENSIONS.get(content_type, ".bin"),
                content=bytes(content),
            )
        )
    return files


def training_csv(rows: Iterable[TrainingStatus], certificates: list[CertificateFile]) -> bytes:
    """The training overview's export (/training/export.csv) with the certificates' paths in
    the ZIP beside each row."""
    by_row: dict[tuple[int, int], list[str]] = {}
    for c in certificates:
        by_row.setdefault((c.person_id, c.course_id), []).append(c.name)
    header, cells = training_table(
        rows,
        (_("Kursbevis"), lambda r: "\n".join(by_row.get((r.person_id, r.course_id), []))),
    )
    return encode_csv(header, cells)


# --- routines in force, with acknowledgement coverage --------------------------------------


@dataclass(frozen=True)
class RoutineCoverage:
    routine: Routine
    number: int | None
    owner: str
    in_scope: int
    acknowledged: int


def routines_in_force(*, session: Session, today: date) -> list[RoutineCoverage]:
    """Every routine in force (a published version, not archived) with how many of the
    people employed today in its scope have acknowledged that version. Counted as the
    routine list counts it (the same grouped counts, kept under the data versions): a
    fixed number of statements, whatever the number of routines and people."""
    found = session.exec(
        select(Routine, RoutineVersion)
        .join(RoutineVersion, col(RoutineVersion.routine_id) == Routine.id)
        .where(
            RoutineVersion.status == VersionStatus.published.value,
            col(Routine.archived_on).is_(None),
        )
        .order_by(sa.func.lower(Routine.title), col(Routine.id))
    ).all()
    if not found:
        return []
    scopes = scopes_of(session, [r for r, _v in found])
    people = routines.people_by_department(session, today)
    acknowledged = routines.acknowledgements_by_department(session, None, today)
    owners = person_names(session=session, person_ids={r.owner_id for r, _v in found})
    result = []
    for routine, version in found:
        departments = routines.in_scope(scopes[routine.id], people, None)  # type: ignore[index]
        result.append(
            RoutineCoverage(
                routine=routine,
                number=version.number,
                owner=owners.get(routine.owner_id or 0, ""),
                in_scope=sum(people[d] for d in departments),
                acknowledged=sum(acknowledged.get((version.id, d), 0) for d in departments),  # type: ignore[misc]
            )
        )
    return result


def routines_csv(rows: list[RoutineCoverage]) -> bytes:
    header = [
        _("Rutine"),
        _("Versjon"),
        _("Eier"),
        _("Neste gjennomgang"),
        _("I målgruppen"),
        _("Lest og forstått"),
        _("Andel"),
    ]
    return encode_csv(
        header,
        (
            [
                r.routine.title,
                str(r.number or ""),
                r.owner,
                _iso(r.routine.next_review_on),
                str(r.in_scope),
                str(r.acknowledged),
                _percent(r.acknowledged, r.in_scope),
            ]
            for r in rows
        ),
    )


# --- the risk register ----------------------------------------------------------------------


def risk_rows(*, session: Session, today: date) -> list[tuple[risks.RiskRow, str]]:
    """Every risk not archived, highest score first, as the register's list shows it, and
    its owner's name: a fixed number of statements."""
    found = list(
        session.exec(
            select(Risk)
            .where(col(Risk.archived_on).is_(None))
            .order_by(
                (col(Risk.consequence) * col(Risk.probability)).desc(),
                col(Risk.consequence).desc(),
                sa.func.lower(Risk.title),
                col(Risk.id),
            )
        ).all()
    )
    owners = person_names(session=session, person_ids={r.owner_person_id for r in found})
    return [
        (row, owners.get(row.risk.owner_person_id or 0, ""))
        for row in risks.risk_rows(session, found, today)
    ]


def risks_csv(rows: list[tuple[risks.RiskRow, str]]) -> bytes:
    header = [
        _("Nummer"),
        _("Arbeidsoppgave eller fare"),
        _("Avdeling"),
        _("Konsekvens"),
        _("Sannsynlighet"),
        _("Risikoscore"),
        _("Risikonivå"),
        _("Tiltak som er på plass"),
        _("Rutiner som styrer risikoen"),
        _("Åpne tiltak"),
        _("Tiltak over fristen"),
        _("Sist vurdert"),
        _("Vurderingen forfalt"),
        _("Eier"),
    ]
    return encode_csv(
        header,
        (
            [
                str(row.risk.id),
                row.risk.title,
                row.department,
                str(row.risk.consequence),
                str(row.risk.probability),
                str(row.risk.risk_score),
                risk_level(row.risk.risk_score).label,
                row.risk.existing_measures,
                ", ".join(
                    r.title + ("" if r.in_force else " (" + _("ikke i kraft") + ")")
                    for r in row.routines
                ),
                str(row.open_measures),
                str(row.overdue_measures),
                _iso(row.risk.last_assessed_on),
                _("Ja") if row.assessment_overdue else _("Nei"),
                owner,
            ]
            for row, owner in rows
        ),
    )


# --- the deviation log ----------------------------------------------------------------------


@dataclass
class LoggedDeviation:
    row: deviations.DeviationRow
    reporter: str  # a name, "Anonym", or empty
    actions: list[tuple[CorrectiveAction, str]] = field(default_factory=list)


def _window(today: date) -> tuple[datetime, datetime]:
    """From the first day of the last three years to the end of today, in Oslo days."""
    start = datetime.combine(pack_start(today), time(0), tzinfo=OSLO)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=OSLO)
    return start, end


def deviation_log(*, session: Session, today: date) -> list[LoggedDeviation]:
    """The deviations that occurred in the last three years (Oslo days), oldest first, with
    their actions and who reported them; an anonymous report says "Anonym" and nothing
    more. A fixed number of statements (the rows in batches, as the deviation export)."""
    start, end = _window(today)
    in_window = sa.and_(col(Deviation.occurred_at) >= start, col(Deviation.occurred_at) < end)
    found = list(
        session.exec(
            select(Deviation)
            .where(in_window)
            .order_by(col(Deviation.occurred_at), col(Deviation.id))
        ).all()
    )
    if not found:
        return []
    ids_in_window = select(Deviation.id).where(in_window)
    reporters = dict(
        session.exec(
            select(Person.id, Person.name).where(
                col(Person.id).in_(
                    select(Deviation.reporter_person_id).where(
                        in_window, col(Deviation.anonymous).is_(False)
                    )
                )
            )
        ).all()
    )
    actions: dict[int, list[tuple[CorrectiveAction, str]]] = {}
    for action, owner in session.exec(
        select(CorrectiveAction, Person.name)
        .join(Person, col(Person.id) == CorrectiveAction.owner_person_id)
        .where(col(CorrectiveAction.deviation_id).in_(ids_in_window))
        .order_by(col(CorrectiveAction.deadline), col(CorrectiveAction.id))
    ).all():
        actions.setdefault(action.deviation_id, []).append((action, owner))  # type: ignore[arg-type]
    logged = []
    for row in deviations.deviation_rows(session, found, today):
        d = row.deviation
        if d.anonymous or d.reporter_person_id is None:
            reporter = _("Anonym") if d.anonymous else ""
        else:
            reporter = reporters.get(d.reporter_person_id, "")
        logged.append(LoggedDeviation(row, reporter, actions.get(d.id or 0, [])))
    return logged


def _action_text(action: CorrectiveAction, owner: str) -> str:
    if action.withdrawn_at is not None:
        state = _("trukket tilbake")
    elif action.done_on is not None:
        state = _("utført %(date)s", date=action.done_on.isoformat())
    else:
        state = _("åpent")
    return _(
        "%(text)s (ansvarlig: %(owner)s, frist %(deadline)s, %(state)s)",
        text=action.description,
        owner=owner,
        deadline=action.deadline.isoformat(),
        state=state,
    )


def deviations_csv(logged: list[LoggedDeviation]) -> bytes:
    """The deviation list's export columns (deviations/export.py), then who reported it and
    its actions, one per line."""
    header = [*deviation_export.headers(), _("Meldt av"), _("Tiltak")]
    cells = (
        [
            *(
                deviation_export.csv_text(c.kind, c.value(item.row))
                for c in deviation_export.COLUMNS
            ),
            item.reporter,
            "\n".join(_action_text(a, owner) for a, owner in item.actions),
        ]
        for item in logged
    )
    return encode_csv(header, cells)


# --- the AMU's documents -------------------------------------------------------------------


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}{dot}{extension}", number + 1
    taken.add(candidate)
    return candidate


def minutes_files(
    *, session: Session, today: date, company_name: str, taken: set[str]
) -> list[tuple[str, bytes]]:
    """The approved minutes of the meetings of the last three years, as the meeting's page
    offers them (`/amu/meetings/{id}.pdf`)."""
    approved = session.exec(
        select(AmuMeeting)
        .where(
            col(AmuMeeting.minutes_approved_at).is_not(None),
            col(AmuMeeting.meets_on) >= pack_start(today),
            col(AmuMeeting.meets_on) <= today,
        )
        .order_by(col(AmuMeeting.meets_on), col(AmuMeeting.starts_at), col(AmuMeeting.id))
    ).all()
    files = []
    for meeting in approved:
        called = meetings.called_to(session=session, meeting=meeting)
        items = meetings.agenda_of(session=session, meeting=meeting)
        approver = person_names(session=session, person_ids={meeting.minutes_approved_by_person_id})
        content = documents.minutes_pdf(
            documents.Minutes(
                meeting=meeting,
                called=called,
                quorum=meetings.quorum(called),
                items=items,
                decisions=meetings.decisions_of(
                    session=session, item_ids=[i.id for i in items if i.id]
                ),
                chair_name=approver.get(meeting.minutes_approved_by_person_id or 0, ""),
                side_label=lambda s: _(SIDE_LABELS[s]) if s in SIDE_LABELS else "",
            ),
            company_name=company_name,
        )
        name = _unique(f"{AMU_FOLDER}referat-{meeting.meets_on.isoformat()}.pdf", taken)
        files.append((name, content))
    return files


def report_files(
    *, session: Session, today: date, company_name: str, taken: set[str]
) -> list[tuple[str, bytes]]:
    """The approved yearly reports of the last three years, as `/amu/report/{year}.pdf`."""
    approved = session.exec(
        select(AmuReport)
        .where(
            col(AmuReport.approved_at).is_not(None),
            col(AmuReport.year) >= pack_start(today).year,
        )
        .order_by(col(AmuReport.year))
    ).all()
    approvers = person_names(
        session=session, person_ids={r.approved_by_person_id for r in approved}
    )
    return [
        (
            _unique(f"{AMU_FOLDER}arsrapport-{r.year}.pdf", taken),
            documents.report_pdf(
                r,
                company_name=company_name,
                approver_name=approvers.get(r.approved_by_person_id or 0, ""),
            ),
        )
        for r in approved
    ]


def held_meetings(*, session: Session, today: date) -> int:
    """How many AMU meetings were held in the last three years."""
    return int(
        session.exec(
            select(sa.func.count()).where(
                AmuMeeting.status == MeetingStatus.held.value,
                col(AmuMeeting.meets_on) >= pack_start(today),
                col(AmuMeeting.meets_on) <= today,
            )
        ).one()
    )


def latest_snapshot(*, session: Session) -> BarometerSnapshot | None:
    return session.exec(
        select(BarometerSnapshot).order_by(col(BarometerSnapshot.year).desc()).limit(1)
    ).first()


# --- the overview ---------------------------------------------------------------------------


@dataclass
class Pack:
    """What the pack holds: the facts the overview tells and the files beside it."""

    today: date
    company_name: str
    notice: Notice
    report: Report
    certificates: list[CertificateFile]
    routines: list[RoutineCoverage]
    risks: list[tuple[risks.RiskRow, str]]
    deviations: list[LoggedDeviation]
    meetings_held: int
    minutes: list[tuple[str, bytes]]
    reports: list[tuple[str, bytes]]
    snapshot: BarometerSnapshot | None
    snapshot_file: str | None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # beside the overview


def _term(holder: Holder) -> str:
    if holder.last_day:
        return f"{format_date(holder.starts_on)}–{format_date(holder.last_day)}"
    return _("fra %(start)s", start=format_date(holder.starts_on))


def _table(
    pdf: FPDF,
    widths: tuple[int, ...],
    header: list[str],
    rows: list[list[str]],
    *,
    width: float | None = None,
) -> None:
    """A table of text, the header in bold; `widths` relative, `width` in mm (None: the
    page's width)."""
    pdf.set_font("helvetica", size=9)
    with pdf.table(
        width=width or pdf.epw,
        align="LEFT",
        col_widths=widths,
        text_align="LEFT",
        v_align="TOP",
        line_height=4.4,
        padding=1.2,
        headings_style=FontFace(emphasis="BOLD", fill_color=235),
    ) as table:
        for cells in [header, *rows]:
            row = table.row()
            for cell in cells:
                row.cell(latin1(cell))
    pdf.ln(3)


def _representatives(pdf: FPDF, notice: Notice) -> None:
    heading(pdf, _("Verneombud og arbeidsmiljøutvalg"))
    if notice.is_empty:
        paragraph(pdf, _("Ingen verv er registrert i dag."))
        return
    if notice.safety_reps:
        paragraph(pdf, _("Verneombud"), style="B", gap=0.5)
        for rep in notice.safety_reps:
            areas = ", ".join(n for _i, n in rep.areas) or _("hele virksomheten")
            paragraph(pdf, f"- {rep.holder.name} ({areas}): {_term(rep.holder)}", gap=0.4)
    if notice.chief_safety_reps:
        paragraph(pdf, _("Hovedverneombud"), style="B", gap=0.5)
        for chief in notice.chief_safety_reps:
            paragraph(pdf, f"- {chief.name}: {_term(chief)}", gap=0.4)
    if notice.amu:
        paragraph(pdf, _("Arbeidsmiljøutvalget"), style="B", gap=0.5)
        for group in notice.amu:
            for entry in (*group.members, *group.deputies):
                notes = [amu_side_label(group.side)]
                if entry.is_deputy:
                    notes.append(_("vara"))
                if entry.is_chair:
                    notes.append(_("leder"))
                paragraph(
                    pdf,
                    f"- {entry.holder.name} ({', '.join(notes)}): {_term(entry.holder)}",
                    gap=0.4,
                )
    chair = notice.chair.name if notice.chair else _("ingen registrert")
    paragraph(pdf, _("Leder av arbeidsmiljøutvalget i dag: %(name)s.", name=chair), gap=1)
    contacts = [o.holder.name for o in notice.ohs if o.is_contact]
    if contacts:
        paragraph(pdf, _("Bedriftshelsetjenesten: %(names)s.", names=", ".join(contacts)))


def _gaps(pdf: FPDF, report: Report) -> None:
    heading(pdf, _("Åpne mangler etter loven"))
    gaps = [present(f) for f in report.findings if f.is_gap]
    if not gaps:
        paragraph(pdf, _("Ingen åpne mangler i dag."))
        return
    for p in gaps:
        basis = p.finding.legal_basis or _("bedriftens eget krav")
        paragraph(pdf, f"- {p.title} ({basis})", gap=0.4)
    pdf.ln(1)


def _training(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Opplæring"))
    counts = compliance.status_counts(pack.report.training)
    rows = [[status_label(status), str(count)] for status, count in counts.items()]
    _table(pdf, (3, 1), [_("Status"), _("Antall")], rows, width=COUNTS_WIDTH)
    paragraph(
        pdf,
        ngettext(
            "%(num)s kursbevis ligger ved.", "%(num)s kursbevis ligger ved.", len(pack.certificates)
        ),
    )


def _routines(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Rutiner"))
    in_scope = sum(r.in_scope for r in pack.routines)
    acknowledged = sum(r.acknowledged for r in pack.routines)
    paragraph(
        pdf,
        ngettext("%(num)s rutine er i kraft.", "%(num)s rutiner er i kraft.", len(pack.routines)),
    )
    if in_scope:
        paragraph(
            pdf,
            _(
                "Bekreftet lest og forstått: %(acknowledged)s av %(required)s (%(percent)s %%), "
                "der hver ansatt telles én gang for hver rutine som gjelder dem.",
                acknowledged=acknowledged,
                required=in_scope,
                percent=routines.percent(acknowledged, in_scope),
            ),
        )


def _risks(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Risikoregisteret"))
    levels = Counter(level_code(row.risk.risk_score) for row, _owner in pack.risks)
    rows = [[label, str(levels.get(code, 0))] for code, label in level_options()]
    rows.append([_("I alt"), str(len(pack.risks))])
    _table(pdf, (3, 1), [_("Risikonivå"), _("Antall")], rows, width=COUNTS_WIDTH)


def _deviations(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Avvik de siste tre årene"))
    paragraph(
        pdf,
        _(
            "Fra %(start)s til %(end)s, etter når avviket skjedde.",
            start=format_date(pack_start(pack.today)),
            end=format_date(pack.today),
        ),
    )
    if not pack.deviations:
        paragraph(pdf, _("Ingen avvik er registrert i perioden."))
        return
    counts = Counter(
        (item.row.deviation.occurred_at.astimezone(OSLO).year, item.row.deviation.category)
        for item in pack.deviations
    )
    years = list(range(pack_start(pack.today).year, pack.today.year + 1))
    categories = sorted({c for _y, c in counts}, key=category_label)
    rows = [[category_label(c), *(str(counts.get((y, c), 0)) for y in years)] for c in categories]
    rows.append([_("I alt"), *(str(sum(counts.get((y, c), 0) for c in categories)) for y in years)])
    _table(pdf, (3, *(1,) * len(years)), [_("Kategori"), *(str(y) for y in years)], rows)


def _amu(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Arbeidsmiljøutvalgets arbeid"))
    paragraph(
        pdf,
        ngettext(
            "%(num)s møte holdt de siste tre årene.",
            "%(num)s møter holdt de siste tre årene.",
            pack.meetings_held,
        ),
        gap=0.4,
    )
    paragraph(
        pdf,
        ngettext(
            "%(num)s godkjent referat ligger ved.",
            "%(num)s godkjente referater ligger ved.",
            len(pack.minutes),
        ),
        gap=0.4,
    )
    paragraph(
        pdf,
        ngettext(
            "%(num)s godkjent årsrapport ligger ved.",
            "%(num)s godkjente årsrapporter ligger ved.",
            len(pack.reports),
        ),
    )


def _self_assessment(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Egenvurdering"))
    if pack.snapshot is None:
        paragraph(pdf, _("Ingen årlig gjennomgang er låst ennå."))
    else:
        paragraph(
            pdf,
            _(
                "Siste årlige gjennomgang: %(year)s, låst %(date)s.",
                year=pack.snapshot.year,
                date=format_date(pack.snapshot.taken_on),
            ),
        )


def _describe(name: str) -> str:
    if name == OVERVIEW:
        return _("Denne oversikten")
    if name == NOTICE_CSV:
        return _("Verneombud, hovedverneombud, AMU og BHT i dag, med verneområde og periode")
    if name == TRAINING_CSV:
        return _("Opplæring som kreves for vervene, med status og kursbevis")
    if name == ROUTINES_CSV:
        return _("Rutiner i kraft, med hvor mange som har lest og forstått dem")
    if name == RISKS_CSV:
        return _("Risikoregisteret")
    if name == DEVIATIONS_CSV:
        return _("Avvikene de siste tre årene, med tiltak (anonyme meldere er anonyme)")
    if name.startswith(AMU_FOLDER + "referat-"):
        return _("Godkjent referat fra AMU-møte")
    if name.startswith(AMU_FOLDER + "arsrapport-"):
        return _("AMUs godkjente årsrapport")
    if name.startswith("egenvurdering-"):
        return _("Siste årlige gjennomgang (egenvurdering mot HMS-barometeret)")
    return ""


def _contents(pdf: FPDF, pack: Pack) -> None:
    heading(pdf, _("Innholdet i pakken"))
    rows = [[OVERVIEW, _describe(OVERVIEW)]]
    rows += [
        [name, _describe(name)]
        for name, _content in pack.files
        if not name.startswith(CERTIFICATES)
    ]
    if pack.certificates:
        rows.append(
            [
                CERTIFICATES,
                ngettext("%(num)s kursbevis", "%(num)s kursbevis", len(pack.certificates)),
            ]
        )
    _table(pdf, (2, 3), [_("Fil"), _("Hva den inneholder")], rows)


def overview_pdf(pack: Pack) -> bytes:
    title = _("Tilsynspakke")
    pdf = a4_document(
        title,
        company_name=pack.company_name,
        footer=f"{pack.company_name} · {title} {pack.today.isoformat()}",
    )
    paragraph(pdf, title, size=18, style="B")
    paragraph(pdf, pack.company_name, size=12, gap=1)
    paragraph(
        pdf, _("Registrene slik de står %(date)s.", date=format_date(pack.today, "long")), gap=3
    )
    _representatives(pdf, pack.notice)
    _gaps(pdf, pack.report)
    _training(pdf, pack)
    _routines(pdf, pack)
    _risks(pdf, pack)
    _deviations(pdf, pack)
    _amu(pdf, pack)
    _self_assessment(pdf, pack)
    _contents(pdf, pack)
    return bytes(pdf.output())


# --- the ZIP ------------------------------------------------------------------------------


def collect(*, session: Session, today: date, company_name: str) -> Pack:
    """Everything the pack holds, read for `today`."""
    report = compliance.report_on(session=session, day=today)
    certificates = certificates_of(session=session, rows=report.training, today=today)
    taken: set[str] = set()
    snapshot = latest_snapshot(session=session)
    pack = Pack(
        today=today,
        company_name=company_name,
        notice=notice_on(session=session, day=today),
        report=report,
        certificates=certificates,
        routines=routines_in_force(session=session, today=today),
        risks=risk_rows(session=session, today=today),
        deviations=deviation_log(session=session, today=today),
        meetings_held=held_meetings(session=session, today=today),
        minutes=minutes_files(session=session, today=today, company_name=company_name, taken=taken),
        reports=report_files(session=session, today=today, company_name=company_name, taken=taken),
        snapshot=snapshot,
        snapshot_file=f"egenvurdering-{snapshot.year}.pdf" if snapshot else None,
    )
    pack.files = [
        (NOTICE_CSV, notice_csv(pack.notice)),
        (TRAINING_CSV, training_csv(report.training, certificates)),
        *((c.name, c.content) for c in certificates),
        (ROUTINES_CSV, routines_csv(pack.routines)),
        (RISKS_CSV, risks_csv(pack.risks)),
        (DEVIATIONS_CSV, deviations_csv(pack.deviations)),
        *pack.minutes,
        *pack.reports,
    ]
    if snapshot is not None and pack.snapshot_file:
        pack.files.append((pack.snapshot_file, snapshot_pdf(snapshot, company_name=company_name)))
    return pack


def zip_of(files: Iterable[tuple[str, bytes]], *, day: date) -> bytes:
    """The files in a deflated ZIP, each dated `day` (the same pack gives the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _zipped(pack: Pack) -> bytes:
    return zip_of([(OVERVIEW, overview_pdf(pack)), *pack.files], day=pack.today)


def build_pack(*, session: Session, today: date, company_name: str) -> bytes:
    """The inspection pack for `today` as a ZIP: the overview first, then the files."""
    return _zipped(collect(session=session, today=today, company_name=company_name))


def download_pack(*, session: Session, today: date, company_name: str) -> bytes:
    """The pack, and the download in the audit trail (in the same transaction as the
    request): who took it, when, for which day, and how much it held."""
    pack = collect(session=session, today=today, company_name=company_name)
    content = _zipped(pack)
    record_event(
        session=session,
        entity="inspection_pack",
        entity_id=today.isoformat(),
        action="downloaded",
        after={
            "day": today.isoformat(),
            "files": len(pack.files) + 1,
            "deviations": len(pack.deviations),
            "certificates": len(pack.certificates),
        },
    )
    return content
