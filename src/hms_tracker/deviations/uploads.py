"""Deviation attachments: photos from phones and PDFs, under the one upload policy.

What an attachment may be, what is done to it (images encoded anew without metadata, PDFs
parsed and refused with active content) and how it is named and sent back is the policy in
web/uploads.py, the same for every upload point. This module adds only what is the
deviations' own: the wording that speaks of "vedlegget", the name "vedlegg" for a file
without one, and at most `MAX_ATTACHMENTS_PER_REPORT` files per deviation.
"""

from __future__ import annotations

from collections.abc import Iterable

from hms_tracker.web.i18n import _, ngettext
from hms_tracker.web.uploads import (
    ACCEPT,
    DEFAULT_MAX_PIXELS,
    DEFAULT_REQUEST_MAX_PIXELS,
    MAX_SIDE,
    CheckedUpload,
    UploadLimits,
    UploadRefused,
    Wording,
    check_upload,
    check_uploads,
    filename_label,
    megabytes,
    read_limited,
)
from hms_tracker.web.uploads import UploadsChecked as AttachmentsChecked
from hms_tracker.web.uploads import content_disposition as _content_disposition
from hms_tracker.web.uploads import safe_filename as _safe_filename

__all__ = [
    "ACCEPT",
    "MAX_ATTACHMENTS_PER_REPORT",
    "MAX_PIXELS",
    "MAX_SIDE",
    "AttachmentsChecked",
    "CheckedUpload",
    "UploadRefused",
    "check_attachment",
    "check_attachments",
    "content_disposition",
    "megabytes",
    "read_limited",
    "safe_filename",
]

MAX_ATTACHMENTS_PER_REPORT = 10
# The default pixel limit of one image (HMS_UPLOAD_MAX_PIXELS); the routes pass the
# configured one.
MAX_PIXELS = DEFAULT_MAX_PIXELS
FALLBACK_NAME = "vedlegg"

WORDING = Wording(
    fallback_name=FALLBACK_NAME,
    empty=lambda: _("Filen er tom. Velg vedlegget på nytt."),
    wrong_type=lambda: _(
        "Filtypen er ikke tillatt. Legg ved bilder som JPEG, PNG eller WebP og dokumenter "
        "som PDF (filens innhold avgjør, ikke navnet)."
    ),
    svg=lambda: _(
        "SVG-filer er ikke tillatt, fordi de kan inneholde skript. "
        "Legg ved bildet som JPEG, PNG eller WebP."
    ),
    html=lambda: _(
        "HTML-filer er ikke tillatt. Legg ved et bilde (JPEG, PNG eller WebP) eller en PDF."
    ),
)


def safe_filename(name: str | None, content_type: str | None = None) -> str:
    """The name as a label, ending in an extension of `content_type` when one is given."""
    if content_type is None:
        return _safe_filename(name, fallback=FALLBACK_NAME)
    return filename_label(name, content_type, fallback=FALLBACK_NAME)


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    return _content_disposition(filename, fallback=FALLBACK_NAME)


def _limits(max_bytes: int, max_pixels: int | None, request_max_pixels: int | None) -> UploadLimits:
    return UploadLimits(
        max_bytes=max_bytes,
        max_pixels=MAX_PIXELS if max_pixels is None else max_pixels,
        request_max_pixels=(
            DEFAULT_REQUEST_MAX_PIXELS if request_max_pixels is None else request_max_pixels
        ),
    )


def check_attachment(
    content: bytes,
    filename: str | None,
    *,
    max_bytes: int,
    max_pixels: int | None = None,
    request_max_pixels: int | None = None,
) -> CheckedUpload:
    """The attachment as it may be stored (images encoded anew), or UploadRefused."""
    limits = _limits(max_bytes, max_pixels, request_max_pixels)
    return check_upload(content, filename, limits=limits, wording=WORDING)


def check_attachments(
    files: Iterable[tuple[bytes, str | None]],
    *,
    max_bytes: int,
    max_pixels: int | None = None,
    request_max_pixels: int | None = None,
    already_attached: int = 0,
    max_count: int = MAX_ATTACHMENTS_PER_REPORT,
) -> AttachmentsChecked:
    """Check several uploads at once: `files` are (content, original name) pairs.

    An empty part without a name (a file input where nothing was chosen) is skipped. When
    there are more files than `max_count` minus `already_attached`, none is checked and the
    one error says how many may be attached; so it does when the images together have more
    pixels than one request may carry.
    """
    return check_uploads(
        files,
        limits=_limits(max_bytes, max_pixels, request_max_pixels),
        wording=WORDING,
        room=max(max_count - already_attached, 0),
        too_many=lambda: ngettext(
            "Du kan legge ved høyst %(num)s fil per avvik.",
            "Du kan legge ved høyst %(num)s filer per avvik.",
            max_count,
        ),
    )
