"""The scaled demo's routines (versions over the years, reviews, read acknowledgements)
and risk register (assessments, linked routines, planned measures), written in bulk
with their audit events.

The routines keep the model's states: a routine in force has exactly one published
version (the earlier ones archived), an archived routine none, a routine never
published only a draft; at most one draft at a time. A version is acknowledged only by
people in the routine's scope who were employed on the day they read it, while that
version was in force.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from hms_tracker.demo import scale_texts as texts
from hms_tracker.demo.bulk import Row
from hms_tracker.demo.scale_company import DAY, Company, Emp
from hms_tracker.routines.models import ReviewOutcome, VersionStatus
from hms_tracker.rules.engine import routine_review_due

DRAFT = VersionStatus.draft.value
PUBLISHED = VersionStatus.published.value
ARCHIVED = VersionStatus.archived.value
DISCARDED = VersionStatus.discarded.value


@dataclass
class RoutinePlan:
    id: int
    title: str
    scope: frozenset[int] | None  # department ids (with their subtrees); None: everyone
    in_force_from: date | None = None  # the first publication
    in_force_to: date | None = None  # archived on (None: still in force, or never)


@dataclass
class Routines:
    plans: list[RoutinePlan] = field(default_factory=list)

    def covering(self, dept_id: int) -> list[RoutinePlan]:
        return [p for p in self.plans if p.scope is None or dept_id in p.scope]

    def in_force_on(self, dept_id: int, day: date) -> list[RoutinePlan]:
        return [
            p
            for p in self.covering(dept_id)
            if p.in_force_from is not None
            and p.in_force_from <= day
            and (p.in_force_to is None or p.in_force_to > day)
        ]


# How many routines apply to the whole company, to a division, to a division at one site
# and to one unit (shares of the routines; the whistleblowing routine is the first one).
SCOPE_SHARES = (("whole", 0.01), (1, 0.07), (2, 0.4))


def _scope_kinds(company: Company, count: int) -> list[str | int]:
    """The scope of each routine, in exact shares (so the number of acknowledgements, which
    a routine for the whole company dominates, varies little between days and seeds)."""
    kinds: list[str | int] = []
    for kind, share in SCOPE_SHARES:
        kinds += [kind] * max(1 if kind == "whole" else 0, round(count * share))
    kinds += [3] * (count - len(kinds))
    rest = kinds[1:]
    company.rng.shuffle(rest)
    return ["whole", *rest[: count - 1]]


def _scope_choice(company: Company, kind: str | int) -> tuple[list[int], bool]:
    """The departments a routine applies to (empty: the whole company)."""
    rng = company.rng
    if kind == "whole":
        return [], True
    choices = [d for d in company.open_depts() if d.level == kind]
    if not choices:
        choices = company.open_depts()
    picked = [rng.choice(choices)]
    if rng.random() < 0.15 and len(choices) > 1:
        other = rng.choice(choices)
        if other is not picked[0]:
            picked.append(other)
    return [d.id for d in picked], False


def build_routines(company: Company, count: int) -> Routines:
    rng, clock, writer, audit = company.rng, company.clock, company.writer, company.audit
    today, founded = clock.today, clock.founded
    coordinator = company.coordinator
    result = Routines()
    titles: set[str] = set()
    span = (today - founded).days - 60
    kinds = _scope_kinds(company, count)

    def by(person: Emp, day: date) -> Emp:
        return person if person.employed(day) else coordinator

    for n in range(count):
        depts, whole = _scope_choice(company, kinds[n])
        if n == 0:
            topic, tags, purpose = texts.WHISTLEBLOWING
        else:
            for _ in range(20):
                topic, tags, purpose = rng.choice(texts.ROUTINE_TOPICS)
                title = topic if whole else f"{topic} – {company.dept(depts[0]).name}"
                if title not in titles:
                    break
        title = topic if whole else f"{topic} – {company.dept(depts[0]).name}"
        if title in titles:
            title = f"{title} ({n})"
        titles.add(title)
        scope: frozenset[int] | None = None
        if not whole:
            scope = frozenset().union(*(company.subtree(d) for d in depts))
        owner = company.dept(depts[0]).leader if depts else None
        owner = owner or coordinator
        interval = rng.choices((12, 24, 36), (70, 20, 10))[0] if n else 12
        scope_text = "Hele bedriften." if whole else ", ".join(company.dept(d).name for d in depts)

        draw = rng.random() if n else 0.0
        state = "draft" if draw > 0.97 else "archived" if draw > 0.91 else "in_force"
        # The publications: the first one years ago (more of them long ago), then a new
        # version every year or three.
        publications: list[date] = []
        if state != "draft":
            first = founded + timedelta(days=30 + int(span * rng.random() ** 1.4))
            if n == 0:
                first = founded + timedelta(days=30 + rng.randint(0, 400))
            day = first
            while day < today - timedelta(days=5):
                publications.append(day)
                day += timedelta(days=220 + int(rng.expovariate(1 / 740)))
        archived_on: date | None = None
        if state == "archived":
            room = (today - publications[-1]).days - 31
            if room > 0:
                archived_on = publications[-1] + timedelta(days=30 + rng.randint(0, room))
            else:
                state = "in_force"

        if publications:
            created = clock.workday(publications[0] - timedelta(days=rng.randint(3, 21)), rng)
        else:
            created = clock.workday(today - timedelta(days=rng.randint(3, 200)), rng)
        routine = writer.new(
            "routine",
            title=title,
            owner_id=owner.id,
            whole_company=whole,
            review_interval_months=interval,
            created_at=created,
        )
        rid = routine["id"]
        actor = coordinator.id
        audit.created("routine", routine, created, actor)
        for dept_id in depts:
            row = writer.new("routine_department", routine_id=rid, department_id=dept_id)
            audit.created("routine_department", row, created, actor)
            writer.add("routine_department", row)
        for tag in tags:
            row = writer.new("routine_tag", routine_id=rid, tag=tag)
            audit.created("routine_tag", row, created, actor)
            writer.add("routine_tag", row)

        def draft(
            at: datetime,
            number: int,
            change: str,
            author: Emp,
            *,
            rid: int = rid,
            title: str = title,
            purpose: str = purpose,
            scope_text: str = scope_text,
        ) -> Row:
            body = texts.ROUTINE_BODY.format(
                purpose=purpose, scope=scope_text, number=number, change=change
            )
            row = writer.new(
                "routine_version",
                routine_id=rid,
                status=DRAFT,
                title=title,
                purpose=purpose,
                body=body,
                change_note=change,
                created_at=at,
                created_by_person_id=author.id,
            )
            audit.created("routine_version", row, at, author.id)
            return row

        previous: Row | None = None
        previous_at = created
        last_review: date | None = None
        for number, published_on in enumerate(publications, start=1):
            if number == 1:
                at = created
            else:
                start = clock.day_of(previous_at)
                at = clock.workday(
                    max(start + DAY, published_on - timedelta(days=rng.randint(3, 21))), rng
                )
                if at <= previous_at:
                    at = clock.soon_after(previous_at, rng)
                audit.updated("routine", routine, at, by(owner, clock.day_of(at)).id, {})
            change = "Første versjon" if number == 1 else rng.choice(texts.CHANGE_NOTES)
            version = draft(at, number, change, by(owner, clock.day_of(at)))
            published_at = max(clock.moment(clock.weekday_before(published_on), rng), at)
            if published_at <= at:
                published_at = clock.soon_after(at, rng)
            published_on = clock.day_of(published_at)
            if previous is not None:
                if rng.random() < 0.3:  # the review that asked for this version
                    seen = max(clock.day_of(previous_at), published_on - timedelta(days=7))
                    review = writer.new(
                        "routine_review",
                        routine_id=rid,
                        reviewed_on=seen,
                        reviewer_person_id=by(owner, seen).id,
                        outcome=ReviewOutcome.new_version.value,
                        version_number=number - 1,
                        note="Rutinen må oppdateres.",
                        created_at=clock.moment(seen, rng),
                    )
                    audit.created(
                        "routine_review", review, review["created_at"], review["reviewer_person_id"]
                    )
                    writer.add("routine_review", review)
                audit.updated(
                    "routine_version",
                    previous,
                    published_at,
                    actor,
                    {"status": ARCHIVED, "archived_at": published_at},
                    bump=False,
                )
                writer.add("routine_version", previous)
                acknowledge(company, previous, scope, published_on)
            audit.updated(
                "routine_version",
                version,
                published_at,
                actor,
                {
                    "status": PUBLISHED,
                    "number": number,
                    "published_on": published_on,
                    "published_at": published_at,
                    "published_by_person_id": actor,
                },
                bump=False,
            )
            base = max(published_on, last_review or published_on)
            audit.updated(
                "routine",
                routine,
                published_at,
                actor,
                {"next_review_on": routine_review_due(base, interval)},
            )
            # Reviews "without change" while this version is in force.
            end = publications[number] if number < len(publications) else archived_on or today
            due = routine_review_due(published_on, interval)
            while True:
                if rng.random() < 0.9:
                    day = due - timedelta(days=rng.randint(0, 40))
                else:
                    day = due + timedelta(days=rng.randint(10, 150))
                day = clock.weekday_after(max(day, published_on + DAY))
                if day >= end or day >= today:
                    break
                reviewer = by(owner, day)
                review = writer.new(
                    "routine_review",
                    routine_id=rid,
                    reviewed_on=day,
                    reviewer_person_id=reviewer.id,
                    outcome=ReviewOutcome.no_change.value,
                    version_number=number,
                    note=rng.choice(texts.REVIEW_NOTES),
                    created_at=clock.moment(day, rng),
                )
                audit.created("routine_review", review, review["created_at"], reviewer.id)
                writer.add("routine_review", review)
                audit.updated(
                    "routine",
                    routine,
                    review["created_at"],
                    reviewer.id,
                    {"next_review_on": routine_review_due(day, interval)},
                    bump=False,
                )
                last_review = day
                due = routine_review_due(day, interval)
            previous, previous_at = version, published_at

        if previous is not None and archived_on is not None:
            at = max(clock.workday(archived_on, rng), previous["published_at"])
            archived_on = clock.day_of(at)
            audit.updated(
                "routine_version",
                previous,
                at,
                actor,
                {"status": ARCHIVED, "archived_at": at},
                bump=False,
            )
            audit.updated(
                "routine",
                routine,
                at,
                actor,
                {
                    "archived_on": archived_on,
                    "archived_reason": rng.choice(texts.ARCHIVE_REASONS),
                    "next_review_on": None,
                },
            )
            writer.add("routine_version", previous)
            acknowledge(company, previous, scope, archived_on)
        elif previous is not None:
            writer.add("routine_version", previous)
            acknowledge(company, previous, scope, today)
            # A draft in progress, or one given up.
            draw = rng.random()
            since = clock.day_of(previous["published_at"])
            if draw < 0.1 and (today - since).days > 10:
                at = clock.workday(
                    today - timedelta(days=rng.randint(2, min(60, (today - since).days - 1))), rng
                )
                if at > previous["published_at"]:
                    audit.updated("routine", routine, at, by(owner, at.date()).id, {})
                    row = draft(
                        at,
                        len(publications) + 1,
                        rng.choice(texts.CHANGE_NOTES),
                        by(owner, at.date()),
                    )
                    row["number"] = None
                    writer.add("routine_version", row)
            elif draw < 0.13 and (today - since).days > 40:
                at = clock.workday(
                    since + timedelta(days=rng.randint(5, (today - since).days - 30)), rng
                )
                if at > previous["published_at"]:
                    audit.updated("routine", routine, at, by(owner, at.date()).id, {})
                    row = draft(
                        at,
                        len(publications) + 1,
                        rng.choice(texts.CHANGE_NOTES),
                        by(owner, at.date()),
                    )
                    gone = clock.later(at, 3, 25, rng, before=today)
                    audit.updated(
                        "routine_version",
                        row,
                        gone,
                        by(owner, gone.date()).id,
                        {"status": DISCARDED, "archived_at": gone},
                        bump=False,
                    )
                    audit.updated("routine", routine, gone, by(owner, gone.date()).id, {})
                    writer.add("routine_version", row)
        else:  # never published: the first draft only
            writer.add(
                "routine_version", draft(created, 1, "Første versjon", by(owner, created.date()))
            )
        writer.add("routine", routine)
        writer.maybe_flush()
        result.plans.append(
            RoutinePlan(rid, title, scope, publications[0] if publications else None, archived_on)
        )
        company.tick("routines", n + 1, count)
    writer.flush()
    return result


def acknowledge(company: Company, version: Row, scope: frozenset[int] | None, end: date) -> None:
    """«Lest og forstått» by most people in scope employed while the version was in force
    (from its publication to the day before `end`), in the weeks after the publication
    or after they started."""
    rng, clock, writer, audit = company.rng, company.clock, company.writer, company.audit
    published_at: datetime = version["published_at"]
    published_on = clock.day_of(published_at)
    last_day = min(end, clock.today) - DAY
    if last_day < published_on:
        return
    if scope is None:
        people = company.people
    else:
        people = [p for d in sorted(scope) for p in company.by_dept.get(d, ())]
    vid = version["id"]
    random, expovariate = rng.random, rng.expovariate
    for person in people:
        if person.start > last_day or (person.end is not None and person.end < published_on):
            continue
        if random() < 0.06:  # some never do
            continue
        first = published_on if person.start < published_on else person.start
        day = clock.weekday_after(first + timedelta(days=int(expovariate(0.1))))
        if day > last_day or (person.end is not None and day > person.end):
            continue
        at = clock.moment(day, rng)
        if at <= published_at:
            at = clock.soon_after(published_at, rng)
        row = writer.new(
            "routine_acknowledgement",
            routine_version_id=vid,
            person_id=person.id,
            acknowledged_at=at,
        )
        audit.created("routine_acknowledgement", row, at, person.id)
        writer.add("routine_acknowledgement", row)


# --- risks --------------------------------------------------------------------------------


def build_risks(company: Company, count: int, routines: Routines) -> None:
    rng, clock, writer, audit = company.rng, company.clock, company.writer, company.audit
    today, founded = clock.today, clock.founded
    depts = [d for d in company.open_depts() if company.by_dept.get(d.id)]
    weights = [len(company.by_dept[d.id]) for d in depts]
    used: dict[int, set[str]] = {}
    in_force_now = {d.id: [p for p in routines.in_force_on(d.id, today - DAY)] for d in depts}
    for d in rng.choices(depts, weights, k=count):
        hazard, description, existing = rng.choice(texts.RISK_HAZARDS)
        title = hazard
        if title in used.setdefault(d.id, set()):
            title = f"{hazard} – {rng.choice(texts.PLACES)}"
        used[d.id].add(title)
        leader = d.leader
        owner = leader if leader is not None and leader.employed(today) else None
        created_day = founded + timedelta(days=30 + rng.randint(0, (today - founded).days - 400))
        created = clock.workday(created_day, rng)
        created_day = clock.day_of(created)
        overdue = rng.random() < 0.12
        target = today - timedelta(days=rng.randint(380, 900) if overdue else rng.randint(1, 330))
        target = max(target, created_day)
        actor = company.actor(leader, created_day) or company.coordinator.id
        risk = writer.new(
            "risk",
            title=title,
            description=description,
            department_id=d.id,
            consequence=rng.choices((1, 2, 3, 4, 5), (10, 25, 30, 25, 10))[0],
            probability=rng.choices((1, 2, 3, 4, 5), (15, 30, 30, 18, 7))[0],
            existing_measures=existing,
            last_assessed_on=created_day,
            owner_person_id=owner.id if owner else None,
            created_at=created,
        )
        audit.created("risk", risk, created, actor)
        # Assessed again about once a year, last on `target`.
        day = created_day
        while day < target:
            day = min(target, day + timedelta(days=rng.randint(300, 400)))
            if target - day < timedelta(days=200):
                day = target
            at = max(clock.moment(day, rng), created)
            audit.updated(
                "risk",
                risk,
                at,
                company.actor(leader, day) or company.coordinator.id,
                {"last_assessed_on": day},
            )
        archived_on = None
        if rng.random() < 0.08 and (today - target).days > 5:
            archived_on = clock.weekday_after(
                target + timedelta(days=rng.randint(1, (today - target).days - 4))
            )
            if archived_on >= today:
                archived_on = None
        # The routines that control it: in force in its department (most high risks have one).
        score = risk["consequence"] * risk["probability"]
        candidates = in_force_now.get(d.id, [])
        if candidates and rng.random() < (0.9 if score >= 10 else 0.45):
            for plan in {
                p.id: p for p in rng.sample(candidates, min(len(candidates), rng.randint(1, 2)))
            }.values():
                assert plan.in_force_from is not None
                link_day = max(created_day, plan.in_force_from)
                at = max(clock.workday(link_day, rng), created)
                link = writer.new("risk_routine", risk_id=risk["id"], routine_id=plan.id)
                audit.created(
                    "risk_routine",
                    link,
                    at,
                    company.actor(leader, link_day) or company.coordinator.id,
                )
                writer.add("risk_routine", link)
        # Planned measures: done, withdrawn, or open (some past their deadline).
        stop = archived_on or today
        pool = company.by_dept[d.id]
        for _ in range(rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]):
            recent = archived_on is None and rng.random() < 0.4
            low = max(created_day, stop - timedelta(days=200)) if recent else created_day
            if (stop - low).days < 3:
                continue
            made_on = low + timedelta(days=rng.randint(0, (stop - low).days - 2))
            made = max(clock.workday(made_on, rng), created)
            made_on = clock.day_of(made)
            done_on: date | None = made_on + timedelta(days=rng.randint(5, 150))
            if done_on is not None and done_on >= stop:
                done_on = None
            if archived_on is not None and done_on is None:
                done_on = clock.day_of(clock.later(made, 1, 3, rng, before=stop))
            last = done_on or today
            owner_emp = (
                leader
                if leader is not None and leader.through(made_on, last)
                else company.someone(pool, lambda p: p.through(made_on, last))  # noqa: B023
            )
            if owner_emp is None:
                continue
            measure = writer.new(
                "corrective_action",
                risk_id=risk["id"],
                description=rng.choice(texts.MEASURES),
                owner_person_id=owner_emp.id,
                deadline=made_on + timedelta(days=rng.randint(14, 120)),
                created_at=made,
            )
            audit.created(
                "corrective_action",
                measure,
                made,
                company.actor(leader, made_on) or company.coordinator.id,
            )
            if done_on is not None:
                at = max(clock.workday(done_on, rng), made)
                if rng.random() < 0.04:
                    audit.updated(
                        "corrective_action",
                        measure,
                        at,
                        company.actor(leader, done_on),
                        {"withdrawn_at": at, "withdrawn_reason": texts.WITHDRAWN_ACTION},
                    )
                else:
                    audit.updated(
                        "corrective_action",
                        measure,
                        at,
                        owner_emp.id,
                        {"done_on": clock.day_of(at), "done_note": rng.choice(texts.DONE_NOTES)},
                    )
            writer.add("corrective_action", measure)
        if archived_on is not None:
            at = clock.moment(archived_on, rng)
            audit.updated(
                "risk",
                risk,
                at,
                company.actor(leader, archived_on) or company.coordinator.id,
                {
                    "archived_on": archived_on,
                    "archived_reason": rng.choice(texts.RISK_ARCHIVE_REASONS),
                },
            )
        writer.add("risk", risk)
        writer.maybe_flush()
    writer.flush()


def hours_worked(people: list[Emp], first: date, last: date) -> int:
    """Hours worked between two days by everyone employed (as demo/deviations.py counts
    them: a full-time year is 1650 hours), rounded to hundreds."""
    total = Decimal(0)
    for person in people:
        start = max(first, person.start)
        end = min(last, person.end or last)
        if end < start:
            continue
        share = Decimal((end - start).days + 1) / Decimal(365)
        total += share * person.hours / Decimal("37.5") * 1650
    return int(round(total / 100)) * 100
