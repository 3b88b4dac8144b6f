"""create_app(): settings, database, middleware, routers, templates, static files, errors."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from hms_tracker.config import Settings, get_settings
from hms_tracker.db import create_db_engine
from hms_tracker.notifications.middleware import OutboxDeliveryMiddleware
from hms_tracker.paths import STATIC_DIR, VENDOR_DIR
from hms_tracker.web.admission import AdmissionMiddleware
from hms_tracker.web.csrf import verify_csrf
from hms_tracker.web.errors import _too_large_asgi, busy_asgi, install_error_handlers
from hms_tracker.web.security import BodyLimitMiddleware, SecurityMiddleware, verify_query

log = logging.getLogger("hms_tracker")

VENDOR_FILES = ("htmx.min.js", "designsystemet.css", "theme.css")


def missing_vendor_files() -> list[str]:
    return [name for name in VENDOR_FILES if not (VENDOR_DIR / name).exists()]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    secret_key = settings.resolved_secret_key()
    engine = create_db_engine(settings.resolved_database_url, settings.pool)

    app = FastAPI(
        title="hms-tracker",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(verify_csrf), Depends(verify_query)],
    )
    app.state.settings = settings
    app.state.secret_key = secret_key
    app.state.engine = engine
    missing = missing_vendor_files()
    app.state.htmx_available = "htmx.min.js" not in missing
    if missing:
        log.warning(
            "Front-end files missing from %s: %s. Pages work without them (plain HTML, no "
            "htmx, no Designsystemet styles). Run `make assets` (needs npm) to fetch them.",
            VENDOR_DIR,
            ", ".join(missing),
        )

    from hms_tracker.accounts.routes import register_login_hints
    from hms_tracker.accounts.routes import router as accounts_router
    from hms_tracker.amu.calendar_routes import router as calendar_router
    from hms_tracker.amu.inspection_routes import router as inspection_router
    from hms_tracker.amu.routes import router as amu_router
    from hms_tracker.appointments.notice_routes import router as notice_router
    from hms_tracker.appointments.routes import router as appointments_router
    from hms_tracker.audit.routes import router as audit_router
    from hms_tracker.barometer.plan_routes import router as barometer_plan_router
    from hms_tracker.barometer.routes import router as barometer_router
    from hms_tracker.barometer.survey_routes import router as survey_router
    from hms_tracker.compliance.routes import router as compliance_router
    from hms_tracker.demo.service import demo_accounts
    from hms_tracker.deviations.list_routes import router as deviation_list_router
    from hms_tracker.deviations.report_routes import router as deviation_report_router
    from hms_tracker.deviations.routes import router as deviations_router
    from hms_tracker.deviations.stats_routes import router as deviation_stats_router
    from hms_tracker.home.routes import router as home_router
    from hms_tracker.organisation import company  # noqa: F401  (the company name in the layout)
    from hms_tracker.organisation.routes import router as organisation_router
    from hms_tracker.risks.routes import router as risks_router
    from hms_tracker.routines.routes import router as routines_router
    from hms_tracker.training.routes import router as training_router
    from hms_tracker.web.routes import router as web_router

    register_login_hints(lambda session: demo_accounts(session=session))

    app.include_router(web_router)
    app.include_router(home_router)
    app.include_router(accounts_router)
    app.include_router(organisation_router)
    app.include_router(audit_router)
    app.include_router(compliance_router)
    app.include_router(amu_router)
    app.include_router(calendar_router)
    app.include_router(inspection_router)
    app.include_router(notice_router)
    app.include_router(barometer_router)
    app.include_router(barometer_plan_router)
    app.include_router(survey_router)
    app.include_router(appointments_router)
    app.include_router(training_router)
    app.include_router(routines_router)
    app.include_router(risks_router)
    # /deviations/stats before any router declaring /deviations/{id} (it would match "stats").
    app.include_router(deviation_stats_router)
    app.include_router(deviations_router)
    app.include_router(deviation_report_router)
    app.include_router(deviation_list_router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    install_error_handlers(app)
    # After a request whose transaction enqueued e-mail has committed and the response is
    # out, deliver the outbox (notifications/middleware.py).
    app.add_middleware(OutboxDeliveryMiddleware)
    # At most as many requests inside as the pool has connections (web/admission.py); the
    # body is received before a request asks for a slot, so its size is bounded outside.
    app.add_middleware(
        AdmissionMiddleware,
        limit=settings.admission_limit,
        wait_seconds=settings.busy_wait_seconds,
        worker_threads=settings.worker_threads,
        on_busy=busy_asgi,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.request_max_bytes,
        on_too_large=_too_large_asgi,
    )
    app.add_middleware(
        SecurityMiddleware,
        default_language=settings.default_language,
        hsts=settings.cookie_secure,
    )
    return app
