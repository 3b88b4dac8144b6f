"""Legal references named one way and linked to the law's text on Lovdata.

The rules and the course types write their legal basis briefly ("AML § 6-1, forskrift
§ 3-1", "internkontrollforskriften § 5 nr. 7"); pages show it with the laws' names written
out and every section linked to Lovdata.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

WORKING_ENVIRONMENT_ACT = "arbeidsmiljøloven"
ORGANISATION_REGULATION = "forskrift om organisering, ledelse og medvirkning"
INTERNAL_CONTROL_REGULATION = "internkontrollforskriften"

# The laws by the names the records use, and where Lovdata keeps their sections.
_LAWS = (
    (re.compile(r"\b(?:arbeidsmiljøloven|AML)\b"), WORKING_ENVIRONMENT_ACT,
     "https://lovdata.no/lov/2005-06-17-62/§{}"),
    (re.compile(r"\binternkontrollforskriften\b"), INTERNAL_CONTROL_REGULATION,
     "https://lovdata.no/forskrift/1996-12-06-1127/§{}"),
    (re.compile(r"\bforskrift(?: om organisering, ledelse og medvirkning)?(?= *§)"),
     ORGANISATION_REGULATION, "https://lovdata.no/forskrift/2011-12-06-1355/§{}"),
)  # fmt: skip
_SECTIONS = re.compile(r"§§?\s*(\d+[A-Z]?(?:-\d+)?(?:\s*(?:,|og)\s*\d+[A-Z]?(?:-\d+)?)*)")
_NUMBER = re.compile(r"\d+[A-Z]?(?:-\d+)?")


def legal_reference(basis: str) -> Markup:
    """`basis` with the laws named in full and each section a link to Lovdata; text it does
    not know stays as it is (escaped)."""
    found: list[tuple[int, int, str, str | None]] = []  # start, end, kind, name or url
    for pattern, name, address in _LAWS:
        found += [
            (m.start(), m.end(), "law", f"{name}\n{address}") for m in pattern.finditer(basis)
        ]
    found += [(m.start(1), m.end(1), "sections", None) for m in _SECTIONS.finditer(basis)]
    found.sort()
    out: list[str] = []
    at = 0
    url: str | None = None
    for start, end, kind, value in found:
        if start < at:
            continue
        out.append(str(escape(basis[at:start])))
        text = basis[start:end]
        if kind == "law":
            name, url = (value or "\n").split("\n")
            out.append(str(escape(name)))
        elif url is None:
            out.append(str(escape(text)))
        else:
            last = 0
            for number in _NUMBER.finditer(text):
                out.append(str(escape(text[last : number.start()])))
                href = url.format(number.group().split("-")[0] if "internkontroll" in url
                                  else number.group())  # fmt: skip
                out.append(
                    f'<a class="ds-link" href="{escape(href)}" rel="external">'
                    f"{escape(number.group())}</a>"
                )
                last = number.end()
            out.append(str(escape(text[last:])))
        at = end
    out.append(str(escape(basis[at:])))
    return Markup("".join(out))
