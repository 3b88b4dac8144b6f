"""Deviation attachments: images re-encoded without metadata, PDFs checked, the rest refused.

Pure functions, no database. The test images are made with Pillow here, with the metadata
a phone puts in them (EXIF with GPS position, XMP, comments, ICC profile, text chunks).
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zlib

import pikepdf
import pytest
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from hms_tracker.deviations import uploads
from hms_tracker.deviations.uploads import (
    MAX_ATTACHMENTS_PER_REPORT,
    UploadRefused,
    check_attachment,
    check_attachments,
    safe_filename,
)
from tests.uploads.corpus import finish_pdf

LIMIT = 10 * 1024 * 1024
HTML_PAYLOAD = b"<html><body><script>alert(document.cookie)</script></body></html>"
ZIP_PAYLOAD = b"PK\x03\x04\x14\x00\x00\x00\x08\x00SECRET-ZIP-ENTRY.txt"
SECRETS = (b"Apple", b"iPhone 15", b"XMP-SECRET", b"COMMENT-SECRET", b"IPTC-SECRET")


def refused(
    content: bytes, name: str | None = "vedlegg", *, max_bytes: int = LIMIT
) -> UploadRefused:
    with pytest.raises(UploadRefused) as info:
        check_attachment(content, name, max_bytes=max_bytes)
    return info.value


def split_colours(size: tuple[int, int], first: str, second: str) -> Image.Image:
    """Left half `first`, right half `second`."""
    image = Image.new("RGB", size, first)
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), second), (size[0] // 2, 0))
    return image


def phone_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 15"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (59.0, 54.0, 40.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (10.0, 45.0, 5.0)
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def with_iptc(jpeg: bytes) -> bytes:
    """The JPEG with a Photoshop APP13 (IPTC) segment after SOI."""
    iptc = b"\x1c\x02\x78" + struct.pack(">H", 11) + b"IPTC-SECRET"
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    body = b"Photoshop 3.0\x00" + resource
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def phone_jpeg(size: tuple[int, int] = (40, 20), orientation: int = 1) -> bytes:
    out = io.BytesIO()
    split_colours(size, "red", "blue").save(
        out,
        "JPEG",
        quality=95,
        exif=phone_exif(orientation),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">XMP-SECRET</x:xmpmeta>',
        comment=b"COMMENT-SECRET",
        icc_profile=srgb_icc(),
    )
    return with_iptc(out.getvalue())


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of the segments before the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return chunks


def riff_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos < len(data):
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append(data[pos : pos + 4])
        pos += 8 + length + (length & 1)
    return chunks


def png_with_size(width: int, height: int) -> bytes:
    """A real 1×1 PNG whose header claims `width` × `height` (CRC corrected)."""
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# JPEG ---------------------------------------------------------------------------------


def test_a_phone_jpeg_is_stored_without_exif_gps_xmp_iptc_comment_or_icc():
    original = phone_jpeg()
    assert open_image(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test has GPS
    assert all(secret in original for secret in SECRETS)

    checked = check_attachment(original, "IMG_0001.JPG", max_bytes=LIMIT)

    assert checked.content_type == "image/jpeg"
    assert checked.filename == "IMG_0001.JPG"
    stored = open_image(checked.content)
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "exif" not in stored.info and "xmp" not in stored.info
    assert "icc_profile" not in stored.info and "comment" not in stored.info
    assert b"Exif\x00\x00" not in checked.content
    assert b"http://ns.adobe.com/xap/1.0/" not in checked.content
    assert b"Photoshop 3.0" not in checked.content
    for secret in SECRETS:
        assert secret not in checked.content
    # Only the JFIF header and what a baseline JPEG needs: no APP1–APP15, no comment (COM).
    markers = jpeg_markers(checked.content)
    assert not [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE], [hex(m) for m in markers]
    assert set(markers) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; the picture must be rotated 90° clockwise.
    checked = check_attachment(phone_jpeg((40, 20), orientation=6), "snudd.jpg", max_bytes=LIMIT)
    stored = open_image(checked.content).convert("RGB")
    assert stored.size == (20, 40)
    red, blue = stored.getpixel((10, 5)), stored.getpixel((10, 35))
    assert red[0] > 200 and red[2] < 60  # the left (red) half is now on top
    assert blue[2] > 200 and blue[0] < 60
    assert stored.getexif().get(ExifTags.Base.Orientation) is None


def test_a_two_by_one_image_with_orientation_6_comes_out_one_by_two():
    original = encode(Image.new("RGB", (2, 1), "white"), "JPEG", exif=phone_exif(6))
    checked = check_attachment(original, "a.jpg", max_bytes=LIMIT)
    assert open_image(checked.content).size == (1, 2)


def test_a_jpeg_is_encoded_anew_at_quality_85():
    original = encode(split_colours((64, 64), "green", "white"), "JPEG", quality=100)
    stored = check_attachment(original, "a.jpg", max_bytes=LIMIT).content
    assert stored != original
    # The quantisation tables are those of quality 85, not the original's 100.
    expected = encode(split_colours((64, 64), "green", "white"), "JPEG", quality=85)
    assert open_image(stored).quantization == open_image(expected).quantization


def test_grayscale_and_cmyk_jpegs_are_stored_as_grayscale_and_rgb():
    gray = check_attachment(encode(Image.new("L", (8, 8), 128), "JPEG"), "g.jpg", max_bytes=LIMIT)
    assert open_image(gray.content).mode == "L"
    cmyk = encode(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG")
    stored = open_image(check_attachment(cmyk, "c.jpg", max_bytes=LIMIT).content)
    assert stored.mode == "RGB"
    r, g, b = stored.getpixel((4, 4))
    assert r > 200 and g < 60 and b < 60  # still red


def test_a_large_photo_is_scaled_down_to_2560_on_the_long_side():
    original = encode(split_colours((6000, 1000), "red", "blue"), "JPEG", quality=70)
    stored = open_image(check_attachment(original, "stor.jpg", max_bytes=LIMIT).content)
    assert max(stored.size) == uploads.MAX_SIDE == 2560
    assert stored.size == (2560, 427)


def test_a_small_photo_keeps_its_size():
    stored = check_attachment(phone_jpeg((300, 200)), "liten.jpg", max_bytes=LIMIT)
    assert open_image(stored.content).size == (300, 200)


# PNG and WebP -------------------------------------------------------------------------


def test_a_png_is_stored_without_text_chunks_exif_or_icc():
    info = PngInfo()
    info.add_text("Comment", "COMMENT-SECRET")
    info.add_text("Location", "GPS 59.91 10.75", zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", "XMP-SECRET")  # iTXt
    original = encode(
        split_colours((30, 10), "red", "blue"),
        "PNG",
        pnginfo=info,
        exif=phone_exif(),
        icc_profile=srgb_icc(),
    )
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunks(original))

    checked = check_attachment(original, "skjerm.png", max_bytes=LIMIT)

    assert checked.content_type == "image/png"
    assert set(png_chunks(checked.content)) <= {b"IHDR", b"IDAT", b"IEND"}
    for secret in (b"COMMENT-SECRET", b"XMP-SECRET", b"GPS", b"Apple"):
        assert secret not in checked.content
    stored = open_image(checked.content)
    assert stored.format == "PNG"
    assert stored.size == (30, 10)
    assert stored.text == {} and dict(stored.getexif()) == {}


def test_png_transparency_is_kept():
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    image.putpixel((5, 5), (0, 0, 255, 255))
    stored = open_image(check_attachment(encode(image, "PNG"), "t.png", max_bytes=LIMIT).content)
    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((5, 5)) == (0, 0, 255, 255)


def test_a_palette_png_with_a_transparent_colour_becomes_rgba():
    image = Image.new("P", (4, 4), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    image.putpixel((1, 1), 1)
    stored = check_attachment(encode(image, "PNG", transparency=0), "p.png", max_bytes=LIMIT)
    pixels = open_image(stored.content)
    assert pixels.mode == "RGBA"
    assert pixels.getpixel((0, 0))[3] == 0
    assert pixels.getpixel((1, 1)) == (0, 0, 0, 255)


def test_a_webp_is_stored_as_webp_without_exif_xmp_or_icc():
    original = encode(
        split_colours((30, 10), "red", "blue"),
        "WEBP",
        exif=phone_exif(),
        xmp=b"<x:xmpmeta>XMP-SECRET</x:xmpmeta>",
        icc_profile=srgb_icc(),
    )
    assert {b"EXIF", b"XMP ", b"ICCP"} <= set(riff_chunks(original))

    checked = check_attachment(original, "bilde.webp", max_bytes=LIMIT)

    assert checked.content_type == "image/webp"
    assert not {b"EXIF", b"XMP ", b"ICCP"} & set(riff_chunks(checked.content))
    for secret in (b"XMP-SECRET", b"Apple", b"iPhone"):
        assert secret not in checked.content
    stored = open_image(checked.content)
    assert stored.format == "WEBP" and stored.size == (30, 10)
    assert dict(stored.getexif()) == {}


def test_an_animated_webp_keeps_only_its_first_frame():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    original = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert Image.open(io.BytesIO(original)).n_frames == 3
    stored = open_image(check_attachment(original, "anim.webp", max_bytes=LIMIT).content)
    assert getattr(stored, "n_frames", 1) == 1
    r, g, b = stored.convert("RGB").getpixel((4, 4))
    assert r > 200 and g < 60 and b < 60


# Polyglots ----------------------------------------------------------------------------


def test_html_and_zip_appended_to_a_jpeg_are_not_stored():
    polyglot = phone_jpeg() + HTML_PAYLOAD + ZIP_PAYLOAD
    checked = check_attachment(polyglot, "bilde.jpg", max_bytes=LIMIT)
    assert b"<script" not in checked.content and b"<html" not in checked.content
    assert b"PK\x03\x04" not in checked.content and b"SECRET-ZIP" not in checked.content
    assert open_image(checked.content).size == (40, 20)


def test_a_script_hidden_in_a_jpeg_comment_or_png_text_chunk_is_not_stored():
    jpeg = encode(Image.new("RGB", (8, 8)), "JPEG", comment=HTML_PAYLOAD)
    assert HTML_PAYLOAD in jpeg
    assert b"<script" not in check_attachment(jpeg, "a.jpg", max_bytes=LIMIT).content
    info = PngInfo()
    info.add_text("html", HTML_PAYLOAD.decode())
    png = encode(Image.new("RGB", (8, 8)), "PNG", pnginfo=info)
    assert b"<script" not in check_attachment(png, "a.png", max_bytes=LIMIT).content


def test_a_png_with_html_after_iend_is_cleaned():
    polyglot = encode(Image.new("RGB", (8, 8), "red"), "PNG") + HTML_PAYLOAD
    checked = check_attachment(polyglot, "a.png", max_bytes=LIMIT)
    assert b"<script" not in checked.content
    assert png_chunks(checked.content)[-1] == b"IEND"


# Broken images and decompression bombs -------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(phone_jpeg((200, 100))[:400], id="truncated-jpeg"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"garbage" * 50, id="garbage-jpeg"),
        pytest.param(encode(Image.new("RGB", (200, 200)), "PNG")[:60], id="truncated-png"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="garbage-png"),
        pytest.param(b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32, id="garbage-webp"),
        # A GIF dressed up with a JPEG start: only the JPEG decoder may read it.
        pytest.param(b"\xff\xd8\xff" + encode(Image.new("L", (4, 4)), "GIF"), id="not-jpeg"),
    ],
)
def test_a_file_that_starts_like_an_image_but_cannot_be_decoded_is_refused(content):
    error = refused(content, "bilde.jpg")
    assert "Bildet kan ikke leses" in error.message
    assert not error.too_large


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (8000, 6251), (65_535, 1_000)])
def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(width, height):
    bomb = png_with_size(width, height)
    assert len(bomb) < 100
    error = refused(bomb, "bombe.png")
    assert "Bildet er for stort" in error.message
    assert "50 megapiksler" in error.message


def test_the_pixel_limit_is_inclusive(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 100)
    assert check_attachment(encode(Image.new("RGB", (10, 10)), "PNG"), "a.png", max_bytes=LIMIT)
    with pytest.raises(UploadRefused, match="for stort"):
        check_attachment(encode(Image.new("RGB", (10, 11)), "PNG"), "a.png", max_bytes=LIMIT)


def test_a_jpeg_claiming_huge_dimensions_is_refused():
    data = bytearray(encode(Image.new("RGB", (16, 16)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60_000, 60_000)
    assert "Bildet er for stort" in refused(bytes(data)).message


# Size ---------------------------------------------------------------------------------


def test_one_byte_over_the_limit_is_refused_and_at_the_limit_accepted():
    jpeg = phone_jpeg()
    limit = len(jpeg) + 100
    at_limit = jpeg + b"\x00" * 100
    assert len(at_limit) == limit
    assert check_attachment(at_limit, "a.jpg", max_bytes=limit).content_type == "image/jpeg"
    error = refused(at_limit + b"\x00", "a.jpg", max_bytes=limit)
    assert error.too_large
    assert "Filen er for stor" in error.message


def test_a_pdf_at_the_limit_is_accepted_and_one_byte_more_refused():
    pdf = simple_pdf(b"%" + b"x" * 500 + b"\n")
    assert check_attachment(pdf, "a.pdf", max_bytes=len(pdf)).size == len(pdf)
    assert refused(pdf + b"\n", "a.pdf", max_bytes=len(pdf)).too_large


def test_the_limit_is_named_in_megabytes():
    error = refused(b"%PDF-" + b"x" * (2 * 1024 * 1024), "a.pdf", max_bytes=2 * 1024 * 1024)
    assert "2 MB" in error.message


def test_an_image_that_grows_beyond_the_limit_when_encoded_anew_is_refused():
    noise = Image.effect_noise((400, 400), 100).convert("RGB")
    original = encode(noise, "JPEG", quality=5)
    error = refused(original, "støy.jpg", max_bytes=len(original))
    assert error.too_large


def test_an_empty_file_is_refused():
    assert "Filen er tom" in refused(b"", "tom.jpg").message


def test_read_limited_is_shared_with_training():
    assert len(uploads.read_limited(io.BytesIO(b"x" * 5000), 100)) == 101


# Types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"Dette er en tekstfil\n", id="text"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", id="exe"),
        pytest.param(b"\x7fELF\x02\x01\x01", id="elf"),
        pytest.param(ZIP_PAYLOAD, id="zip"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", id="gif"),
        pytest.param(b"II*\x00\x08\x00\x00\x00", id="tiff"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt ", id="wav"),
        pytest.param(b"{\\rtf1\\ansi hei}", id="rtf"),
    ],
)
def test_other_types_are_refused_whatever_the_name(content):
    error = refused(content, "bilde.jpg")
    assert "Filtypen er ikke tillatt" in error.message
    assert "JPEG, PNG eller WebP" in error.message and "PDF" in error.message


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
        b"<svg onload='alert(1)'/>",
        "<svg><script>x</script></svg>".encode("utf-16"),
    ],
)
def test_svg_is_refused_by_name(content):
    assert "SVG-filer er ikke tillatt" in refused(content, "bilde.png").message


@pytest.mark.parametrize(
    "content", [HTML_PAYLOAD, b"<!DOCTYPE html><title>x</title>", b"  <script>alert(1)</script>"]
)
def test_html_is_refused(content):
    assert "HTML-filer er ikke tillatt" in refused(content, "bilde.jpg").message


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"mif1", b"avif"])
def test_heic_and_avif_are_refused_with_a_request_for_jpeg(brand):
    content = b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    message = refused(content, "IMG_0001.HEIC").message
    assert "HEIC" in message and "JPEG" in message


def test_a_real_avif_is_refused_too():
    if not Image.registered_extensions().get(".avif"):
        pytest.skip("this Pillow cannot write AVIF")
    avif = encode(Image.new("RGB", (8, 8), "red"), "AVIF")
    assert "HEIC" in refused(avif, "bilde.avif").message


# PDF ----------------------------------------------------------------------------------


def simple_pdf(body: bytes = b"") -> bytes:
    """A PDF that a parser reads without repair (`finish_pdf` adds the cross-reference
    stream, listing the objects inside object streams too)."""
    return finish_pdf(
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [9 0 R] /Count 1 >>\nendobj\n"
        b"9 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>\nendobj\n" + body
    )


def object_stream(objects: bytes) -> bytes:
    data = zlib.compress(b"3 0 " + objects)
    return (
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(data)).encode()
        + b" >>\nstream\n"
        + data
        + b"\nendstream\nendobj\n"
    )


def test_a_pdf_made_by_pillow_is_stored_as_uploaded():
    pdf = encode(Image.new("RGB", (50, 50), "red"), "PDF")
    checked = check_attachment(pdf, "Rapport.pdf", max_bytes=LIMIT)
    assert checked.content_type == "application/pdf"
    assert checked.content == pdf
    assert checked.filename == "Rapport.pdf"


def test_a_pdf_with_an_object_stream_without_active_content_is_accepted():
    pdf = simple_pdf(object_stream(b"<< /Type /Annot /Subtype /Link /A << /S /URI >> >>"))
    assert check_attachment(pdf, "a.pdf", max_bytes=LIMIT).content == pdf


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"3 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n", id="js"),
        pytest.param(b"3 0 obj\n<< /OpenAction << /JS 5 0 R >> >>\nendobj\n", id="JS-only"),
        pytest.param(b"3 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n", id="launch"),
        pytest.param(b"3 0 obj\n<< /S /J#61va#53cript >>\nendobj\n", id="hex-escaped"),
        pytest.param(b"3 0 obj\n<</S/JavaScript/JS(x)>>\nendobj\n", id="no-spaces"),
        pytest.param(object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"), id="objstm"),
        pytest.param(object_stream(b"<< /S /L#61unch /F (x) >>"), id="objstm-escaped"),
    ],
)
def test_a_pdf_with_active_content_is_refused(body):
    message = refused(simple_pdf(body), "faktura.pdf").message
    assert "PDF-filer med aktivt innhold" in message
    assert "JavaScript" in message


def test_names_that_only_start_like_js_are_not_active_content():
    pdf = simple_pdf(b"3 0 obj\n<< /JSONData 1 /JBIG2Globals 2 /Launcher 3 >>\nendobj\n")
    assert check_attachment(pdf, "a.pdf", max_bytes=LIMIT).content == pdf


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4\n" + HTML_PAYLOAD + simple_pdf()[9:], id="html-at-start"),
        pytest.param(simple_pdf() + HTML_PAYLOAD, id="html-after-eof"),
        pytest.param(b"%PDF-1.4\n<!DOCTYPE html><p>hei</p>\n%%EOF\n", id="doctype"),
        pytest.param(b"%PDF-1.4\n<svg onload=alert(1)>\n%%EOF\n", id="svg"),
    ],
)
def test_a_pdf_html_polyglot_is_refused(content):
    message = refused(content, "a.pdf").message
    assert "HTML eller skript" in message


def test_a_pdf_with_a_long_html_tail_is_refused_as_incomplete():
    content = simple_pdf() + HTML_PAYLOAD + b" " * 2000
    assert "PDF-filen kan ikke kontrolleres" in refused(content, "a.pdf").message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n1 0 obj << >> endobj\n", id="no-eof"),
        pytest.param(simple_pdf()[:40], id="truncated"),
        pytest.param(
            simple_pdf(
                b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 >>\nstream\nnot zlib\nendstream\nendobj\n"
            ),
            id="unreadable-object-stream",
        ),
    ],
)
def test_a_broken_pdf_is_refused(content):
    assert "PDF-filen kan ikke kontrolleres" in refused(content, "a.pdf").message


def test_an_object_stream_that_unpacks_beyond_the_budget_is_refused():
    # qpdf's limit on one unpacked stream (web/uploads.py sets it process-wide).
    previous = pikepdf.settings.set_qpdf_limits(flate_max_memory=1000)
    try:
        pdf = simple_pdf(object_stream(b"<< /A 1 >>" + b" " * 5000))
        assert "PDF-filen kan ikke kontrolleres" in refused(pdf, "a.pdf").message
    finally:
        pikepdf.settings.set_qpdf_limits(**previous)


# Names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd.jpg", "image/jpeg", "passwd.jpg"),
        ("..\\..\\Windows\\system32\\bilde.png", "image/png", "bilde.png"),
        ("C:\\x\\y.pdf", "application/pdf", "y.pdf"),
        ("/var/www/html/shell.pdf", "application/pdf", "shell.pdf"),
        ("bilde\r\nSet-Cookie: x=1.jpg", "image/jpeg", "bildeSet-Cookie: x=1.jpg"),
        ("bil\x00de\u202egpj.exe.jpg", "image/jpeg", "bildegpj.exe.jpg"),  # NUL, RTL override
        ("..", "image/jpeg", "vedlegg.jpg"),
        ("", "application/pdf", "vedlegg.pdf"),
        (None, "image/webp", "vedlegg.webp"),
        (".htaccess", "image/png", "htaccess.png"),
        ("IMG_0001.JPG", "image/jpeg", "IMG_0001.JPG"),
        ("foto.jpeg", "image/jpeg", "foto.jpeg"),
        # The name ends in the stored type's extension: no "x.html" holding a PDF.
        ("x.html", "application/pdf", "x.html.pdf"),
        ("bilde.png", "image/jpeg", "bilde.png.jpg"),
        ("skjema", "application/pdf", "skjema.pdf"),
    ],
)
def test_safe_filename_keeps_a_basename_label(name, content_type, expected):
    assert safe_filename(name, content_type) == expected


def test_a_300_character_name_is_cut_to_255_keeping_the_extension():
    name = safe_filename("å" * 300 + ".jpg", "image/jpeg")
    assert len(name) == 255
    assert name.endswith(".jpg") and name.startswith("ååå")


def test_unicode_names_are_kept_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Søppelrom – Ødegård (ÆØÅ).pdf")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    name = safe_filename(decomposed, "application/pdf")
    assert name == "Søppelrom – Ødegård (ÆØÅ).pdf"
    assert unicodedata.is_normalized("NFC", name)


def test_the_checked_upload_carries_the_clean_name():
    pdf = simple_pdf()
    checked = check_attachment(pdf, "../../etc/passwd.jpg", max_bytes=LIMIT)
    assert checked.filename == "passwd.jpg.pdf"


def test_content_disposition_is_an_attachment_with_ascii_fallback():
    header = uploads.content_disposition("Lekkasje «kjeller» Ødegård;.jpg")
    assert header.startswith("attachment; ")
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and ";" not in fallback
    assert "filename*=UTF-8''Lekkasje%20%C2%ABkjeller%C2%BB%20%C3%98deg%C3%A5rd%3B.jpg" in header


def test_content_disposition_falls_back_to_vedlegg_for_a_name_without_ascii():
    assert uploads.content_disposition("ææ").startswith('attachment; filename="vedlegg";')
    assert uploads.content_disposition("ææ.jpg").startswith('attachment; filename="vedlegg.jpg";')


# Several files at once ----------------------------------------------------------------


def test_several_files_are_checked_and_each_refusal_names_its_file():
    files = [
        (phone_jpeg(), "IMG_0001.jpg"),
        (b"MZ\x90\x00", "../virus.exe"),
        (simple_pdf(), "skjema.pdf"),
        (b"", ""),  # a file input where nothing was chosen
        (b"", "tom.jpg"),
    ]
    result = check_attachments(files, max_bytes=LIMIT)
    assert [c.filename for c in result.accepted] == ["IMG_0001.jpg", "skjema.pdf"]
    assert not result.ok
    assert len(result.errors) == 2
    assert result.errors[0].startswith("«virus.exe»: Filtypen er ikke tillatt")
    assert result.errors[1].startswith("«tom.jpg»: Filen er tom")
    assert not result.too_large


def test_a_file_over_the_limit_among_several_is_flagged_too_large():
    pdf = simple_pdf()
    result = check_attachments([(pdf, "a.pdf"), (pdf + b"x" * 100, "stor.pdf")], max_bytes=len(pdf))
    assert [c.filename for c in result.accepted] == ["a.pdf"]
    assert result.too_large
    assert result.errors[0].startswith("«stor.pdf»: Filen er for stor")


def test_all_good_files_are_ok():
    result = check_attachments([(simple_pdf(), "a.pdf")] * 3, max_bytes=LIMIT)
    assert result.ok and len(result.accepted) == 3


def test_at_most_ten_attachments_per_report():
    assert MAX_ATTACHMENTS_PER_REPORT == 10
    pdf = simple_pdf()
    assert check_attachments([(pdf, "a.pdf")] * 10, max_bytes=LIMIT).ok
    result = check_attachments([(pdf, "a.pdf")] * 11, max_bytes=LIMIT)
    assert result.accepted == []
    assert result.errors == ["Du kan legge ved høyst 10 filer per avvik."]


def test_files_already_attached_count_towards_the_ten():
    pdf = simple_pdf()
    assert check_attachments([(pdf, "a.pdf")] * 2, max_bytes=LIMIT, already_attached=8).ok
    result = check_attachments([(pdf, "a.pdf")] * 3, max_bytes=LIMIT, already_attached=8)
    assert not result.ok and result.accepted == []


def test_accept_lists_jpeg_and_not_heic():
    assert "image/jpeg" in uploads.ACCEPT and "application/pdf" in uploads.ACCEPT
    assert "heic" not in uploads.ACCEPT.lower()
