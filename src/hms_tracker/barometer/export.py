"""A yearly review (a barometer snapshot) as a file: CSV for spreadsheets, and an A4 PDF to
print, sign or file with the year's HMS documents (internkontrollforskriften § 5 nr. 8).

Plain functions of a snapshot as `review.take_snapshot` wrote it, no web, no database;
every text in the reader's language, the figures in words as the page /barometer/{year}
shows them (`presenter.snapshot_figure`). No CSV cell is ever run as a formula (web/csv.py,
as every export).

The PDF is written with web/pdf.py (fpdf2's built-in Helvetica, Latin-1).
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from hms_tracker.barometer.models import BarometerSnapshot
from hms_tracker.barometer.presenter import measure_label, snapshot_figure
from hms_tracker.barometer.review import read_snapshot
from hms_tracker.web.csv import encode_csv
from hms_tracker.web.i18n import _, format_date, get_language, ngettext
from hms_tracker.web.pdf import a4_document, latin1
from hms_tracker.web.pdf import heading as _heading
from hms_tracker.web.pdf import paragraph as _text

# --- what both files share ------------------------------------------------------------


def _language() -> str:
    """The key of a snapshot's texts ({"nb": …, "en": …}) for the reader."""
    return "en" if get_language() == "en" else "nb"


def _labels(question: dict[str, Any], language: str) -> dict[str, str]:
    """The question's scale: option id -> label."""
    return {option["id"]: option[language] for option in question["scale"]}


def _answers(question: dict[str, Any], language: str) -> tuple[str | None, str | None, str | None]:
    """The three answers as labels (None where there is none): the records', the survey's
    median and the coordinator's."""
    labels = _labels(question, language)
    records = question["records"]["answer"]
    median = (question["survey"] or {}).get("median")
    assessed = (question["assessment"] or {}).get("answer")
    return (
        labels.get(records) if records else None,
        labels.get(median) if median else None,
        labels.get(assessed) if assessed else None,
    )


def _national(question: dict[str, Any], language: str) -> str:
    national = question["national"]
    return str(national["figure"][language]) if national else ""


def is_in_worse_half(question: dict[str, Any]) -> bool:
    """Whether the records' answer lies in the worse half of the question's scale (the
    complement of the better half the barometer page colours; the scale runs worst first)."""
    answer = question["records"]["answer"]
    ids = [option["id"] for option in question["scale"]]
    return answer in ids and ids.index(answer) < len(ids) // 2


# --- CSV ------------------------------------------------------------------------------


def _decimal(value: float | int | None) -> str:
    """A number as Norwegian Excel reads it (decimal comma), as the other exports write it."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else round(value, 4)
    return str(value).replace(".", ",")


def csv_header() -> list[str]:
    return [
        _("År"),
        _("Spørsmål-id"),
        _("Spørsmål"),
        _("Svar fra registrene"),
        _("Svar fra pulsundersøkelsen (median)"),
        _("Koordinatorens svar"),
        _("Koordinatorens kommentar"),
        _("Nasjonalt tall"),
        _("Tall"),
        _("Tallet i ord"),
        _("Verdi"),
        _("Antall"),
        _("Av"),
        _("Registreringer bak tallet"),
    ]


def snapshot_csv(snapshot: BarometerSnapshot) -> bytes:
    """One row per question and figure behind its records' answer, with the question's
    three answers, the coordinator's comment and the national figure on every row."""
    content = read_snapshot(snapshot)
    language = _language()
    rows: list[list[str]] = []
    for question in content["questions"]:
        records, surveyed, assessed = _answers(question, language)
        comment = (question["assessment"] or {}).get("comment") or ""
        for measure in question["records"]["measures"]:
            rows.append(
                [
                    str(snapshot.year),
                    question["id"],
                    question["text"][language],
                    records or _("Ingen data"),
                    surveyed or "",
                    assessed or "",
                    comment,
                    _national(question, language),
                    measure_label(measure["id"]),
                    snapshot_figure(measure),
                    _decimal(measure["value"]),
                    _decimal(measure["count"]),
                    _decimal(measure["total"]),
                    str(measure["evidence_total"]),
                ]
            )
    return encode_csv(csv_header(), rows)


# --- PDF ------------------------------------------------------------------------------


def _figures(pdf: FPDF, question: dict[str, Any], *, with_counts: bool) -> None:
    for measure in question["records"]["measures"]:
        _text(pdf, f"{measure_label(measure['id'])}: {snapshot_figure(measure)}", gap=0.3)
        if with_counts:
            behind = measure["evidence_total"]
            pdf.set_text_color(70)
            _text(
                pdf,
                ngettext(
                    "%(num)s registrering bak tallet", "%(num)s registreringer bak tallet", behind
                ),
                size=8.5,
                gap=1.2,
            )
            pdf.set_text_color(0)


def snapshot_pdf(snapshot: BarometerSnapshot, *, company_name: str) -> bytes:
    """The review on A4: title and company, the day it was locked and the barometer it is
    compared with; a table of the three answers and the national figure per question; per
    question the figures behind the records' answer (how many records lie behind each) and
    the coordinator's comment; last, the questions whose records' answer lies in the worse
    half of the scale, with their figures."""
    content = read_snapshot(snapshot)
    language = _language()
    title = _("Årlig gjennomgang %(year)s", year=snapshot.year)
    none = "-"

    pdf = a4_document(title, company_name=company_name)

    _text(pdf, title, size=18, style="B", gap=1)
    _text(pdf, company_name, size=12, gap=3)
    _text(
        pdf,
        _(
            "Låst %(date)s, med registrene slik de var denne dagen, sammenlignet med "
            "%(title)s. En låst gjennomgang endres aldri.",
            date=format_date(snapshot.taken_on, "long"),
            title=content["barometer"]["title"][language],
        ),
        gap=4,
    )

    _heading(pdf, _("De tre svarene på hvert spørsmål, og det nasjonale tallet"), size=12)
    pdf.set_font("helvetica", size=8.5)
    with pdf.table(
        col_widths=(34, 15, 19, 18, 14),
        text_align="LEFT",
        v_align="TOP",
        line_height=4.2,
        padding=1.2,
        headings_style=FontFace(emphasis="BOLD", fill_color=235),
    ) as table:
        heading = table.row()
        for text in (
            _("Spørsmål"), _("Registrene"), _("Pulsundersøkelsen"), _("Koordinatoren"),
            _("Nasjonalt"),
        ):  # fmt: skip
            heading.cell(latin1(text))
        for question in content["questions"]:
            records, surveyed, assessed = _answers(question, language)
            row = table.row()
            row.cell(latin1(question["text"][language]))
            row.cell(latin1(records or _("Ingen data")))
            row.cell(latin1(surveyed or none))
            row.cell(latin1(assessed or none))
            row.cell(latin1(_national(question, language) or none))
    pdf.ln(4)

    for question in content["questions"]:
        _heading(pdf, question["text"][language], size=11.5)
        if question["national"]:
            _text(
                pdf, f"{_('Nasjonalt:')} {question['national']['finding'][language]}", size=9
            )  # fmt: skip
        _text(pdf, _("Tallene bak svaret fra registrene"), style="B", gap=0.5)
        _figures(pdf, question, with_counts=True)
        comment = (question["assessment"] or {}).get("comment")
        if comment:
            _text(pdf, _("Koordinatorens kommentar:"), style="B", gap=0.3)
            _text(pdf, comment, gap=2)

    steps = content.get("steps") or []
    if steps:
        _heading(pdf, _("Hva kan dere gjøre?"), size=13)
        for step in steps:
            _text(pdf, "- " + step["text"].get(language, step["text"].get("nb", "")), gap=0.6)
        pdf.ln(2)

    _heading(pdf, _("Svar i den svakere halvdelen av skalaen"), size=13)
    weaker = [q for q in content["questions"] if is_in_worse_half(q)]
    if not weaker:
        _text(pdf, _("Ingen av svarene fra registrene ligger i den svakere halvdelen av skalaen."))
    else:
        _text(
            pdf,
            _(
                "Spørsmålene der svaret fra registrene ligger i den svakere halvdelen av "
                "skalaen, med tallene bak svaret."
            ),
            gap=2,
        )
    for question in weaker:
        records, _surveyed, _assessed = _answers(question, language)
        _text(pdf, question["text"][language], style="B", gap=0.3)
        _text(pdf, _("Svar fra registrene: %(answer)s", answer=records), gap=0.3)
        _figures(pdf, question, with_counts=False)
        pdf.ln(2)

    return bytes(pdf.output())
