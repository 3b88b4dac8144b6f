"""The AMU's page of open gaps (/amu): every open gap of the company on one page, on any
day, in the order the committee takes them, with what changed since its last meeting.

Everything but the committee's own decisions comes from the rule engine (the one place the
law's rules live): its findings are sorted into sections, each finding's records become
the section's items. Each item has a stable key ("<rule>:<kind>:<id>"); when a meeting is
held its keys are kept (`AmuMeeting.gaps_at_meeting`), and the next page compares with them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from hms_tracker.amu.meetings import (
    Proposal,
    carried_over,
    last_held_meeting,
    next_meeting,
    open_follow_ups,
)
from hms_tracker.amu.models import AmuMeeting, ItemSource
from hms_tracker.compliance.presenter import present
from hms_tracker.compliance.service import report_on
from hms_tracker.db import VersionedCache
from hms_tracker.deviations.models import OPEN_STATUSES, Deviation
from hms_tracker.rules.findings import Finding, Status
from hms_tracker.web import i18n
from hms_tracker.web.auth import Principal
from hms_tracker.web.i18n import _, format_date, lazy
from hms_tracker.web.pagination import count_rows

# Without a next meeting planned, training that lapses within this many days is shown.
LOOK_AHEAD_DAYS = 90
# A proposed agenda item names this many of its records.
PROPOSAL_NAMED = 10


@dataclass(frozen=True)
class Section:
    id: str
    title: Any  # lazy text
    rules: tuple[str, ...] = ()


SECTIONS = (
    Section("serious_injuries", lazy("Alvorlige personskader som ikke er varslet"),
            ("aml-5-2.serious-injury-notification",)),
    Section("deviations_overdue", lazy("Avvik over fristen"), ("ik-5-7.deviations-overdue",)),
    Section("deviations_unhandled", lazy("Avvik som ingen har tatt tak i"),
            ("ik-5-7.deviations-unhandled",)),
    Section("follow_ups", lazy("Vedtak i AMU som ikke er fulgt opp")),
    Section("routines", lazy("Rutiner som skulle vært gjennomgått"), ("routines.review-overdue",)),
    Section("high_risks", lazy("Høy risiko uten rutine"), ("ik-5-6.high-risk-without-routine",)),
    Section("risks", lazy("Risikovurderinger og tiltak over fristen"),
            ("ik-5-6.risk-assessment-overdue", "ik-5-6.risk-measures-overdue")),
    Section("training", lazy("Pålagt opplæring som mangler"), ("training.required",)),
    Section("training_expiring", lazy("Opplæring som går ut før neste møte")),
    Section("legal", lazy("Andre mangler etter loven")),
)  # fmt: skip
# Open items that are not gaps yet: left out of "what changed since the last meeting".
NOT_GAPS = frozenset({"training_expiring"})
_RULE_SECTION = {rule: s.id for s in SECTIONS for rule in s.rules}


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    url: str | None = None
    note: str = ""
    kind: str = ""  # "deviation" / "risk": shown only to who may open it
    record_id: int | None = None
    overdue: bool = False

    def kept_label(self) -> str:
        """The words kept with a held meeting: a deviation's or a risk's title can name
        people, so only its number is kept."""
        if self.kind == "deviation":
            return _("Avvik %(id)s", id=self.record_id)
        if self.kind == "risk":
            return _("Risiko %(id)s", id=self.record_id)
        return self.label


@dataclass
class SectionView:
    id: str
    title: str
    items: list[Item] = field(default_factory=list)
    hidden: int = 0  # items left out: records the viewer may not open

    @property
    def count(self) -> int:
        return len(self.items) + self.hidden


@dataclass(frozen=True)
class Changes:
    since: AmuMeeting
    new: list[Item]
    resolved: list[tuple[str, str]]  # (key, label kept with the meeting)
    still_open: int


@dataclass
class Overview:
    day: date
    horizon: date  # training that lapses up to this day is shown
    next_meeting: AmuMeeting | None
    last_meeting: AmuMeeting | None
    sections: list[SectionView]
    open_deviations: int
    changes: Changes | None = None

    @property
    def gap_count(self) -> int:
        return sum(s.count for s in self.sections if s.id not in NOT_GAPS)


_REF_URLS: dict[str, Callable[[int], str]] = {
    "person": lambda i: f"/people/{i}",
    "appointment": lambda i: f"/appointments/{i}",
    "deviation": lambda i: f"/deviations/{i}",
    "risk": lambda i: f"/risks/{i}",
    "routine": lambda i: f"/routines/{i}",
    "department": lambda i: f"/departments/{i}",
}


def _finding_items(finding: Finding) -> list[Item]:
    if finding.rule == "training.required":
        course = finding.params.get("course", "")
        return [
            Item(
                key=f"training.required:{finding.params.get('course_id')}:person:{ref.id}",
                label=f"{ref.label} – {course}",
                url=f"/people/{ref.id}" if ref.id else None,
            )
            for ref in finding.evidence
        ]
    if finding.rule in _RULE_SECTION:
        return [
            Item(
                key=f"{finding.rule}:{ref.kind}:{ref.id}",
                label=ref.label,
                url=_REF_URLS[ref.kind](ref.id) if ref.kind in _REF_URLS and ref.id else None,
                kind=ref.kind if ref.kind in ("deviation", "risk") else "",
                record_id=ref.id,
            )
            for ref in finding.evidence
        ]
    shown = present(finding)
    return [Item(key=finding.rule, label=str(shown.title), url=shown.fix_url or "/gaps",
                 note=str(shown.explanation or ""))]  # fmt: skip


def gather(
    *, session: Session, day: date
) -> tuple[Mapping[str, Sequence[Item]], date, AmuMeeting | None, AmuMeeting | None]:
    """Every open item on `day` per section (nothing left out yet), the training horizon,
    and the next and last meetings."""
    upcoming = next_meeting(session=session, day=day)
    last = last_held_meeting(session=session, day=day)
    horizon = upcoming.meets_on if upcoming else day + timedelta(days=LOOK_AHEAD_DAYS)
    items = ITEMS.get_or_compute(
        session,
        (day, horizon, i18n.get_language()),
        lambda: _open_items(session=session, day=day, horizon=horizon),
    )
    return items, horizon, upcoming, last


def _open_items(*, session: Session, day: date, horizon: date) -> dict[str, tuple[Item, ...]]:
    report = report_on(session=session, day=day)
    items: dict[str, list[Item]] = {s.id: [] for s in SECTIONS}
    for finding in report.findings:
        if finding.status is not Status.gap:
            continue
        items[_RULE_SECTION.get(finding.rule, "legal")].extend(_finding_items(finding))
    for f in open_follow_ups(session=session):
        items["follow_ups"].append(
            Item(
                key=f"follow_up:action:{f.action.id}",
                label=f.action.description.strip().splitlines()[0][:200],
                url=f"/amu/actions/{f.action.id}",
                note=_(
                    "%(owner)s, frist %(deadline)s",
                    owner=f.owner_name,
                    deadline=format_date(f.action.deadline),
                ),
                overdue=f.action.deadline < day,
            )  # fmt: skip
        )
    for row in report.training:
        lapses = row.expires_on if row.status in (Status.expiring, Status.ok) else None
        if row.status is Status.in_grace:
            lapses = row.due_on
        if lapses is not None and day <= lapses <= horizon:
            items["training_expiring"].append(
                Item(
                    key=f"training.expiring:{row.course_id}:person:{row.person_id}",
                    label=f"{row.person_name} – {row.course_name}",
                    url=f"/people/{row.person_id}",
                    note=_("går ut %(date)s", date=format_date(lapses)),
                )
            )
    return {section: tuple(found) for section, found in items.items()}


# The open items of a day, up to a horizon, in a language: computed once per change of the
# records (a few thousand items for a large company); readers must not change them.
ITEMS: VersionedCache[tuple[date, date, str], dict[str, tuple[Item, ...]]] = VersionedCache(size=8)


def gap_keys(items: Mapping[str, Sequence[Item]]) -> list[list[str]]:
    """What a held meeting keeps: [key, label] of every open gap."""
    return [
        [item.key, item.kept_label()]
        for section, found in items.items()
        if section not in NOT_GAPS
        for item in found
    ]


def overview(*, session: Session, principal: Principal, day: date) -> Overview:
    from hms_tracker.deviations.access import visible_ids as visible_deviations
    from hms_tracker.risks.access import visible_ids as visible_risks

    items, horizon, upcoming, last = gather(session=session, day=day)
    wanted: dict[str, set[int]] = {"deviation": set(), "risk": set()}
    for found in items.values() if not principal.is_admin else ():
        for item in found:
            if item.kind in wanted and item.record_id is not None:
                wanted[item.kind].add(item.record_id)
    visible = {
        "deviation": visible_deviations(session=session, principal=principal,
                                        ids=wanted["deviation"]) if wanted["deviation"] else set(),
        "risk": visible_risks(session=session, principal=principal, ids=wanted["risk"])
        if wanted["risk"] else set(),
    }  # fmt: skip
    sections = []
    for s in SECTIONS:
        view = SectionView(id=s.id, title=_(s.title))
        if principal.is_admin:  # opens every record: nothing to leave out
            view.items = list(items[s.id])
        else:
            for item in items[s.id]:
                if item.kind in visible and item.record_id not in visible[item.kind]:
                    view.hidden += 1
                else:
                    view.items.append(item)
        sections.append(view)
    # Counted once per change of the records (web/pagination.py).
    open_deviations = count_rows(
        session, select(Deviation.id).where(col(Deviation.status).in_(OPEN_STATUSES))
    )
    result = Overview(
        day=day, horizon=horizon, next_meeting=upcoming, last_meeting=last, sections=sections,
        open_deviations=int(open_deviations),
    )  # fmt: skip
    if last is not None and last.gaps_at_meeting is not None:
        then = {key: label for key, label in last.gaps_at_meeting}
        every_now = {i.key for sid, found in items.items() if sid not in NOT_GAPS for i in found}
        result.changes = Changes(
            since=last,
            new=[i for s in sections if s.id not in NOT_GAPS for i in s.items if i.key not in then],
            resolved=[(k, label) for k, label in then.items() if k not in every_now],
            still_open=len(every_now & set(then)),
        )
    return result


def agenda_proposals(*, session: Session, day: date, meets_on: date) -> list[Proposal]:
    """The agenda the product proposes for a meeting on `meets_on`, from what is open on
    `day`: the notice and agenda, the last meeting's minutes, each decision not followed up
    yet, each section of open gaps (its first records named; a deviation or a risk by its
    number only, since its title can name people), and any other business."""
    items, _horizon, _upcoming, last = gather(session=session, day=day)
    proposals = [
        Proposal(_("Godkjenning av innkalling og saksliste"), "", ItemSource.manual.value, None)
    ]
    if last is not None:
        proposals.append(
            Proposal(
                _("Referat fra forrige møte %(date)s", date=format_date(last.meets_on)),
                "",
                ItemSource.manual.value,
                None,
            )  # fmt: skip
        )
    proposals += carried_over(session=session, before=meets_on)
    for s in SECTIONS:
        found = items[s.id]
        if s.id == "follow_ups" or not found:
            continue
        named = [i.kept_label() for i in found[:PROPOSAL_NAMED]]
        if len(found) > PROPOSAL_NAMED:
            named.append(_("og %(num)s til", num=len(found) - PROPOSAL_NAMED))
        proposals.append(
            Proposal(f"{_(s.title)} ({len(found)})", "\n".join(named), ItemSource.gap.value, s.id)
        )
    proposals.append(Proposal(_("Eventuelt"), "", ItemSource.manual.value, None))
    return proposals
