"""The demo's risk register: fifteen risks of the mechanical workshop across the
departments, linked to the demo routines by title. One high risk (confined spaces) has no
routine, two have not been assessed for more than a year, and the planned measures have
owners and deadlines (one past its deadline). The demo's "brudd på rutine" deviations
name the routine that was broken, and one more breach of hot work makes that routine
broken twice in the last 12 months (highlighted on /routines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from hms_tracker.audit.service import recorded_at
from hms_tracker.deviations.models import CorrectiveAction, Deviation, DeviationCategory
from hms_tracker.risks.models import Risk, RiskRoutine
from hms_tracker.rules.engine import add_months

if TYPE_CHECKING:
    from hms_tracker.demo.builder import DemoCompany

ADMINISTRATION = "Administrasjon"
PRODUCTION = "Produksjon"
WELDING = "Sveis og montering"
WAREHOUSE = "Lager og logistikk"
MAINTENANCE = "Vedlikehold"

HOT_WORK = "Varmt arbeid"
LIFTING = "Løfteoperasjoner og traverskran"
CHEMICALS = "Kjemikalier og stoffkartotek"
FIRE = "Brannvern og evakuering"
ALONE = "Alenearbeid"
PPE = "Personlig verneutstyr"
LOTO = "Maskinsikkerhet og energiisolering (LOTO)"
TRUCK = "Truckkjøring"
NOISE = "Støy og hørselvern"
ERGONOMICS = "Ergonomi og manuelt arbeid"
WASTE = "Avfallshåndtering og farlig avfall"
FIRST_AID = "Førstehjelp og personskade"


@dataclass(frozen=True)
class DemoRisk:
    title: str
    department: str
    consequence: int
    probability: int
    description: str
    existing: str
    routines: tuple[str, ...] = ()
    assessed_days_ago: int = 60
    # (what, days from today to the deadline; negative is past, done_days_ago or None)
    measures: tuple[tuple[str, int, int | None], ...] = ()


RISKS: tuple[DemoRisk, ...] = (
    DemoRisk(
        "Arbeid i trange rom (tanker og siloer)",
        MAINTENANCE,
        5,
        2,
        "Rengjøring og reparasjon inne i tanker: fare for oksygenmangel og giftige gasser.",
        "Gassmåler lånes ved behov.",
        routines=(),
        measures=(
            ("Skriv rutine for arbeid i trange rom med vakt og gassmåling", 30, None),
            ("Kjøp egen firegass-måler", -10, None),
        ),
    ),
    DemoRisk(
        "Sveising og sliping utenfor sveisehallen",
        WELDING,
        4,
        3,
        "Gnister kan tenne brennbart materiale på lageret og i produksjonen.",
        "Arbeidstillatelse, brannvakt i 1 time etter arbeidet, slukkeutstyr ved arbeidsstedet.",
        routines=(HOT_WORK, FIRE),
        measures=(("Kurs i varme arbeider for alle innleide sveisere", 45, None),),
    ),
    DemoRisk(
        "Løft med traverskran",
        PRODUCTION,
        5,
        2,
        "Hengende last kan falle ved feil anhuking eller slitt løfteutstyr.",
        "Sertifiserte kranførere, årlig kontroll av kran og stropper.",
        routines=(LIFTING,),
    ),
    DemoRisk(
        "Truckkjøring i smale ganger",
        WAREHOUSE,
        4,
        3,
        "Påkjørsel av gående mellom reolene.",
        "Truckførerbevis, gangsoner merket i gult.",
        routines=(TRUCK,),
        measures=(("Speil i krysset ved reol 12", -40, 20),),
    ),
    DemoRisk(
        "Kjemikalier i vedlikeholdsverkstedet",
        MAINTENANCE,
        3,
        3,
        "Løsemidler og oljer uten merking; hudkontakt og innånding.",
        "Stoffkartotek, avtrekk over vaskebenken.",
        routines=(CHEMICALS,),
        measures=(("Merk alle kanner og oppdater stoffkartoteket", 14, None),),
    ),
    DemoRisk(
        "Støy fra platesaks og kantpresse",
        PRODUCTION,
        3,
        4,
        "Støy over 85 dB(A) store deler av dagen.",
        "Hørselvern påbudt, årlig hørselstest.",
        routines=(NOISE, PPE),
        assessed_days_ago=420,
    ),
    DemoRisk(
        "Roterende maskiner under vedlikehold",
        MAINTENANCE,
        5,
        2,
        "En maskin som startes mens noen arbeider på den.",
        "Låsing og merking (LOTO) med personlige hengelåser.",
        routines=(LOTO,),
    ),
    DemoRisk(
        "Alenearbeid på kveldsskift",
        PRODUCTION,
        4,
        2,
        "Den som skades alene, får ikke hjelp i tide.",
        "Innsjekking hver time via telefon.",
        routines=(ALONE,),
    ),
    DemoRisk(
        "Brann i lager med emballasje",
        WAREHOUSE,
        5,
        1,
        "Papp og plast brenner raskt.",
        "Sprinkleranlegg, rømningsøvelse to ganger i året.",
        routines=(FIRE,),
    ),
    DemoRisk(
        "Manuell håndtering av tunge emner",
        WELDING,
        3,
        4,
        "Belastningsskader i rygg og skuldre.",
        "Løftebord ved to av fire arbeidsstasjoner.",
        routines=(ERGONOMICS,),
        measures=(("Løftebord til de to siste stasjonene", 60, None),),
    ),
    DemoRisk(
        "Kutt ved platebearbeiding",
        PRODUCTION,
        2,
        4,
        "Skarpe kanter på plater og spon.",
        "Kuttsikre hansker.",
        routines=(PPE,),
    ),
    DemoRisk(
        "Sveiserøyk",
        WELDING,
        3,
        3,
        "Helseskadelig røyk ved sveising av rustfritt stål.",
        "Punktavsug, friskluftsmaske ved rustfritt.",
        routines=(PPE,),
        assessed_days_ago=500,
    ),
    DemoRisk(
        "Farlig avfall blandes med restavfall",
        MAINTENANCE,
        2,
        3,
        "Oljefiltre og spraybokser i feil container.",
        "Merket container for farlig avfall.",
        routines=(WASTE,),
    ),
    DemoRisk(
        "Skjermarbeid og belastning",
        ADMINISTRATION,
        2,
        3,
        "Nakke- og skuldersmerter.",
        "Hev/senk-pulter.",
        routines=(ERGONOMICS,),
    ),
    DemoRisk(
        "Førstehjelp ved alvorlig skade",
        ADMINISTRATION,
        4,
        1,
        "For sen hjelp ved alvorlig skade i produksjonen.",
        "Førstehjelpere på hvert skift, hjertestarter i resepsjonen.",
        routines=(FIRST_AID,),
    ),
)

# The demo's "brudd på rutine" deviations, by a word in their title or description, and
# the routine broken (demo/deviations.py names it when the deviation is reported).
BREACH_ROUTINES: tuple[tuple[str, str], ...] = (
    ("varmt arbeid", HOT_WORK),
    ("sikkerhetsbriller", PPE),
    ("verneutstyr", PPE),
    ("sikkerhetssjekk", LIFTING),
    ("truck", TRUCK),
    ("merking", CHEMICALS),
    ("kjemikal", CHEMICALS),
)


def _at(day: object) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def build_risks(session: Session, *, company: DemoCompany) -> list[Risk]:
    """Each risk written as it happened, each step recorded at its own time
    (`recorded_at`): registered (at least 14 months ago) with its routines, assessed on
    its assessment date, its measures planned a month before their deadline and done on
    the day they were done."""
    today = company.today
    routines = {r.title: r for r in company.routines}
    risks = []
    for plan in RISKS:
        department = company.departments[plan.department]
        owner = company.leaders.get(plan.department)
        assessed = today - timedelta(days=plan.assessed_days_ago)
        created = _at(min(assessed, add_months(today, -14)))
        risk = Risk(
            title=plan.title,
            description=plan.description,
            department_id=department.id,
            consequence=plan.consequence,
            probability=plan.probability,
            existing_measures=plan.existing,
            last_assessed_on=created.date(),
            owner_person_id=owner.id if owner else None,
            created_at=created,
        )
        with recorded_at(created):
            session.add(risk)
            session.flush()
            for title in plan.routines:
                if title in routines:
                    session.add(RiskRoutine(risk_id=risk.id, routine_id=routines[title].id))
            session.flush()
        if assessed > risk.last_assessed_on:
            with recorded_at(_at(assessed)):
                risk.last_assessed_on = assessed
                risk.version += 1
                session.add(risk)
                session.flush()
        for what, deadline_in, done_days_ago in plan.measures:
            deadline = today + timedelta(days=deadline_in)
            measure = CorrectiveAction(
                risk_id=risk.id,
                description=what,
                owner_person_id=owner.id if owner else company.people[0].id,
                deadline=deadline,
                created_at=_at(min(today, deadline) - timedelta(days=30)),
            )
            with recorded_at(measure.created_at):
                session.add(measure)
                session.flush()
            if done_days_ago is not None:
                done_on = today - timedelta(days=done_days_ago)
                with recorded_at(_at(done_on)):
                    measure.done_on = done_on
                    measure.done_note = "Montert."
                    measure.version += 1
                    session.add(measure)
                    session.flush()
        risks.append(risk)
    _breach_of_hot_work(session, company=company, routines=routines)
    return risks


def _breach_of_hot_work(
    session: Session, *, company: DemoCompany, routines: dict[str, object]
) -> None:
    """One more breach of hot work, so that routine is broken twice in the last 12 months.
    (The other breaches name their routine when reported, demo/deviations.py.)"""
    if HOT_WORK not in routines:
        return
    welder = next(
        (p for p in company.people if p.department_id == company.departments[WELDING].id),
        company.people[0],
    )
    # Registered on the last weekday before today: the demo's deviation ids follow their
    # registration days.
    yesterday = company.today - timedelta(days=1)
    when = _at(yesterday - timedelta(days=max(0, yesterday.weekday() - 4)))
    extra = Deviation(
        title="Sliping uten brannvakt ved emballasjelageret",
        description="Det ble slipt ved pappballene uten arbeidstillatelse og uten brannvakt "
        "etterpå.",
        department_id=company.departments[WELDING].id,
        place="Emballasjelageret",
        occurred_at=when,
        category=DeviationCategory.routine_breach.value,
        consequence=4,
        probability=2,
        reporter_person_id=welder.id,
        routine_id=routines[HOT_WORK].id,  # type: ignore[attr-defined]
        created_at=when + timedelta(minutes=30),
    )
    with recorded_at(extra.created_at):
        session.add(extra)
        session.flush()
    company.deviations.append(extra)
