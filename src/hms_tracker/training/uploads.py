"""Course certificates under the one upload policy (web/uploads.py): PDF, PNG, JPEG or
WebP, images encoded anew and PDFs checked for active content like every other upload.
This module adds only the wording that speaks of "kursbeviset" and the name "kursbevis"
for a file without one.
"""

from __future__ import annotations

from hms_tracker.web.i18n import _
from hms_tracker.web.uploads import (
    ACCEPT,
    DEFAULT_MAX_PIXELS,
    DEFAULT_REQUEST_MAX_PIXELS,
    CheckedUpload,
    UploadLimits,
    UploadRefused,
    Wording,
    check_upload,
    filename_label,
    megabytes,
    read_limited,
)
from hms_tracker.web.uploads import content_disposition as _content_disposition
from hms_tracker.web.uploads import safe_filename as _safe_filename

__all__ = [
    "ACCEPT",
    "CheckedUpload",
    "UploadRefused",
    "check_certificate",
    "content_disposition",
    "megabytes",
    "read_limited",
    "safe_filename",
]

FALLBACK_NAME = "kursbevis"

WORDING = Wording(
    fallback_name=FALLBACK_NAME,
    empty=lambda: _("Filen er tom. Velg filen med kursbeviset på nytt."),
    wrong_type=lambda: _(
        "Filtypen er ikke tillatt. Last opp kursbeviset som PDF, PNG, JPEG eller WebP "
        "(filens innhold avgjør, ikke navnet)."
    ),
    svg=lambda: _(
        "SVG-filer er ikke tillatt, fordi de kan inneholde skript. "
        "Last opp kursbeviset som PDF, PNG, JPEG eller WebP."
    ),
    html=lambda: _(
        "HTML-filer er ikke tillatt. Last opp kursbeviset som PDF, PNG, JPEG eller WebP."
    ),
)


def safe_filename(name: str | None, content_type: str | None = None) -> str:
    """The name as a label (see web.uploads.filename_label); an empty one becomes "kursbevis"."""
    if content_type is None:
        return _safe_filename(name, fallback=FALLBACK_NAME)
    return filename_label(name, content_type, fallback=FALLBACK_NAME)


def content_disposition(filename: str) -> str:
    return _content_disposition(filename, fallback=FALLBACK_NAME)


def check_certificate(
    content: bytes,
    filename: str | None,
    *,
    max_bytes: int,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    request_max_pixels: int = DEFAULT_REQUEST_MAX_PIXELS,
) -> CheckedUpload:
    """The certificate as it may be stored (an image encoded anew), or UploadRefused with a
    message for the user."""
    limits = UploadLimits(
        max_bytes=max_bytes, max_pixels=max_pixels, request_max_pixels=request_max_pixels
    )
    return check_upload(content, filename, limits=limits, wording=WORDING)
