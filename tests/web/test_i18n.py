"""Every user-facing string goes through the catalogue; English is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "hms_tracker" / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy": None}
# Text that is the same in every language (names of languages, codes, symbols).
ALLOWED_LITERALS = {"English", "Norsk (bokmål)", "HMS", "#", "→", "–", "…", "/", ":", "·", "(", ")"}


def _catalogue(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


def _extracted() -> set[str]:
    found: set[str] = set()
    for directory, method_map in (
        (ROOT / "src", [("**.py", "python")]),
        (ROOT / "templates", [("**.html", "jinja2")]),
    ):
        options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(directory), method_map, options_map=options, keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_string_in_the_code_is_in_both_catalogues():
    extracted = _extracted()
    assert len(extracted) > 50
    for language in ("nb", "en"):
        ids = {m.id for m in _catalogue(language) if m.id}
        ids = {i[0] if isinstance(i, tuple) else i for i in ids}
        missing = sorted(extracted - ids)
        assert missing == [], f"run `make extract-messages`; missing in {language}: {missing[:20]}"


def test_english_is_complete_and_not_fuzzy():
    untranslated = [
        m.id
        for m in _catalogue("en")
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in _catalogue("en") if m.id and m.fuzzy]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:10]}"
    assert fuzzy == []


def test_placeholders_survive_translation():
    pattern = re.compile(r"%\((\w+)\)s")
    for message in _catalogue("en"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(set(pattern.findall(i)) for i in ids))
        for string in strings:
            assert set(pattern.findall(string)) <= expected | {"num"}, message.id
            if not isinstance(message.id, tuple):
                assert set(pattern.findall(string)) == expected, message.id


TEMPLATE_NOISE = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}|<script.*?</script>|<[^>]*>", re.S)
TEXT_ATTRIBUTES = re.compile(r'\s(?:aria-label|placeholder|title|alt)="([^"]*)"')


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html"))
)
def test_templates_have_no_text_outside_the_catalogue(template):
    source = (ROOT / template).read_text()
    for value in TEXT_ATTRIBUTES.findall(source):
        assert not re.sub(r"{{.*?}}", "", value).strip(), f"untranslated attribute {value!r}"
    leftover = TEMPLATE_NOISE.sub("\n", source)
    words = [
        line.strip()
        for line in leftover.splitlines()
        if line.strip()
        and re.search(r"[A-Za-zÆØÅæøå]", line)
        and line.strip() not in ALLOWED_LITERALS
        and not line.strip().startswith("&")
    ]
    assert words == [], f"text outside {{{{ _() }}}} in {template}: {words[:10]}"
