"""The inspection pack: one download for the day Arbeidstilsynet comes.

`/inspection` says what the pack holds and that the download is recorded; the pack itself
is a POST (`/inspection/pack`), so that it is never fetched by following a link or by a
prefetching browser, and every download lands in the audit trail with who took it. Only
the coordinator downloads it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hms_tracker.amu import access as _access  # noqa: F401  (registers the actions)
from hms_tracker.amu import inspection
from hms_tracker.db import SessionDep
from hms_tracker.web.auth import Permission
from hms_tracker.web.dates import today
from hms_tracker.web.templating import company_name, render

router = APIRouter()
DOWNLOAD = [Permission("inspection.download")]


@router.get("/inspection", dependencies=DOWNLOAD)
def inspection_page(request: Request) -> Response:
    day = today()
    return render(
        request,
        "amu/inspection.html",
        day=day,
        since=inspection.pack_start(day),
        years=inspection.PACK_YEARS,
    )


@router.post("/inspection/pack", dependencies=DOWNLOAD)
def inspection_pack(request: Request, session: SessionDep) -> Response:
    day = today()
    content = inspection.download_pack(
        session=session, today=day, company_name=company_name(request)
    )
    return Response(
        content,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="tilsynspakke-{day.isoformat()}.zip"',
            "Cache-Control": "no-store",
        },
    )
