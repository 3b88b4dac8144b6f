"""A4 PDF documents (the yearly review, AMU minutes and reports): fpdf2's built-in
Helvetica, so no font files and no system libraries. Its fonts know Latin-1 only, which
holds Norwegian (æ ø å, §, « »); `latin1()` maps the few other characters our texts use
(dashes, arrows, the ellipsis) to plain ones."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from hms_tracker.web.i18n import _, get_language

# Characters outside Latin-1 that our texts use, as the nearest plain ones.
_PLAIN = str.maketrans(
    {
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2212": "-", "\u2022": "-", "\u2192": "->", "\u2190": "<-", "\u2026": "...",
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
        "\u201e": '"', "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200b": "",
        "\u20ac": "EUR", "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d",
        "\r": "\n", "\t": " ",
    }
)  # fmt: skip


def latin1(text: str) -> str:
    """`text` in the characters the PDF's built-in fonts have (Latin-1): dashes, arrows and
    the ellipsis as plain ones, an accented letter without its accent, anything else as
    "?"; line breaks kept, other control characters dropped."""
    text = text.replace("\r\n", "\n").translate(_PLAIN)
    if text.isascii() and text.isprintable():
        return text
    return "".join(_latin1_char(c) for c in text)


def _latin1_char(char: str) -> str:
    if char == "\n" or (" " <= char <= "~") or ("\xa0" <= char <= "\xff"):
        return char
    if unicodedata.category(char).startswith("C"):
        return ""
    plain = "".join(
        c
        for c in unicodedata.normalize("NFKD", char)
        if c <= "\xff" and not unicodedata.combining(c) and c.isprintable()
    )
    return plain or "?"


class Document(FPDF):
    """A4 with a footer: what the document is and the page number."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.set_text_color(90)
        self.cell(
            0, 5, latin1(self.footer_text), new_x=XPos.LMARGIN, new_y=YPos.TOP, align="L"
        )  # fmt: skip
        self.cell(
            0, 5, latin1(_("Side %(page)s av %(pages)s", page=self.page_no(), pages="{nb}")),
            align="R",
        )  # fmt: skip
        self.set_text_color(0)


def paragraph(pdf: FPDF, text: str, *, size: float = 10, style: str = "", gap: float = 1) -> None:
    """A paragraph, wrapped to the page's width."""
    pdf.set_font("helvetica", style=style, size=size)
    pdf.multi_cell(
        0, size * 0.5, latin1(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )  # fmt: skip
    pdf.ln(gap)


def heading(pdf: FPDF, text: str, *, size: float = 13) -> None:
    # Keep a heading with at least a few lines of what follows it.
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:
        pdf.add_page()
    pdf.ln(2)
    paragraph(pdf, text, size=size, style="B", gap=1.5)


def a4_document(title: str, *, company_name: str, footer: str | None = None) -> Document:
    """A new A4 document titled `title`, by the company, in the reader's language, with
    `footer` (default: company and title) on every page and its first page added."""
    pdf = Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.footer_text = footer or f"{company_name} · {title}"
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(company_name))
    pdf.set_creator("hms-tracker")
    pdf.set_lang("en" if get_language() == "en" else "nb")
    pdf.add_page()
    return pdf
