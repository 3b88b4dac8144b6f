"""Certificate uploads as plain functions: the type from the content, the size, the name."""

from __future__ import annotations

import io

import pytest

from hms_tracker.training import uploads
from hms_tracker.training.uploads import UploadRefused, check_certificate, safe_filename
from tests.uploads.corpus import HTML_PAYLOAD, benign_pdf, image

# Real files: every upload is parsed (PDF) or decoded and encoded anew (images).
PDF = benign_pdf()
PNG = image("PNG")
JPEG = image("JPEG")
WEBP = image("WEBP")
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")],
)
def test_accepted_types_are_detected_from_the_content(content, expected):
    checked = check_certificate(content, "kursbevis.bin", max_bytes=10_000)
    assert checked.content_type == expected
    if expected == "application/pdf":
        assert checked.content == content  # a PDF is stored as uploaded, an image anew


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Dette er en tekstfil\n", "bevis.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "bevis.exe"),
        (b"PK\x03\x04zipfile", "bevis.png"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "bevis.webp"),
    ],
)
def test_other_content_is_refused_whatever_the_name(content, name):
    with pytest.raises(UploadRefused) as refused:
        check_certificate(content, name, max_bytes=10_000)
    assert "Filtypen er ikke tillatt" in refused.value.message
    assert not refused.value.too_large


@pytest.mark.parametrize(
    "content",
    [
        SVG,
        b"<svg><script>alert(1)</script></svg>",
        b"\xef\xbb\xbf  <svg onload='alert(1)'/>",
        "<svg><script>x</script></svg>".encode("utf-16"),
    ],
)
def test_svg_is_refused_by_name_even_called_png(content):
    with pytest.raises(UploadRefused) as refused:
        check_certificate(content, "certificate.png", max_bytes=10_000)
    assert "SVG-filer er ikke tillatt" in refused.value.message


def test_html_is_refused():
    with pytest.raises(UploadRefused) as refused:
        check_certificate(HTML, "bevis.pdf", max_bytes=10_000)
    assert "HTML-filer er ikke tillatt" in refused.value.message


def test_a_pdf_polyglot_with_html_inside_is_refused():
    # Since the one upload policy (web/uploads.py), certificates are checked like deviation
    # attachments: a PDF that is also an HTML page is refused, not stored.
    polyglot = PDF + HTML + SVG
    with pytest.raises(UploadRefused) as refused:
        check_certificate(polyglot, "x.html", max_bytes=10_000)
    assert "HTML eller skript" in refused.value.message


def test_an_image_certificate_is_stored_without_what_was_appended():
    checked = check_certificate(PNG + HTML_PAYLOAD, "bevis.png", max_bytes=10_000)
    assert checked.content_type == "image/png" and b"<script" not in checked.content


def test_a_file_over_the_limit_is_refused_naming_the_limit_in_mb():
    with pytest.raises(UploadRefused) as refused:
        check_certificate(PDF + b"\x00" * (2 * 1024 * 1024), "stor.pdf", max_bytes=2 * 1024 * 1024)
    assert refused.value.too_large
    assert "2 MB" in refused.value.message


def test_a_file_exactly_at_the_limit_is_accepted():
    content = PDF + b"\x00" * (1000 - len(PDF))
    assert check_certificate(content, "a.pdf", max_bytes=1000).size == 1000


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused):
        check_certificate(b"", "tom.pdf", max_bytes=1000)


def test_read_limited_reads_one_byte_past_the_limit_only():
    stream = io.BytesIO(b"x" * 5000)
    assert len(uploads.read_limited(stream, 100)) == 101


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\bevis.pdf", "bevis.pdf"),
        ("C:\\Users\\kari\\Kursbevis – Verneombud.pdf", "Kursbevis – Verneombud.pdf"),
        ("bevis\r\nSet-Cookie: x=1.pdf", "bevisSet-Cookie: x=1.pdf"),
        ("..", "kursbevis.pdf"),
        ("", "kursbevis.pdf"),
        (None, "kursbevis.pdf"),
        ("/", "kursbevis.pdf"),
        (".hidden.pdf", "hidden.pdf"),
    ],
)
def test_safe_filename_keeps_only_a_basename_without_control_characters(name, expected):
    assert safe_filename(name, "application/pdf") == expected


def test_safe_filename_is_at_most_255_characters_and_keeps_the_extension():
    name = safe_filename("a" * 400 + ".pdf")
    assert len(name) == 255
    assert name.endswith(".pdf")


def test_content_disposition_is_attachment_with_ascii_fallback_and_utf8_name():
    header = uploads.content_disposition('Kursbevis "Ærlig" Ødegård;.pdf')
    assert header.startswith("attachment; ")
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and '"' not in fallback and ";" not in fallback
    assert "filename*=UTF-8''Kursbevis%20%22%C3%86rlig%22%20%C3%98deg%C3%A5rd%3B.pdf" in header
