"""Uploaded files in general: what the content is, how big it may be, what it is called, and
how a stored one is sent back. Each domain (course certificates, deviation attachments) adds
its own rules and messages on top of these plain functions.

- the type comes from the content (magic bytes), never from the file name or the browser's
  content type;
- the size is limited while reading (`read_limited` reads at most one byte past the limit);
- the original name is kept only as a label: a basename without path parts or control
  characters, at most 255 characters. It is never used as a path;
- a stored file is sent as an attachment with an ASCII fallback name and the UTF-8 name
  (RFC 6266 / RFC 5987), so no browser renders it in our origin.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO
from urllib.parse import quote

from hms_tracker.web.i18n import _, format_number

MAX_FILENAME = 255

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"

EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", WEBP: ".webp"}


class UploadRefused(Exception):
    """A file that may not be stored; `message` is for the user, already translated."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    filename: str

    @property
    def size(self) -> int:
        return len(self.content)


def detect_content_type(content: bytes) -> str | None:
    """The accepted type the content starts with, or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    return None


def looks_like_markup(content: bytes) -> str | None:
    """ "svg", "html" or "markup" when the file starts with such markup (for a clearer message)."""
    head = content[:4096]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 byte order mark
        head = head[2:]
    # UTF-16 text: drop the zero bytes so that "<svg" is still seen.
    if b"\x00" in head[:64]:
        head = head.replace(b"\x00", b"")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return None
    if b"<svg" in head:
        return "svg"
    if b"<html" in head or b"<!doctype html" in head or b"<script" in head or b"<body" in head:
        return "html"
    return "markup"


def megabytes(size: int) -> Decimal:
    return round(Decimal(size) / (1024 * 1024), 1)


def too_large_message(max_bytes: int) -> str:
    return _(
        "Filen er for stor. Største tillatte størrelse er %(mb)s MB.",
        mb=format_number(megabytes(max_bytes)),
    )


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """At most `max_bytes` + 1 bytes: enough to tell that a file is too large."""
    return stream.read(max_bytes + 1)


def safe_filename(
    name: str | None, content_type: str | None = None, *, fallback: str = "fil"
) -> str:
    """The original file name as a label: basename only, no control characters, ≤ 255.

    "../../etc/passwd.pdf" becomes "passwd.pdf", "C:\\Users\\x\\bevis.pdf" "bevis.pdf". An
    empty result becomes `fallback` with the extension of the detected type.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    text = text.strip().lstrip(".").strip()
    if not text:
        text = fallback + EXTENSIONS.get(content_type or "", "")
    if len(text) > MAX_FILENAME:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 10 and stem:
            text = stem[: MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            text = text[:MAX_FILENAME]
    return text


def _ascii_fallback(filename: str, fallback: str) -> str:
    decomposed = unicodedata.normalize("NFKD", filename)
    text = decomposed.encode("ascii", "ignore").decode("ascii")
    text = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in text)
    text = text.strip()
    if not text or text.startswith("."):  # "ææ.pdf" would become the hidden ".pdf"
        text = fallback + text
    return text[:MAX_FILENAME]


def content_disposition(filename: str, *, fallback: str = "fil") -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    clean = safe_filename(filename, fallback=fallback)
    return (
        f'attachment; filename="{_ascii_fallback(clean, fallback)}"; '
        f"filename*=UTF-8''{quote(clean, safe='')}"
    )
