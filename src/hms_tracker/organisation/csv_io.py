"""CSV export and import of the people register: plain functions, no web, no database.

Export: UTF-8 with BOM, `;`-separated, Norwegian header, ISO dates, hours with a decimal
comma — what Excel in Norway opens correctly. Cells that a spreadsheet would run as a
formula get a leading apostrophe (web/csv.py, as every export).

Import: the same columns (or English aliases), `,` or `;` (sniffed from the header line),
UTF-8 with or without BOM. A file that is not UTF-8 is refused with a message that says
so; it is never guessed at. Every row's problems are listed by line number, and a file is
only valid when no row has a problem.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from hms_tracker.organisation.forms import (
    EMPLOYMENT_TYPE_LABELS,
    PersonForm,
    normalise_email_text,
    parse_employment_type,
    parse_hours_text,
)
from hms_tracker.organisation.models import Person
from hms_tracker.web.csv import BOM, encode_csv, unguarded_cell
from hms_tracker.web.forms import errors_from, parse_date_text
from hms_tracker.web.i18n import _, lazy

HEADER = (
    "navn",
    "e-post",
    "telefon",
    "stilling",
    "avdeling",
    "ansatt_fra",
    "ansatt_til",
    "ansettelsesform",
    "ukentlige_timer",
)
# An example row for the import page (data, not interface text: the columns are fixed).
SAMPLE_ROW = (
    "Kari Nordmann;kari@firma.no;+47 912 34 567;Lagermedarbeider;Lager;2024-01-15;;Fast ansatt;37,5"
)
FIELDS = (
    "name",
    "email",
    "phone",
    "title",
    "department",
    "employed_from",
    "employed_to",
    "employment_type",
    "weekly_hours",
)
COLUMN_FOR_FIELD = dict(zip(FIELDS, HEADER, strict=True))
_ALIASES = {
    **{column: fld for column, fld in zip(HEADER, FIELDS, strict=True)},
    **{fld: fld for fld in FIELDS},
    "epost": "email",
    "e-mail": "email",
    "e_post": "email",
    "ansatt_fra_dato": "employed_from",
    "ansettelsestype": "employment_type",
    "timer": "weekly_hours",
    "timer_per_uke": "weekly_hours",
}
REQUIRED_COLUMNS = ("name", "employed_from")
DEFAULT_EMPLOYMENT_TYPE = "permanent"
DEFAULT_WEEKLY_HOURS = Decimal("37.5")


# --- export -----------------------------------------------------------------------------


def _hours(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def export_row(person: Person, department_name: str | None) -> list[str]:
    return [
        person.name,
        person.email or "",
        person.phone or "",
        person.title or "",
        department_name or "",
        person.employed_from.isoformat(),
        person.employed_to.isoformat() if person.employed_to else "",
        EMPLOYMENT_TYPE_LABELS.get(person.employment_type, person.employment_type),
        _hours(Decimal(person.weekly_hours)),
    ]


def write_people_csv(rows: Iterable[tuple[Person, str | None]]) -> bytes:
    """The export file (web/csv.py: BOM, `;`, CRLF line ends, formulas guarded), Norwegian
    header."""
    return encode_csv(HEADER, (export_row(person, name) for person, name in rows))


# --- import -----------------------------------------------------------------------------


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    person: PersonForm | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    delimiter: str = ";"

    @property
    def ok_count(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and self.error_count == 0

    def people(self) -> list[PersonForm]:
        return [row.person for row in self.rows if row.person is not None]


# Files people pick by mistake, by their first bytes: what they are, said in words.
_NOT_TEXT = (
    (b"\xff\xd8\xff", lazy("et bilde (JPEG)")),
    (b"\x89PNG", lazy("et bilde (PNG)")),
    (b"GIF8", lazy("et bilde (GIF)")),
    (b"%PDF", lazy("et PDF-dokument")),
    (b"PK\x03\x04", lazy("en Excel-arbeidsbok (XLSX) eller en annen ZIP-fil")),
    (b"\xd0\xcf\x11\xe0", lazy("en eldre Excel-arbeidsbok (XLS)")),
)


def decode_csv(content: bytes) -> str:
    """The file's text: UTF-8, with or without BOM. Anything else is refused, not guessed."""
    for magic, what in _NOT_TEXT:
        if content.startswith(magic):
            raise CsvFileError(
                _(
                    "Filen er ikke en CSV-fil, men %(what)s. Velg CSV-filen med personene, "
                    "lagret som «CSV UTF-8 (kommadelt)»; ingenting er lagret.",
                    what=_(what),
                )
            )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError(
            _(
                "Filen er ikke UTF-8, men UTF-16 («Unicode-tekst» i Excel). Lagre den som "
                "«CSV UTF-8 (kommadelt)» og last den opp på nytt."
            )
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            _(
                "Filen er ikke UTF-8 (første ugyldige tegn er på linje %(line)s). Den er "
                "trolig lagret som Windows-1252/Latin-1, slik eldre Excel gjør. Lagre den som "
                "«CSV UTF-8 (kommadelt)» og last den opp på nytt; ingenting er lagret.",
                line=line,
            )
        ) from None
    if "\x00" in text:
        raise CsvFileError(
            _(
                "Filen inneholder NUL-tegn og er trolig ikke UTF-8 (kanskje UTF-16). Lagre den "
                "som «CSV UTF-8 (kommadelt)» og last den opp på nytt."
            )
        )
    return text


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: whichever separates the header line into most columns."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {}
    for delimiter in (";", ",", "\t"):
        try:
            counts[delimiter] = len(next(csv.reader([header], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            counts[delimiter] = 0
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 1 else ","


def _column_key(name: str) -> str:
    return "_".join(name.replace(BOM, "").strip().lower().split())


def _unprotect(cell: str) -> str:
    """Undo the export's formula guard: "'+47 …" → "+47 …"."""
    return unguarded_cell(cell.strip())


def _check_row(
    row: ImportRow,
    departments: Mapping[str, tuple[int, bool]],
    existing_emails: set[str],
    emails_in_file: dict[str, int],
) -> None:
    v = row.values
    errors = row.errors
    data: dict[str, Any] = {
        "name": v.get("name") or None,
        "phone": v.get("phone") or None,
        "title": v.get("title") or None,
    }
    if not v.get("name"):
        errors.append(_("Mangler navn."))

    def parse_date(key: str, required: bool) -> date | None:
        text = v.get(key, "")
        if not text:
            if required:
                errors.append(_("Mangler %(column)s.", column=COLUMN_FOR_FIELD[key]))
            return None
        try:
            return parse_date_text(text)
        except ValueError:
            errors.append(
                _(
                    "Ugyldig dato i %(column)s: «%(value)s». Bruk ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ.",
                    column=COLUMN_FOR_FIELD[key],
                    value=text,
                )
            )
            return None

    start = parse_date("employed_from", required=True)
    end = parse_date("employed_to", required=False)
    if start and end and end < start:
        errors.append(
            _(
                "ansatt_til (%(end)s) er før ansatt_fra (%(start)s).",
                end=end.isoformat(),
                start=start.isoformat(),
            )
        )
        end = None
    data["employed_from"], data["employed_to"] = start, end

    email = v.get("email", "")
    data["email"] = None
    if email:
        try:
            normalised = normalise_email_text(email)
        except ValueError:
            errors.append(_("Ugyldig e-postadresse: «%(value)s».", value=email))
        else:
            data["email"] = normalised
            if normalised in emails_in_file:
                errors.append(
                    _(
                        "E-postadressen %(email)s står også på linje %(line)s.",
                        email=normalised,
                        line=emails_in_file[normalised],
                    )
                )
            elif normalised in existing_emails:
                errors.append(
                    _("E-postadressen %(email)s finnes allerede i registeret.", email=normalised)
                )
            emails_in_file.setdefault(normalised, row.line)

    department = v.get("department", "")
    data["department_id"] = None
    if department:
        found = departments.get(department.strip().lower())
        if found is None:
            errors.append(
                _(
                    "Ukjent avdeling: «%(value)s». Opprett avdelingen først, eller rett navnet.",
                    value=department,
                )
            )
        elif found[1]:
            errors.append(_("Avdelingen «%(value)s» er lagt ned.", value=department))
        else:
            data["department_id"] = found[0]

    kind = v.get("employment_type", "")
    data["employment_type"] = DEFAULT_EMPLOYMENT_TYPE
    if kind:
        try:
            data["employment_type"] = parse_employment_type(kind)
        except ValueError:
            errors.append(
                _(
                    "Ukjent ansettelsesform: «%(value)s». Bruk Fast ansatt, Midlertidig ansatt "
                    "eller Innleid.",
                    value=kind,
                )
            )

    hours = v.get("weekly_hours", "")
    data["weekly_hours"] = DEFAULT_WEEKLY_HOURS
    if hours:
        try:
            value = parse_hours_text(hours)
        except ValueError:
            errors.append(
                _(
                    "Ugyldig antall timer: «%(value)s». Skriv et tall, for eksempel 37,5.",
                    value=hours,
                )
            )
        else:
            if value < 0 or value > 100:
                errors.append(
                    _("Ukentlige timer må være mellom 0 og 100, ikke %(value)s.", value=hours)
                )
            else:
                data["weekly_hours"] = value

    if errors:
        return
    try:
        row.person = PersonForm.model_validate(data)
    except ValidationError as exc:
        for key, message in errors_from(exc).items():
            column = COLUMN_FOR_FIELD.get(key, key)
            errors.append(f"{column}: {message}")


def parse_people_csv(
    content: bytes,
    *,
    departments: Mapping[str, tuple[int, bool]],
    existing_emails: set[str],
) -> ImportPreview:
    """Read an import file and check every row; nothing is saved here.

    `departments` maps a lower-case department name to (id, is closed); `existing_emails`
    are the register's addresses in lower case.
    """
    preview = ImportPreview()
    try:
        text = decode_csv(content)
    except CsvFileError as exc:
        preview.file_errors.append(exc.message)
        return preview
    if not text.strip():
        preview.file_errors.append(_("Filen er tom."))
        return preview
    preview.delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=preview.delimiter)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except StopIteration:
        preview.file_errors.append(_("Filen er tom."))
        return preview
    except csv.Error as exc:
        preview.file_errors.append(_("Filen kan ikke leses som CSV: %(error)s", error=str(exc)))
        return preview

    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _ALIASES.get(_column_key(name))
        if key is None:
            if name.strip():
                preview.ignored_columns.append(name.strip())
        elif key in positions:
            preview.file_errors.append(
                _("Kolonnen «%(column)s» står to ganger i overskriftslinjen.", column=name.strip())
            )
        else:
            positions[key] = index
    missing = [COLUMN_FOR_FIELD[key] for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        preview.file_errors.append(
            _(
                "Overskriftslinjen mangler kolonnen %(columns)s. Første linje må ha "
                "kolonnenavnene, for eksempel: %(example)s",
                columns=", ".join(missing),
                example=";".join(HEADER),
            )
        )
    if preview.file_errors:
        return preview

    emails_in_file: dict[str, int] = {}
    last_line = reader.line_num
    try:
        for cells in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            values = {
                key: _unprotect(cells[index]) if index < len(cells) else ""
                for key, index in positions.items()
            }
            row = ImportRow(line=line, values=values)
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                row.errors.append(
                    _(
                        "Linjen har %(found)s felt, men overskriften har %(expected)s. Sjekk "
                        "skilletegn og anførselstegn.",
                        found=len(cells),
                        expected=len(header),
                    )
                )
            _check_row(row, departments, existing_emails, emails_in_file)
            preview.rows.append(row)
    except csv.Error as exc:
        preview.file_errors.append(
            _(
                "Linje %(line)s kan ikke leses som CSV: %(error)s",
                line=last_line + 1,
                error=str(exc),
            )
        )
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("Filen har ingen rader under overskriftslinjen."))
    return preview
