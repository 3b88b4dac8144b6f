"""CSV files for spreadsheets, made one way for every export.

UTF-8 with BOM, `;`-separated, CRLF line ends — what Excel in Norway opens correctly — and
no cell a spreadsheet would run as a formula (OWASP: CSV injection): a cell that starts
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: str) -> str:
    """The cell as a spreadsheet will show it, never run it."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def unguarded_cell(value: str) -> str:
    """Undo `safe_cell` when a file we wrote comes back in: "'+47 …" → "+47 …"."""
    if value[:1] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def encode_csv(header: Iterable[str], rows: Iterable[Iterable[str]]) -> bytes:
    """The file: BOM, `;`, CRLF line ends, every cell (the header's too) through
    `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")
