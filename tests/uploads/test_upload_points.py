"""Every upload point over HTTP, on both databases, against the hostile corpus.

The points: a deviation report by a logged-in user (/deviations/new), the anonymous report
(/report), a comment with files on a deviation, the anonymous reporter's /report/status/add,
a course certificate, and a routine attachment. Each hostile kind of file in
`corpus.HOSTILE` is sent to each point (the parametrisation is their product, so a new kind
covers every point): the answer is a 4xx page with the message, the form comes back with
what was typed, and nothing is stored. Benign files still pass everywhere; images with a
script appended are stored encoded anew, without it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from PIL import ImageFile
from sqlmodel import select

from hms_tracker.deviations.models import DeviationAttachment
from hms_tracker.routines.models import RoutineAttachment
from hms_tracker.training.models import Certificate, CourseType
from hms_tracker.web.dates import today
from tests.conftest import AppClient, login
from tests.deviations.helpers import make_deviation, report_form
from tests.factories import make_department, make_user
from tests.login import login_admin, login_as
from tests.routines.helpers import principal_for, published_routine
from tests.uploads import corpus

TYPED = "Typed-by-the-user-1234"  # must come back in the refused form
_posts = itertools.count(1)


def typed() -> str:
    """What the user typed, different on each post (the reporter's page refuses the same
    addition twice in ten minutes)."""
    return f"{TYPED} #{next(_posts)}"


@functools.cache
def made(kind: str) -> bytes:
    """Each hostile file is made once per test run (the bombs take a moment)."""
    return corpus.HOSTILE[kind][0]()


@dataclass
class Point:
    """One upload point, set up for a test: `post` sends files, `stored` what was kept."""

    post: Callable[[list[tuple[str, bytes, str]]], Any]
    stored: Callable[[], list[Any]]
    many: bool  # takes several files in one form


def _deviation_new(client: AppClient, session) -> Point:
    lager = make_department(session, name="Lager")
    user = make_user(session, department=lager)
    session.commit()
    login(client, user.email)

    def post(files):
        return client.submit(
            "/deviations/new",
            report_form(lager, title=typed()),
            files=[("files", f) for f in files],
            token_page="/deviations/new",
        )

    return Point(post, lambda: _rows(session, DeviationAttachment), many=True)


def _anonymous_report(client: AppClient, session) -> Point:
    lager = make_department(session, name="Lager")
    session.commit()

    def post(files):
        return client.submit(
            "/report",
            report_form(lager, title=typed()),
            files=[("files", f) for f in files],
            token_page="/report",
        )

    return Point(post, lambda: _rows(session, DeviationAttachment), many=True)


def _comment(client: AppClient, session) -> Point:
    lager = make_department(session, name="Lager")
    login_admin(client, session)
    deviation, _code = make_deviation(session, lager, reporter=None)
    session.commit()

    def post(files):
        return client.submit(
            f"/deviations/{deviation.id}/comments",
            {"body": typed()},
            files=[("files", f) for f in files],
            token_page=f"/deviations/{deviation.id}",
        )

    return Point(post, lambda: _rows(session, DeviationAttachment), many=True)


def _status_add(client: AppClient, session) -> Point:
    lager = make_department(session, name="Lager")
    _deviation, code = make_deviation(session, lager)
    assert code is not None
    session.commit()

    def post(files):
        return client.submit(
            "/report/status/add",
            {"code": code, "body": typed()},
            files=[("files", f) for f in files],
            token_page="/report/status",
        )

    return Point(post, lambda: _rows(session, DeviationAttachment), many=True)


def _certificate(client: AppClient, session) -> Point:
    lager = make_department(session, name="Lager")
    login_admin(client, session)
    employee = make_user(session, department=lager)
    session.commit()
    course = session.exec(select(CourseType).order_by(CourseType.id)).first()
    url = f"/people/{employee.person_id}/training/new"

    def post(files):
        (file,) = files
        data = {
            "course_type_id": str(course.id),
            "completed_on": (today() - timedelta(days=10)).isoformat(),
            "hours": "40",
            "provider": typed(),
        }
        return client.submit(url, data, files={"certificate": file}, token_page=url)

    return Point(post, lambda: _rows(session, Certificate), many=False)


def _routine_attachment(client: AppClient, session) -> Point:
    admin = make_user(session, is_admin=True)
    session.commit()
    routine = published_routine(session, principal_for(session, admin, today()), today())
    login_as(client, session, admin)

    def post(files):
        (file,) = files
        return client.submit(f"/routines/{routine.id}/attachments", files={"file": file})

    return Point(post, lambda: _rows(session, RoutineAttachment), many=False)


POINTS = {
    "deviation-new": _deviation_new,
    "anonymous-report": _anonymous_report,
    "deviation-comment": _comment,
    "report-status-add": _status_add,
    "training-certificate": _certificate,
    "routine-attachment": _routine_attachment,
}
MANY_FILES = [name for name in POINTS if name not in ("training-certificate", "routine-attachment")]


def _rows(session, model) -> list[Any]:
    session.expire_all()
    return list(session.exec(select(model).order_by(model.id)).all())


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test when Pillow decodes any image (reading a header is not decoding)."""
    calls: list[str] = []

    def refuse_to_decode(image, *args, **kwargs):
        calls.append(f"{image.format} {image.size}")
        raise AssertionError(f"decoded {image.format} {image.size}")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    return calls


@pytest.mark.parametrize("point", list(POINTS))
def test_every_hostile_file_is_refused_at_every_upload_point(client, session, point, no_decoding):
    """Refused with the message, nothing stored — and no image decoded: a bomb is refused
    from its header, a PDF never reaches Pillow. Every kind of the corpus at this point,
    one login (the failures name each kind that got through)."""
    upload = POINTS[point](client, session)
    failures: list[str] = []
    for kind, (_make, filename, message) in corpus.HOSTILE.items():
        r = upload.post([(filename, made(kind), "application/octet-stream")])
        if not 400 <= r.status_code < 500:
            failures.append(f"{kind}: status {r.status_code}")
        elif message not in r.text:
            failures.append(f"{kind}: no message {message!r}")
        elif point != "routine-attachment" and TYPED not in r.text:
            # the routine form has no typed fields; the others come back as typed
            failures.append(f"{kind}: the form lost what was typed")
        elif upload.stored():
            failures.append(f"{kind}: stored")
        elif no_decoding:
            failures.append(f"{kind}: decoded")
    assert failures == []


@pytest.mark.parametrize("point", MANY_FILES)
def test_ten_large_images_in_one_form_are_refused_before_any_is_decoded(
    client, session, point, no_decoding
):
    # 4000 × 3000 = 12 megapixels each, well under the 50 allowed for one image; ten of
    # them are 120, over the 100 one form may carry.
    large = corpus.bilevel_png(4000, 3000)
    upload = POINTS[point](client, session)
    r = upload.post([(f"bilde{n}.png", large, "image/png") for n in range(10)])
    assert r.status_code == 422, r.text[:2000]
    assert "Bildene er til sammen for store" in r.text
    assert "100 megapiksler" in r.text
    assert TYPED in r.text
    assert no_decoding == []
    assert upload.stored() == []


@pytest.mark.parametrize("point", list(POINTS))
def test_an_image_with_a_script_appended_is_stored_without_it(client, session, point):
    upload = POINTS[point](client, session)
    for fmt, (make, filename, content_type) in corpus.WITH_SCRIPT_APPENDED.items():
        polyglot = make()
        assert corpus.SCRIPT in polyglot
        before = len(upload.stored())

        r = upload.post([(filename, polyglot, content_type)])

        assert r.status_code in (200, 303), (fmt, r.text[:3000])
        stored = upload.stored()
        assert len(stored) == before + 1, fmt
        newest = stored[-1]
        assert newest.content_type == content_type, fmt
        assert b"<script" not in newest.content and b"<html" not in newest.content, fmt
        assert newest.content != polyglot, fmt


BENIGN = [
    ("bevis.pdf", corpus.benign_pdf, "application/pdf"),
    ("komprimert.pdf", lambda: corpus.benign_pdf(object_streams=True), "application/pdf"),
    ("bilde.png", lambda: corpus.image("PNG"), "image/png"),
    ("bilde.jpg", lambda: corpus.image("JPEG"), "image/jpeg"),
    ("bilde.webp", lambda: corpus.image("WEBP"), "image/webp"),
]


@pytest.mark.parametrize("point", list(POINTS))
def test_benign_files_still_pass_at_every_upload_point(client, session, point):
    upload = POINTS[point](client, session)
    for name, make, content_type in BENIGN:
        content = make()
        before = len(upload.stored())
        r = upload.post([(name, content, content_type)])
        assert r.status_code in (200, 303), (name, r.text[:3000])
        stored = upload.stored()
        assert len(stored) == before + 1, name
        newest = stored[-1]
        assert newest.content_type == content_type, name
        assert newest.filename == name
        if content_type == "application/pdf":
            assert newest.content == content  # a PDF is stored as uploaded


@pytest.mark.parametrize("point", list(POINTS))
def test_every_upload_point_uses_the_configured_pixel_limit(request, settings, point):
    settings.upload_max_pixels = 100  # HMS_UPLOAD_MAX_PIXELS, before the app is made
    client, session = request.getfixturevalue("client"), request.getfixturevalue("session")
    upload = POINTS[point](client, session)
    r = upload.post([("bilde.png", corpus.image("PNG", (10, 11)), "image/png")])
    assert r.status_code == 422, r.text[:2000]
    assert "Bildet er for stort (10 × 11 piksler)" in r.text
    assert upload.stored() == []
