"""The inspection pack (both databases): one ZIP with the overview and the evidence for the
day Arbeidstilsynet comes, made only for the coordinator and recorded in the audit trail;
anonymous reports stay anonymous in it, and it covers the last three years."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, time, timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlmodel import func, select

from hms_tracker.amu.inspection import pack_start
from hms_tracker.amu.models import AmuAgendaItem, AmuAttendance, AmuMeeting, AmuReport
from hms_tracker.appointments.models import Appointment, AppointmentArea
from hms_tracker.audit.models import AuditEvent
from hms_tracker.compliance.presenter import present
from hms_tracker.compliance.service import report_on
from hms_tracker.db import utcnow
from hms_tracker.deviations.models import CorrectiveAction, Deviation
from hms_tracker.deviations.service import hash_receipt_code, normalise_receipt_code
from hms_tracker.organisation.models import CompanySetting, Department, Person
from hms_tracker.risks.models import Risk
from hms_tracker.routines.models import RoutineAcknowledgement, RoutineVersion
from hms_tracker.training.models import Certificate, CourseType, TrainingRecord
from hms_tracker.web.dates import today
from hms_tracker.web.pdf import latin1
from tests.amu.test_meetings import _committee, _overdue_routine
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_leader, make_person, make_user
from tests.login import login_admin, login_as

COMPANY = "Nordlys Verksted AS"
CODE_PATTERN = re.compile(r'class="receipt-code">([A-Z0-9-]+)<')
CERTIFICATE = b"%PDF-1.4\n% kursbevis for Kari Verneombud, 40 timer\n%%EOF\n"
WITHDRAWN_CERTIFICATE = b"%PDF-1.4\n% registrert ved en feil\n%%EOF\n"
BASE_FILES = {
    "oversikt.pdf",
    "verv.csv",
    "opplaering.csv",
    "rutiner.csv",
    "risikoregister.csv",
    "avvikslogg.csv",
}


def _words(text: str) -> str:
    return " ".join(text.split())


def _pdf_text(content: bytes) -> str:
    return _words(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def _csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _download(client) -> zipfile.ZipFile:
    answer = client.submit("/inspection/pack", {}, token_page="/inspection")
    assert answer.status_code == 200, answer.text[:800]
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="tilsynspakke-{today().isoformat()}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
    return archive


def _oslo(day: date, hour: int, minute: int) -> str:
    """A local time as the report form takes it."""
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def _approved_meeting(session, day, chair, minutes):
    """A meeting held on `day` with everyone in AMU called and present, one agenda item
    with its minutes, approved by the chair (locked from then on)."""
    meeting = AmuMeeting(
        meets_on=day, starts_at=time(9), ends_at=time(11), status="held", place="Kantina"
    )
    session.add(meeting)
    session.flush()
    for appointment in session.exec(select(Appointment).where(Appointment.kind == "amu_member")):
        session.add(
            AmuAttendance(meeting_id=meeting.id, appointment_id=appointment.id, attended=True)
        )
    session.add(
        AmuAgendaItem(meeting_id=meeting.id, position=1, title="Orientering", minutes=minutes)
    )
    session.flush()
    meeting.minutes_approved_at = utcnow()
    meeting.minutes_approved_by_person_id = chair.person_id
    session.add(meeting)
    session.flush()
    return meeting


def _company(client, session) -> dict:
    """A small company with one of everything the pack holds, an anonymous report made by
    a logged-in employee through /report, and the coordinator logged in on `client`;
    returns what the tests check against."""
    day = today()
    session.add(CompanySetting(key="company_name", value=COMPANY))
    member, chair, _appointments = _committee(session)
    production = session.exec(select(Department).where(Department.name == "Produksjon")).one()
    # A verneombud with 40 hours of training and the certificate uploaded; an earlier record
    # of the same course withdrawn (registered by mistake), with a certificate of its own.
    kari = make_person(session, name="Kari Verneombud", department=production)
    safety_rep = Appointment(
        kind="safety_rep",
        person_id=kari.id,
        starts_on=day - timedelta(400),
        ends_on=day + timedelta(330),
    )
    session.add(safety_rep)
    session.flush()
    session.add(AppointmentArea(appointment_id=safety_rep.id, department_id=production.id))
    course = CourseType(
        name="Grunnkurs i HMS",
        legal_basis="AML § 6-5",
        required_hours=Decimal(40),
        required_for="safety_rep",
    )
    certificate = Certificate(
        content=CERTIFICATE,
        content_type="application/pdf",
        filename="../../Kari sertifikat.pdf",
        size=len(CERTIFICATE),
    )
    mistaken = Certificate(
        content=WITHDRAWN_CERTIFICATE,
        content_type="application/pdf",
        filename="feil.pdf",
        size=len(WITHDRAWN_CERTIFICATE),
    )
    session.add_all([course, certificate, mistaken])
    session.flush()
    record = TrainingRecord(
        person_id=kari.id,
        course_type_id=course.id,
        hours=Decimal(40),
        completed_on=day - timedelta(100),
        certificate_id=certificate.id,
    )
    session.add(record)
    session.add(
        TrainingRecord(
            person_id=kari.id,
            course_type_id=course.id,
            hours=Decimal(8),
            completed_on=day - timedelta(200),
            certificate_id=mistaken.id,
            withdrawn_on=day - timedelta(150),
            withdrawn_reason="Feil person",
        )
    )
    # A routine in force, read by one person; a risk.
    routine = _overdue_routine(session, title="Arbeid på stillas")
    version = session.exec(
        select(RoutineVersion).where(RoutineVersion.routine_id == routine.id)
    ).one()
    session.add(RoutineAcknowledgement(routine_version_id=version.id, person_id=kari.id))
    session.add(
        Risk(
            title="Fall fra stillas",
            department_id=production.id,
            consequence=5,
            probability=4,
            existing_measures="Rekkverk",
            last_assessed_on=day,
        )
    )
    # Deviations: a named one with an action; one on the first day of the three years (just
    # after midnight in Oslo) and one the evening before it; one four years ago.
    leader = make_leader(session, department=production)
    nils = make_person(session, name="Nils Navnesen", department=production)
    named, _no_code = make_deviation(session, production, reporter=nils, title="Kran uten sikring")
    session.add(
        CorrectiveAction(
            deviation_id=named.id,
            description="Montere sikring på kranen",
            owner_person_id=leader.person_id,
            deadline=day + timedelta(14),
        )
    )
    start = pack_start(day)
    for title, when in [
        ("Første dag i perioden", _oslo(start, 0, 30)),
        ("Kvelden før perioden", _oslo(start - timedelta(1), 23, 30)),
        ("Gammelt avvik", _oslo(day - timedelta(365 * 4), 12, 0)),
    ]:
        make_deviation(session, production, reporter=nils, title=title, occurred_at=when)
    # AMU: approved minutes of a meeting two months ago and of one four years ago; the
    # approved yearly reports of last year and of four years ago.
    chair_person = session.get(Person, chair.person_id)
    meeting = _approved_meeting(session, day - timedelta(60), chair, "Verneombudet orienterte.")
    _approved_meeting(session, day - timedelta(365 * 4), chair, "Et gammelt møte.")
    session.add(
        AmuReport(
            year=day.year - 1,
            text="Utvalget har hatt et godt år.",
            approved_at=utcnow(),
            approved_by_person_id=chair.person_id,
        )
    )
    session.add(
        AmuReport(
            year=day.year - 4,
            text="Et gammelt år.",
            approved_at=utcnow(),
            approved_by_person_id=chair.person_id,
        )
    )
    anne = make_user(
        session,
        person=make_person(
            session,
            name="Anne Anonymsen",
            email="anne.anonymsen@test.example",
            department=production,
        ),
    )
    session.commit()
    # Anne reports anonymously while logged in: nothing ties the report to her.
    login_as(client, session, anne)
    reported = client.submit(
        "/report", report_form(production, title="Lekkasje i taket"), token_page="/report"
    )
    assert reported.status_code == 303, reported.text[:800]
    receipt = CODE_PATTERN.search(client.get("/report/receipt").text)
    assert receipt, "no receipt code"
    admin = login_admin(client, session)
    # This year's review (the self-assessment), taken by the coordinator.
    taken = client.submit("/barometer/snapshots", {}, token_page="/barometer")
    assert taken.status_code == 303, taken.text[:800]
    return {
        "day": day,
        "kari": kari,
        "chair": chair_person,
        "record": record,
        "meeting": meeting,
        "admin": admin,
        "member": member,
        "leader": leader,
        "code": receipt.group(1),
        "production": production,
    }


def _findings(archive: zipfile.ZipFile) -> dict[str, str]:
    """Every file of the ZIP as text to search: its bytes (as UTF-8 and as Latin-1), and a
    PDF's extracted text too (its page streams are compressed)."""
    texts = {}
    for name in archive.namelist():
        content = archive.read(name)
        text = content.decode("utf-8", "replace") + "\n" + content.decode("latin-1")
        if name.endswith(".pdf") and not name.startswith("sertifikater/"):
            text += "\n" + _pdf_text(content)
        texts[name] = text.lower()
    return texts


def test_the_pack_holds_the_overview_and_the_evidence_of_a_small_company(client, session):
    world = _company(client, session)
    day, record = world["day"], world["record"]
    archive = _download(client)
    certificate = (
        f"sertifikater/{record.completed_on.isoformat()}-kari-verneombud-grunnkurs-i-hms-"
        f"{record.id}.pdf"
    )
    meeting_day = world["meeting"].meets_on.isoformat()
    assert set(archive.namelist()) == BASE_FILES | {
        certificate,
        f"amu/referat-{meeting_day}.pdf",
        f"amu/arsrapport-{day.year - 1}.pdf",
        f"egenvurdering-{day.year}.pdf",
    }
    assert archive.namelist()[0] == "oversikt.pdf"
    assert all(name.isascii() for name in archive.namelist())
    assert archive.read(certificate) == CERTIFICATE  # the uploaded file itself, renamed

    # Who represents whom, with their terms and the chair.
    verv = _csv(archive.read("verv.csv"))
    [rep] = [r for r in verv if r["Verv"] == "Verneombud"]
    assert rep["Navn"] == "Kari Verneombud" and rep["Verneområde"] == "Produksjon"
    assert rep["Fra"] == (day - timedelta(400)).isoformat()
    assert rep["Til og med"] == (day + timedelta(330)).isoformat()
    amu = [r for r in verv if r["Verv"] == "AMU-medlem"]
    assert len(amu) == 7  # the committee of tests/amu/test_meetings.py, deputies and BHT too
    assert [r["Navn"] for r in amu if r["Leder av AMU"] == "Ja"] == [world["chair"].name]
    assert {r["Navn"] for r in amu if r["Vara"] == "Ja"} == {"Dag Vara", "Per Vara"}

    # Training: the verneombud's course done, with the certificate beside it.
    training = _csv(archive.read("opplaering.csv"))
    [kari] = [
        r for r in training if (r["Navn"], r["Kurs"]) == ("Kari Verneombud", "Grunnkurs i HMS")
    ]
    assert (kari["Kurs"], kari["Verv"], kari["Hjemmel"]) == (
        "Grunnkurs i HMS",
        "Verneombud",
        "AML § 6-5",
    )
    hours = [Decimal(kari[c].replace(",", ".")) for c in ("Timer fullført", "Timer kreves")]
    assert hours == [40, 40] and "." not in kari["Timer fullført"]  # a decimal comma, as /training
    assert kari["Status"] == "I orden" and kari["Kursbevis"] == certificate
    assert kari["Fullført"] == record.completed_on.isoformat()

    # Routines in force with their acknowledgement.
    [routine] = _csv(archive.read("rutiner.csv"))
    employed = session.exec(select(func.count()).select_from(Person)).one()
    assert routine["Rutine"] == "Arbeid på stillas" and routine["Versjon"] == "1"
    assert (routine["I målgruppen"], routine["Lest og forstått"]) == (str(employed), "1")
    assert routine["Andel"] == f"{100 // employed} %"

    [risk] = _csv(archive.read("risikoregister.csv"))
    assert (risk["Arbeidsoppgave eller fare"], risk["Risikoscore"], risk["Risikonivå"]) == (
        "Fall fra stillas",
        "20",
        "Svært høy risiko",
    )
    assert risk["Avdeling"] == "Produksjon" and risk["Tiltak som er på plass"] == "Rekkverk"

    # The deviation log: the last three years in Oslo days, with actions and reporters.
    log = {r["Tittel"]: r for r in _csv(archive.read("avvikslogg.csv"))}
    assert set(log) == {"Kran uten sikring", "Første dag i perioden", "Lekkasje i taket"}
    assert log["Kran uten sikring"]["Meldt av"] == "Nils Navnesen"
    assert "Montere sikring på kranen" in log["Kran uten sikring"]["Tiltak"]
    assert "frist " + (day + timedelta(14)).isoformat() in log["Kran uten sikring"]["Tiltak"]
    anonymous = log["Lekkasje i taket"]
    assert anonymous["Meldt av"] == "Anonym" and anonymous["Anonym"] == "Ja"
    names = session.exec(select(Person.name)).all()
    assert not [n for n in names if n in " ".join(anonymous.values())]

    # The AMU's approved documents and the latest self-assessment.
    minutes = _pdf_text(archive.read(f"amu/referat-{meeting_day}.pdf"))
    assert "Referat fra AMU-møte" in minutes and "Verneombudet orienterte." in minutes
    assert f"Godkjent av {world['chair'].name}" in minutes
    report = _pdf_text(archive.read(f"amu/arsrapport-{day.year - 1}.pdf"))
    assert "Utvalget har hatt et godt år." in report
    assert f"Årlig gjennomgang {day.year}" in _pdf_text(
        archive.read(f"egenvurdering-{day.year}.pdf")
    )

    # The overview tells it all on A4, with the gaps of today by title.
    overview = _pdf_text(archive.read("oversikt.pdf"))
    for text in [
        "Tilsynspakke",
        COMPANY,
        "Kari Verneombud (Produksjon)",
        f"Leder av arbeidsmiljøutvalget i dag: {world['chair'].name}.",
        "1 rutine er i kraft.",
        f"Bekreftet lest og forstått: 1 av {employed}",
        "1 kursbevis ligger ved.",
        "1 godkjent referat ligger ved.",
        "1 godkjent årsrapport ligger ved.",
        f"Siste årlige gjennomgang: {day.year}",
        "Avvik de siste tre årene",
        "Nestenulykke",
        "Innholdet i pakken",
        "avvikslogg.csv",
        f"amu/referat-{meeting_day}.pdf",
        "sertifikater/ 1 kursbevis",
    ]:
        assert _words(latin1(text)) in overview, text
    gaps = [present(f).title for f in report_on(session=session, day=day).findings if f.is_gap]
    assert gaps, "the small company has open gaps (e.g. the routine overdue for review)"
    for title in gaps:
        assert _words(latin1(title)) in overview, title


def test_anonymous_reports_stay_anonymous_and_old_records_stay_out(client, session):
    world = _company(client, session)
    code = world["code"]
    texts = _findings(_download(client))
    secrets = [
        "Anne Anonymsen",
        "anne.anonymsen@test.example",
        code,
        normalise_receipt_code(code),
        hash_receipt_code(code),
    ]
    stored = session.exec(
        select(Deviation.receipt_code_hash).where(Deviation.anonymous.is_(True))  # type: ignore[union-attr]
    ).all()
    assert stored == [hash_receipt_code(code)]
    leaks = [(s, name) for s in secrets for name, text in texts.items() if s.lower() in text]
    assert leaks == []
    # Older than three years (in Oslo days) is not in the pack, in no file.
    for old in ["Kvelden før perioden", "Gammelt avvik", "Et gammelt møte.", "Et gammelt år."]:
        assert not [name for name, text in texts.items() if old.lower() in text], old
    # The withdrawn record's certificate stays out.
    assert not [n for n in texts if n.startswith("sertifikater/") and "feil" in texts[n]]


def test_the_download_is_in_the_audit_trail(client, session):
    admin = login_admin(client, session)
    archive = _download(client)
    assert set(archive.namelist()) == BASE_FILES  # nothing registered: the files, empty
    assert [r for r in _csv(archive.read("avvikslogg.csv"))] == []
    assert "Ingen verv er registrert i dag." in _pdf_text(archive.read("oversikt.pdf"))
    session.expire_all()
    [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection_pack")).all()
    assert (event.action, event.entity_id) == ("downloaded", today().isoformat())
    assert event.actor_person_id == admin.person_id and event.actor_user_id == admin.id
    assert event.after["files"] == len(BASE_FILES) and event.after["deviations"] == 0


def test_only_the_coordinator_gets_the_pack(client, session):
    member, _chair, _apps = _committee(session)
    production = session.exec(select(Department).where(Department.name == "Produksjon")).one()
    leader = make_leader(session, department=production)
    employee = make_user(session, department=production)
    session.commit()
    for user in (leader, member, employee):
        login_as(client, session, user)
        assert client.get("/inspection").status_code == 403
        refused = client.submit("/inspection/pack", {}, token_page="/")
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
    client.cookies.clear()
    anonymous = client.get("/inspection", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Finspection"
    assert client.submit("/inspection/pack", {}, token_page="/login").status_code == 403
    session.expire_all()
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection_pack")).all() == []
    )

    login_admin(client, session)
    page = client.get("/inspection")
    assert page.status_code == 200
    assert 'action="/inspection/pack"' in page.text and 'name="csrf_token"' in page.text
    assert "registrert i endringsloggen" in page.text
    assert 'href="/inspection"' in client.get("/amu").text
    # Not a download by link: GET on the pack is refused, and nothing is recorded.
    assert client.get("/inspection/pack").status_code == 405
    login_as(client, session, member)
    assert 'href="/inspection"' not in client.get("/amu").text
    session.expire_all()
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection_pack")).all() == []
    )
