"""Demo routines of the mechanical workshop: fifteen HMS routines in Norwegian, with owners,
scopes and tags; three past their review date, one with a new version that most people
have not read yet, one with a draft in progress, and acknowledgements by most employees.

Called from demo/builder.py (`build_routines`), written through the ORM in the demo's
transaction, so the audit trail records it with the actor "demo".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from hms_tracker.audit.service import recorded_at
from hms_tracker.organisation.models import Person
from hms_tracker.routines.models import (
    ReviewOutcome,
    Routine,
    RoutineAcknowledgement,
    RoutineAttachment,
    RoutineDepartment,
    RoutineReview,
    RoutineTag,
    RoutineVersion,
    VersionStatus,
)
from hms_tracker.rules.departments import subtree_of
from hms_tracker.rules.engine import add_months, routine_review_due
from hms_tracker.web.i18n import OSLO

if TYPE_CHECKING:
    from hms_tracker.demo.builder import DemoCompany

# Department names as in demo/builder.py (imported there, so not imported here).
ADMINISTRATION = "Administrasjon"
PRODUCTION = "Produksjon"
WELDING = "Sveis og montering"
WAREHOUSE = "Lager og logistikk"
MAINTENANCE = "Vedlikehold"
COORDINATOR_EMAIL = "koordinator@example.com"
EMPLOYEE_EMAIL = "ansatt@example.com"


@dataclass(frozen=True)
class DemoRoutine:
    title: str
    purpose: str
    body: str
    tags: tuple[str, ...]
    departments: tuple[str, ...] = ()  # empty: the whole company
    owner: str = COORDINATOR_EMAIL  # an e-mail, or a department name (its leader)
    published_months_ago: int = 4
    reviewed_months_ago: int | None = None  # a review "no change" this long ago
    interval_months: int = 12
    read_share: float = 0.85  # of the people in scope, who acknowledged
    # A newer version published this many days ago (read by few), with its body.
    new_version_days_ago: int | None = None
    new_body: str | None = None
    new_note: str | None = None
    draft_body: str | None = None  # a draft in progress


HOT_WORK = """\
Varmt arbeid er sveising, skjæring, sliping og annet arbeid som gir gnister eller varme.
Innenfor sveisehallen er varmt arbeid en del av den daglige driften. **Utenfor** sveisehallen
krever det alltid skriftlig tillatelse.

# Før arbeidet

1. Fyll ut skjemaet *Tillatelse til varmt arbeid* og få det signert av formann eller
   vedlikeholdsleder.
2. Fjern brennbart materiale innenfor 10 meter, eller dekk det til med brannduk.
3. Ha minst ett 6 kg pulverapparat eller et skumapparat klart ved arbeidsstedet.
4. Sjekk at avtrekket virker og at gassflaskene står sikret i tralle.

# Under arbeidet

- Bruk sveisemaske, skinnhansker og flammehemmende arbeidstøy.
- Vær oppmerksom på sprekker og åpninger i gulv og vegger der gnister kan falle gjennom.

# Etter arbeidet

- Brannvakt i **minst 60 minutter** etter at arbeidet er avsluttet.
- Lever den signerte tillatelsen til formannen.

Se også [Norsk brannvernforening om varme arbeider](https://www.brannvernforeningen.no).
"""

LIFTING = """\
Bare personer med dokumentert opplæring (modul G4 for traverskran) kan bruke kranene.

# Før løftet

- Kontroller løfteredskapet (stropper, kjetting, sjakler) for skader. Kasser skadet utstyr
  og merk det «Ikke bruk».
- Kjenn vekten på lasten. Arbeidslast (WLL) på redskapet skal ikke overskrides.
- Sperr av området under lastens vei.

# Under løftet

- Ingen skal oppholde seg under hengende last.
- Bruk styretau på lange eller uhåndterlige emner.
- Kranføreren har ansvaret for løftet og kan stanse det når som helst.

# Sakkyndig kontroll

Kranene har sakkyndig kontroll hvert år. Kontrollbeviset henger ved hovedbryteren.
Avvik på kran eller redskap meldes som avvik i HMS-systemet samme dag.
"""

CHEMICALS = """\
Alle kjemikalier vi bruker, står i stoffkartoteket med oppdatert sikkerhetsdatablad (SDS).

# Regler

1. Nye kjemikalier skal godkjennes av HMS-koordinator **før** de tas i bruk.
2. Les sikkerhetsdatabladet før du bruker et produkt første gang.
3. Oppbevar kjemikalier i originalemballasje, i låst og ventilert skap.
4. Bruk verneutstyret databladet krever (hansker, briller, åndedrettsvern).
5. Søl tørkes opp straks med absorbent fra spillsettet ved kjemikalieskapet.

# Stoffkartoteket

Kartoteket ligger i HMS-permen i hvert skiftrom og digitalt hos leverandøren. Produktansvarlig
på lageret oppdaterer det når et produkt kommer inn eller fases ut, og gjennomgår det hvert år.

# Ved eksponering

- Hud: skyll med mye vann i minst 15 minutter.
- Øyne: bruk øyeskyllestasjonen, skyll i minst 15 minutter, ring lege.
- Ring Giftinformasjonen på **22 59 13 00** ved tvil.
"""

FIRST_AID = """\
# Når noen er skadet

1. **Skaff oversikt** – er det fare for deg eller andre? Stans maskiner.
2. **Varsle** – ring **113** ved alvorlig skade. Si hvor du er: Nordvik Mekaniske AS,
   Industriveien 12.
3. **Gi førstehjelp** – frie luftveier, stans blødning, forebygg nedkjøling.
4. Send noen for å ta imot ambulansen ved porten.

# Utstyr

- Førstehjelpsskrin i hvert skiftrom, ved sveisehallen og i lageret.
- Hjertestarter ved resepsjonen og i produksjonshallen.
- Øyeskyllestasjoner ved kjemikalieskapene og slipemaskinene.

# Etterpå

- Meld skaden som avvik i HMS-systemet samme dag.
- Alvorlig personskade meldes straks til Arbeidstilsynet og politiet (arbeidsmiljøloven § 5-2).
  Nærmeste leder har ansvaret for det.

Hvert skift skal ha minst to personer med gyldig førstehjelpskurs.
"""

FIRE_V1 = """\
# Hvis du oppdager brann

1. **Varsle** – utløs nærmeste brannalarm og ring **110**.
2. **Redde** – hjelp personer i fare ut.
3. **Slokke** – forsøk å slokke hvis det er trygt.
4. **Begrense** – lukk dører og vinduer.

# Evakuering

- Gå rolig ut nærmeste merkede rømningsvei. Ikke bruk heisen.
- Møt på **samlingsplassen ved porten mot Industriveien**.
- Skiftleder teller opp med dagens tilstedeværelsesliste.

# Forebygging

- Rømningsveier og slokkeutstyr skal aldri blokkeres.
- Brannøvelse gjennomføres to ganger i året.
"""

FIRE_V2 = """\
# Hvis du oppdager brann

1. **Varsle** – utløs nærmeste brannalarm og ring **110**.
2. **Redde** – hjelp personer i fare ut.
3. **Slokke** – forsøk å slokke hvis det er trygt.
4. **Begrense** – lukk dører og vinduer.

# Evakuering

- Gå rolig ut nærmeste merkede rømningsvei. Ikke bruk heisen.
- Møt på **den nye samlingsplassen på parkeringsplassen øst**, ved flaggstangen.
- Skiftleder teller opp med tilstedeværelseslisten i inn- og utsjekkingssystemet.
- Ingen går inn igjen før brannvesenet har gitt klarsignal.

# Forebygging

- Rømningsveier og slokkeutstyr skal aldri blokkeres.
- Brannøvelse gjennomføres to ganger i året.
- Gassflasker stenges og settes i flaskeburet ved arbeidsdagens slutt.
"""

WHISTLEBLOWING = """\
Du har rett til å varsle om kritikkverdige forhold i virksomheten (arbeidsmiljøloven
kapittel 2 A). Eksempler er fare for liv og helse, trakassering, diskriminering,
korrupsjon og brudd på lover eller interne regler.

# Slik varsler du

- Til nærmeste leder, eller til daglig leder hvis saken gjelder lederen din.
- Til verneombudet eller tillitsvalgt.
- Skriftlig til varslingsadressen [varsling@nordvik.example](mailto:varsling@nordvik.example),
  som bare daglig leder og HR-rådgiver leser.
- Til Arbeidstilsynet eller en annen offentlig myndighet.

Du kan varsle anonymt gjennom HMS-systemets avviksskjema.

# Slik behandler vi varselet

1. Du får bekreftet at varselet er mottatt innen **tre virkedager**.
2. Saken undersøkes uten ugrunnet opphold, og du får vite utfallet.
3. Den du varsler om, får uttale seg.
4. Opplysninger om hvem som har varslet, holdes fortrolig.

**Gjengjeldelse mot den som varsler, er forbudt.**
"""

ALONE = """\
Alenearbeid er arbeid der du ikke kan se eller høre andre, for eksempel vedlikehold utenfor
ordinær arbeidstid og varetelling i høylageret.

# Regler

- Arbeid med høy risiko (varmt arbeid, arbeid i høyden, arbeid på strømførende anlegg,
  kranløft) skal **aldri** gjøres alene.
- Meld fra til vaktansvarlig når du starter og avslutter alenearbeid.
- Bær personalarmen (trygghetsalarm) og test den ved start.
- Avtal faste tidspunkter for kontakt, minst hver annen time.

Hvis du ikke svarer ved avtalt tidspunkt, starter vaktansvarlig leting etter deg.
"""

PPE = """\
| Område | Påbudt utstyr |
|---|---|
| Produksjonshallen | Vernesko, vernebriller, hørselvern |
| Sveisehallen | Vernesko, sveisemaske, skinnhansker, flammehemmende tøy |
| Lageret | Vernesko, synlighetsvest |
| Vedlikehold | Vernesko, vernebriller, hjelm ved arbeid under last |

- Utstyret får du hos lageret, uten kostnad. Bytt ut slitt utstyr.
- Bruk av verneutstyr er ikke valgfritt. Leder skal stanse arbeid uten påbudt utstyr.
- Meld fra om utstyr som ikke passer eller hindrer arbeidet.
"""

LOTO = """\
Før service, rengjøring eller feilretting på maskiner skal **all** energi isoleres:
strøm, trykkluft, hydraulikk og lagret energi (fjærer, tyngdekraft).

# Fremgangsmåte

1. Varsle operatøren og de som jobber i nærheten.
2. Stans maskinen på vanlig måte.
3. Bryt energitilførselen på hovedbryter og ventiler.
4. **Lås** med din personlige hengelås og heng på merkelapp med navn og dato.
5. **Prøv** å starte maskinen for å kontrollere at den er energiløs.
6. Utfør arbeidet.
7. Fjern verktøy, sett på plass vern, fjern låsen og informer operatøren.

Bare den som satte på låsen, kan fjerne den. Vern og sikkerhetsbrytere skal aldri
forbikobles.
"""

TRUCK = """\
- Bare personer med truckførerbevis (T1–T4) og intern kjøretillatelse kan kjøre truck.
- Daglig kontroll før bruk: bremser, styring, horn, lys, gafler og kjetting. Kryss av i
  sjekklisten på trucken.
- Maks fart innendørs er **6 km/t**. Bruk horn ved porter og blindsoner.
- Aldri personer på gaflene. Bruk godkjent arbeidsplattform.
- Parker med gaflene nede og nøkkelen tatt ut.
- Lading skjer bare i ladestasjonen, med god ventilasjon.
"""

NOISE = """\
Støynivået i produksjonshallen er over **85 dB(A)** ved flere maskiner.

- Hørselvern er påbudt i merkede soner.
- Støyende arbeid (sliping, retting med hammer) gjøres i støyskjermet sone når det går.
- Ansatte i støyutsatte jobber tilbys hørselskontroll hos bedriftshelsetjenesten hvert år.
- Nye maskiner skal ha oppgitt støynivå før de kjøpes inn.
"""

ERGONOMICS = """\
- Bruk løftehjelpemidler (vakuumløfter, kran, tralle) ved løft over **25 kg**, eller over
  15 kg ved løft langt fra kroppen.
- Still inn arbeidsbenk og kontorpult i riktig høyde.
- Varier arbeidsstillinger og ta mikropauser ved ensformig arbeid.
- Meld fra til leder om belastende arbeidsoperasjoner. Fysioterapeut fra
  bedriftshelsetjenesten kan vurdere arbeidsplassen.
"""

WASTE = """\
# Sortering

- Metallspon og kapp: egne containere ved hver maskingruppe.
- Papp, plast og restavfall: avfallsstasjonen ved lagerporten.

# Farlig avfall

- Brukt skjærevæske, olje, filler med olje og spraybokser er **farlig avfall**.
- Leveres i merkede fat i miljøstasjonen. Fatene skal være lukket.
- Lageret bestiller henting hos godkjent mottak og arkiverer deklarasjonen.

Søl av olje eller skjærevæske meldes som avvik i kategorien ytre miljø.
"""

DRUGS = """\
- Det er ikke tillatt å være påvirket av alkohol eller andre rusmidler i arbeidstiden.
- Ved mistanke om ruspåvirkning tas personen ut av arbeid, og nærmeste leder følger opp
  samme dag.
- Vi har avtale om AKAN-arbeid: den som har et rusproblem, får tilbud om hjelp.
- Ved firmaarrangementer skal det alltid finnes alkoholfrie alternativer.

Ta kontakt med leder, verneombud eller HR-rådgiver hvis du er bekymret for en kollega.
"""

CHECK_IN = """\
Alle som er på området, skal være registrert, slik at vi vet hvem som må telles opp ved
brann.

# Ansatte

- Sjekk inn og ut med adgangskortet ved porten.

# Besøkende og innleide

1. Meld deg i resepsjonen og få besøkskort.
2. Se sikkerhetsfilmen (5 minutter) ved første besøk.
3. Besøkende skal alltid følges av vertskap i produksjonen.
4. Lever kortet og sjekk ut når du går.

Innleide fra bemanningsforetak får egen HMS-opplæring første arbeidsdag, med
gjennomgang av rutinene for brann, verneutstyr og varsling.
"""

ROUTINES: tuple[DemoRoutine, ...] = (
    DemoRoutine(
        "Varmt arbeid",
        "Hindre brann ved sveising, skjæring og sliping utenfor sveisehallen.",
        HOT_WORK,
        ("varmt-arbeid", "brann"),
        (PRODUCTION, MAINTENANCE),
        owner=WELDING,
        published_months_ago=7,
    ),
    DemoRoutine(
        "Løfteoperasjoner og traverskran",
        "Ingen skal skades av hengende last eller feil på løfteutstyr.",
        LIFTING,
        ("løfting", "kran"),
        (PRODUCTION, WAREHOUSE, MAINTENANCE),
        owner=MAINTENANCE,
        published_months_ago=5,
    ),
    DemoRoutine(
        "Kjemikalier og stoffkartotek",
        "Trygg bruk og oppbevaring av kjemikalier, og et stoffkartotek som er oppdatert.",
        CHEMICALS,
        ("kjemikalier", "stoffkartotek"),
        published_months_ago=9,
        draft_body=CHEMICALS.replace(
            "Ring Giftinformasjonen", "Ring Giftinformasjonen døgnet rundt"
        ),
    ),
    DemoRoutine(
        "Førstehjelp og personskade",
        "Rask og riktig hjelp når noen skades, og at alvorlig skade blir meldt.",
        FIRST_AID,
        ("førstehjelp", "beredskap"),
        published_months_ago=11,
        reviewed_months_ago=2,
    ),
    DemoRoutine(
        "Brannvern og evakuering",
        "Alle kommer seg trygt ut og blir telt opp ved brann.",
        FIRE_V1,
        ("brann", "beredskap"),
        published_months_ago=10,
        read_share=0.9,
        new_version_days_ago=5,
        new_body=FIRE_V2,
        new_note="Ny samlingsplass på parkeringsplassen øst; gassflasker i flaskeburet om kvelden",
    ),
    DemoRoutine(
        "Varsling av kritikkverdige forhold",
        "Skriftlig rutine for varsling etter arbeidsmiljøloven § 2A-6.",
        WHISTLEBLOWING,
        ("varsling",),
        published_months_ago=8,
        read_share=0.7,
    ),
    DemoRoutine(
        "Alenearbeid",
        "Den som arbeider alene, får hjelp raskt hvis noe skjer.",
        ALONE,
        ("alenearbeid",),
        (MAINTENANCE, WAREHOUSE),
        owner=MAINTENANCE,
        published_months_ago=3,
    ),
    DemoRoutine(
        "Personlig verneutstyr",
        "Riktig verneutstyr der risikoen ikke kan fjernes på annen måte.",
        PPE,
        ("verneutstyr",),
        (PRODUCTION, WAREHOUSE, MAINTENANCE),
        published_months_ago=6,
    ),
    DemoRoutine(
        "Maskinsikkerhet og energiisolering (LOTO)",
        "Ingen skades av maskiner som starter mens noen arbeider på dem.",
        LOTO,
        ("maskinsikkerhet", "loto"),
        (PRODUCTION, MAINTENANCE),
        owner=MAINTENANCE,
        published_months_ago=4,
    ),
    DemoRoutine(
        "Truckkjøring",
        "Sikker bruk av truck på lageret og i produksjonen.",
        TRUCK,
        ("truck",),
        (WAREHOUSE,),
        owner=WAREHOUSE,
        published_months_ago=2,
        read_share=0.75,
    ),
    DemoRoutine(
        "Støy og hørselvern",
        "Forebygge hørselsskader i produksjonen.",
        NOISE,
        ("støy", "verneutstyr"),
        (PRODUCTION,),
        owner=PRODUCTION,
        published_months_ago=14,  # past its review date
    ),
    DemoRoutine(
        "Ergonomi og manuelt arbeid",
        "Forebygge belastningsskader ved løft og ensformig arbeid.",
        ERGONOMICS,
        ("ergonomi",),
        published_months_ago=27,
        reviewed_months_ago=13,  # past its review date
    ),
    DemoRoutine(
        "Avfallshåndtering og farlig avfall",
        "Riktig sortering, og farlig avfall levert til godkjent mottak.",
        WASTE,
        ("avfall", "miljø"),
        owner=WAREHOUSE,
        published_months_ago=20,
        interval_months=18,  # past its review date
    ),
    DemoRoutine(
        "Rusmiddelpolicy og AKAN",
        "Et arbeidsmiljø uten rus, og hjelp til den som trenger det.",
        DRUGS,
        ("rus", "akan"),
        published_months_ago=10,
        interval_months=24,
    ),
    DemoRoutine(
        "Inn- og utsjekking",
        "Vi vet hvem som er på området, også besøkende og innleide.",
        CHECK_IN,
        ("adgang", "innleie", "beredskap"),
        published_months_ago=1,
        read_share=0.6,
    ),
)

# A one-page PDF: the first-aid routine's poster.
POSTER_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _at(day: date, rng: random.Random) -> datetime:
    """A time in the working day (07–16 Norwegian time) on `day`, in UTC."""
    local = datetime.combine(day, time(rng.randint(7, 15), rng.randint(0, 59)), OSLO)
    return local.astimezone(UTC)


def build_routines(session: Session, *, company: DemoCompany, rng: random.Random) -> list[Routine]:
    """The routines, each step recorded at its own time (`recorded_at`): written as a
    draft, published, read by most people in the weeks after, reviewed."""
    today = company.today
    coordinator = company.person(COORDINATOR_EMAIL)
    departments = company.departments
    parents = {d.id: d.parent_id for d in departments.values() if d.id is not None}
    routines: list[Routine] = []

    def step(at: datetime, *rows: object) -> None:
        with recorded_at(at):
            session.add_all(rows)
            session.flush()

    def publish(routine: Routine, version: RoutineVersion, on: date, base: date) -> None:
        """The draft becomes the version in force on `on`."""
        assert version.published_at is not None
        version.status = VersionStatus.published.value
        version.published_on = on
        version.published_by_person_id = coordinator.id
        routine.next_review_on = routine_review_due(base, routine.review_interval_months)
        step(version.published_at, version, routine)

    def acknowledge(version: RoutineVersion, scope: frozenset[int] | None, share: float) -> None:
        published = version.published_on
        assert published is not None
        for person in company.people:
            if not person.is_active_on(today) or person.employed_from > published:
                continue
            if scope is not None and person.department_id not in scope:
                continue
            # The demo employee has not read the newest routines: their list is not empty.
            if person.email == EMPLOYEE_EMAIL and published > today - timedelta(days=90):
                continue
            if rng.random() >= share:
                continue
            # Read in the weeks after the publication, before today where there is room.
            days = max(0, min((today - published).days - 1, rng.randint(0, 30)))
            at = _at(published + timedelta(days=days), rng)
            if version.published_at is not None and at <= version.published_at:
                # Read on the day it was published, but after it was (no extra draw: the
                # rest of the demo stays as it was).
                at = version.published_at + timedelta(minutes=15 + at.minute)
            step(
                at,
                RoutineAcknowledgement(
                    routine_version_id=version.id,
                    person_id=person.id,
                    acknowledged_at=at,
                ),
            )

    for plan in ROUTINES:
        owner: Person = (
            company.leaders[plan.owner]
            if plan.owner in company.leaders
            else company.person(plan.owner)
        )
        published_on = add_months(today, -plan.published_months_ago) - timedelta(
            days=rng.randint(0, 20)
        )
        created = _at(published_on - timedelta(days=14), rng)
        routine = Routine(
            title=plan.title,
            owner_id=owner.id,
            whole_company=not plan.departments,
            review_interval_months=plan.interval_months,
            created_at=created,
        )
        step(created, routine)
        chosen = {departments[name].id for name in plan.departments}
        scope = subtree_of(chosen, parents) if chosen else None

        first = RoutineVersion(
            routine_id=routine.id,
            title=plan.title,
            purpose=plan.purpose,
            body=plan.body,
            change_note="Første versjon",
            created_at=_at(published_on - timedelta(days=14), rng),
            created_by_person_id=coordinator.id,
        )
        step(
            first.created_at,
            first,
            *(RoutineDepartment(routine_id=routine.id, department_id=d) for d in chosen),
            *(RoutineTag(routine_id=routine.id, tag=tag) for tag in plan.tags),
        )
        first.number = 1
        first.published_at = _at(published_on, rng)
        publish(routine, first, published_on, published_on)
        if plan.title.startswith("Førstehjelp"):
            step(
                first.published_at,
                RoutineAttachment(
                    routine_id=routine.id,
                    content=POSTER_PDF,
                    content_type="application/pdf",
                    filename="Førstehjelpsplakat.pdf",
                    size=len(POSTER_PDF),
                    uploaded_by_person_id=coordinator.id,
                    uploaded_at=first.published_at,
                ),
            )
        acknowledge(first, scope, plan.read_share)
        base = published_on

        if plan.new_version_days_ago is not None and plan.new_body is not None:
            second_on = today - timedelta(days=plan.new_version_days_ago)
            reviewed_on = second_on - timedelta(days=7)
            review = RoutineReview(
                routine_id=routine.id,
                reviewed_on=reviewed_on,
                reviewer_person_id=owner.id,
                outcome=ReviewOutcome.new_version.value,
                version_number=1,
                note="Samlingsplassen flyttes fordi porten bygges om.",
                created_at=_at(reviewed_on, rng),
            )
            step(review.created_at, review)
            second = RoutineVersion(
                routine_id=routine.id,
                title=plan.title,
                purpose=plan.purpose,
                body=plan.new_body,
                change_note=plan.new_note,
                created_at=_at(second_on - timedelta(days=3), rng),
                created_by_person_id=coordinator.id,
            )
            step(second.created_at, second)
            second.published_at = _at(second_on, rng)
            first.status = VersionStatus.archived.value
            first.archived_at = second.published_at
            step(second.published_at, first)
            second.number = 2
            publish(routine, second, second_on, second_on)
            acknowledge(second, scope, 0.2)
            base = second_on

        if plan.reviewed_months_ago is not None:
            reviewed_on = add_months(today, -plan.reviewed_months_ago)
            base = max(base, reviewed_on)
            routine.next_review_on = routine_review_due(base, plan.interval_months)
            review = RoutineReview(
                routine_id=routine.id,
                reviewed_on=reviewed_on,
                reviewer_person_id=owner.id,
                outcome=ReviewOutcome.no_change.value,
                version_number=1,
                note="Gjennomgått med verneombudet. Ingen endring.",
                created_at=_at(reviewed_on, rng),
            )
            step(review.created_at, review, routine)

        if plan.draft_body is not None:
            started = _at(today - timedelta(days=rng.randint(3, 10)), rng)
            step(
                started,
                RoutineVersion(
                    routine_id=routine.id,
                    status=VersionStatus.draft.value,
                    title=plan.title,
                    purpose=plan.purpose,
                    body=plan.draft_body,
                    change_note="Giftinformasjonen er døgnåpen",
                    created_at=started,
                    created_by_person_id=owner.id,
                ),
            )
        routines.append(routine)
    return routines
