"""The one upload policy (web/uploads.py) as plain functions: the PDF parser's verdicts,
the pixel limits read from headers, Pillow's own guard, and the limits from Settings."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from hms_tracker.config import Settings
from hms_tracker.web import uploads
from hms_tracker.web.uploads import (
    UploadLimits,
    UploadRefused,
    Wording,
    check_pdf,
    check_upload,
    check_uploads,
)
from tests.uploads import corpus

WORDING = Wording(fallback_name="fil", empty=lambda: "tom", wrong_type=lambda: "feil type")
LIMITS = UploadLimits(max_bytes=10 * 1024 * 1024)


def refusal(content: bytes, limits: UploadLimits = LIMITS) -> str:
    with pytest.raises(UploadRefused) as info:
        check_upload(content, "fil", limits=limits, wording=WORDING)
    return info.value.message


@pytest.fixture
def no_decoding(monkeypatch):
    calls: list[str] = []

    def refuse_to_decode(image, *args, **kwargs):
        calls.append(f"{image.format} {image.size}")
        raise AssertionError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    return calls


# PDF: controls, so that each hostile file is refused for what it holds ------------------


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(corpus.benign_pdf, id="link-to-a-web-page"),
        pytest.param(lambda: corpus.benign_pdf(object_streams=True), id="object-streams"),
        pytest.param(
            lambda: corpus.hand_pdf(b"10 0 obj\n<< /S /GoTo /D [3 0 R /Fit] >>\nendobj\n"),
            id="hand-written",
        ),
        pytest.param(
            lambda: corpus.finish_pdf(
                corpus.CATALOG + corpus.object_stream(11, {10: b"<< /S /GoTo /D [3 0 R] >>"}),
                version=b"1.5",
            ),
            id="hand-written-object-stream",
        ),
        pytest.param(
            lambda: corpus.hand_pdf(b"10 0 obj\n<< /JSONData 1 /Launcher 2 /XFAx 3 >>\nendobj\n"),
            id="names-that-only-start-alike",
        ),
    ],
)
def test_a_benign_pdf_passes_and_is_stored_as_uploaded(make):
    pdf = make()
    checked = check_upload(pdf, "a.pdf", limits=LIMITS, wording=WORDING)
    assert checked.content == pdf and checked.content_type == "application/pdf"


def test_the_padded_object_stream_is_refused_only_for_its_javascript():
    hostile = corpus.pdf_javascript_deep_in_a_padded_object_stream()
    assert len(hostile) > 5000
    assert corpus.ACTIVE in refusal(hostile)
    # The same structure with a harmless action instead passes.
    padding = {20 + n: b"<< /Pad (" + b"x" * 1000 + b") >>" for n in range(6)}
    stream = corpus.object_stream(
        40, {**padding, 30: b"<< /S /GoTo /D [3 0 R] >>"}, Pad=b"(" + b"y" * 5000 + b")"
    )
    catalog = b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 30 0 R >>\nendobj\n"
    pdf = corpus.finish_pdf(
        catalog + corpus.CATALOG[corpus.CATALOG.index(b"2 0 obj") :] + stream, version=b"1.5"
    )
    check_pdf(pdf)


@pytest.mark.parametrize(("kind", "expected"), [(k, v[2]) for k, v in corpus.HOSTILE.items()])
def test_each_hostile_kind_is_refused_with_its_message(kind, expected):
    assert expected in refusal(corpus.HOSTILE[kind][0]())


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "  javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x00javascript:alert(1)",
        "vbscript:msgbox(1)",
    ],
)
def test_a_uri_action_to_a_script_is_refused(target):
    pdf = corpus.hand_pdf(
        b"10 0 obj\n<< /S /URI /URI (" + target.encode("latin-1") + b") >>\nendobj\n"
    )
    assert corpus.ACTIVE in refusal(pdf)


@pytest.mark.parametrize(
    "target", ["https://example.com/", "mailto:verneombud@example.com", "javascript-guide.html"]
)
def test_a_uri_action_to_a_page_is_allowed(target):
    check_pdf(corpus.hand_pdf(b"10 0 obj\n<< /S /URI /URI (" + target.encode() + b") >>\nendobj\n"))


def test_a_refused_name_as_a_key_refuses_even_when_its_value_is_a_reference():
    pdf = corpus.hand_pdf(
        b"10 0 obj\n<< /Type /Catalog2 /JS 11 0 R >>\nendobj\n11 0 obj\n(app.alert(1))\nendobj\n"
    )
    assert corpus.ACTIVE in refusal(pdf)


def test_a_pdf_with_more_objects_than_any_document_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "PDF_MAX_OBJECTS", 3)
    assert corpus.UNREADABLE in refusal(corpus.benign_pdf())


# Images: pixels from the header, before decoding ---------------------------------------


def test_the_decoding_spy_sees_a_decode(no_decoding):
    """A control for the tests that assert that nothing was decoded."""
    with pytest.raises(UploadRefused):
        check_upload(corpus.image("PNG"), "a.png", limits=LIMITS, wording=WORDING)
    assert no_decoding  # the policy did try to decode an ordinary image


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: corpus.bilevel_png(8000, 8000), id="64-megapixel-bilevel-png"),
        pytest.param(lambda: corpus.png_claiming(100_000, 100_000), id="header-claims-10-gpx"),
    ],
)
def test_a_bomb_is_refused_from_its_header_without_decoding(make, no_decoding):
    bomb = make()
    assert len(bomb) < 100_000
    message = refusal(bomb)
    assert "Bildet er for stort" in message and "50 megapiksler" in message
    assert no_decoding == []


def test_pillow_keeps_its_own_bomb_guard(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # as if someone had switched it off
    check_upload(corpus.image("PNG"), "a.png", limits=LIMITS, wording=WORDING)
    assert Image.MAX_IMAGE_PIXELS is not None
    assert LIMITS.max_pixels <= Image.MAX_IMAGE_PIXELS


def test_pillows_bomb_warning_is_a_refusal(monkeypatch, no_decoding):
    """Pillow warns (does not refuse) between its limit and twice that; here its limit is
    below ours, so it is Pillow that sees the bomb first: the warning refuses the file."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)
    limits = UploadLimits(max_bytes=LIMITS.max_bytes, max_pixels=40)
    image = corpus.image("PNG", (8, 8))  # 64 pixels: over Pillow's 50, under its 100
    with pytest.raises(Image.DecompressionBombWarning):
        Image.open(io.BytesIO(image))
    assert "Bildet er for stort" in refusal(image, limits)
    assert no_decoding == []


def test_the_pixel_limit_is_inclusive():
    limits = UploadLimits(max_bytes=LIMITS.max_bytes, max_pixels=100)
    check_upload(corpus.image("PNG", (10, 10)), "a.png", limits=limits, wording=WORDING)
    assert "Bildet er for stort" in refusal(corpus.image("PNG", (10, 11)), limits)


def test_images_over_the_request_budget_together_are_refused_before_any_is_decoded(
    no_decoding,
):
    limits = UploadLimits(max_bytes=LIMITS.max_bytes, max_pixels=100, request_max_pixels=250)
    images = [(corpus.image("PNG", (10, 10)), f"{n}.png") for n in range(3)]  # 300 pixels
    result = check_uploads(images, limits=limits, wording=WORDING)
    assert result.accepted == []
    assert len(result.errors) == 1 and "Bildene er til sammen for store" in result.errors[0]
    assert no_decoding == []


def test_images_within_the_request_budget_pass():
    limits = UploadLimits(max_bytes=LIMITS.max_bytes, max_pixels=100, request_max_pixels=250)
    images = [(corpus.image("PNG", (10, 10)), f"{n}.png") for n in range(2)]
    assert check_uploads(images, limits=limits, wording=WORDING).ok


def test_one_image_over_the_request_budget_alone_is_refused():
    limits = UploadLimits(max_bytes=LIMITS.max_bytes, max_pixels=1000, request_max_pixels=50)
    assert "til sammen" in refusal(corpus.image("PNG", (10, 10)), limits)


# Settings ------------------------------------------------------------------------------


def test_the_limits_come_from_settings_with_their_defaults():
    settings = Settings(upload_max_pixels=123, upload_request_max_pixels=456)
    limits = UploadLimits.from_settings(settings)
    assert (limits.max_pixels, limits.request_max_pixels) == (123, 456)
    defaults = UploadLimits(max_bytes=1)
    assert defaults.max_pixels == Settings().upload_max_pixels == 50_000_000
    assert defaults.request_max_pixels == Settings().upload_request_max_pixels == 100_000_000


def test_the_pixel_limits_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("HMS_UPLOAD_MAX_PIXELS", "1000")
    monkeypatch.setenv("HMS_UPLOAD_REQUEST_MAX_PIXELS", "2000")
    settings = Settings()
    assert (settings.upload_max_pixels, settings.upload_request_max_pixels) == (1000, 2000)
