"""The one upload policy: what a file may be, how big, what is done to it before it is
stored, what it is called and how a stored one is sent back. Every upload point (deviation
reports, the anonymous report, comments, the reporter's follow-up files, course
certificates, routine attachments) goes through `check_upload` / `check_uploads`; a domain
adds only its own wording (`Wording`) and, for several files, its own count limit.

- **Images** (JPEG, PNG, WebP): the size in pixels is read from the header (Pillow's
  `Image.open` reads only the header) and an image over `UploadLimits.max_pixels`, or a
  form whose images together are over `request_max_pixels`, is refused before anything is
  decoded. Pillow's own guard (`Image.MAX_IMAGE_PIXELS`) is kept set, and its
  `DecompressionBombWarning` is made an error, so Pillow never decodes a bomb either. Every
  stored image is **encoded anew** from its bare pixels (EXIF orientation applied, colours
  to sRGB, no metadata; scaled down to `MAX_SIDE`), so whatever was appended or hidden in
  the file (HTML, a script, a ZIP: a polyglot) is not stored.
- **PDF** is parsed with qpdf (pikepdf) and every object is walked, objects inside object
  streams included; names are compared as the parser decoded them, so "/J#61vaScript" is
  /JavaScript. Active content is refused (see `check_pdf`), as is an encrypted or unreadable
  file and HTML or script at the file's edges (a PDF/HTML polyglot). A PDF is stored as
  uploaded.
- Everything else is refused (HEIC/AVIF with a request for JPEG; SVG and HTML by name).

- the type comes from the content (magic bytes), never from the file name or the browser's
  content type;
- the size is limited while reading (`read_limited` reads at most one byte past the limit);
- the original name is kept only as a label: a basename without path parts or control
  characters, at most 255 characters. It is never used as a path;
- a stored file is sent as an attachment with an ASCII fallback name and the UTF-8 name
  (RFC 6266 / RFC 5987), so no browser renders it in our origin.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote

import pikepdf
from PIL import Image, ImageCms, ImageOps

from hms_tracker.config import Settings
from hms_tracker.web.i18n import _, format_number

if TYPE_CHECKING:
    from collections.abc import Iterator

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


def filename_label(name: str | None, content_type: str, *, fallback: str = "fil") -> str:
    """The name as a label (`safe_filename`) that ends in an extension of the stored type,
    appended when its own does not match: "x.html" holding a PDF is kept as "x.html.pdf"."""
    text = safe_filename(name, content_type, fallback=fallback)
    extensions = _NAME_EXTENSIONS.get(content_type)
    if extensions and not text.lower().endswith(extensions):
        text = safe_filename(text + EXTENSIONS[content_type], fallback=fallback)
    return text


_NAME_EXTENSIONS = {
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG: (".png",),
    WEBP: (".webp",),
    PDF: (".pdf",),
}

# What a file input offers; the server decides from the content regardless. Listing JPEG
# (and not HEIC) makes iPhones convert a HEIC photo to JPEG when it is chosen.
ACCEPT = ".jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf"


# The policy: limits and wording -------------------------------------------------------

# One source for the defaults: the Settings fields (HMS_UPLOAD_MAX_PIXELS …).
DEFAULT_MAX_PIXELS: int = Settings.model_fields["upload_max_pixels"].default
DEFAULT_REQUEST_MAX_PIXELS: int = Settings.model_fields["upload_request_max_pixels"].default
# The long side of a stored image; larger photos are scaled down to it.
MAX_SIDE = 2560
JPEG_QUALITY = 85
WEBP_QUALITY = 85


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int  # one file
    max_pixels: int = DEFAULT_MAX_PIXELS  # one image, from its header
    request_max_pixels: int = DEFAULT_REQUEST_MAX_PIXELS  # all images of one form

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(
            max_bytes=settings.upload_max_bytes,
            max_pixels=settings.upload_max_pixels,
            request_max_pixels=settings.upload_request_max_pixels,
        )


@dataclass(frozen=True)
class Wording:
    """What a domain calls its file, in the messages that name it. Each is a function, so
    that the text is translated into the language of the request that needs it."""

    fallback_name: str
    empty: Callable[[], str]
    wrong_type: Callable[[], str]
    svg: Callable[[], str] | None = None  # None: `wrong_type`
    html: Callable[[], str] | None = None


class PixelBudget:
    """The pixels the images of one request may still have."""

    def __init__(self, limit: int):
        self.remaining = limit

    def spend(self, pixels: int) -> bool:
        if pixels > self.remaining:
            return False
        self.remaining -= pixels
        return True


def check_upload(
    content: bytes,
    filename: str | None,
    *,
    limits: UploadLimits,
    wording: Wording,
    budget: PixelBudget | None = None,
) -> CheckedUpload:
    """The file as it may be stored (an image encoded anew, a PDF as it is), or UploadRefused.

    `budget` is shared by the files of one request; without one the file has the request's
    whole budget to itself."""
    if len(content) > limits.max_bytes:
        raise UploadRefused(too_large_message(limits.max_bytes), too_large=True)
    if not content:
        raise UploadRefused(wording.empty())
    content_type = detect_content_type(content)
    if content_type is None:
        raise UploadRefused(_refusal_for_unknown(content, wording))
    if content_type == PDF:
        check_pdf(content)
        stored = content
    else:
        width, height = image_size(content, content_type, limits=limits)
        if budget is None:
            budget = PixelBudget(limits.request_max_pixels)
        if not budget.spend(width * height):
            raise _request_too_many_pixels(limits)
        stored = clean_image(content, content_type, limits=limits)
        if len(stored) > limits.max_bytes:
            raise UploadRefused(too_large_message(limits.max_bytes), too_large=True)
    return CheckedUpload(
        content=stored,
        content_type=content_type,
        filename=filename_label(filename, content_type, fallback=wording.fallback_name),
    )


@dataclass
class UploadsChecked:
    """The files that may be stored, and one message per refused file (naming the file)."""

    accepted: list[CheckedUpload] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    too_large: bool = False  # at least one file was over the size limit

    @property
    def ok(self) -> bool:
        return not self.errors


def check_uploads(
    files: Iterable[tuple[bytes, str | None]],
    *,
    limits: UploadLimits,
    wording: Wording,
    room: int | None = None,
    too_many: Callable[[], str] | None = None,
) -> UploadsChecked:
    """Check the files of one form: `files` are (content, original name) pairs.

    An empty part without a name (a file input where nothing was chosen) is skipped. More
    than `room` files: none is checked, and the one error is `too_many()`. The images'
    sizes are read from their headers first, and when together they are over
    `limits.request_max_pixels` none of them is decoded: the one error says so.
    """
    chosen = [(content, name) for content, name in files if content or name]
    result = UploadsChecked()
    if room is not None and len(chosen) > room:
        result.errors.append(too_many() if too_many else _("For mange filer."))
        return result
    total = 0
    for content, _name in chosen:
        content_type = detect_content_type(content)
        if content_type in _PILLOW_FORMAT and len(content) <= limits.max_bytes:
            try:
                width, height = image_size(content, content_type, limits=limits)
            except UploadRefused:
                continue  # refused again below, with the file's name
            total += width * height
    if total > limits.request_max_pixels:
        result.errors.append(_request_too_many_pixels(limits).message)
        return result
    budget = PixelBudget(limits.request_max_pixels)
    for content, name in chosen:
        try:
            result.accepted.append(
                check_upload(content, name, limits=limits, wording=wording, budget=budget)
            )
        except UploadRefused as refused:
            result.too_large = result.too_large or refused.too_large
            label = safe_filename(name, fallback=wording.fallback_name)
            result.errors.append(_("«%(name)s»: %(reason)s", name=label, reason=refused.message))
    return result


# ISO base media files (HEIC, HEIF, AVIF): "ftyp" at offset 4, then the brand.
_HEIF_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
    b"mif1", b"msf1", b"mif2", b"avif", b"avis",
}  # fmt: skip


def _refusal_for_unknown(content: bytes, wording: Wording) -> str:
    if len(content) >= 12 and content[4:8] == b"ftyp" and content[8:12] in _HEIF_BRANDS:
        return _(
            "Bilder i HEIC- eller AVIF-format kan ikke tas imot. Velg bildet som JPEG: på "
            "iPhone skjer det av seg selv når du velger bildet fra Bilder i nettleseren, eller "
            "velg «Mest kompatibel» under Innstillinger › Kamera › Formater."
        )
    markup = looks_like_markup(content)
    if markup == "svg" and wording.svg is not None:
        return wording.svg()
    if markup is not None and wording.html is not None:
        return wording.html()
    return wording.wrong_type()


# Images -------------------------------------------------------------------------------

_PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}

# Pillow's own guard against decompression bombs stays on (a library or a test may have
# set it to None), and its warning — an image over the limit, under twice the limit — is
# an error: Pillow then refuses in `Image.open`, before decoding, whatever our own check.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)


def _guard_pillow(max_pixels: int) -> None:
    if Image.MAX_IMAGE_PIXELS is None or max_pixels > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = max_pixels


def _unreadable_image() -> UploadRefused:
    return UploadRefused(
        _(
            "Bildet kan ikke leses. Filen kan være skadet eller ufullstendig; "
            "prøv å legge ved bildet på nytt."
        )
    )


def _too_many_pixels(max_pixels: int, size: tuple[int, int] | None = None) -> UploadRefused:
    limit = format_number(max_pixels // 1_000_000)
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


def _request_too_many_pixels(limits: UploadLimits) -> UploadRefused:
    return UploadRefused(
        _(
            "Bildene er til sammen for store: høyst %(max)s megapiksler kan sendes på én "
            "gang. Legg ved færre bilder, eller bilder med lavere oppløsning.",
            max=format_number(limits.request_max_pixels // 1_000_000),
        )
    )


def _open_image(content: bytes, content_type: str, max_pixels: int) -> Image.Image:
    """The image opened with the decoder of its detected format only: header read, nothing
    decoded. Pillow's bomb check runs here, in `Image.open`."""
    _guard_pillow(max_pixels)
    return Image.open(io.BytesIO(content), formats=[_PILLOW_FORMAT[content_type]])


def image_size(content: bytes, content_type: str, *, limits: UploadLimits) -> tuple[int, int]:
    """Width and height from the image's header, or UploadRefused: too many pixels (nothing
    is decoded) or not readable as its type."""
    try:
        with _open_image(content, content_type, limits.max_pixels) as opened:
            width, height = opened.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(limits.max_pixels) from None
    except Exception:  # Pillow raises many kinds of error on broken input
        raise _unreadable_image() from None
    if width * height > limits.max_pixels:
        raise _too_many_pixels(limits.max_pixels, (width, height))
    return width, height


def clean_image(content: bytes, content_type: str, *, limits: UploadLimits) -> bytes:
    """The image encoded anew from its pixels (see the module's docstring), or UploadRefused.
    `_reencode` checks the header's size again before it decodes anything."""
    try:
        return _reencode(content, content_type, limits.max_pixels)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(limits.max_pixels) from None
    except Exception:  # Pillow raises many kinds of error on broken input; all mean "unreadable".
        raise _unreadable_image() from None


def _reencode(content: bytes, content_type: str, max_pixels: int) -> bytes:
    pillow_format = _PILLOW_FORMAT[content_type]
    with _open_image(content, content_type, max_pixels) as opened:
        width, height = opened.size
        if width * height > max_pixels:  # checked before; never decode what is refused
            raise Image.DecompressionBombError(f"{width} × {height}")
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


# PDF ----------------------------------------------------------------------------------
#
# Why pikepdf: it is qpdf (a C++ PDF library maintained since 2005, used by Ghostscript's
# and many distributions' PDF tooling) with a thin, actively released Python binding and
# wheels that ship qpdf. qpdf parses the whole cross-reference structure, recovers damaged
# files the way viewers do, unpacks object streams and decodes #xx escapes in names, and
# `Pdf.objects` lists every object of the file, those inside object streams included — the
# one list we need to walk. pypdf (pure Python, also well kept) has no public "every
# object" list (one would walk its xref tables by hand) and is much slower on large files.

# Names that refuse a PDF wherever they stand (as a key or a value), after the parser has
# decoded them, and what they are about.
_PDF_REFUSED_NAMES = {
    "/JavaScript": "active",  # a JavaScript action, or the document's JavaScript name tree
    "/JS": "active",  # the script of an action
    "/Launch": "active",  # starts a program or opens a file
    "/SubmitForm": "active",  # sends form data somewhere
    "/ImportData": "active",  # reads form data from a file
    "/GoToE": "active",  # jumps into an embedded document
    "/RichMedia": "active",  # Flash/video annotations with their own scripts
    "/RichMediaExecute": "active",
    "/XFA": "xfa",  # XML forms (in /AcroForm), scriptable
    "/EmbeddedFile": "embedded",  # the type of an embedded file's stream
    "/EmbeddedFiles": "embedded",  # the document's name tree of attached files
    "/FileAttachment": "embedded",  # an annotation that carries a file
}
# A /URI action whose target is a script (browsers drop whitespace and control characters
# anywhere in a URL's scheme, so "java\tscript:" counts too).
_SCRIPT_URI = re.compile(r"^(?:javascript|vbscript):")
_URI_IGNORED = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\ufeff]")
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
# Every object of a file is walked in Python: more objects than any real document has
# means the file is made to keep the server busy.
PDF_MAX_OBJECTS = 250_000
# qpdf's own limits, process-wide: the memory of one decompressed (Flate) stream, such as an
# object stream — a few kilobytes can unpack to gigabytes — and the warnings while opening
# a damaged file before qpdf gives up on it.
PDF_FLATE_MAX_MEMORY = 64 * 1024 * 1024
PDF_MAX_WARNINGS = 1000
pikepdf.settings.set_qpdf_limits(
    flate_max_memory=PDF_FLATE_MAX_MEMORY, doc_max_warnings=PDF_MAX_WARNINGS
)


def _pdf_refusal(kind: str) -> UploadRefused:
    if kind == "embedded":
        return UploadRefused(
            _(
                "PDF-filer med innebygde filer eller filvedlegg tas ikke imot. Lagre PDF-en "
                "på nytt uten vedleggene, for eksempel med «Skriv ut til PDF», og legg ved "
                "filene hver for seg."
            )
        )
    if kind == "xfa":
        return UploadRefused(
            _(
                "PDF-skjemaer av typen XFA tas ikke imot, fordi de kan kjøre skript. Lagre "
                "skjemaet som vanlig PDF, for eksempel med «Skriv ut til PDF»."
            )
        )
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


def check_pdf(content: bytes) -> None:
    """None when the PDF may be stored, else UploadRefused.

    Refused: JavaScript (/JavaScript, /JS), /Launch, /SubmitForm, /ImportData, /GoToE,
    /RichMedia, XFA forms, embedded files and file attachments, /URI actions to
    `javascript:` — anywhere, so also through /OpenAction or /AA; an encrypted, damaged
    beyond repair or unreadable file; and HTML or script at the start or the end of the file
    (a PDF that is also an HTML page when a browser sniffs it).
    """
    # The file's edges are not PDF objects, so the parser does not see them: text there is
    # what makes a polyglot, and a file that does not end in %%EOF is incomplete.
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
    try:
        with pikepdf.Pdf.open(io.BytesIO(content), inherit_page_attributes=False) as pdf:
            if pdf.is_encrypted:
                raise _unreadable_pdf()
            objects = pdf.objects
            if len(objects) > PDF_MAX_OBJECTS:
                raise _unreadable_pdf()
            for obj in objects:
                if obj._type_code == pikepdf.ObjectType.stream and (
                    obj.stream_dict.get("/Type") == pikepdf.Name.ObjStm
                ):
                    _check_object_stream(obj)
                kind = _pdf_active_content(obj)
                if kind is not None:
                    raise _pdf_refusal(kind)
    except UploadRefused:
        raise
    except Exception:  # PasswordError, PdfError, a limit of qpdf's … : all "cannot check"
        raise _unreadable_pdf() from None


def _check_object_stream(stream: pikepdf.Object) -> None:
    """An object stream that cannot be unpacked, or whose list of objects is not one, is
    damaged — also when no object refers into it (a viewer repairing the file might)."""
    data = stream.read_bytes()
    count, first = stream.stream_dict.get("/N"), stream.stream_dict.get("/First")
    if not isinstance(count, int) or not isinstance(first, int) or count < 0 or first < 0:
        raise _unreadable_pdf()
    header = data[:first].split()
    if len(header) < 2 * count or not all(item.isdigit() for item in header[: 2 * count]):
        raise _unreadable_pdf()


def _pdf_active_content(top: pikepdf.Object) -> str | None:
    """What `top` (one indirect object, with its direct children) holds that is refused."""
    for key, value in _pdf_items(top):
        if key in _PDF_REFUSED_NAMES:
            return _PDF_REFUSED_NAMES[key]
        code = value._type_code
        if code == pikepdf.ObjectType.name_:
            name = str(value)
            if name in _PDF_REFUSED_NAMES:
                return _PDF_REFUSED_NAMES[name]
        elif code == pikepdf.ObjectType.string and key == "/URI":
            target = _URI_IGNORED.sub("", str(value)).lower()
            if _SCRIPT_URI.match(target):
                return "active"
    return None


def _pdf_items(top: pikepdf.Object) -> Iterator[tuple[str | None, pikepdf.Object]]:
    """(key or None, value) for `top` and every direct object inside it. Indirect objects
    are not followed: they are in `Pdf.objects` themselves, each walked once."""
    stack: list[tuple[str | None, pikepdf.Object]] = [(None, top)]
    while stack:
        key, obj = stack.pop()
        yield key, obj
        code = obj._type_code
        if code == pikepdf.ObjectType.stream:
            obj = obj.stream_dict
            code = pikepdf.ObjectType.dictionary
        if code == pikepdf.ObjectType.dictionary:
            for child_key, child in obj.items():
                if child_key in _PDF_REFUSED_NAMES:  # refused whatever the value is
                    yield child_key, obj
                if isinstance(child, pikepdf.Object) and not child.is_indirect:
                    stack.append((child_key, child))
        elif code == pikepdf.ObjectType.array:
            for child in obj:
                # Numbers and booleans come back as Python values: nothing to look into.
                if isinstance(child, pikepdf.Object) and not child.is_indirect:
                    stack.append((None, child))
