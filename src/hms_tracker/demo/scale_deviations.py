"""The scaled demo's deviations: ten years of reports (more as the company grew), each
written with its history (report, AML § 5-2 notification, assignment, corrective
actions, comments, closing, rejection, reopening) and the audit events of every step,
at the step's own time and by the person who took it.

The states are those the workflow (deviations/service.py) leaves:

- registered: nobody responsible, no deadline, no actions;
- in progress: responsible and deadline, no open action (none at all, but for a reopened
  case whose actions were done);
- actions: responsible and deadline, at least one open action;
- closed: every action done or withdrawn, root cause, effect (`no_actions` exactly when
  no action is left that was not withdrawn, with a note for no/partly/no_actions),
  closed at and by;
- rejected: a reason, closed at, no actions (rejected while registered or in progress).

A serious injury is never closed or rejected before the notification is recorded. People
act only while they are employed; whoever is responsible for an open case or owns an open
action is employed today.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import accumulate

from hms_tracker.demo import scale_texts as texts
from hms_tracker.demo.bulk import Row
from hms_tracker.demo.scale_company import Company, Emp
from hms_tracker.demo.scale_routines import RoutinePlan, Routines
from hms_tracker.deviations.models import (
    ActionsEffect,
    CommentVisibility,
    DeviationCategory,
    DeviationStatus,
    search_text_of,
)
from hms_tracker.deviations.service import RECEIPT_ALPHABET, RECEIPT_LENGTH, hash_receipt_code

NEW = DeviationStatus.registered.value
WORK = DeviationStatus.in_progress.value
ACTIONS = DeviationStatus.actions.value
CLOSED = DeviationStatus.closed.value
REJECTED = DeviationStatus.rejected.value
REOPENED = "reopened"  # closed once, reopened lately (open today)
PI = DeviationCategory.personal_injury.value
BREACH = DeviationCategory.routine_breach.value
INTERNAL, TO_REPORTER = CommentVisibility.internal.value, CommentVisibility.reporter.value

CATEGORIES = (
    (DeviationCategory.hazard.value, 30),
    (DeviationCategory.near_miss.value, 24),
    (PI, 13),
    (DeviationCategory.material_damage.value, 10),
    (BREACH, 8),
    (DeviationCategory.environment.value, 5),
    (DeviationCategory.psychosocial.value, 5),
    (DeviationCategory.other.value, 5),
)
# (most days since the report, [(status, weight)]): young cases are open, old ones closed.
STATUS_BY_AGE: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = (
    (3, ((NEW, 55), (WORK, 30), (ACTIONS, 12), (REJECTED, 3))),
    (10, ((NEW, 15), (WORK, 40), (ACTIONS, 35), (CLOSED, 7), (REJECTED, 3))),
    (30, ((NEW, 2), (WORK, 20), (ACTIONS, 43), (CLOSED, 30), (REJECTED, 5))),
    (90, ((NEW, 0.5), (WORK, 6), (ACTIONS, 22), (CLOSED, 66.5), (REJECTED, 5))),
    (365, ((WORK, 1), (ACTIONS, 4), (CLOSED, 89.4), (REJECTED, 5), (REOPENED, 0.6))),
    (10**6, ((WORK, 0.1), (ACTIONS, 0.2), (CLOSED, 94.7), (REJECTED, 5))),
)
COMMENTS = (0, 1, 2, 3, 4, 5, 6), (23, 25, 21, 15, 9, 4, 3)


def _report_days(company: Company, count: int) -> list[date]:
    """`count` weekdays of the ten years, as many on a day as the headcount that day asks."""
    clock, rng = company.clock, company.rng
    first = clock.founded + timedelta(days=14)
    days = (clock.today - first).days
    change = [0] * (days + 2)
    for p in company.people:
        start = max(0, (p.start - first).days)
        if start > days:
            continue
        change[start] += 1
        if p.end is not None:
            stop = (p.end - first).days + 1
            if stop <= days:
                change[max(stop, 0)] -= 1
    weights: list[float] = []
    headcount = 0
    for n in range(days):
        headcount += change[n]
        weekday = (first + timedelta(days=n)).weekday() < 5
        weights.append(headcount if weekday else 0)
    cumulative = list(accumulate(weights))
    picked = rng.choices(range(days), cum_weights=cumulative, k=count)
    return [first + timedelta(days=n) for n in sorted(picked)]


class _Writer:
    def __init__(self, company: Company, routines: Routines) -> None:
        self.company = company
        self.rng = company.rng
        self.clock = company.clock
        self.writer = company.writer
        self.audit = company.audit
        self.today = company.clock.today
        self.routines = routines
        self.covering: dict[int, list[RoutinePlan]] = {}
        self.codes: set[str] = set()
        self.categories = [c for c, _w in CATEGORIES]
        self.category_weights = list(accumulate(w for _c, w in CATEGORIES))
        self.status_tables = [
            (age, [s for s, _w in table], list(accumulate(w for _s, w in table)))
            for age, table in STATUS_BY_AGE
        ]
        self.comment_weights = list(accumulate(COMMENTS[1]))

    # who

    def reporter_on(self, day: date) -> Emp:
        people = self.company.people
        random = self.rng.random
        while True:
            person = people[int(random() * len(people))]
            if person.employed(day):
                return person

    def colleague(self, dept_id: int, first: date, last: date, *, prefer: Emp | None = None) -> Emp:
        """Someone of the department employed from `first` to `last`: `prefer` when they
        are, else a colleague, else whoever handles the department's cases."""
        if prefer is not None and prefer.through(first, last):
            return prefer
        found = self.company.someone(
            self.company.by_dept.get(dept_id, []), lambda p: p.through(first, last), tries=8
        )
        if found is not None:
            return found
        handler = self.company.handler(dept_id, first)
        return handler if handler.through(first, last) else self.company.coordinator

    def routine_for(self, dept_id: int, day: date) -> int | None:
        plans = self.covering.get(dept_id)
        if plans is None:
            plans = self.covering[dept_id] = self.routines.covering(dept_id)
        fitting = [
            p
            for p in plans
            if p.in_force_from is not None
            and p.in_force_from <= day
            and (p.in_force_to is None or p.in_force_to > day)
        ]
        return self.rng.choice(fitting).id if fitting else None

    def receipt_hash(self) -> str:
        rng = self.rng
        while True:
            raw = "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
            code = "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))
            if code not in self.codes:
                self.codes.add(code)
                return hash_receipt_code(code)

    def status(self, age: int) -> str:
        for most, statuses, weights in self.status_tables:
            if age <= most:
                return self.rng.choices(statuses, cum_weights=weights)[0]
        return CLOSED

    def fill(self, text: str) -> str:
        rng = self.rng
        if "{" not in text:
            return text
        return text.format(place=rng.choice(texts.PLACES), equipment=rng.choice(texts.EQUIPMENT))

    # steps

    def update(self, row: Row, at: datetime, actor: Emp | None, **changes: object) -> None:
        self.audit.updated("deviation", row, at, actor.id if actor else None, changes)

    def action(
        self,
        deviation: Row,
        by: Emp,
        owner: Emp,
        created: datetime,
        deadline: date,
        *,
        done: datetime | None = None,
        withdrawn_by: Emp | None = None,
    ) -> None:
        rng, audit = self.rng, self.audit
        row = self.writer.new(
            "corrective_action",
            deviation_id=deviation["id"],
            description=self.fill(rng.choice(texts.ACTIONS)),
            owner_person_id=owner.id,
            deadline=deadline,
            created_at=created,
        )
        audit.created("corrective_action", row, created, by.id)
        if deviation["status"] == WORK:
            self.update(deviation, created, by, status=ACTIONS)
        if done is not None and withdrawn_by is not None:
            audit.updated(
                "corrective_action",
                row,
                done,
                withdrawn_by.id,
                {"withdrawn_at": done, "withdrawn_reason": texts.WITHDRAWN_ACTION},
            )
        elif done is not None:
            audit.updated(
                "corrective_action",
                row,
                done,
                owner.id,
                {"done_on": self.clock.day_of(done), "done_note": rng.choice(texts.DONE_NOTES)},
            )
        self.writer.add("corrective_action", row)

    def comments(
        self, deviation: Row, reporter: Emp | None, responsible: Emp | None, end: datetime
    ) -> None:
        rng, clock, company = self.rng, self.clock, self.company
        count = rng.choices(COMMENTS[0], cum_weights=self.comment_weights)[0]
        if not count:
            return
        start: datetime = deviation["created_at"]
        first, last = clock.day_of(start), clock.day_of(end)
        dept_id = deviation["department_id"]
        moments = []
        for _ in range(count):
            day = first + timedelta(days=int(rng.random() * ((last - first).days + 1)))
            at = clock.moment(clock.weekday_before(day), rng)
            if not start < at < end:
                at = start + (end - start) * rng.random()
            moments.append(at)
        for at in sorted(moments):
            day = clock.day_of(at)
            options: list[tuple[Emp | None, bool]] = [(company.handler(dept_id, day), False)]
            if responsible is not None and responsible.employed(day):
                options.append((responsible, False))
            rep = company.rep_on(dept_id, day)
            if rep is not None and rep.employed(day):
                options.append((rep, False))
            if reporter is not None and reporter.employed(day):
                options.append((reporter, True))
            elif deviation["anonymous"] and rng.random() < 0.3:
                options.append((None, True))
            author, from_reporter = rng.choice(options)
            if from_reporter:
                body, visibility = rng.choice(texts.COMMENTS_FROM_REPORTER), TO_REPORTER
            elif rng.random() < 0.3:
                body, visibility = rng.choice(texts.COMMENTS_TO_REPORTER), TO_REPORTER
            else:
                body, visibility = rng.choice(texts.COMMENTS_INTERNAL), INTERNAL
            row = self.writer.new(
                "deviation_comment",
                deviation_id=deviation["id"],
                author_person_id=author.id if author else None,
                from_reporter=from_reporter,
                visibility=visibility,
                body=body,
                created_at=at,
            )
            actor = author.id if author else None
            self.audit.created("deviation_comment", row, at, actor)
            if author is not None and rng.random() < 0.01:
                gone = clock.soon_after(at, rng)
                self.audit.updated(
                    "deviation_comment",
                    row,
                    gone,
                    actor,
                    {"withdrawn_at": gone, "withdrawn_reason": texts.WITHDRAWN_COMMENT},
                )
            self.writer.add("deviation_comment", row)

    # a whole case

    def write(self, day: date) -> None:
        rng, clock, company, today = self.rng, self.clock, self.company, self.today
        created = clock.moment(day, rng)
        person = self.reporter_on(day)
        dept_id = person.dept
        anonymous = rng.random() < 0.04
        reporter = None if anonymous else person
        category = rng.choices(self.categories, cum_weights=self.category_weights)[0]
        title, description = rng.choice(texts.DEVIATIONS[category])
        consequence = rng.choices((1, 2, 3, 4, 5), (12, 30, 30, 20, 8))[0]
        serious = category == PI and consequence >= 4 and rng.random() < 0.2
        occurred = created - timedelta(minutes=5 + rng.random() * 2000)
        title, description = self.fill(title)[:200], self.fill(description)
        place = rng.choice(texts.PLACES) if rng.random() < 0.7 else None
        deviation = self.writer.new(
            "deviation",
            title=title,
            description=description,
            search_text=search_text_of(title, description, place),
            department_id=dept_id,
            place=place,
            occurred_at=occurred,
            category=category,
            consequence=consequence,
            probability=rng.choices((1, 2, 3, 4, 5), (10, 30, 32, 20, 8))[0],
            immediate_action=rng.choice(texts.IMMEDIATE_ACTIONS) if rng.random() < 0.45 else None,
            caused_absence=(rng.random() < 0.35 or serious) if category == PI else None,
            routine_id=(
                self.routine_for(dept_id, day)
                if category == BREACH and rng.random() < 0.7
                else None
            ),
            serious_injury=serious,
            reporter_person_id=reporter.id if reporter else None,
            anonymous=anonymous,
            receipt_code_hash=self.receipt_hash() if anonymous else None,
            status=NEW,
            created_at=created,
        )
        self.audit.created("deviation", deviation, created, reporter.id if reporter else None)
        age = (today - day).days
        status = self.status(age)
        coordinator = company.coordinator
        open_case = status in (NEW, WORK, ACTIONS, REOPENED)

        if serious and not (open_case and age <= 14 and rng.random() < 0.5):
            notified = occurred + timedelta(minutes=45 + rng.random() * 120)
            at = max(clock.soon_after(created, rng), notified)
            self.update(
                deviation,
                at,
                coordinator,
                notified_at=notified,
                notified_by_person_id=coordinator.id,
                notification_note=texts.NOTIFICATION_NOTE,
            )
        is_notified = deviation.get("notified_at") is not None
        if serious and not is_notified and status in (CLOSED, REJECTED, REOPENED):
            status = WORK

        responsible: Emp | None = None
        end = clock.midnight
        if status == REJECTED and rng.random() < 0.6:
            at = clock.later(created, 0, 5, rng, before=today)
            handler = company.handler(dept_id, clock.day_of(at))
            self.update(
                deviation,
                at,
                handler,
                status=REJECTED,
                rejection_reason=rng.choice(texts.REJECTIONS),
                closed_at=at,
            )
            end = at
        elif status != NEW:
            reopen_day = None
            if status == REOPENED:
                reopen_day = clock.weekday_before(today - timedelta(days=rng.randint(1, 30)))
            limit = reopen_day or today
            assigned = clock.later(created, 0, 3, rng, before=limit)
            assigned_day = clock.day_of(assigned)
            handler = company.handler(dept_id, assigned_day)
            closing = status in (CLOSED, REOPENED)
            if closing:
                room = max(1, (limit - assigned_day).days - 1)
                span = min(room, 3 + int(rng.expovariate(1 / 25)))
                until = assigned_day + timedelta(days=span)
            else:
                until = today
            if status == REOPENED:
                until = today
            leader = company.dept(dept_id).leader
            responsible = self.colleague(
                dept_id, assigned_day, until, prefer=leader if rng.random() < 0.5 else None
            )
            self.update(
                deviation,
                assigned,
                handler,
                status=WORK,
                responsible_person_id=responsible.id,
                deadline=assigned_day + timedelta(days=rng.randint(14, 45)),
            )
            if status == REJECTED:
                at = clock.later(assigned, 0, 5, rng, before=today)
                self.update(
                    deviation,
                    at,
                    company.handler(dept_id, clock.day_of(at)),
                    status=REJECTED,
                    rejection_reason=rng.choice(texts.REJECTIONS),
                    closed_at=at,
                )
                end = at
            elif closing:
                close_by = assigned_day + timedelta(days=span)
                end = self.close(deviation, responsible, assigned, close_by, limit)
                if reopen_day is not None:
                    self.reopen(deviation, responsible, reopen_day)
                    end = clock.midnight
            elif status == ACTIONS:
                self.open_actions(deviation, responsible, assigned)
        self.comments(deviation, reporter, responsible, end)
        self.writer.add("deviation", deviation)

    def close(
        self, deviation: Row, responsible: Emp, assigned: datetime, close_by: date, limit: date
    ) -> datetime:
        """Actions done (or withdrawn), then closed by the day `close_by` (before `limit`)."""
        rng, clock, company = self.rng, self.clock, self.company
        dept_id = deviation["department_id"]
        assigned_day = clock.day_of(assigned)
        count = rng.choices((0, 1, 2, 3), (18, 57, 19, 6))[0]
        last = assigned
        kept = 0
        span = max(1, (close_by - assigned_day).days)
        for _ in range(count):
            made = clock.later(assigned, 0, min(3, span), rng, before=limit)
            made_day = clock.day_of(made)
            done = clock.later(made, 1, max(1, (close_by - made_day).days), rng, before=limit)
            done_day = clock.day_of(done)
            owner = self.colleague(dept_id, made_day, done_day)
            withdrawn = rng.random() < 0.02
            self.action(
                deviation,
                responsible if responsible.employed(made_day) else owner,
                owner,
                made,
                made_day + timedelta(days=rng.randint(7, 30)),
                done=done,
                withdrawn_by=company.handler(dept_id, done_day) if withdrawn else None,
            )
            kept += not withdrawn
            last = max(last, done)
        closed = clock.later(last, 0, 4, rng, before=limit)
        closer = company.handler(dept_id, clock.day_of(closed))
        if kept:
            effect = rng.choices(
                (ActionsEffect.yes.value, ActionsEffect.partly.value, ActionsEffect.no.value),
                (82, 14, 4),
            )[0]
            note = (
                rng.choice(texts.PARTLY_NOTES)
                if effect == ActionsEffect.partly.value
                else rng.choice(texts.NO_EFFECT_NOTES)
                if effect == ActionsEffect.no.value
                else None
            )
        else:
            effect, note = ActionsEffect.no_actions.value, rng.choice(texts.NO_ACTION_NOTES)
        self.update(
            deviation,
            closed,
            closer,
            status=CLOSED,
            root_cause=rng.choice(texts.ROOT_CAUSES),
            actions_effect=effect,
            closing_note=note,
            closed_at=closed,
            closed_by_person_id=closer.id,
        )
        return closed

    def open_actions(self, deviation: Row, responsible: Emp, assigned: datetime) -> None:
        """One to three actions; the last (and maybe more) still open, their owners
        employed today."""
        rng, clock, today = self.rng, self.clock, self.today
        dept_id = deviation["department_id"]
        count = rng.choices((1, 2, 3), (60, 30, 10))[0]
        for n in range(count):
            made = clock.later(assigned, 0, 4, rng, before=today)
            made_day = clock.day_of(made)
            still_open = n == count - 1 or rng.random() < 0.3
            if still_open:
                owner = self.colleague(dept_id, made_day, today)
                done = None
            else:
                done = clock.later(made, 1, 20, rng, before=today)
                owner = self.colleague(dept_id, made_day, clock.day_of(done))
            by = responsible if responsible.employed(made_day) else owner
            self.action(
                deviation, by, owner, made, made_day + timedelta(days=rng.randint(7, 45)), done=done
            )

    def reopen(self, deviation: Row, responsible: Emp, day: date) -> None:
        """Reopened on `day`: in progress again with a new deadline, and often a new action."""
        rng, clock, company, today = self.rng, self.clock, self.company, self.today
        dept_id = deviation["department_id"]
        at = clock.moment(day, rng)
        if at <= deviation["closed_at"]:
            at = clock.soon_after(deviation["closed_at"], rng)
        handler = company.handler(dept_id, clock.day_of(at))
        self.update(
            deviation,
            at,
            handler,
            status=WORK,
            reopen_reason=rng.choice(texts.REOPEN_REASONS),
            closed_at=None,
            closed_by_person_id=None,
        )
        assigned = clock.soon_after(at, rng)
        self.update(
            deviation,
            assigned,
            handler,
            responsible_person_id=responsible.id,
            deadline=clock.day_of(assigned) + timedelta(days=rng.randint(14, 30)),
        )
        if rng.random() < 0.6:
            made = clock.soon_after(assigned, rng)
            owner = self.colleague(dept_id, clock.day_of(made), today, prefer=responsible)
            self.action(
                deviation,
                responsible,
                owner,
                made,
                clock.day_of(made) + timedelta(days=rng.randint(10, 30)),
            )


def build_deviations(company: Company, count: int, routines: Routines) -> None:
    writer = _Writer(company, routines)
    for n, day in enumerate(_report_days(company, count), start=1):
        writer.write(day)
        company.writer.maybe_flush()
        company.tick("deviations", n, count)
    company.writer.flush()
