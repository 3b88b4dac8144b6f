"""The deviation list as a file: CSV (Norwegian Excel: UTF-8 with BOM, `;`) and XLSX.

Plain functions of the rows the list shows (service.export_deviations), no web, no database.
The header is in the reader's language. No cell is ever run as a formula: CSV cells that a
spreadsheet would evaluate get a leading apostrophe (web/csv.py, as every export), and
every text in the XLSX is written as a string, never parsed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter

from hms_tracker.deviations.forms import category_label, status_tag
from hms_tracker.deviations.service import DeviationRow
from hms_tracker.risk import risk_level
from hms_tracker.web.csv import encode_csv
from hms_tracker.web.i18n import OSLO, _


def _local(value: datetime | None) -> datetime | None:
    """A stored UTC time as Norwegian wall-clock time without zone (what a sheet shows)."""
    return value.astimezone(OSLO).replace(tzinfo=None) if value is not None else None


def _yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nei")


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]  # translated when the file is made
    kind: str  # text / number / date / datetime
    width: int
    value: Callable[[DeviationRow], Any]


COLUMNS: tuple[Column, ...] = (
    Column(lambda: _("Nummer"), "number", 8, lambda r: r.deviation.id),
    Column(lambda: _("Tittel"), "text", 40, lambda r: r.deviation.title),
    Column(lambda: _("Status"), "text", 16, lambda r: status_tag(r.deviation.status)[0]),
    Column(lambda: _("Kategori"), "text", 22, lambda r: category_label(r.deviation.category)),
    Column(lambda: _("Avdeling"), "text", 22, lambda r: r.department),
    Column(lambda: _("Sted"), "text", 20, lambda r: r.deviation.place or ""),
    Column(lambda: _("Tidspunkt"), "datetime", 17, lambda r: _local(r.deviation.occurred_at)),
    Column(lambda: _("Konsekvens"), "number", 11, lambda r: r.deviation.consequence),
    Column(lambda: _("Sannsynlighet"), "number", 13, lambda r: r.deviation.probability),
    Column(lambda: _("Risikoscore"), "number", 11, lambda r: r.deviation.risk_score),
    Column(lambda: _("Risikonivå"), "text", 18, lambda r: risk_level(r.deviation.risk_score).label),
    Column(lambda: _("Ansvarlig"), "text", 22, lambda r: r.responsible or ""),
    Column(lambda: _("Frist"), "date", 11, lambda r: r.deviation.deadline),
    Column(lambda: _("Forfalt"), "text", 8, lambda r: _yes_no(r.overdue)),
    Column(lambda: _("Registrert"), "datetime", 17, lambda r: _local(r.deviation.created_at)),
    Column(lambda: _("Lukket"), "datetime", 17, lambda r: _local(r.deviation.closed_at)),
    Column(lambda: _("Anonym"), "text", 8, lambda r: _yes_no(r.deviation.anonymous)),
    Column(lambda: _("Beskrivelse"), "text", 60, lambda r: r.deviation.description),
)


def headers() -> list[str]:
    return [column.header() for column in COLUMNS]


# --- CSV ----------------------------------------------------------------------------------


def csv_text(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "datetime":
        return str(value.strftime("%Y-%m-%d %H:%M"))
    if kind == "date":
        return str(value.isoformat())
    return str(value)


def write_csv(rows: Iterable[DeviationRow]) -> bytes:
    """BOM, `;`, CRLF line ends, formulas guarded (web/csv.py), ISO dates, a header in the
    reader's language."""
    cells = ([csv_text(c.kind, c.value(row)) for c in COLUMNS] for row in rows)
    return encode_csv(headers(), cells)


# --- XLSX ---------------------------------------------------------------------------------

# Excel keeps at most this many characters in a cell.
XLSX_MAX_CELL = 32767


def write_xlsx(rows: Iterable[DeviationRow]) -> bytes:
    """One sheet: a bold, frozen header with a filter; dates as dates, numbers as numbers,
    every text as a string (never a formula, a number or a link guessed from it)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(_("Avvik")[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col_index, column in enumerate(COLUMNS):
        sheet.write_string(0, col_index, column.header(), bold)
        sheet.set_column(col_index, col_index, column.width)
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for col_index, column in enumerate(COLUMNS):
            value = column.value(row)
            if value is None:
                sheet.write_blank(row_index, col_index, None)
            elif column.kind == "number":
                sheet.write_number(row_index, col_index, value)
            elif column.kind == "datetime":
                sheet.write_datetime(row_index, col_index, value, datetime_format)
            elif column.kind == "date":
                assert isinstance(value, date)
                sheet.write_datetime(
                    row_index, col_index, datetime(value.year, value.month, value.day), date_format
                )
            else:
                sheet.write_string(row_index, col_index, str(value)[:XLSX_MAX_CELL])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, row_index, len(COLUMNS) - 1)
    workbook.close()
    return output.getvalue()
