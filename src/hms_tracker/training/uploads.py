"""Course certificates: what an upload may be, and how a stored one is sent back.

The general checks live in web/uploads.py (type from the content, size read with a limit,
the name kept only as a label, sent back as an attachment); this module adds what a
certificate may be — PDF, PNG, JPEG or WebP, stored as uploaded — and the messages that
speak of "kursbeviset". SVG and HTML are refused by name, since they can carry scripts.
"""

from __future__ import annotations

from hms_tracker.web.i18n import _
from hms_tracker.web.uploads import (
    EXTENSIONS,
    JPEG,
    MAX_FILENAME,
    PDF,
    PNG,
    WEBP,
    CheckedUpload,
    UploadRefused,
    detect_content_type,
    looks_like_markup,
    megabytes,
    read_limited,
    too_large_message,
)
from hms_tracker.web.uploads import content_disposition as _content_disposition
from hms_tracker.web.uploads import safe_filename as _safe_filename

__all__ = [
    "ACCEPT",
    "EXTENSIONS",
    "JPEG",
    "MAX_FILENAME",
    "PDF",
    "PNG",
    "WEBP",
    "CheckedUpload",
    "UploadRefused",
    "check_certificate",
    "content_disposition",
    "detect_content_type",
    "megabytes",
    "read_limited",
    "safe_filename",
    "too_large_message",
]

FALLBACK_NAME = "kursbevis"

# What the file input offers; the server decides from the content regardless.
ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"


def safe_filename(name: str | None, content_type: str | None = None) -> str:
    """The name as a label (see web.uploads.safe_filename); an empty one becomes "kursbevis"."""
    return _safe_filename(name, content_type, fallback=FALLBACK_NAME)


def content_disposition(filename: str) -> str:
    return _content_disposition(filename, fallback=FALLBACK_NAME)


def check_certificate(content: bytes, filename: str | None, *, max_bytes: int) -> CheckedUpload:
    """The upload as it may be stored, or UploadRefused with a message for the user."""
    if len(content) > max_bytes:
        raise UploadRefused(too_large_message(max_bytes), too_large=True)
    if not content:
        raise UploadRefused(_("Filen er tom. Velg filen med kursbeviset på nytt."))
    content_type = detect_content_type(content)
    if content_type is None:
        markup = looks_like_markup(content)
        if markup == "svg":
            raise UploadRefused(
                _(
                    "SVG-filer er ikke tillatt, fordi de kan inneholde skript. "
                    "Last opp kursbeviset som PDF, PNG, JPEG eller WebP."
                )
            )
        if markup is not None:
            raise UploadRefused(
                _("HTML-filer er ikke tillatt. Last opp kursbeviset som PDF, PNG, JPEG eller WebP.")
            )
        raise UploadRefused(
            _(
                "Filtypen er ikke tillatt. Last opp kursbeviset som PDF, PNG, JPEG eller WebP "
                "(filens innhold avgjør, ikke navnet)."
            )
        )
    return CheckedUpload(
        content=content,
        content_type=content_type,
        filename=safe_filename(filename, content_type),
    )
