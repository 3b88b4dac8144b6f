"""Every route declares who may use it: a Permission or PUBLIC."""

from __future__ import annotations

from fastapi.routing import APIRoute

from hms_tracker.app import create_app
from hms_tracker.config import Settings
from hms_tracker.web.auth import PERMISSIONS, declared_permission

PUBLIC_PATHS = {
    "/healthz",
    "/readyz",
    "/login",
    "/logout",
    "/language",
    # Anonymous deviation reports and the receipt-code status page (no login by design).
    "/report",
    "/report/receipt",
    "/report/status",
    "/report/status/add",
}


def api_routes(routes) -> list[APIRoute]:
    """Every APIRoute, also those inside included routers (FastAPI keeps them nested)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def _declarations(route: APIRoute) -> list[str]:
    return [
        name
        for dep in route.dependant.dependencies
        if (name := declared_permission(dep.call)) is not None
    ]


def test_every_route_declares_exactly_one_access_rule(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path))
    routes = api_routes(app.routes)
    assert len(routes) > 5
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if not _declarations(r)]
    assert undeclared == [], f"routes without Permission(...) or PUBLIC: {undeclared}"
    doubled = [r.path for r in routes if len(_declarations(r)) > 1]
    assert doubled == []
    for route in routes:
        (name,) = _declarations(route)
        assert name == "public" or name in PERMISSIONS


def test_only_the_expected_pages_are_public(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path))
    public = {r.path for r in api_routes(app.routes) if _declarations(r) == ["public"]}
    assert public <= PUBLIC_PATHS, f"unexpected public routes: {public - PUBLIC_PATHS}"


def test_a_route_without_declaration_is_caught(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db", var_dir=tmp_path))

    @app.get("/forgotten")
    def forgotten() -> str:
        return "oops"

    route = next(r for r in api_routes(app.routes) if r.path == "/forgotten")
    assert _declarations(route) == []
