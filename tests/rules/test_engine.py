"""The rule engine at its boundaries (DESIGN.md, the law as of 1 January 2024)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hms_tracker.rules.engine import (
    AgreementFact,
    AppointmentFact,
    ChairFact,
    CourseFact,
    DepartmentFact,
    Facts,
    LeaderFact,
    RecordFact,
    add_months,
    evaluate,
    training_status,
)
from hms_tracker.rules.findings import Status
from hms_tracker.rules.headcount import Employment
from hms_tracker.rules.settings import RuleSettings

DAY = date(2026, 11, 25)
SETTINGS = RuleSettings()
VO_COURSE = CourseFact(
    1,
    "Grunnopplæring for verneombud",
    "AML § 6-5",
    Decimal(40),
    None,
    frozenset({"safety_rep", "chief_safety_rep"}),
)
AMU_COURSE = CourseFact(
    2, "Grunnopplæring for AMU-medlemmer", "AML § 7-4", Decimal(40), None, frozenset({"amu_member"})
)
EMPLOYER_COURSE = CourseFact(
    3,
    "HMS-opplæring for arbeidsgiver",
    "AML § 3-5",
    Decimal(0),
    None,
    frozenset({"managing_director"}),
    required_for_leaders=True,
)
FIRST_AID = CourseFact(4, "Førstehjelp", "", Decimal(0), 24, frozenset({"safety_rep"}))


def staff(n: int, hours: str = "37.5", start: date = date(2020, 1, 1)) -> tuple[Employment, ...]:
    return tuple(Employment(i + 1, start, None, Decimal(hours)) for i in range(n))


def vo(aid=1, person=1, start=date(2025, 1, 1), ends=None, ended=None, areas=frozenset()):
    return AppointmentFact(aid, "safety_rep", person, "", start, ends, ended, area_ids=areas)


def amu(aid, person, side, deputy=False, start=date(2025, 1, 1), name=""):
    return AppointmentFact(aid, "amu_member", person, name, start, None, None, side, deputy)


def finding(report, rule):
    matches = [f for f in report.findings if f.rule == rule]
    assert len(matches) <= 1, matches
    return matches[0] if matches else None


def record(rid, person, course, day, hours):
    return RecordFact(rid, person, course, day, Decimal(hours))


# --- verneombud (AML § 6-1) ---------------------------------------------------------------


def test_no_safety_rep_is_a_gap():
    report = evaluate(Facts(employments=staff(10)), DAY)
    assert finding(report, "aml-6-1.safety-rep-missing").status is Status.gap


def test_four_employees_with_an_agreement_in_force_need_no_safety_rep():
    agreement = AgreementFact(1, date(2025, 6, 1), date(2027, 5, 31))
    report = evaluate(Facts(employments=staff(4), agreements=(agreement,)), DAY)
    assert finding(report, "aml-6-1.safety-rep-agreement").status is Status.ok
    assert finding(report, "aml-6-1.safety-rep-missing") is None


def test_five_employees_need_a_safety_rep_even_with_an_agreement():
    agreement = AgreementFact(1, date(2025, 6, 1), date(2027, 5, 31))
    report = evaluate(Facts(employments=staff(5), agreements=(agreement,)), DAY)
    assert finding(report, "aml-6-1.safety-rep-missing").status is Status.gap


def test_four_employees_without_agreement_is_still_a_gap():
    report = evaluate(Facts(employments=staff(4)), DAY)
    gap = finding(report, "aml-6-1.safety-rep-missing")
    assert gap.status is Status.gap and gap.params["agreement_possible"] is True


def test_an_agreement_counts_for_two_years_at_most():
    too_long = AgreementFact(1, date(2024, 11, 1), date(2027, 12, 31))
    assert finding(
        evaluate(Facts(staff(3), agreements=(too_long,)), date(2026, 10, 31)),
        "aml-6-1.safety-rep-agreement",
    )
    assert finding(
        evaluate(Facts(staff(3), agreements=(too_long,)), date(2026, 11, 1)),
        "aml-6-1.safety-rep-missing",
    )


def test_more_than_one_safety_rep_needs_a_chief():
    two = (vo(1, 1), vo(2, 2))
    report = evaluate(Facts(employments=staff(20), appointments=two), DAY)
    assert finding(report, "aml-6-1.chief-safety-rep").status is Status.gap
    chief = AppointmentFact(3, "chief_safety_rep", 3, "", date(2025, 1, 1))
    report = evaluate(Facts(employments=staff(20), appointments=(*two, chief)), DAY)
    assert finding(report, "aml-6-1.chief-safety-rep").status is Status.ok


def test_one_safety_rep_needs_no_chief():
    report = evaluate(Facts(employments=staff(20), appointments=(vo(),)), DAY)
    assert finding(report, "aml-6-1.chief-safety-rep") is None


def test_departments_outside_every_safety_area_are_a_gap():
    departments = (
        DepartmentFact(1, "Lager"),
        DepartmentFact(2, "Verksted"),
        DepartmentFact(3, "Nedlagt", closed_on=date(2025, 1, 1)),
    )
    reps = (
        vo(1, 1, areas=frozenset({1})),
        AppointmentFact(2, "chief_safety_rep", 2, "", date(2025, 1, 1), area_ids=frozenset({1})),
    )
    report = evaluate(Facts(staff(20), reps, departments=departments), DAY)
    gap = finding(report, "aml-6-1.safety-areas")
    assert gap.status is Status.gap
    assert [ref.label for ref in gap.evidence] == ["Verksted"]  # closed departments need none


def test_a_safety_rep_without_areas_covers_the_whole_company():
    departments = (DepartmentFact(1, "Lager"), DepartmentFact(2, "Verksted"))
    report = evaluate(Facts(staff(20), (vo(),), departments=departments), DAY)
    assert finding(report, "aml-6-1.safety-areas").status is Status.ok


# --- terms ------------------------------------------------------------------------------------


def test_term_end_date_is_the_last_day_in_force():
    term = vo(ends=DAY)
    assert (
        finding(evaluate(Facts(staff(10), (term,)), DAY), "forskrift-3-4.term-expired").status
        is Status.ok
    )
    after = evaluate(Facts(staff(10), (term,)), DAY + timedelta(days=1))
    assert finding(after, "forskrift-3-4.term-expired").status is Status.gap
    assert finding(after, "aml-6-1.safety-rep-missing").status is Status.gap


def test_a_renewed_term_is_no_gap():
    first = vo(1, 1, start=date(2022, 1, 1), ends=date(2023, 12, 31))
    second = vo(2, 1, start=date(2024, 1, 1), ends=date(2025, 12, 31))
    third = vo(3, 1, start=date(2026, 1, 1), ends=date(2027, 12, 31))
    report = evaluate(Facts(staff(10), (first, second, third)), DAY)
    assert finding(report, "forskrift-3-4.term-expired").status is Status.ok


def test_an_appointment_ended_deliberately_is_no_lapsed_term():
    ended = vo(1, 1, start=date(2022, 1, 1), ends=date(2023, 12, 31), ended=date(2023, 6, 1))
    report = evaluate(Facts(staff(10), (ended, vo(2, 2))), DAY)
    assert finding(report, "forskrift-3-4.term-expired").status is Status.ok


# --- AMU (AML § 7-1) --------------------------------------------------------------------------


def test_29_average_employees_need_no_amu_but_may_demand_one():
    report = evaluate(Facts(employments=staff(29), appointments=(vo(),)), DAY)
    assert finding(report, "aml-7-1.amu-missing") is None
    assert finding(report, "aml-7-1.amu-may-be-demanded").status is Status.notice


def test_30_average_employees_need_an_amu():
    report = evaluate(Facts(employments=staff(30), appointments=(vo(),)), DAY)
    assert finding(report, "aml-7-1.amu-missing").status is Status.gap


def test_9_employees_get_no_amu_notice():
    report = evaluate(Facts(employments=staff(9), appointments=(vo(),)), DAY)
    assert finding(report, "aml-7-1.amu-may-be-demanded") is None


def test_part_timers_under_20_hours_do_not_count_for_amu():
    employments = staff(29) + (Employment(99, date(2020, 1, 1), None, Decimal("19.5")),)
    report = evaluate(Facts(employments=employments, appointments=(vo(),)), DAY)
    assert finding(report, "aml-7-1.amu-missing") is None
    employments = staff(29) + (Employment(99, date(2020, 1, 1), None, Decimal(20)),)
    report = evaluate(Facts(employments=employments, appointments=(vo(),)), DAY)
    assert finding(report, "aml-7-1.amu-missing").status is Status.gap


def test_amu_duty_starts_in_the_year_after_the_average_is_reached():
    hired = staff(30, start=date(2026, 1, 1))
    assert finding(evaluate(Facts(hired, (vo(),)), DAY), "aml-7-1.amu-missing") is None
    assert finding(evaluate(Facts(hired, (vo(),)), date(2027, 1, 1)), "aml-7-1.amu-missing")


def _amu_facts(members, **extra):
    base = dict(employments=staff(40), appointments=(vo(1, 1), *members))
    base.update(extra)
    return Facts(**base)


def test_amu_sides_and_deputies_must_be_equal():
    members = (
        amu(10, 2, "employer"),
        amu(11, 1, "employee"),
        amu(12, 3, "employee"),
        amu(13, 4, "employer", deputy=True),
        amu(14, 5, "employee", deputy=True),
        amu(15, 6, "employee", deputy=True),
    )
    report = evaluate(_amu_facts(members), DAY)
    assert finding(report, "aml-7-1.amu-sides-equal").params == {"employer": 1, "employee": 2}
    assert finding(report, "aml-7-1.amu-sides-equal").status is Status.gap
    assert finding(report, "aml-7-1.amu-deputies-equal").status is Status.gap


def test_amu_needs_top_management_the_safety_rep_and_ohs():
    director = AppointmentFact(20, "managing_director", 2, "", date(2020, 1, 1))
    members = (
        amu(10, 2, "employer"),
        amu(11, 1, "employee"),
        AppointmentFact(12, "amu_member", None, "Anne BHT", date(2025, 1, 1), None, None, "ohs"),
    )
    report = evaluate(_amu_facts((director, *members)), DAY)
    assert finding(report, "aml-7-1.amu-employer-top-management").status is Status.ok
    assert finding(report, "aml-7-1.amu-safety-rep-member").status is Status.ok
    assert finding(report, "aml-7-1.amu-ohs-member").status is Status.ok

    without = (amu(10, 7, "employer"), amu(11, 8, "employee"))
    report = evaluate(_amu_facts(without), DAY)
    assert finding(report, "aml-7-1.amu-employer-top-management").status is Status.gap
    assert finding(report, "aml-7-1.amu-safety-rep-member").status is Status.gap
    assert finding(report, "aml-7-1.amu-ohs-member").status is Status.gap


def test_a_leader_of_a_top_department_is_top_management():
    departments = (DepartmentFact(1, "Bedriften"), DepartmentFact(2, "Lager", parent_id=1))
    members = (amu(10, 7, "employer"), amu(11, 1, "employee"))
    top = _amu_facts(members, departments=departments, leaders=(LeaderFact(7, 1),))
    assert finding(evaluate(top, DAY), "aml-7-1.amu-employer-top-management").status is Status.ok
    low = _amu_facts(members, departments=departments, leaders=(LeaderFact(7, 2),))
    assert finding(evaluate(low, DAY), "aml-7-1.amu-employer-top-management").status is Status.gap


def test_amu_chair_must_change_side_from_one_year_to_the_next():
    members = (amu(10, 2, "employer"), amu(11, 1, "employee"), amu(12, 3, "employer"))
    alternating = (
        ChairFact(10, date(2025, 1, 1), date(2025, 12, 31)),
        ChairFact(11, date(2026, 1, 1), date(2026, 12, 31)),
    )
    same_side = (
        ChairFact(10, date(2025, 1, 1), date(2025, 12, 31)),
        ChairFact(12, date(2026, 1, 1), date(2026, 12, 31)),
    )
    assert finding(evaluate(_amu_facts(members, chairs=alternating), DAY), "aml-7-1.amu-chair")
    gap = finding(
        evaluate(_amu_facts(members, chairs=same_side), DAY), "aml-7-1.amu-chair-same-side"
    )
    assert gap.status is Status.gap
    assert (
        finding(evaluate(_amu_facts(members), DAY), "aml-7-1.amu-chair-missing").status
        is Status.gap
    )


# --- training -----------------------------------------------------------------------------


def status_of(records, appointed_on=date(2026, 1, 15), course=VO_COURSE, day=DAY):
    return training_status(
        person_id=1,
        person_name="Kari",
        course=course,
        records=records,
        appointed_on=appointed_on,
        reasons=("safety_rep",),
        day=day,
        settings=SETTINGS,
    )


def test_grace_period_last_day_and_the_day_after():
    appointed = date(2026, 1, 15)
    assert status_of([], appointed, day=date(2026, 7, 14)).status is Status.in_grace
    assert status_of([], appointed, day=date(2026, 7, 14)).due_on == date(2026, 7, 14)
    missing = status_of([], appointed, day=date(2026, 7, 15))
    assert missing.status is Status.missing and missing.since == date(2026, 7, 15)


def test_partial_hours_add_up_to_the_required_hours():
    parts = [record(1, 1, 1, date(2026, 2, 1), 24), record(2, 1, 1, date(2026, 3, 1), 16)]
    done = status_of(parts, day=date(2026, 8, 1))
    assert done.status is Status.ok and done.completed_on == date(2026, 3, 1)
    short = status_of([parts[0], record(2, 1, 1, date(2026, 3, 1), 15)], day=date(2026, 8, 1))
    assert short.status is Status.missing and short.hours_done == Decimal(39)


def test_records_after_the_day_do_not_count():
    later = [record(1, 1, 1, date(2026, 12, 1), 40)]
    assert status_of(later, day=date(2026, 11, 30)).status is Status.missing
    assert status_of(later, day=date(2026, 12, 1)).status is Status.ok


def test_expiring_and_expired_first_aid():
    taken = [record(1, 1, 4, date(2024, 11, 25), 8)]
    assert status_of(taken, course=FIRST_AID, day=date(2026, 9, 25)).status is Status.ok
    assert status_of(taken, course=FIRST_AID, day=date(2026, 9, 26)).status is Status.expiring
    assert status_of(taken, course=FIRST_AID, day=date(2026, 11, 24)).status is Status.expiring
    expired = status_of(taken, course=FIRST_AID, day=date(2026, 11, 25))
    assert expired.status is Status.expired and expired.expires_on == date(2026, 11, 25)
    renewed = [*taken, record(2, 1, 4, date(2026, 12, 1), 8)]
    assert status_of(renewed, course=FIRST_AID, day=date(2026, 12, 2)).status is Status.ok


def test_add_months_keeps_the_end_of_shorter_months():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)


def test_overview_lists_each_appointee_and_leader_per_required_course():
    appointments = (
        vo(1, 1, start=date(2026, 1, 15)),
        amu(2, 2, "employee", deputy=True),
        AppointmentFact(3, "managing_director", 3, "", date(2020, 1, 1)),
    )
    facts = Facts(
        employments=staff(5),
        appointments=appointments,
        courses=(VO_COURSE, AMU_COURSE, EMPLOYER_COURSE),
        records=(record(1, 3, 3, date(2021, 1, 1), 7),),
        departments=(DepartmentFact(1, "Lager"),),
        leaders=(LeaderFact(4, 1),),
        person_names={1: "Kari", 2: "Ola", 3: "Per", 4: "Liv"},
    )
    rows = {(r.person_name, r.course_name): r for r in evaluate(facts, DAY).training}
    assert rows[("Kari", VO_COURSE.name)].status is Status.missing  # grace ended 15 July
    assert rows[("Ola", AMU_COURSE.name)].status is Status.missing  # deputies too
    assert rows[("Per", EMPLOYER_COURSE.name)].status is Status.ok
    assert rows[("Liv", EMPLOYER_COURSE.name)].reasons == ("leader",)
    gaps = [f for f in evaluate(facts, DAY).findings if f.rule == "training.required" and f.is_gap]
    assert {f.params["course"] for f in gaps} == {
        VO_COURSE.name,
        AMU_COURSE.name,
        EMPLOYER_COURSE.name,
    }


def test_training_is_asked_on_any_day_past_or_future():
    facts = Facts(
        staff(5),
        (vo(1, 1, start=date(2026, 1, 15)),),
        courses=(VO_COURSE,),
        person_names={1: "Kari"},
    )
    assert evaluate(facts, date(2026, 3, 1)).training[0].status is Status.in_grace
    assert evaluate(facts, date(2027, 3, 1)).training[0].status is Status.missing
    assert evaluate(facts, date(2025, 3, 1)).training == ()  # not yet appointed


@given(
    hours=st.lists(
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal(60), places=1), max_size=6
    ),
    required=st.decimals(min_value=Decimal(1), max_value=Decimal(80), places=1),
    offset_days=st.integers(min_value=0, max_value=2000),
    validity=st.one_of(st.none(), st.integers(min_value=1, max_value=60)),
)
def test_nobody_without_the_required_hours_is_ever_ok(hours, required, offset_days, validity):
    course = CourseFact(9, "Kurs", "", required, validity, frozenset({"safety_rep"}))
    records = [
        record(i, 1, 9, date(2024, 1, 1) + timedelta(days=30 * i), h) for i, h in enumerate(hours)
    ]
    day = date(2024, 1, 1) + timedelta(days=offset_days)
    result = status_of(records, appointed_on=date(2024, 1, 1), course=course, day=day)
    counted = sum((r.hours for r in records if r.completed_on <= day), Decimal(0))
    if counted < required:
        assert result.status not in (Status.ok, Status.expiring)


# --- found by exploratory testing --------------------------------------------------------


def test_someone_who_has_left_is_no_longer_safety_rep_or_amu_member():
    left = (Employment(1, date(2020, 1, 1), date(2026, 11, 20), Decimal(37)),)
    facts = Facts(
        employments=left + staff(10)[1:],
        appointments=(vo(1, 1),),
        courses=(VO_COURSE,),
        person_names={1: "Kari"},
    )
    report = evaluate(facts, DAY)
    assert finding(report, "aml-6-1.safety-rep-missing").status is Status.gap
    assert report.training == ()
    assert finding(evaluate(facts, date(2026, 11, 20)), "aml-6-1.safety-rep").status is Status.ok


def test_a_term_of_someone_who_left_is_not_a_lapsed_term():
    left = (Employment(1, date(2020, 1, 1), date(2025, 6, 1), Decimal(37)),)
    facts = Facts(
        employments=left + staff(10)[1:],
        appointments=(vo(1, 1, start=date(2024, 1, 1), ends=date(2025, 12, 31)), vo(2, 2)),
    )
    assert finding(evaluate(facts, DAY), "forskrift-3-4.term-expired").status is Status.ok


def test_the_chief_must_be_a_regular_member_not_a_deputy():
    chief = AppointmentFact(3, "chief_safety_rep", 3, "", date(2025, 1, 1))
    members = (
        chief,
        amu(10, 2, "employer"),
        amu(11, 4, "employee"),
        amu(12, 3, "employee", deputy=True),
    )
    report = evaluate(_amu_facts(members), DAY)
    assert finding(report, "aml-7-1.amu-safety-rep-member").status is Status.gap


def test_the_chair_must_be_an_elected_regular_member_for_one_year():
    ohs = AppointmentFact(12, "amu_member", None, "Dr. BHT", date(2025, 1, 1), None, None, "ohs")
    members = (
        amu(10, 2, "employer"),
        amu(11, 1, "employee"),
        ohs,
        amu(13, 3, "employee", deputy=True),
    )
    ohs_chair = _amu_facts(members, chairs=(ChairFact(12, date(2026, 1, 1), date(2026, 12, 31)),))
    assert finding(evaluate(ohs_chair, DAY), "aml-7-1.amu-chair-not-eligible").status is Status.gap
    deputy_chair = _amu_facts(
        members, chairs=(ChairFact(13, date(2026, 1, 1), date(2026, 12, 31)),)
    )
    assert finding(evaluate(deputy_chair, DAY), "aml-7-1.amu-chair-not-eligible")
    two_years = _amu_facts(members, chairs=(ChairFact(10, date(2026, 1, 1), date(2027, 12, 31)),))
    assert finding(evaluate(two_years, DAY), "aml-7-1.amu-chair-too-long").status is Status.gap
    one_year = _amu_facts(members, chairs=(ChairFact(10, date(2026, 1, 1), date(2026, 12, 31)),))
    assert finding(evaluate(one_year, DAY), "aml-7-1.amu-chair").status is Status.ok


def test_a_chair_whose_membership_ended_is_no_chair():
    ended = AppointmentFact(
        10, "amu_member", 2, "", date(2025, 1, 1), None, date(2026, 3, 31), "employer"
    )
    members = (ended, amu(11, 1, "employee"))
    facts = _amu_facts(members, chairs=(ChairFact(10, date(2026, 1, 1), date(2026, 12, 31)),))
    assert (
        finding(evaluate(facts, date(2026, 6, 1)), "aml-7-1.amu-chair-missing").status is Status.gap
    )


def test_a_new_appointment_after_a_break_gets_a_new_grace_period():
    earlier = vo(1, 1, start=date(2023, 1, 1), ends=date(2024, 12, 31))
    again = vo(2, 1, start=date(2026, 10, 1))
    facts = Facts(staff(10), (earlier, again), courses=(VO_COURSE,), person_names={1: "Kari"})
    (row,) = evaluate(facts, DAY).training
    assert row.status is Status.in_grace and row.due_on == date(2027, 3, 31)


def test_a_renewal_without_a_break_keeps_the_first_grace_period():
    first = vo(1, 1, start=date(2024, 1, 1), ends=date(2025, 12, 31))
    renewed = vo(2, 1, start=date(2026, 1, 1), ends=date(2027, 12, 31))
    facts = Facts(staff(10), (first, renewed), courses=(VO_COURSE,), person_names={1: "Kari"})
    (row,) = evaluate(facts, DAY).training
    assert row.status is Status.missing and row.due_on == date(2024, 6, 30)


def test_a_safety_area_covers_the_departments_below_it():
    departments = (
        DepartmentFact(1, "Lager"),
        DepartmentFact(2, "Kjølelager", parent_id=1),
        DepartmentFact(3, "Verksted"),
    )
    reps = (
        vo(1, 1, areas=frozenset({1})),
        vo(2, 2, areas=frozenset({3})),
        AppointmentFact(3, "chief_safety_rep", 3, "", date(2025, 1, 1), area_ids=frozenset({3})),
    )
    report = evaluate(Facts(staff(20), reps, departments=departments), DAY)
    assert finding(report, "aml-6-1.safety-areas").status is Status.ok


def test_a_new_leader_has_a_grace_period_for_the_employer_course():
    facts = Facts(
        employments=staff(5),
        courses=(EMPLOYER_COURSE,),
        departments=(DepartmentFact(1, "Lager"),),
        leaders=(LeaderFact(4, 1, date(2026, 10, 1)),),
        person_names={4: "Liv"},
    )
    (row,) = evaluate(facts, DAY).training
    assert row.status is Status.in_grace and row.due_on == date(2027, 3, 31)
    assert evaluate(facts, date(2026, 9, 30)).training == ()  # not yet a leader
    (later,) = evaluate(facts, date(2027, 4, 1)).training
    assert later.status is Status.missing
