"""The words of the scaled demo: departments, titles, deviations, actions, comments,
routines and risks of a Norwegian engineering group, combined at random by the builders
(demo/scale_*.py). Pure data."""

from __future__ import annotations

# (division, its units: the third level of the tree, one per site)
DIVISIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Administrasjon", ("Økonomi", "HR og lønn", "IT", "Innkjøp", "Kvalitet og HMS")),
    (
        "Produksjon",
        (
            "CNC-maskinering",
            "Sveis og montering",
            "Platebearbeiding",
            "Overflatebehandling",
            "Sluttmontering",
            "Kvalitetskontroll",
        ),
    ),
    (
        "Lager og logistikk",
        ("Varemottak", "Utsending", "Intern transport", "Sentrallager"),
    ),
    ("Vedlikehold", ("Mekanisk vedlikehold", "Elektro og automasjon", "Bygg og eiendom")),
    ("Prosjekt og engineering", ("Konstruksjon", "Prosjektledelse", "Dokumentasjon")),
    ("Salg og service", ("Feltservice", "Kundeservice", "Salg og tilbud")),
)
# How many people and second-level departments each division gets, relatively.
DIVISION_WEIGHT = {
    "Administrasjon": 0.5,
    "Produksjon": 1.7,
    "Lager og logistikk": 1.1,
    "Vedlikehold": 0.9,
    "Prosjekt og engineering": 0.6,
    "Salg og service": 0.8,
}
SITES = (
    "Bergen", "Stavanger", "Haugesund", "Ålesund", "Trondheim", "Kristiansand", "Molde",
    "Florø", "Kristiansund", "Mongstad", "Sandnes", "Førde", "Bodø", "Tromsø", "Drammen",
)  # fmt: skip

TITLES = {
    "Administrasjon": (
        "Økonomimedarbeider", "Regnskapsfører", "HR-rådgiver", "Lønnsmedarbeider",
        "IT-konsulent", "Innkjøper", "Kvalitetsrådgiver", "Controller", "Resepsjonist",
        "Renholder",
    ),
    "Produksjon": (
        "CNC-operatør", "CNC-operatør", "Maskinarbeider", "Sveiser", "Sveiser",
        "Platearbeider", "Montør", "Montør", "Lakkerer", "Produksjonsmedarbeider",
        "Kvalitetskontrollør", "Produksjonsplanlegger", "Lærling CNC-maskinering",
    ),
    "Lager og logistikk": (
        "Lagermedarbeider", "Lagermedarbeider", "Truckfører", "Truckfører", "Sjåfør",
        "Logistikkoordinator", "Innkjøper",
    ),
    "Vedlikehold": (
        "Industrimekaniker", "Industrimekaniker", "Elektriker", "Automatiker",
        "Vaktmester", "Vedlikeholdsplanlegger",
    ),
    "Prosjekt og engineering": (
        "Konstruktør", "Prosjektingeniør", "Prosjektleder", "Dokumentasjonsingeniør",
        "Tegner",
    ),
    "Salg og service": (
        "Servicetekniker", "Servicetekniker", "Salgsingeniør", "Kundebehandler",
        "Servicekoordinator",
    ),
}  # fmt: skip
LEADER_TITLES = {1: "Direktør", 2: "Driftsleder", 3: "Avdelingsleder"}

END_REASONS = (
    "Sa opp selv – ny jobb",
    "Sa opp selv – ny jobb",
    "Sa opp selv – flyttet",
    "Gikk av med pensjon",
    "Avtalefestet pensjon (AFP)",
    "Nedbemanning",
)
TEMPORARY_END = "Midlertidig ansettelse utløpt"
HIRED_IN_END = "Innleieavtalen avsluttet"

PLACES = (
    "Hall 1", "Hall 2", "Hall 3", "Verkstedet", "Lageret", "Varemottaket", "Port 1", "Port 2",
    "Kantina", "Pauserommet", "Garderoben", "Parkeringsplassen", "Trappen til mesaninen",
    "Kompressorrommet", "Sveisebås 2", "Lakkeringsbua", "Kontorlandskapet", "Kundens anlegg",
    "Utendørs lagerområde", "Verktøyrommet", "Testbenken", "Emballasjelageret",
)  # fmt: skip
EQUIPMENT = (
    "truck", "traverskran", "kantpresse", "dreiebenk", "CNC-fres", "søylebor", "vinkelsliper",
    "sveiseapparat", "stige", "rullestillas", "saksløfter", "palletralle", "kompressor",
    "båndsag", "hydraulisk presse", "løftestropp", "gaffeltruck", "varebil",
)  # fmt: skip

# category -> (title, description) with {place} and {equipment} filled in
DEVIATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "personal_injury": (
        ("Kutt i hånd ved arbeid med {equipment}",
         "Fikk et kutt i hånden under arbeid med {equipment} i {place}. Såret ble renset og "
         "teipet av førstehjelper."),
        ("Klemskade i finger", "Fingeren ble klemt mellom arbeidsstykke og {equipment} i "
         "{place}. Undersøkt på legevakten."),
        ("Fall i trapp", "Snublet og falt i trappen ved {place}. Slo kneet og hoften."),
        ("Ryggskade ved løft", "Fikk vondt i ryggen ved manuelt løft av en tung del i "
         "{place}. Burde ha brukt løfteutstyr."),
        ("Fremmedlegeme i øyet", "Fikk en metallsplint i øyet ved bruk av {equipment}. "
         "Skyllet på stedet og fjernet hos lege."),
        ("Brannskade på underarm", "Varmt materiale traff underarmen under arbeid ved "
         "{place}."),
        ("Skled på glatt gulv", "Skled på oljesøl på gulvet i {place} og slo albuen."),
        ("Støt i hodet", "Slo hodet i et utstikkende rør ved {place}. Hjelmen tok av for det "
         "meste."),
    ),
    "near_miss": (
        ("Nesten påkjørt av truck", "En truck rygget ut ved {place} uten å se seg for. En "
         "kollega måtte hoppe til side."),
        ("Last falt fra {equipment}", "Lasten gled av under løft i {place}. Ingen ble truffet."),
        ("Gjenstand falt ned fra reol", "En eske falt ned fra øverste hylle i {place} og "
         "landet like ved en kollega."),
        ("Verktøy falt fra stillas", "Et verktøy falt ned fra rullestillaset ved {place}. "
         "Området under var ikke sperret av."),
        ("Arbeidsstykke løsnet i {equipment}", "Arbeidsstykket løsnet under kjøring og "
         "traff vernet. Ingen ble skadet."),
        ("Nesten klemt av port", "Porten ved {place} lukket seg mens en kollega gikk under."),
        ("Strømførende kabel i arbeidsområdet", "En kabel som skulle være frakoblet var "
         "strømførende under arbeid i {place}."),
    ),
    "hazard": (
        ("Defekt {equipment}", "{equipment} i {place} fungerer ikke som den skal og bør tas "
         "ut av bruk til den er reparert."),
        ("Blokkert nødutgang", "Nødutgangen ved {place} var blokkert av paller og emballasje."),
        ("Dårlig belysning", "Flere lysrør er gått i {place}. Det er vanskelig å se "
         "merkingen på gulvet."),
        ("Manglende vern", "Vernet på {equipment} i {place} mangler eller er skadet."),
        ("Glatt gulv", "Gulvet i {place} er glatt av olje og vann. Flere har vært nær ved å "
         "skli."),
        ("Støy over grenseverdien", "Det er svært høy støy ved {place}, og flere bruker ikke "
         "hørselvern."),
        ("Utgått brannslukker", "Brannslukkeren ved {place} er ikke kontrollert på over ett "
         "år."),
        ("Løs stige", "Stigen ved {place} er løs i festet og vipper når man står på den."),
        ("Dårlig ventilasjon", "Det lukter sterkt av løsemiddel i {place}, og flere får "
         "hodepine."),
    ),
    "material_damage": (
        ("Truck kjørte inn i reol", "Trucken traff reolenden i {place}. Stolpen fikk en bulk."),
        ("Skade på {equipment}", "{equipment} ble skadet under bruk i {place}."),
        ("Port skadet av lastebil", "En lastebil rygget inn i porten ved {place}."),
        ("Vannlekkasje", "Det lekker vann fra taket i {place}; varer har blitt våte."),
        ("Varer skadet under transport", "En pall med ferdige deler veltet under transport i "
         "{place}."),
    ),
    "environment": (
        ("Oljesøl ved {place}", "Det har lekket olje fra {equipment}; oljen renner mot sluket."),
        ("Kjemikalier i sluk", "Rester av avfettingsmiddel ble tømt i sluket ved {place}."),
        ("Feil sortering av farlig avfall", "Spraybokser og filler med olje lå i restavfallet "
         "ved {place}."),
        ("Lekkasje fra hydraulikkslange", "{equipment} lekker hydraulikkolje langs kjøreruta."),
    ),
    "psychosocial": (
        ("Stort arbeidspress", "Vi har jobbet mye overtid i flere uker. Folk er slitne, og det "
         "går ut over sikkerheten."),
        ("Uheldig tone i pausene", "Det kommer gjentatte nedsettende kommentarer i pausene. "
         "Flere hører det uten å si fra."),
        ("Konflikt i arbeidslaget", "En konflikt mellom to kolleger påvirker hele laget."),
        ("Alenearbeid uten oppfølging", "Jeg jobber ofte alene på kveldstid uten at noen vet "
         "hvor jeg er."),
        ("Uklare forventninger", "Det er uklart hvem som har ansvaret for hva etter "
         "omorganiseringen."),
    ),
    "routine_breach": (
        ("Varmt arbeid uten arbeidstillatelse", "Det ble sveiset i {place} uten "
         "arbeidstillatelse for varmt arbeid og uten brannvakt."),
        ("Verneutstyr ikke brukt", "Flere arbeidet ved {equipment} uten vernebriller og "
         "hørselvern."),
        ("Sikkerhetssjekk hoppet over", "Sjekklisten før løft ble ikke fylt ut i {place}."),
        ("Truck brukt uten opplæring", "En innleid kjørte truck i {place} uten dokumentert "
         "opplæring."),
        ("Kjemikalier uten merking", "Det står kanner uten merking i {place}; de er ikke i "
         "stoffkartoteket."),
        ("Låsing og merking ikke gjort", "Vedlikehold på {equipment} startet uten at "
         "maskinen var låst og merket."),
    ),
    "other": (
        ("Kaffeautomat lekker", "Kaffeautomaten i {place} lekker vann på gulvet."),
        ("Kaldt trekk", "Porten ved {place} står åpen store deler av dagen; det er kaldt og "
         "trekk."),
        ("Manglende renhold", "Garderoben har ikke vært vasket på en uke."),
        ("Feil på adgangskort", "Adgangskortet virker ikke på døren ved {place}."),
    ),
}  # fmt: skip

IMMEDIATE_ACTIONS = (
    "Området sperret av.",
    "Maskinen stoppet og merket «Ikke i bruk».",
    "Førstehjelp gitt på stedet.",
    "Absorbent lagt ut.",
    "Lederen varslet med en gang.",
    "Utstyret tatt ut av bruk.",
    "Ryddet med en gang.",
)

ACTIONS = (
    "Reparere {equipment} og kontrollere den før den tas i bruk",
    "Gå gjennom rutinen med alle i avdelingen på neste avdelingsmøte",
    "Sette opp skilt og merking i {place}",
    "Kjøpe inn nytt verneutstyr",
    "Legge kontrollen inn i vedlikeholdsplanen",
    "Opplæring for de berørte",
    "Risikovurdere arbeidsoperasjonen på nytt",
    "Montere vern på {equipment}",
    "Rydde og merke fri sone foran nødutgangen",
    "Bytte belysning i {place}",
    "Lage sjekkliste for oppstart",
    "Ta opp saken i AMU",
    "Avtale med leverandør om service",
    "Innføre fast vernerunde hver måned",
    "Skaffe løfteutstyr til {place}",
    "Oppdatere stoffkartoteket og merke kjemikaliene",
)
DONE_NOTES = (
    "Utført og kontrollert.",
    "Ferdig. Gått gjennom med de berørte.",
    "Gjort; sjekket på vernerunden.",
    "Utført som planlagt.",
    "Montert og testet.",
)
ROOT_CAUSES = (
    "Manglende rutine for arbeidsoperasjonen.",
    "Utstyret var slitt og ikke kontrollert.",
    "Opplæringen var ikke god nok.",
    "Tidspress; arbeidet ble gjort i en fart.",
    "Verneutstyret var ikke tilgjengelig der arbeidet ble gjort.",
    "Dårlig plass og uryddig arbeidsområde.",
    "Vedlikeholdet var ikke lagt inn i planen.",
    "Uklart ansvar mellom avdelingene.",
    "Gjennomgått med de involverte; ingen bakenforliggende årsak funnet.",
)
PARTLY_NOTES = (
    "Tiltakene er gjort, men problemet er ikke helt borte. Følges opp på vernerunden.",
    "Bedre enn før, men ikke godt nok ennå; tas opp igjen i AMU.",
)
NO_EFFECT_NOTES = ("Tiltaket virket ikke; saken er meldt som en ny risiko i risikoregisteret.",)
NO_ACTION_NOTES = (
    "Strakstiltaket var nok; ingen videre tiltak nødvendig.",
    "Forholdet var rettet da saken ble behandlet.",
    "Engangshendelse; gått gjennom med den det gjaldt.",
)
REJECTIONS = (
    "Duplikat av en sak som allerede følges opp.",
    "Gjelder leverandørens utstyr; meldt videre til leverandøren.",
    "Ikke et avvik for avdelingen; meldt videre som en vanlig serviceforespørsel.",
    "Feilregistrert; meldt på nytt i riktig avdeling.",
)
REOPEN_REASONS = (
    "Problemet har kommet tilbake.",
    "Tiltaket virket ikke som forventet.",
    "Verneombudet ser fortsatt samme forhold på vernerunden.",
)
NOTIFICATION_NOTE = "Arbeidstilsynet varslet på arbeidstilsynet.no og politiet på 02800."

COMMENTS_INTERNAL = (
    "Sett på stedet. Dette må prioriteres.",
    "Jeg har snakket med de som var involvert.",
    "Deler er bestilt, leveringstid to uker.",
    "Tas opp på neste avdelingsmøte.",
    "Verneombudet er orientert.",
    "Dette har skjedd før. Bør ses i sammenheng med tidligere saker.",
    "Leverandøren kommer neste uke.",
    "Midlertidig løsning er på plass.",
    "Jeg følger opp med vedlikehold.",
    "Risikovurderingen er oppdatert.",
)
COMMENTS_TO_REPORTER = (
    "Takk for at du meldte fra. Vi ser på saken.",
    "Saken er gitt til ansvarlig leder, som følger den opp.",
    "Tiltaket er bestilt og kommer på plass snart.",
    "Takk for meldingen. Vi tar det opp i AMU.",
)
COMMENTS_FROM_REPORTER = (
    "Takk for oppfølgingen.",
    "Det har skjedd igjen i dag.",
    "Jeg kan vise hvor det skjedde hvis det trengs.",
    "Flere har sagt det samme til meg.",
)
WITHDRAWN_COMMENT = "Skrevet i feil sak."
WITHDRAWN_ACTION = "Erstattet av et bedre tiltak."
WITHDRAWN_RECORD = "Registrert på feil person."

# Routines: (topic, tags, purpose)
ROUTINE_TOPICS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Varmt arbeid", ("brann", "sveis"), "Hindre brann ved sveising, sliping og skjæring."),
    ("Brannvern og evakuering", ("brann", "beredskap"), "Alle kommer seg trygt ut ved brann."),
    ("Førstehjelp og personskade", ("førstehjelp", "beredskap"), "Rask hjelp ved skade."),
    ("Kjemikalier og stoffkartotek", ("kjemikalier",), "Sikker bruk og lagring av kjemikalier."),
    ("Personlig verneutstyr", ("verneutstyr",), "Riktig verneutstyr til hver arbeidsoperasjon."),
    ("Låsing og merking (LOTO)", ("maskin", "elektro"), "Ingen maskin starter under arbeid."),
    ("Truckkjøring", ("truck", "transport"), "Sikker kjøring og lasting med truck."),
    ("Løfteoperasjoner og traverskran", ("løft", "kran"), "Sikre løft uten personskade."),
    ("Arbeid i høyden", ("fall", "stillas"), "Hindre fall ved arbeid over to meter."),
    ("Alenearbeid", ("alenearbeid",), "Hjelp kommer fram når noen jobber alene."),
    ("Støy og hørselvern", ("støy", "verneutstyr"), "Hindre hørselskader."),
    ("Ergonomi og manuelle løft", ("ergonomi",), "Unngå belastningsskader."),
    ("Avfallshåndtering og farlig avfall", ("miljø", "avfall"), "Riktig sortering av avfall."),
    ("Melding og behandling av avvik", ("avvik",), "Avvik meldes, behandles og lukkes."),
    ("Vernerunde", ("vernerunde",), "Faste vernerunder med verneombudet."),
    ("Opplæring av nyansatte", ("opplæring",), "Nyansatte får HMS-opplæring første uke."),
    ("Innleide og underleverandører", ("innleie",), "Innleide får samme opplæring som egne."),
    ("Arbeid på kundens anlegg", ("service", "sja"), "Sikker jobb hos kunden."),
    ("Sikker jobbanalyse (SJA)", ("sja",), "Risikoen vurderes før ikke-rutinemessig arbeid."),
    ("Maskinsikkerhet", ("maskin",), "Vern og nødstopp virker på alle maskiner."),
    ("Elektrisk arbeid", ("elektro",), "Arbeid på elektriske anlegg etter FSE."),
    ("Trykkluft og trykkpåkjent utstyr", ("trykk",), "Sikker bruk av trykkluft."),
    ("Bruk av stiger og stillas", ("fall", "stillas"), "Riktig valg og bruk av stige."),
    ("Kjøring i tjeneste", ("transport",), "Trygg kjøring med firmabil."),
    ("Smittevern og hygiene", ("hygiene",), "God hygiene i garderober og kantine."),
    ("Rusmiddelpolicy", ("rus",), "Ingen arbeider i ruspåvirket tilstand."),
    ("Oppfølging av sykefravær", ("fravær",), "Tett og god oppfølging av sykmeldte."),
    ("Arbeidstid og overtid", ("arbeidstid",), "Arbeidstiden holdes innenfor loven."),
    ("Konflikthåndtering", ("psykososialt",), "Konflikter løses tidlig og ryddig."),
    ("Trakassering og uønsket seksuell oppmerksomhet", ("psykososialt",), "Nulltoleranse."),
    ("Beredskap ved alvorlig ulykke", ("beredskap",), "Riktige varsler ved alvorlig ulykke."),
    ("Kontroll av løfteutstyr", ("løft",), "Årlig kontroll av stropper og kjettinger."),
    ("Lagring i høyreoler", ("lager",), "Reoler lastes riktig og kontrolleres."),
    ("Varemottak og lossing", ("lager", "transport"), "Sikker lossing ved rampene."),
    ("Sveiserøyk og avsug", ("sveis", "ventilasjon"), "Sveiserøyk fjernes ved kilden."),
    ("Lakkering og løsemidler", ("kjemikalier", "ventilasjon"), "Sikker lakkering."),
    ("Kantpresse og platebearbeiding", ("maskin",), "Hindre klemskader ved kantpressen."),
    ("CNC-maskiner: verktøybytte", ("maskin",), "Verktøybytte med maskinen i sikker stilling."),
    ("Vinterdrift og strøing", ("uteområde",), "Ingen fallskader på is."),
    ("Besøkende i produksjonen", ("besøk",), "Besøkende får verneutstyr og følge."),
)
WHISTLEBLOWING: tuple[str, tuple[str, ...], str] = (
    "Varsling av kritikkverdige forhold",
    ("varsling",),
    "Slik varsler du om kritikkverdige forhold i bedriften (arbeidsmiljøloven kapittel 2 A).",
)
ROUTINE_BODY = """## Formål

{purpose}

## Gjelder for

{scope}

## Ansvar

- Leder har ansvaret for at rutinen er kjent og blir fulgt.
- Den enkelte følger rutinen og melder avvik.
- Verneombudet deltar når rutinen gjennomgås.

## Slik gjør vi det

1. Vurder risikoen før arbeidet starter.
2. Bruk riktig verneutstyr.
3. Stopp arbeidet hvis noe er uklart, og spør leder.
4. Meld avvik i HMS-systemet.

## Endringer i versjon {number}

{change}
"""
CHANGE_NOTES = (
    "Oppdatert etter vernerunden.",
    "Nye ansvarlige etter omorganiseringen.",
    "Presisert kravene til verneutstyr.",
    "Oppdatert etter avvik meldt i avdelingen.",
    "Forenklet språket og lagt til sjekkliste.",
    "Nye kontaktpersoner og telefonnumre.",
)
ARCHIVE_REASONS = (
    "Erstattet av en felles rutine for hele divisjonen.",
    "Arbeidsoperasjonen er lagt ned.",
    "Slått sammen med en annen rutine.",
)
REVIEW_NOTES = (
    "Gjennomgått med verneombudet. Ingen endring.",
    "Gjennomgått på avdelingsmøtet. Rutinen fungerer.",
    "Gjennomgått; fortsatt i samsvar med praksis.",
)

# Risks: (hazard, description, existing measures)
RISK_HAZARDS: tuple[tuple[str, str, str], ...] = (
    ("Klemskader ved maskinarbeid", "Hender kan komme i klem i bevegelige deler.",
     "Faste vern, nødstopp, opplæring."),
    ("Fall fra høyde", "Arbeid på stiger, stillas og mesanin.", "Rekkverk, fallsikring."),
    ("Brann ved varmt arbeid", "Gnister kan antenne brennbart materiale.",
     "Arbeidstillatelse, brannvakt, slukkeutstyr."),
    ("Påkjørsel av truck", "Gående og truck deler arealer.", "Merkede gangfelt, fartsgrense."),
    ("Eksponering for sveiserøyk", "Helseskadelig røyk ved sveising.", "Punktavsug, masker."),
    ("Støyskader", "Støy over 85 dB ved flere maskiner.", "Hørselvern, støymålinger."),
    ("Kjemisk eksponering", "Løsemidler og avfettingsmidler.", "Stoffkartotek, ventilasjon."),
    ("Belastningsskader", "Tunge løft og ensidig arbeid.", "Løfteutstyr, jobbrotasjon."),
    ("Elektrisk støt", "Arbeid nær spenningsførende anlegg.", "LOTO, kvalifisert personell."),
    ("Fallende last ved løft", "Last kan falle fra kran eller truck.", "Kontrollert utstyr."),
    ("Kutt- og stikkskader", "Skarpe kanter og verktøy.", "Kuttsikre hansker."),
    ("Alenearbeid", "Arbeid uten andre til stede.", "Innsjekk, alarm."),
    ("Trafikkulykke i tjeneste", "Kjøring til kunder i all slags vær.", "Vinterdekk, kurs."),
    ("Psykososiale belastninger", "Høyt arbeidspress i perioder.", "Medarbeidersamtaler."),
    ("Utslipp til ytre miljø", "Olje og kjemikalier kan nå sluk.", "Oppsamlingskar."),
    ("Arbeid i trange rom", "Tanker og siloer med dårlig luft.", "Gassmåler, vakt utenfor."),
    ("Fall på glatt underlag", "Is og olje på gulv og uteområder.", "Strøing, renhold."),
    ("Trykkluft og hydraulikk", "Slanger kan ryke under trykk.", "Kontroll av slanger."),
)  # fmt: skip
MEASURES = (
    "Montere ekstra vern",
    "Ny opplæring for alle i avdelingen",
    "Kjøpe inn løfteutstyr",
    "Bedre merking av gangveier",
    "Oppgradere ventilasjonen",
    "Innføre fast kontroll i vedlikeholdsplanen",
    "Skifte ut slitt utstyr",
    "Lage egen rutine for arbeidsoperasjonen",
)
RISK_ARCHIVE_REASONS = (
    "Arbeidsoperasjonen er lagt ned.",
    "Slått sammen med en annen risiko.",
)

# Courses of the company's own (beside the four the migrations seed):
# (name, required hours, validity in months or None, hours per record)
OWN_COURSES: tuple[tuple[str, int, int | None, int], ...] = (
    ("HMS-introduksjon for nyansatte", 0, None, 4),
    ("Truckførerkurs T1–T4", 0, None, 28),
    ("Arbeid i høyden og fallsikring", 0, 36, 7),
    ("Varme arbeider", 0, 60, 8),
    ("Brannvernopplæring", 0, 12, 3),
    ("Kjemikalier og stoffkartotek", 0, None, 4),
    ("Anhuker og kranfører", 0, None, 16),
    ("Sikker jobbanalyse (SJA)", 0, None, 3),
)
PROVIDERS = (
    "AOF Vestland", "Arbeidsmiljøsenteret", "NHO Vestland", "Norsk Folkehjelp",
    "Røde Kors Førstehjelp", "Norsk Brannvernforening", "Intern opplæring", "Fagskolen",
)  # fmt: skip
