"""Deviation attachments: photos from phones and PDFs, checked and cleaned before storing.

Plain functions, no web framework and no database. The general checks (type from the
content, size, name as a label, sent back as an attachment) are in web/uploads.py; this
module adds what an attachment may be and what is done to it:

- **Images** (JPEG, PNG, WebP, told by their magic bytes) are decoded with Pillow, using
  only the decoder of the detected format. An image of more than `MAX_PIXELS` pixels is
  refused before it is decoded (a "decompression bomb": a small file that unpacks to
  gigabytes). The EXIF orientation is applied, so a phone photo stands the right way up,
  and the pixels are then **encoded anew** — JPEG at quality 85, PNG as PNG, WebP as WebP —
  into a fresh image without any metadata: no EXIF (which holds the GPS location of a phone
  photo), XMP, IPTC, comments, PNG text chunks or ICC profile (colours are converted to
  sRGB first when a profile is present). Whatever was appended to or hidden in the file
  (HTML, a ZIP archive, a script: a "polyglot") is not part of the stored bytes. A photo
  longer than `MAX_SIDE` pixels on its long side is scaled down to that size. An animated
  image keeps its first frame. A file that starts like an image but cannot be decoded is
  refused.
- **HEIC/HEIF and AVIF** photos are refused with a message asking for JPEG: Pillow here
  cannot read HEIC, and a phone's browser sends JPEG anyway when a photo is chosen through
  a file input that accepts JPEG (see `ACCEPT`).
- **PDF** is stored as uploaded, after checks: it starts with "%PDF-" and has "%%EOF" in
  its last 1024 bytes; HTML or script markup at its start or end (a PDF/HTML polyglot) is
  refused; so is active content — the names /JavaScript, /JS and /Launch, also written with
  #-escapes (/J#53) or inside compressed object streams, which are unpacked for the check.
- Everything else is refused (text, HTML, SVG, programs, archives …), whatever the name.

The original name is kept only as a label (`safe_filename`): a basename without path parts
or control characters, NFC-normalised, at most 255 characters, and with the extension of
the stored type appended when its own does not match (so "x.html" holding a PDF is kept
as "x.html.pdf").
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import Image, ImageCms, ImageOps

from hms_tracker.web.i18n import _, format_number, ngettext
from hms_tracker.web.uploads import (
    EXTENSIONS,
    JPEG,
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
# 50 megapixels: more than any phone photo sent through a browser (iPhones send 12 or 24,
# 48 at most), little enough that decoding stays well under a gigabyte of memory.
MAX_PIXELS = 50_000_000
# The long side of a stored image; larger photos are scaled down to it.
MAX_SIDE = 2560
JPEG_QUALITY = 85
WEBP_QUALITY = 85
FALLBACK_NAME = "vedlegg"

# What the file input offers; the server decides from the content regardless. Listing
# JPEG (and not HEIC) makes iPhones convert a HEIC photo to JPEG when it is chosen.
ACCEPT = ".jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf"

_PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
_NAME_EXTENSIONS = {
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG: (".png",),
    WEBP: (".webp",),
    PDF: (".pdf",),
}

# ISO base media files (HEIC, HEIF, AVIF): "ftyp" at offset 4, then the brand.
_HEIF_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
    b"mif1", b"msf1", b"mif2", b"avif", b"avis",
}  # fmt: skip

PDF_EDGE = 1024
_PDF_MARKUP = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<body",
    b"<svg",
    b"<iframe",
    b"<?xml-stylesheet",
)
_PDF_ACTIVE_NAMES = {b"JavaScript", b"JS", b"Launch"}
# A PDF name: "/" and regular characters (PDF 32000-1, 7.2.2-7.3.5); "#xx" is an escape.
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The keyword that starts a stream's data ("endstream" excluded).
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
# Unpacked object streams, all together, before a PDF is refused as too hard to check.
PDF_UNPACK_LIMIT = 64 * 1024 * 1024


def safe_filename(name: str | None, content_type: str | None = None) -> str:
    """The name as a label, ending in an extension of `content_type` when one is given."""
    text = _safe_filename(name, content_type, fallback=FALLBACK_NAME)
    extensions = _NAME_EXTENSIONS.get(content_type or "")
    if extensions and not text.lower().endswith(extensions):
        text = _safe_filename(text + EXTENSIONS[content_type or ""], fallback=FALLBACK_NAME)
    return text


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266)."""
    return _content_disposition(filename, fallback=FALLBACK_NAME)


def check_attachment(content: bytes, filename: str | None, *, max_bytes: int) -> CheckedUpload:
    """The attachment as it may be stored (images re-encoded), or UploadRefused."""
    if len(content) > max_bytes:
        raise UploadRefused(too_large_message(max_bytes), too_large=True)
    if not content:
        raise UploadRefused(_("Filen er tom. Velg vedlegget på nytt."))
    content_type = detect_content_type(content)
    if content_type is None:
        raise UploadRefused(_refusal_for_unknown(content))
    if content_type == PDF:
        _check_pdf(content)
        stored = content
    else:
        stored = _clean_image(content, content_type)
        if len(stored) > max_bytes:
            raise UploadRefused(too_large_message(max_bytes), too_large=True)
    return CheckedUpload(
        content=stored, content_type=content_type, filename=safe_filename(filename, content_type)
    )


@dataclass
class AttachmentsChecked:
    """The files that may be stored, and one message per refused file (naming the file)."""

    accepted: list[CheckedUpload] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    too_large: bool = False  # at least one file was over the size limit

    @property
    def ok(self) -> bool:
        return not self.errors


def check_attachments(
    files: Iterable[tuple[bytes, str | None]],
    *,
    max_bytes: int,
    already_attached: int = 0,
    max_count: int = MAX_ATTACHMENTS_PER_REPORT,
) -> AttachmentsChecked:
    """Check several uploads at once: `files` are (content, original name) pairs.

    An empty part without a name (a file input where nothing was chosen) is skipped. When
    there are more files than `max_count` minus `already_attached`, none is checked and the
    one error says how many may be attached.
    """
    chosen = [(content, name) for content, name in files if content or name]
    result = AttachmentsChecked()
    room = max(max_count - already_attached, 0)
    if len(chosen) > room:
        result.errors.append(
            ngettext(
                "Du kan legge ved høyst %(num)s fil per avvik.",
                "Du kan legge ved høyst %(num)s filer per avvik.",
                max_count,
            )
        )
        return result
    for content, name in chosen:
        try:
            result.accepted.append(check_attachment(content, name, max_bytes=max_bytes))
        except UploadRefused as refused:
            result.too_large = result.too_large or refused.too_large
            label = _safe_filename(name, fallback=FALLBACK_NAME)
            result.errors.append(_("«%(name)s»: %(reason)s", name=label, reason=refused.message))
    return result


def _refusal_for_unknown(content: bytes) -> str:
    if len(content) >= 12 and content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS:
        return _(
            "Bilder i HEIC- eller AVIF-format kan ikke tas imot. Velg bildet som JPEG: på "
            "iPhone skjer det av seg selv når du velger bildet fra Bilder i nettleseren, eller "
            "velg «Mest kompatibel» under Innstillinger › Kamera › Formater."
        )
    markup = looks_like_markup(content)
    if markup == "svg":
        return _(
            "SVG-filer er ikke tillatt, fordi de kan inneholde skript. "
            "Legg ved bildet som JPEG, PNG eller WebP."
        )
    if markup is not None:
        return _(
            "HTML-filer er ikke tillatt. Legg ved et bilde (JPEG, PNG eller WebP) eller en PDF."
        )
    return _(
        "Filtypen er ikke tillatt. Legg ved bilder som JPEG, PNG eller WebP og dokumenter "
        "som PDF (filens innhold avgjør, ikke navnet)."
    )


# Images ------------------------------------------------------------------------------


class _TooManyPixels(Exception):
    def __init__(self, width: int, height: int):
        self.width = width
        self.height = height


def _unreadable_image() -> UploadRefused:
    return UploadRefused(
        _(
            "Bildet kan ikke leses. Filen kan være skadet eller ufullstendig; "
            "prøv å legge ved bildet på nytt."
        )
    )


def _too_many_pixels(size: tuple[int, int] | None = None) -> UploadRefused:
    limit = format_number(MAX_PIXELS // 1_000_000)
    if size is None:
        return UploadRefused(
            _(
                "Bildet er for stort. Største tillatte er %(max)s megapiksler; legg ved et "
                "bilde med lavere oppløsning.",
                max=limit,
            )
        )
    return UploadRefused(
        _(
            "Bildet er for stort (%(width)s × %(height)s piksler). Største tillatte er "
            "%(max)s megapiksler; legg ved et bilde med lavere oppløsning.",
            width=size[0],
            height=size[1],
            max=limit,
        )
    )


def _clean_image(content: bytes, content_type: str) -> bytes:
    try:
        return _reencode(content, content_type)
    except _TooManyPixels as error:
        raise _too_many_pixels((error.width, error.height)) from None
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except Exception:  # Pillow raises many kinds of error on broken input; all mean "unreadable".
        raise _unreadable_image() from None


def _reencode(content: bytes, content_type: str) -> bytes:
    pillow_format = _PILLOW_FORMAT[content_type]
    with Image.open(io.BytesIO(content), formats=[pillow_format]) as opened:
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise _TooManyPixels(width, height)
        if pillow_format == "JPEG" and max(width, height) > MAX_SIDE:
            # Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while decoding (not below
            # the final size): less memory and time for a large photo.
            scale = MAX_SIDE / max(width, height)
            opened.draft(opened.mode, (round(width * scale), round(height * scale)))
        opened.load()  # the first frame only
        image: Image.Image = opened
        try:
            image = ImageOps.exif_transpose(opened) or opened
        except Exception:  # a broken EXIF block: keep the pixels as they are
            image = opened
        has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            "transparency" in image.info
        )
        image = _to_srgb(image, has_alpha)
        if pillow_format == "JPEG":
            mode = "L" if image.mode in ("L", "1") else "RGB"
        elif has_alpha:
            mode = "RGBA"
        else:
            mode = "L" if image.mode in ("L", "1") else "RGB"
        pixels = image.convert(mode)
    if max(pixels.size) > MAX_SIDE:
        pixels.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the bare pixels: nothing of the original's `info` (EXIF, XMP,
    # comments, text chunks, ICC profile) can reach the encoder.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if pillow_format == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif pillow_format == "PNG":
        clean.save(out, "PNG", optimize=False)
    else:
        clean.save(out, "WEBP", quality=WEBP_QUALITY)
    return out.getvalue()


def _to_srgb(image: Image.Image, has_alpha: bool) -> Image.Image:
    """The image converted from its embedded ICC profile to sRGB, or as it is."""
    profile = image.info.get("icc_profile")
    if not profile:
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if has_alpha and image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unusable profile: the colours as they are
    return converted if converted is not None else image


# PDF ---------------------------------------------------------------------------------


def _pdf_names(data: bytes) -> set[bytes]:
    """Every name in `data`, with #xx escapes decoded ("/J#61vaScript" is /JavaScript)."""
    return {
        _PDF_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        for match in _PDF_NAME.finditer(data)
    }


def _active_content_refusal() -> UploadRefused:
    return UploadRefused(
        _(
            "PDF-filer med aktivt innhold (JavaScript eller handlinger som starter programmer) "
            "tas ikke imot. Lagre PDF-en på nytt uten slikt innhold, for eksempel med «Skriv "
            "ut til PDF», eller legg ved et bilde."
        )
    )


def _unreadable_pdf() -> UploadRefused:
    return UploadRefused(
        _(
            "PDF-filen kan ikke kontrolleres: den er skadet, kryptert eller ufullstendig. "
            "Lagre den på nytt (for eksempel med «Skriv ut til PDF») og legg den ved igjen."
        )
    )


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-PDF_EDGE:]:
        raise _unreadable_pdf()
    edges = (content[:PDF_EDGE] + b"\n" + content[-PDF_EDGE:]).lower()
    if any(tag in edges for tag in _PDF_MARKUP):
        raise UploadRefused(
            _(
                "Vedlegget er en PDF som også inneholder HTML eller skript, og kan ikke tas "
                "imot. Lagre PDF-en på nytt, for eksempel med «Skriv ut til PDF»."
            )
        )
    if _pdf_names(content) & _PDF_ACTIVE_NAMES:
        raise _active_content_refusal()
    unpacked = 0
    for match in _PDF_STREAM.finditer(content):
        # The stream's dictionary stands between "obj" and "stream".
        window = content[max(0, match.start() - 4096) : match.start()]
        dictionary = window[window.rfind(b"obj") + 1 :]
        if b"ObjStm" not in _pdf_names(dictionary):
            continue
        # An object stream holds objects (and so dictionaries with /JS …) compressed.
        decompressor = zlib.decompressobj()
        try:
            data = decompressor.decompress(content[match.end() :], PDF_UNPACK_LIMIT - unpacked + 1)
        except zlib.error:
            raise _unreadable_pdf() from None
        unpacked += len(data)
        if unpacked > PDF_UNPACK_LIMIT:
            raise _unreadable_pdf()
        if _pdf_names(data) & _PDF_ACTIVE_NAMES:
            raise _active_content_refusal()
