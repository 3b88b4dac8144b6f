"""The demo company's deviations (issue 4): a year of reports in every state.

Written through the ORM, one step at a time (report, assignment, actions, closing, …) with
a flush after each, so the audit trail holds one event per step and each deviation's
timeline reads like the real thing. Each step is recorded with the demo actor's label
("demo"), the person who would have done it, and the time it was done
(`audit.service.recorded_at`), so the timeline shows their names and the step's own date.
People act on weekdays, in working hours (07–16 Norwegian time).

Nothing here sends e-mail: the service functions queue notifications and refuse deadlines
in the past, so the steps are written directly instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from hms_tracker.audit.service import Actor, acting_as, recorded_at
from hms_tracker.demo.builder import (
    ACCOUNT_EMAILS,
    ADMINISTRATION,
    AMU_EMAIL,
    COORDINATOR_EMAIL,
    DEMO_ACTOR,
    EMPLOYEE_EMAIL,
    LEADER_EMAIL,
    MAINTENANCE,
    PRODUCTION,
    SAFETY_REP_EMAIL,
    WAREHOUSE,
    WELDING,
    Appointees,
    DemoCompany,
    _set,
)
from hms_tracker.demo.risks import BREACH_ROUTINES
from hms_tracker.deviations.models import (
    ActionsEffect,
    CommentVisibility,
    CorrectiveAction,
    Deviation,
    DeviationCategory,
    DeviationComment,
    DeviationStatus,
)
from hms_tracker.deviations.service import RECEIPT_ALPHABET, RECEIPT_LENGTH, hash_receipt_code
from hms_tracker.organisation.models import CompanySetting, Person
from hms_tracker.web.i18n import OSLO

# The receipt code of the anonymous report «Trakassering i pausen»: try it at /report/status.
DEMO_RECEIPT_CODE = "AVVK-DEMA-2345-6789"
# deviations/stats.py reads hours worked per year from these settings (HOURS_KEY_PREFIX).
HOURS_KEY = "deviations.hours_worked.{year}"
HOURS_PER_FULL_TIME_YEAR = 1650  # hours actually worked by a full-time employee in a year

PI = DeviationCategory.personal_injury
NEAR = DeviationCategory.near_miss
HAZARD = DeviationCategory.hazard
DAMAGE = DeviationCategory.material_damage
ENV = DeviationCategory.environment
PSYCH = DeviationCategory.psychosocial
BREACH = DeviationCategory.routine_breach
OTHER = DeviationCategory.other

NEW = DeviationStatus.registered
WORK = DeviationStatus.in_progress
ACTIONS = DeviationStatus.actions
CLOSED = DeviationStatus.closed
REJECTED = DeviationStatus.rejected

YES, PARTLY, NONE = ActionsEffect.yes, ActionsEffect.partly, ActionsEffect.no_actions
INTERNAL, TO_REPORTER = CommentVisibility.internal, CommentVisibility.reporter

ANONYMOUS = "anonymous"
# Who does something, as a tag: "leader" (of the deviation's department), "rep" (its
# verneombud), "coordinator", "hr", "maintenance" (the maintenance leader), "mechanic",
# "electrician", "reporter", or a demo account's e-mail.
Comment = tuple[str, CommentVisibility, str]


@dataclass(frozen=True)
class Case:
    """One deviation and its history. `days_ago`: registered that many days before today
    (moved back to the Friday when that is a weekend). `status`: where it stands today; a
    reopened case (`reopen_days_ago`) was closed first, and is `actions` when it gets a new
    action on reopening, else `in_progress`. `overdue`: its deadline (in progress) or its
    last open action (actions) is past.

    The states are kept consistent: in progress has a responsible person and no actions
    yet, actions has at least one open, closed has every action done."""

    title: str
    description: str
    department: str
    category: DeviationCategory
    consequence: int
    probability: int
    days_ago: int
    status: DeviationStatus
    place: str | None = None
    immediate: str | None = None
    reporter: str | None = None  # an account e-mail, ANONYMOUS, or None: someone there
    receipt_code: str | None = None  # anonymous: the code to print (else a random one)
    absence: bool | None = None
    serious: bool = False
    notified: bool = False
    handler: str = "leader"
    responsible: str = "leader"
    actions: tuple[tuple[str, str], ...] = ()  # (description, owner tag)
    overdue: bool = False
    root_cause: str | None = None
    effect: ActionsEffect | None = None
    closing_note: str | None = None
    reporter_summary: str | None = None  # written for the reporter when closing
    rejection: str | None = None  # "{ref}" is replaced by the id of the `ref` case
    ref: str | None = None
    reopen_days_ago: int | None = None  # closed, then reopened this many days ago
    reopen_reason: str | None = None
    reopen_action: tuple[str, str] | None = None
    comments: tuple[Comment, ...] = ()
    later_comments: tuple[Comment, ...] = ()  # after the reopening


# fmt: off
CASES: tuple[Case, ...] = (
    # --- Administrasjon: nothing in the last 12 months, one older report -------------------
    Case(
        "Skled på is ved inngangen",
        "En kollega skled på is på trappen ved hovedinngangen før arbeidstid og slo hoften. "
        "Det var ikke strødd.",
        ADMINISTRATION, PI, 2, 4, 410, CLOSED,
        place="Hovedinngangen", absence=False,
        immediate="Strødd med sand med en gang.",
        actions=(("Avtale med vaktmester om strøing før kl. 07 på frostdager", "maintenance"),),
        root_cause="Ingen fast rutine for strøing tidlig om morgenen.", effect=YES,
    ),
    # --- Produksjon ----------------------------------------------------------------------------
    Case(
        "Kutt i hånd ved avgrading",
        "Kniven gled under avgrading av en aluminiumsdel og skar i venstre hånd. Såret måtte "
        "limes, men personen kunne jobbe videre.",
        PRODUCTION, PI, 2, 3, 350, CLOSED,
        place="CNC-avdelingen, avgradingsbenken", absence=False,
        immediate="Sårlukking hos førstehjelper. Kniven tatt ut av bruk.",
        actions=(
            ("Kjøpe kuttsikre hansker (nivå C) til avgradingsbenken", "leader"),
            ("Gå gjennom riktig avgradingsteknikk på avdelingsmøtet", "leader"),
        ),
        root_cause="Avgradingskniv brukt uten kuttsikre hansker; hanskene ved benken var "
        "slitt ut.",
        effect=YES,
        comments=(("rep", INTERNAL, "Bra at dette ble meldt. Foreslår at hanskene henger "
                   "synlig ved benken."),),
    ),
    Case(
        "Klemskade i finger ved verktøybytte",
        "Under bytte av verktøy i CNC-fresen ble pekefingeren klemt mellom verktøyholder og "
        "spindel. Brudd i fingertuppen, sykmeldt i én uke.",
        PRODUCTION, PI, 3, 2, 284, CLOSED,
        place="CNC-fres 4", absence=True,
        immediate="Kjørt til legevakten. Maskinen sjekket før den ble tatt i bruk igjen.",
        actions=(
            ("Skriftlig rutine for verktøybytte med maskinen i sikker stilling", "leader"),
            ("Opplæring av alle CNC-operatører i den nye rutinen", "leader"),
        ),
        root_cause="Verktøybytte ble gjort i jog-modus uten at spindelen var låst; ingen "
        "skriftlig rutine.",
        effect=PARTLY,
        closing_note="Rutinen er innført, men to operatører har ennå ikke fått opplæringen; "
        "følges opp på neste avdelingsmøte.",
        comments=(("reporter", TO_REPORTER, "Takk for oppfølgingen. Fingeren er bra igjen."),),
    ),
    Case(
        "Arbeidsstykke løsnet i chuck",
        "En aksel løsnet fra chucken i dreiebenken ved høy hastighet og traff vernedøren. "
        "Ingen ble skadet.",
        PRODUCTION, NEAR, 4, 2, 221, CLOSED,
        place="Dreiebenk 2",
        immediate="Maskinen stoppet og kontrollert.",
        actions=(
            ("Kontrollere og justere chuckens spennkraft", "mechanic"),
            ("Sjekkliste for oppspenning ved oppstart av ny serie", "leader"),
        ),
        root_cause="For lavt spenntrykk etter service; ikke kontrollert ved oppstart.",
        effect=YES,
    ),
    Case(
        "Defekt nødstopp på dreiebenk",
        "Nødstoppen på dreiebenk 3 stoppet ikke maskinen da den ble testet ved skiftstart.",
        PRODUCTION, HAZARD, 4, 2, 177, CLOSED,
        place="Dreiebenk 3", reporter=AMU_EMAIL,
        immediate="Maskinen låst ut og merket «Ikke i bruk».",
        actions=(
            ("Bytte nødstoppbryteren på dreiebenk 3", "electrician"),
            ("Månedlig test av alle nødstopper i vedlikeholdsplanen", "maintenance"),
        ),
        root_cause="Slitt kontakt i nødstoppbryteren; nødstopper ble ikke testet jevnlig.",
        effect=YES,
        reporter_summary="Nødstoppbryteren var slitt og er byttet. Alle nødstopper testes nå "
        "hver måned. Takk for at du testet ved skiftstart og sa fra!",
        comments=(("leader", TO_REPORTER, "Bryteren er byttet og maskinen testet. Takk for at "
                   "du testet ved skiftstart!"),),
    ),
    Case(
        "Glatt gulv ved vaskeplassen",
        "Gulvet ved vaskeplassen for deler er glatt av vann og avfettingsmiddel. Flere har "
        "vært nær ved å skli.",
        PRODUCTION, HAZARD, 2, 4, 133, CLOSED,
        place="Vaskeplassen",
        actions=(("Legge sklisikkert gulvbelegg ved vaskeplassen", "maintenance"),),
        root_cause="Glatt gulvbelegg og søl fra vaskekaret.", effect=YES,
    ),
    Case(
        "Kjølevæske i sluk",
        "Kjølevæske fra CNC-maskinene ble tømt i sluket i gulvet ved maskinhallen.",
        PRODUCTION, ENV, 2, 3, 102, CLOSED,
        place="Maskinhallen, sluk ved port",
        actions=(("Sette oppsamlingskar under kjølevæsketanken", "mechanic"),),
        root_cause="Ingen fast plass for brukt kjølevæske; sluket ble brukt av gammel vane.",
        effect=PARTLY,
        closing_note="Oppsamlingskaret er på plass, men sluket er ennå ikke koblet til "
        "oljeutskiller; tatt med i budsjettet for neste år.",
    ),
    Case(
        "Kaffeautomat lekker vann på gulvet",
        "Kaffeautomaten i pauserommet lekker, og det blir en vanndam foran den.",
        PRODUCTION, OTHER, 1, 3, 62, CLOSED,
        place="Pauserommet",
        effect=NONE,
        closing_note="Leverandøren byttet pakningen dagen etter. Ingen videre tiltak nødvendig.",
        reporter_summary="Leverandøren har byttet pakningen, og automaten lekker ikke lenger.",
    ),
    Case(
        "Manglende vern på søylebor",
        "Chuckvernet på søylebor 2 mangler. Det er lett å komme borti chucken med hånd eller "
        "ermer mens maskinen går.",
        PRODUCTION, HAZARD, 4, 3, 48, ACTIONS,
        place="Maskinverkstedet, søylebor 2",
        immediate="Søyleboret merket «Ikke i bruk» til vernet er på plass.",
        actions=(("Montere nytt chuckvern på søylebor 2", "maintenance"),),
        overdue=True,
        comments=(
            ("leader", INTERNAL, "Vernet er bestilt, leveringstid tre uker."),
            ("rep", INTERNAL, "Søyleboret står fortsatt uten vern, og merkingen har falt av. "
             "Må prioriteres."),
        ),
    ),
    Case(
        "Trakassering i pausen",
        "I lunsjpausen kommer det gjentatte kommentarer om utseendet og kjønnet til en "
        "kollega. Det har pågått en stund, og flere hører det uten at noen sier fra. Jeg "
        "melder anonymt fordi jeg ikke vil at det skal bli verre.",
        PRODUCTION, PSYCH, 3, 3, 30, WORK,
        place="Pauserommet", reporter=ANONYMOUS, receipt_code=DEMO_RECEIPT_CODE,
        handler="coordinator", responsible="hr",
        comments=(
            ("coordinator", TO_REPORTER, "Takk for at du sa fra. Saken er gitt til HR, som "
             "følger den opp med avdelingen. Du kan legge til mer informasjon her med "
             "kvitteringskoden din."),
            ("hr", INTERNAL, "Samtaler med de involverte er avtalt neste uke, sammen med "
             "produksjonslederen."),
            ("hr", TO_REPORTER, "Det er holdt samtaler og et felles møte om tonen i "
             "pauserommet. Vi følger med videre."),
        ),
    ),
    Case(
        "Spon slynget ut da døren på CNC-maskinen ble åpnet",
        "Døren på CNC-dreiebenken ble åpnet mens spindelen fortsatt roterte, og varme spon "
        "ble slynget ut mot operatøren.",
        PRODUCTION, NEAR, 3, 3, 22, ACTIONS,
        place="CNC-dreiebenk 1", reporter=AMU_EMAIL,
        actions=(("Sperre slik at døren ikke kan åpnes før spindelen har stoppet",
                  "maintenance"),),
    ),
    Case(
        "Sterk lukt av løsemiddel ved lakkeringsbua",
        "Det lukter sterkt av løsemiddel i hallen utenfor lakkeringsbua, særlig om "
        "ettermiddagen. Flere har fått hodepine.",
        PRODUCTION, HAZARD, 3, 3, 12, WORK,
        place="Lakkeringsbua",
        comments=(("rep", INTERNAL, "Jeg har bedt om at ventilasjonen i lakkeringsbua "
                   "sjekkes. Bruk halvmaske med filter inntil videre."),),
    ),
    Case(
        "Slipeskive uten merking av maks turtall",
        "Det ligger flere slipeskiver i skuffen ved slipemaskinen uten merking av største "
        "tillatte turtall.",
        PRODUCTION, HAZARD, 3, 2, 6, NEW,
        place="Slipemaskinen ved verktøyrommet",
    ),
    Case(
        "Sikkerhetsbriller ikke brukt ved dreiebenk",
        "En person stod ved dreiebenken uten sikkerhetsbriller mens den var i gang.",
        PRODUCTION, BREACH, 2, 3, 35, REJECTED,
        place="Dreiebenk 1",
        rejection="Gjaldt en besøkende på omvisning som ble stoppet med en gang og fikk "
        "briller av verten. Ikke et avvik for avdelingen; omvisningsrutinen er fulgt.",
    ),
    Case(
        "Kontrollbenken har feil arbeidshøyde",
        "Kontrollbenken er for lav for de fleste; vi står bøyd i lange perioder og flere "
        "har vondt i ryggen.",
        PRODUCTION, HAZARD, 2, 4, 3, NEW,
        place="Kvalitetskontrollen",
    ),
    # --- Sveis og montering -------------------------------------------------------------------
    Case(
        "Sveiserøyk i hall 2 – avsug virker ikke",
        "Punktavsuget i hall 2 virker ikke. Sveiserøyken blir liggende i hallen, også for "
        "dem som ikke sveiser.",
        WELDING, HAZARD, 3, 4, 241, ACTIONS,
        place="Hall 2", reporter=SAFETY_REP_EMAIL,
        immediate="Sveiserne bruker friskluftmasker. Porten åpnet for lufting.",
        actions=(("Reparere viften i avsuget i hall 2", "maintenance"),),
        root_cause="Viftemotoren hadde brent lager.", effect=YES,
        reopen_days_ago=25,
        reopen_reason="Avsuget har stoppet igjen flere ganger den siste uka, og det er "
        "sveiserøyk i hallen.",
        reopen_action=("Bytte hele avsugsaggregatet og legge det inn i vedlikeholdsplanen "
                       "med kontroll hvert kvartal", "maintenance"),
        later_comments=(
            ("rep", INTERNAL, "Røyken blir liggende i hallen igjen. Sveiserne bruker "
             "friskluftmasker inntil videre."),
            ("leader", TO_REPORTER, "Nytt aggregat er bestilt og monteres så snart det "
             "kommer."),
        ),
    ),
    Case(
        "Avsug i hall 2 virker ikke",
        "Avsuget i hall 2 er stoppet igjen.",
        WELDING, HAZARD, 3, 4, 24, REJECTED,
        place="Hall 2",
        rejection="Duplikat av avvik #{ref}, som er gjenåpnet og følges opp der.",
        ref="Sveiserøyk i hall 2 – avsug virker ikke",
    ),
    Case(
        "Sveisesprut i øyet",
        "Sveisesprut kom inn under sveiseskjermen ved pussing og traff øyet. Skyllet på "
        "stedet, undersøkt hos lege samme dag.",
        WELDING, PI, 2, 3, 320, CLOSED,
        place="Sveisebås 3", absence=False,
        immediate="Øyeskylling, fulgt til legevakten.",
        actions=(("Krav om vernebriller under sveiseskjermen ved sliping og pussing",
                  "leader"),),
        root_cause="Sveiseskjermen var vippet opp under pussing; ingen vernebriller under.",
        effect=YES,
    ),
    Case(
        "Brannskade på underarm ved sveising",
        "Glødende slagg falt ned i ermet på sveisejakken og ga en brannskade på underarmen.",
        WELDING, PI, 2, 3, 141, CLOSED,
        place="Sveisebås 1", absence=False,
        actions=(("Nye sveisejakker med lange ermer og mansjetter til alle sveisere",
                  "leader"),),
        root_cause="Sveisejakken var slitt og ermet for kort.", effect=YES,
    ),
    Case(
        "Ryggskade ved løft av plate",
        "Fikk vondt i korsryggen ved løft av en stålplate fra platelageret til kantpressen. "
        "Sykmeldt i fire dager.",
        WELDING, PI, 3, 3, 45, ACTIONS,
        place="Platelageret", absence=True,
        actions=(
            ("Risikovurdering av manuelle løft i platelageret", "leader"),
            ("Kjøpe vakuumløfter til platelageret", "leader"),
        ),
        overdue=True,
        comments=(("rep", INTERNAL, "Jeg har vært med på risikovurderingen. Vakuumløfteren "
                   "er det viktigste tiltaket."),),
    ),
    Case(
        "Gassflaske veltet i sveisehallen",
        "En argonflaske som stod løst ved sveiseplassen veltet da en tralle kom borti den.",
        WELDING, NEAR, 4, 2, 201, CLOSED,
        place="Hall 1, sveiseplass 4",
        actions=(("Flaskestativ med kjetting ved alle sveiseplasser", "maintenance"),),
        root_cause="Flasker ble satt fra seg uten sikring når stativet var fullt.",
        effect=YES,
    ),
    Case(
        "Utgått brannslukker i sveisehallen",
        "Brannslukkeren ved port 2 i sveisehallen var sist kontrollert for over to år siden.",
        WELDING, HAZARD, 3, 2, 261, CLOSED,
        place="Hall 1, port 2", reporter=COORDINATOR_EMAIL,
        actions=(("Kontrollere alle brannslukkere og bytte de utgåtte", "maintenance"),),
        root_cause="Slukkeren var flyttet og kom ikke med på den årlige kontrollen.",
        effect=YES,
    ),
    Case(
        "Verneutstyr ikke brukt ved sliping",
        "Flere sliper uten visir og hørselvern ved korte slipejobber.",
        WELDING, BREACH, 3, 3, 82, CLOSED,
        place="Slipestasjonene", reporter=SAFETY_REP_EMAIL,
        actions=(
            ("Henge visir og hørselvern ved hver slipestasjon", "leader"),
            ("Gå gjennom kravene til verneutstyr på morgenmøtet", "leader"),
        ),
        root_cause="Verneutstyret lå i et skap i andre enden av hallen; ved korte jobber "
        "ble det ikke hentet.",
        effect=PARTLY,
        closing_note="Bruken er blitt bedre, men verneombudet ser fortsatt enkelte som "
        "sliper uten visir. Tas opp igjen på vernerunden.",
        comments=(("rep", INTERNAL, "Sjekket i dag: utstyret henger ved alle stasjonene."),),
    ),
    Case(
        "Arbeidstillatelse for varmt arbeid manglet",
        "En innleid sveiser sveiset på lageret uten arbeidstillatelse for varmt arbeid og "
        "uten brannvakt.",
        WELDING, BREACH, 4, 2, 161, CLOSED,
        place="Lageret, reol 12",
        actions=(("Gå gjennom rutinen for varmt arbeid med alle innleide ved oppstart",
                  "leader"),),
        root_cause="Innleide sveisere fikk ikke opplæring i rutinen for varmt arbeid.",
        effect=YES,
    ),
    Case(
        "Stort arbeidspress og overtid i sveis",
        "Vi har jobbet mye overtid i flere måneder for å bli ferdige med ordrene. Folk er "
        "slitne, og det går ut over sikkerheten.",
        WELDING, PSYCH, 3, 4, 40, ACTIONS,
        reporter=ANONYMOUS,
        actions=(("Gå gjennom bemanning og ordrebok med produksjonsplanleggeren", "leader"),),
        comments=(
            ("leader", TO_REPORTER, "Takk for meldingen. Vi ser på bemanningen og tar det "
             "opp i AMU."),
            ("rep", INTERNAL, "Dette bekrefter det jeg hører fra flere. Overtidslistene "
             "bør gås gjennom."),
        ),
    ),
    Case(
        "Hånd i kantpresse – knuste fingre",
        "En platearbeider fikk høyre hånd i kantpressen. To fingre er knust, og personen "
        "ble kjørt til sykehus med ambulanse.",
        WELDING, PI, 5, 2, 2, WORK,
        place="Kantpressen", absence=True, serious=True,
        immediate="Førstehjelp, ambulanse tilkalt. Kantpressen stengt og området sperret av.",
        comments=(
            ("coordinator", INTERNAL, "Dette er alvorlig personskade. Arbeidstilsynet og "
             "politiet skal varsles straks (arbeidsmiljøloven § 5-2). Registrer varslingen "
             "her når det er gjort."),
            ("rep", INTERNAL, "Jeg var på stedet. Lysgardinen på kantpressen var koblet ut."),
        ),
    ),
    Case(
        "Traverskran kjørte uten varsellyd",
        "Traverskranen i hall 1 kjørte med last uten at varsellyden gikk. Jeg stod rett ved "
        "kjørebanen.",
        WELDING, NEAR, 4, 2, 4, NEW,
        place="Hall 1",
        comments=(("rep", INTERNAL, "Sett på stedet – varsellyden virker ikke. Kranen bør "
                   "ikke brukes før den er reparert."),),
    ),
    Case(
        "Skadet løftestropp tatt i bruk",
        "En løftestropp med synlige kutt ble brukt til løft av en ramme. Oppdaget før "
        "løftet.",
        WELDING, NEAR, 4, 2, 58, CLOSED,
        place="Monteringen",
        actions=(("Kassere skadde stropper og fargemerke stropper etter årlig kontroll",
                  "leader"),),
        root_cause="Ingen fast kontroll av løftestropper.", effect=YES,
    ),
    Case(
        "Press om å hoppe over sikkerhetssjekk",
        "Vi blir bedt om å hoppe over sjekklisten før løft for å bli ferdige fortere.",
        WELDING, BREACH, 3, 3, 9, NEW,
        reporter=ANONYMOUS,
    ),
    # --- Lager og logistikk (the demo leader's department) ------------------------------------
    Case(
        "Fall fra lasteplan – brudd i håndledd",
        "En lagermedarbeider falt fra lasteplanet på en lastebil ved port 2 og brakk "
        "håndleddet.",
        WAREHOUSE, PI, 4, 2, 241, CLOSED,
        place="Port 2", absence=True, serious=True, notified=True,
        immediate="Førstehjelp, kjørt til legevakten. Området sperret av.",
        actions=(
            ("Fast rampe med rekkverk ved port 2", "maintenance"),
            ("Forbud mot å gå på lasteplanet uten at bilen står ved rampen", "leader"),
        ),
        root_cause="Varer ble tatt av lasteplanet uten rampe fordi port 2 var opptatt.",
        effect=YES,
    ),
    Case(
        "Truck kjørte inn i reol",
        "Trucken traff reolenden i gang 3 under rygging. Reolen fikk en bulk i stolpen.",
        WAREHOUSE, DAMAGE, 3, 2, 340, CLOSED,
        place="Gang 3", reporter=LEADER_EMAIL,
        immediate="Reolen tømt og sperret til den er kontrollert.",
        actions=(("Påkjørselsvern på reolenden i gang 3", "maintenance"),),
        root_cause="Trang svingradius og manglende påkjørselsvern.", effect=YES,
    ),
    Case(
        "Last falt fra gaffeltruck",
        "En pall med stålrør gled av gaflene i svingen ved varemottaket.",
        WAREHOUSE, NEAR, 4, 2, 290, CLOSED,
        place="Varemottaket",
        actions=(("Opplæring i sikring av last for alle truckførere", "leader"),),
        root_cause="Lasten var ikke surret, og pallen var ustabil.", effect=YES,
    ),
    Case(
        "Forstuet ankel i trapp til mesaninen",
        "Jeg tråkket feil i trappen opp til mesaninen og forstuet ankelen. Trinnene er "
        "glatte og lyset er dårlig.",
        WAREHOUSE, PI, 2, 3, 181, CLOSED,
        place="Trappen til mesaninen", reporter=EMPLOYEE_EMAIL, absence=True,
        actions=(("Sklisikre trinn og ekstra lys i trappen", "maintenance"),),
        root_cause="Glatte trinn og dårlig belysning.", effect=YES,
        reporter_summary="Trappen har fått sklisikre trinn og nytt lys. Si fra hvis den "
        "fortsatt føles utrygg.",
        comments=(("leader", TO_REPORTER, "Trappen får nye trinn og lys neste uke. God "
                   "bedring!"),),
    ),
    Case(
        "Nødutgang blokkert av paller",
        "Nødutgangen i nordenden av lageret var blokkert av paller under vernerunden.",
        WAREHOUSE, HAZARD, 4, 3, 122, CLOSED,
        place="Nordenden, nødutgang 3", reporter=COORDINATOR_EMAIL,
        actions=(("Gulvmerking foran alle nødutganger", "leader"),),
        root_cause="Plassmangel ved varemottak; ingen merking av fri sone.",
        effect=PARTLY,
        closing_note="Merkingen er på plass, men utgangen ble funnet blokkert igjen én "
        "gang. Tas med på hver vernerunde.",
    ),
    Case(
        "Løs stige på lageret",
        "Stigen ved høyreolen i gang 5 er løs i festet og vipper når man står på den.",
        WAREHOUSE, HAZARD, 3, 3, 40, ACTIONS,
        place="Gang 5, høyreolen", reporter=EMPLOYEE_EMAIL,
        immediate="Stigen merket og satt til side.",
        actions=(("Bytte stigen og merke alle stiger med kontrolldato", "leader"),),
        overdue=True,
        comments=(
            ("leader", TO_REPORTER, "Stigen er tatt ut av bruk. Ny stige er bestilt."),
            ("rep", INTERNAL, "Alle stiger bør inn i en årlig kontroll."),
        ),
    ),
    Case(
        "Nesten påkjørt ved porten",
        "En truck kom ut av port 1 i det jeg gikk forbi. Sjåføren så meg i siste liten.",
        WAREHOUSE, NEAR, 4, 3, 28, ACTIONS,
        place="Port 1", reporter=EMPLOYEE_EMAIL,
        actions=(
            ("Skilte fartsgrense 6 km/t for truck inne på lageret", "leader"),
            ("Speil og merket gangfelt ved port 1", "leader"),
        ),
        overdue=True,
        comments=(("leader", TO_REPORTER, "Fartsgrensen er skiltet. Speil og gangfelt "
                   "kommer."),),
    ),
    Case(
        "Truck rygget uten signal",
        "Truck 3 rygget ut fra reolgangen uten ryggesignal. En kollega måtte hoppe til side.",
        WAREHOUSE, NEAR, 4, 2, 34, WORK,
        place="Gang 2", overdue=True,
        comments=(("rep", INTERNAL, "Ryggesignalet på truck 3 har vært ute i flere uker."),),
    ),
    Case(
        "Truck brukt uten dokumentert opplæring",
        "En innleid truckfører har kjørt truck i to uker uten at opplæringen er "
        "dokumentert.",
        WAREHOUSE, BREACH, 3, 3, 20, WORK,
        reporter=COORDINATOR_EMAIL, overdue=True,
    ),
    Case(
        "Lekkasje fra hydraulikkslange på truck",
        "Truck 1 lekker hydraulikkolje. Det er oljeflekker langs hele kjøreruta.",
        WAREHOUSE, ENV, 2, 3, 10, WORK,
        place="Kjøreruta mellom gang 1 og port 1", responsible="mechanic",
        immediate="Absorbent lagt ut, trucken parkert.",
    ),
    Case(
        "Port skadet av lastebil",
        "En lastebil rygget inn i port 2. Portbladet er bøyd og lukker ikke helt.",
        WAREHOUSE, DAMAGE, 2, 2, 55, ACTIONS,
        place="Port 2",
        actions=(("Reparere portbladet og sette opp påkjørselsvern", "maintenance"),),
    ),
    Case(
        "Dårlig belysning i reolgang 4",
        "To av lysrørene i reolgang 4 er gått, og det er vanskelig å lese etikettene.",
        WAREHOUSE, HAZARD, 2, 3, 5, NEW,
        place="Gang 4", reporter=EMPLOYEE_EMAIL,
    ),
    Case(
        "Manglende rekkverk på mesanin",
        "Rekkverket er tatt av ved lasteluken på mesaninen for å få opp en stor pall, og "
        "ikke satt på igjen.",
        WAREHOUSE, HAZARD, 4, 2, 14, WORK,
        place="Mesaninen",
        immediate="Sperrebånd satt opp.",
    ),
    Case(
        "Pall med skadet bunn i høyreolen",
        "En pall fra leverandøren har knekt bunnbord og står i høyreolen.",
        WAREHOUSE, HAZARD, 3, 2, 72, REJECTED,
        place="Varemottaket",
        rejection="Gjelder leverandørens pall ved varemottak; pallen er omlastet og "
        "reklamasjon sendt. Meldt videre som en vareskade.",
    ),
    Case(
        "Kaldt trekk fra porten som står åpen",
        "Port 1 står åpen store deler av dagen, og det er kaldt og trekk ved pakkebordet.",
        WAREHOUSE, OTHER, 1, 4, 92, WORK,
        place="Pakkebordet ved port 1",
        effect=NONE,
        closing_note="Porten har automatisk lukking, men var satt i manuell modus. Stilt "
        "tilbake; ingen videre tiltak.",
        reopen_days_ago=6,
        reopen_reason="Porten står åpen store deler av dagen igjen, selv i automatisk modus.",
        later_comments=(("leader", INTERNAL, "Portleverandøren er bedt om å se på "
                         "styringen."),),
    ),
    # --- Vedlikehold ----------------------------------------------------------------------------
    Case(
        "Oljesøl ved kompressor",
        "Det har lekket olje fra kompressoren, og det ligger en oljedam på gulvet som renner "
        "mot sluket.",
        MAINTENANCE, ENV, 2, 3, 310, CLOSED,
        place="Kompressorrommet",
        immediate="Absorbent lagt ut, sluket tettet.",
        actions=(("Absorbentmatte og oppsamlingskar under kompressoren", "mechanic"),),
        root_cause="Lekk pakning på kompressoren; ikke oppsamlingskar.", effect=YES,
    ),
    Case(
        "Elektriker fikk nesten støt – tavle ikke frakoblet",
        "En elektriker begynte å arbeide i en underfordeling som var oppgitt som frakoblet, "
        "men én kurs var fortsatt spenningssatt.",
        MAINTENANCE, NEAR, 5, 2, 211, CLOSED,
        place="Underfordeling hall 1",
        actions=(
            ("Innføre låsing og merking (LOTO) med personlige hengelåser", "leader"),
            ("Opplæring i LOTO for elektrikere og mekanikere", "leader"),
        ),
        root_cause="Frakobling ble avtalt muntlig, uten låsing og merking.", effect=YES,
    ),
    Case(
        "Fikk splint i øyet ved sliping",
        "En metallsplint kom i øyet ved sliping av en aksel. Fjernet hos legevakten.",
        MAINTENANCE, PI, 2, 3, 271, CLOSED,
        place="Verkstedet", absence=False,
        actions=(("Vernebriller ved alle slipemaskiner i verkstedet", "leader"),),
        root_cause="Vernebrillene lå i verktøyrommet.", effect=YES,
    ),
    Case(
        "Skadet skjøteledning i verkstedet",
        "En skjøteledning med skadet isolasjon var i bruk ved arbeidsbenken.",
        MAINTENANCE, HAZARD, 3, 2, 131, CLOSED,
        place="Verkstedet",
        effect=NONE,
        closing_note="Ledningen ble kassert med en gang. Skjøteledninger er allerede med i "
        "den årlige el-kontrollen.",
    ),
    Case(
        "Kjemikalier uten merking",
        "Under vernerunden fant vi flere kanner og sprayflasker uten merking i "
        "vedlikeholdsverkstedet. Noen er ikke i stoffkartoteket.",
        MAINTENANCE, BREACH, 3, 3, 38, ACTIONS,
        place="Vedlikeholdsverkstedet", reporter=COORDINATOR_EMAIL,
        actions=(
            ("Fjerne kjemikalier som ikke lenger er i bruk", "mechanic"),
            ("Merke alle beholdere og oppdatere stoffkartoteket", "leader"),
        ),
        comments=(("rep", INTERNAL, "Sikkerhetsdatablad mangler for to av produktene."),),
    ),
    Case(
        "Støy fra ny kompressor",
        "Den nye kompressoren bråker mye, og døren til kompressorrommet står ofte åpen.",
        MAINTENANCE, HAZARD, 3, 4, 16, WORK,
        place="Kompressorrommet",
        comments=(("rep", INTERNAL, "Jeg har målt 88 dB utenfor kompressorrommet med døren "
                   "åpen."),),
    ),
    Case(
        "Spillolje lagret uten oppsamlingskar",
        "Fat med spillolje står rett på gulvet bak verkstedet, uten oppsamlingskar.",
        MAINTENANCE, ENV, 2, 3, 7, NEW,
        place="Bak verkstedet",
    ),
    Case(
        "Uenighet om vaktordning skaper konflikt",
        "Den nye vaktordningen oppleves som urettferdig, og det har blitt en dårlig tone "
        "mellom skiftene.",
        MAINTENANCE, PSYCH, 2, 3, 151, CLOSED,
        actions=(("Lage ny vaktliste sammen med de ansatte", "leader"),),
        root_cause="Vaktordningen ble endret uten å involvere de ansatte.", effect=YES,
    ),
    Case(
        "Manglende førstehjelpsutstyr i servicebil",
        "Servicebilen hadde ikke førstehjelpsskrin da vi var på oppdrag hos kunde.",
        MAINTENANCE, OTHER, 2, 3, 231, CLOSED,
        place="Servicebil 2",
        actions=(("Førstehjelpsskrin i alle servicebiler, med fast kontroll", "leader"),),
        root_cause="Skrinet var brukt opp og ikke etterfylt.", effect=YES,
    ),
    Case(
        "Fallsikringsutstyr ikke kontrollert",
        "Fallsikringsselene i vedlikehold har passert datoen for årlig kontroll.",
        MAINTENANCE, HAZARD, 4, 2, 191, ACTIONS,
        place="Utstyrsrommet",
        actions=(("Sende fallsikringsutstyret til årlig kontroll", "maintenance"),),
        root_cause="Kontrollen var ikke lagt inn i vedlikeholdsplanen.", effect=YES,
        reopen_days_ago=8,
        reopen_reason="To seler ble ikke sendt til kontroll og er fortsatt i bruk.",
        reopen_action=("Ta de to selene ut av bruk og sende dem til kontroll", "maintenance"),
    ),
)
# fmt: on


# --- writing it ---------------------------------------------------------------------------

WORK_STARTS, WORK_ENDS = time(7, 0), time(16, 0)  # the working day, Norwegian time


def _weekday_on_or_before(day: date) -> date:
    """`day`, or the Friday before when it is a Saturday or Sunday."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _weekday_on_or_after(day: date) -> date:
    """`day`, or the Monday after when it is a Saturday or Sunday."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() > 4 else 0)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, OSLO).astimezone(UTC)


def _moment(day: date, rng: random.Random) -> datetime:
    """A time in the working day (Norwegian time) on `day`, in UTC."""
    minutes = rng.randint(7 * 60 + 15, 15 * 60 + 30)
    return _local(day, time(minutes // 60, minutes % 60))


def _oslo_day(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


def _soon_after(moment: datetime, rng: random.Random) -> datetime:
    """A little later the same working day (at the latest when the day ends)."""
    end = _local(_oslo_day(moment), WORK_ENDS) - timedelta(minutes=1)
    return max(moment, min(moment + timedelta(minutes=rng.randint(15, 90)), end))


def _in_working_hours(moment: datetime, rng: random.Random) -> datetime:
    """`moment` when it is in the working hours of a weekday, else early the next
    working day."""
    local = moment.astimezone(OSLO)
    if local.weekday() < 5 and WORK_STARTS <= local.time() < WORK_ENDS:
        return moment
    day = local.date() + timedelta(days=0 if local.time() < WORK_STARTS else 1)
    day = _weekday_on_or_after(day)
    return _local(day, WORK_STARTS) + timedelta(minutes=rng.randint(5, 45))


def _spread_in_working_hours(start: datetime, end: datetime, count: int) -> list[datetime]:
    """`count` moments spread evenly over the working hours (weekdays 07–16 Norwegian
    time) between two moments; evenly between them when there are no such hours."""
    spans: list[tuple[datetime, datetime]] = []
    day = _oslo_day(start)
    while day <= _oslo_day(end):
        if day.weekday() < 5:
            first, last = max(start, _local(day, WORK_STARTS)), min(end, _local(day, WORK_ENDS))
            if first < last:
                spans.append((first, last))
        day += timedelta(days=1)
    total = sum((last - first for first, last in spans), timedelta())
    if not total:
        return [start + (end - start) * n / (count + 1) for n in range(1, count + 1)]
    moments = []
    for n in range(1, count + 1):
        offset = total * n / (count + 1)
        for first, last in spans:
            if offset <= last - first:
                moments.append((first + offset).replace(second=0, microsecond=0))
                break
            offset -= last - first
    return moments


def _anonymous_code(rng: random.Random) -> str:
    raw = "".join(rng.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


class _Writer:
    """Writes the cases step by step, each step flushed as its actor at its own time."""

    def __init__(
        self,
        session: Session,
        company: DemoCompany,
        appointees: Appointees,
        rng: random.Random,
    ) -> None:
        self.session, self.company, self.rng = session, company, rng
        self.today = company.today
        self.midnight = _local(self.today, time(0))  # everything happens before today
        self.appointees = appointees
        active = company.employed_on(self.today)

        def titled(title: str) -> Person:
            return next(p for p in active if p.title == title)

        self.by_tag = {
            "coordinator": company.person(COORDINATOR_EMAIL),
            "hr": titled("HR-rådgiver"),
            "maintenance": company.leaders[MAINTENANCE],
            "mechanic": titled("Industrimekaniker"),
            "electrician": titled("Elektriker"),
        }
        self.user_ids = {u.person_id: u.id for u in company.users.values()}
        self.by_title: dict[str, Deviation] = {}

    # who

    def person(self, tag: str, case: Case, deviation: Deviation) -> Person | None:
        if tag == "leader":
            return self.company.leaders[case.department]
        if tag == "rep":
            return self.appointees.safety_reps.get(case.department) or self.appointees.chief
        if tag == "reporter":
            if deviation.reporter_person_id is None:
                return None
            return self.session.get(Person, deviation.reporter_person_id)
        if "@" in tag:
            return self.company.person(tag)
        return self.by_tag[tag]

    @contextmanager
    def acting(self, person: Person | None, at: datetime) -> Iterator[None]:
        """One step: done by `person` (or the demo itself) at `at`; flushed inside, so the
        audit trail records it with that person and that time."""
        actor = (
            DEMO_ACTOR
            if person is None
            else Actor(
                label=DEMO_ACTOR.label, user_id=self.user_ids.get(person.id), person_id=person.id
            )
        )
        with acting_as(actor), recorded_at(at):
            yield
            self.session.flush()

    def reporter(self, case: Case, day: date) -> Person | None:
        if case.reporter == ANONYMOUS:
            return None
        if case.reporter:
            return self.company.person(case.reporter)
        department_id = self.company.departments[case.department].id
        leader_ids = {p.id for p in self.company.leaders.values()}
        candidates = [
            p
            for p in self.company.people
            if p.department_id == department_id
            and p.is_active_on(day)
            and p.is_active_on(self.today)
            and p.id not in leader_ids
            and p.email not in ACCOUNT_EMAILS
        ]
        return self.rng.choice(candidates)

    # when

    def later(self, moment: datetime, days: tuple[int, int], *, before: date) -> datetime:
        """A moment in the working hours of a weekday some days after `moment`, but before
        the day `before`; the same day, a little later, when there is no room."""
        start = _oslo_day(moment)
        day = _weekday_on_or_after(start + timedelta(days=self.rng.randint(*days)))
        if day >= before:
            day = _weekday_on_or_before(before - timedelta(days=1))
        if day <= start:
            return _soon_after(moment, self.rng)
        return _moment(day, self.rng)

    # steps

    def report(self, case: Case) -> Deviation:
        day = _weekday_on_or_before(self.today - timedelta(days=case.days_ago))
        created = _moment(day, self.rng)
        reporter = self.reporter(case, day)
        code = None
        if reporter is None:
            code = case.receipt_code or _anonymous_code(self.rng)
        deviation = Deviation(
            title=case.title,
            description=case.description,
            department_id=self.company.departments[case.department].id,
            place=case.place,
            occurred_at=created - timedelta(minutes=self.rng.randint(5, 240)),
            category=case.category.value,
            consequence=case.consequence,
            probability=case.probability,
            immediate_action=case.immediate,
            caused_absence=case.absence if case.category == PI else None,
            serious_injury=case.serious,
            reporter_person_id=reporter.id if reporter else None,
            anonymous=reporter is None,
            receipt_code_hash=hash_receipt_code(code) if code else None,
            routine_id=self.broken_routine(case),
            status=NEW.value,
            created_at=created,
        )
        with self.acting(reporter, created):
            self.session.add(deviation)
        return deviation

    def broken_routine(self, case: Case) -> int | None:
        """A breach of routine names the routine broken (see risks.BREACH_ROUTINES)."""
        if case.category != BREACH:
            return None
        routines = {r.title: r.id for r in self.company.routines}
        text = f"{case.title} {case.description}".lower()
        for word, title in BREACH_ROUTINES:
            if word in text and title in routines:
                return routines[title]
        return None

    def update(
        self, deviation: Deviation, actor: Person | None, at: datetime, **values: object
    ) -> None:
        with self.acting(actor, at):
            for name, value in values.items():
                setattr(deviation, name, value)
            deviation.version += 1
            self.session.add(deviation)

    def add_action(
        self,
        deviation: Deviation,
        actor: Person | None,
        description: str,
        owner: Person,
        created: datetime,
        deadline: date,
    ) -> CorrectiveAction:
        action = CorrectiveAction(
            deviation_id=deviation.id,
            description=description,
            owner_person_id=owner.id,
            deadline=deadline,
            created_at=created,
        )
        with self.acting(actor, created):
            self.session.add(action)
            if deviation.status == WORK:
                deviation.status = ACTIONS.value
                deviation.version += 1
                self.session.add(deviation)
        return action

    def complete(self, action: CorrectiveAction, owner: Person, done: datetime) -> None:
        with self.acting(owner, done):
            action.done_on = _oslo_day(done)
            action.done_note = self.rng.choice(DONE_NOTES)
            action.version += 1
            self.session.add(action)

    def comment(
        self, case: Case, deviation: Deviation, comment: Comment, at: datetime
    ) -> DeviationComment:
        tag, visibility, body = comment
        author = self.person(tag, case, deviation)
        from_reporter = tag == "reporter"
        row = DeviationComment(
            deviation_id=deviation.id,
            author_person_id=author.id if author else None,
            from_reporter=from_reporter,
            visibility=(TO_REPORTER if from_reporter else visibility).value,
            body=body,
            created_at=at,
        )
        with self.acting(author, at):
            self.session.add(row)
        return row

    def comments(
        self,
        case: Case,
        deviation: Deviation,
        comments: tuple[Comment, ...],
        start: datetime,
        end: datetime,
    ) -> None:
        """The comments spread evenly over the working hours between two moments."""
        moments = _spread_in_working_hours(start, end, len(comments))
        for comment, at in zip(comments, moments, strict=True):
            self.comment(case, deviation, comment, at)

    # a whole case

    def write(self, case: Case) -> Deviation:
        today, rng = self.today, self.rng
        deviation = self.report(case)
        self.by_title[case.title] = deviation
        handler = self.person(case.handler, case, deviation)
        now = deviation.created_at
        if case.notified:
            notified = deviation.occurred_at + timedelta(minutes=rng.randint(45, 150))
            coordinator = self.by_tag["coordinator"]
            self.update(
                deviation,
                coordinator,
                # recorded in the app once the report is in, in working hours
                _in_working_hours(max(notified, _soon_after(now, rng)), rng),
                notified_at=notified,
                notified_by_person_id=coordinator.id,
                notification_note="Arbeidstilsynet varslet på arbeidstilsynet.no og "
                "politiet på 02800.",
            )
        if case.status == NEW:
            self.comments(case, deviation, case.comments, now, self.midnight)
            return deviation
        if case.status == REJECTED:
            at = self.later(now, (0, 2), before=today)
            ref = self.by_title[case.ref].id if case.ref else None
            reason = (case.rejection or "").format(ref=ref)
            self.update(
                deviation,
                handler,
                at,
                status=REJECTED.value,
                rejection_reason=reason,
                closed_at=at,
            )
            return deviation

        # Reopened cases were closed before the day they were reopened.
        reopened = None
        if case.reopen_days_ago is not None:
            reopened = _weekday_on_or_before(today - timedelta(days=case.reopen_days_ago))

        # Assigned a day or two after the report.
        responsible = self.person(case.responsible, case, deviation)
        assert responsible is not None
        assigned = self.later(now, (0, 2), before=reopened or today)
        assigned_day = _oslo_day(assigned)
        history = case.status == CLOSED or reopened is not None
        if history:
            deadline = assigned_day + timedelta(days=rng.randint(21, 35))
        elif case.status == WORK and case.overdue:
            deadline = max(assigned_day + timedelta(days=3), today - timedelta(rng.randint(2, 9)))
        else:
            deadline = today + timedelta(days=rng.randint(7, 25))
        self.update(
            deviation,
            handler,
            assigned,
            status=WORK.value,
            responsible_person_id=responsible.id,
            deadline=deadline,
        )

        closed_at = None
        if history:
            closed_at = self.close_in_the_past(
                case, deviation, handler, assigned, reopened or today
            )
        elif case.status == ACTIONS:
            self.open_actions(case, deviation, responsible, assigned)
        if reopened is not None:
            self.reopen(case, deviation, handler, responsible, reopened)
        start = assigned if closed_at is None else deviation.created_at
        end = closed_at or self.midnight
        self.comments(case, deviation, case.comments, start, end)
        return deviation

    def close_in_the_past(
        self,
        case: Case,
        deviation: Deviation,
        handler: Person | None,
        assigned: datetime,
        limit: date,
    ) -> datetime:
        """Every action done, then closed with the root cause and the effect, before the
        day `limit`."""
        last = assigned
        for description, tag in case.actions:
            owner = self.person(tag, case, deviation)
            assert owner is not None
            created = self.later(assigned, (0, 1), before=limit)
            action = self.add_action(
                deviation,
                self.person(case.responsible, case, deviation),
                description,
                owner,
                created,
                _oslo_day(created) + timedelta(days=self.rng.randint(14, 30)),
            )
            done = self.later(created, (4, 20), before=limit)
            self.complete(action, owner, done)
            last = max(last, done)
        closed = self.later(last, (1, 4), before=limit)
        self.update(
            deviation,
            handler,
            closed,
            status=CLOSED.value,
            root_cause=case.root_cause
            or "Gjennomgått med de involverte; ingen bakenforliggende årsak funnet.",
            actions_effect=(case.effect or YES).value,
            closing_note=case.closing_note,
            reporter_summary=case.reporter_summary,
            closed_at=closed,
            closed_by_person_id=handler.id if handler else None,
        )
        return closed

    def open_actions(
        self, case: Case, deviation: Deviation, responsible: Person, assigned: datetime
    ) -> None:
        """All but the last action done; the last open, past its deadline if overdue."""
        today, rng = self.today, self.rng
        for n, (description, tag) in enumerate(case.actions):
            owner = self.person(tag, case, deviation)
            assert owner is not None
            created = self.later(assigned, (0, 1), before=today)
            last = n == len(case.actions) - 1
            if not last:
                deadline = _oslo_day(created) + timedelta(days=rng.randint(7, 14))
            elif case.overdue:
                deadline = max(
                    _oslo_day(created) + timedelta(days=7),
                    today - timedelta(days=rng.randint(4, 14)),
                )
            else:
                deadline = today + timedelta(days=rng.randint(5, 25))
            action = self.add_action(deviation, responsible, description, owner, created, deadline)
            if not last:
                self.complete(action, owner, self.later(created, (3, 10), before=today))

    def reopen(
        self,
        case: Case,
        deviation: Deviation,
        handler: Person | None,
        responsible: Person,
        day: date,
    ) -> None:
        """Reopened on `day`: in progress again, with a new action when it has one."""
        today = self.today
        at = _moment(day, self.rng)
        self.update(
            deviation,
            handler,
            at,
            status=WORK.value,
            reopen_reason=case.reopen_reason,
            closed_at=None,
            closed_by_person_id=None,
            deadline=today + timedelta(days=self.rng.randint(7, 30)),
        )
        if case.reopen_action:
            description, tag = case.reopen_action
            owner = self.person(tag, case, deviation)
            assert owner is not None
            created = _soon_after(at, self.rng)
            deadline = today + timedelta(days=self.rng.randint(10, 25))
            self.add_action(deviation, responsible, description, owner, created, deadline)
        self.comments(case, deviation, case.later_comments, at, self.midnight)


DONE_NOTES = (
    "Utført og kontrollert.",
    "Ferdig. Gått gjennom med de berørte.",
    "Gjort; sjekket på vernerunden.",
    "Utført som planlagt.",
)


def hours_worked(people: list[Person], first: date, last: date) -> int:
    """Hours worked between two days by everyone employed, counted from their contracted
    weekly hours (a full-time year is HOURS_PER_FULL_TIME_YEAR), rounded to hundreds."""
    total = Decimal(0)
    for person in people:
        start = max(first, person.employed_from)
        end = min(last, person.employed_to or last)
        if end < start:
            continue
        share = Decimal((end - start).days + 1) / Decimal(365)
        total += share * person.weekly_hours / Decimal("37.5") * HOURS_PER_FULL_TIME_YEAR
    return int((total / 100).quantize(Decimal(1), ROUND_HALF_UP)) * 100


def build_hours_worked(session: Session, *, company: DemoCompany) -> list[CompanySetting]:
    """Hours worked last year and so far this year, for H1 and H2 on the statistics page."""
    today = company.today
    last_year, this_year = today.year - 1, today.year
    hours = {
        last_year: hours_worked(company.people, date(last_year, 1, 1), date(last_year, 12, 31)),
        this_year: hours_worked(company.people, date(this_year, 1, 1), today - timedelta(days=1)),
    }
    return [
        _set(session, HOURS_KEY.format(year=year), str(value))
        for year, value in hours.items()
        if value > 0
    ]


def build_deviations(
    session: Session, *, company: DemoCompany, appointees: Appointees, rng: random.Random
) -> list[Deviation]:
    """A year of deviations in every state (see CASES), oldest first, and the hours
    worked that the injury rates need."""
    writer = _Writer(session, company, appointees, rng)
    deviations = [
        writer.write(case) for case in sorted(CASES, key=lambda c: (-c.days_ago, c.title))
    ]
    build_hours_worked(session, company=company)
    session.flush()
    return deviations
