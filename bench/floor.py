"""The benchmark's floor: the app itself plus one page that touches no database.

    uvicorn bench.floor:create_app --factory --workers 1 --no-access-log   # cwd: the repo

`create_app()` is `hms_tracker.app.create_app()` with one more route, GET /_bench/floor,
placed first in the route table. The page extends `base.html` with a 50-row table and is
rendered like every page (`web.templating.render`: the app's Jinja environment, the layout's
context, the same response class) behind the same middleware (security headers, admission,
body limit, outbox). It is drawn for a stand-in of a logged-in administrator (name, menu,
logout form), so the layout is the one the key pages show, but no request of it reads or
writes the database: it is what a page costs without its data.

Request it without a session cookie: the app-wide CSRF dependency then finds no session to
load (it creates a database session object, which connects only on a first query, and there
is none).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.responses import Response
from jinja2 import Template

from hms_tracker.app import create_app as create_hms_app
from hms_tracker.web.auth import PUBLIC, Principal
from hms_tracker.web.templating import env, render

FLOOR_PATH = "/_bench/floor"
ROWS = 50

FLOOR_TEMPLATE = """{% extends "base.html" %}
{% from "components/ui.html" import tag %}
{% block title %}{{ _("Avvik") }}{% endblock %}
{% block content %}
<h1 class="ds-heading" data-size="lg">{{ _("Avvik") }}</h1>
<div class="table-scroll" tabindex="0" role="region" aria-label="{{ _('Avvik') }}">
<table class="ds-table" data-border>
  <thead>
    <tr>
      <th scope="col">{{ _("Nr.") }}</th>
      <th scope="col">{{ _("Tittel") }}</th>
      <th scope="col">{{ _("Status") }}</th>
      <th scope="col">{{ _("Avdeling") }}</th>
      <th scope="col">{{ _("Registrert") }}</th>
    </tr>
  </thead>
  <tbody>
    {% for row in rows %}
    <tr>
      <td class="nowrap"><a class="ds-link" href="/deviations/{{ row.id }}">#{{ row.id }}</a></td>
      <td><a class="ds-link" href="/deviations/{{ row.id }}">{{ row.title }}</a></td>
      <td>{{ tag(_(row.status), row.color) }}</td>
      <td>{{ row.department }}</td>
      <td><span class="nowrap">{{ row.created|date }}</span></td>
    </tr>
    {% endfor %}
  </tbody>
</table>
</div>
{% endblock %}
"""

_STATUSES = (("Registrert", "info"), ("Under behandling", "warning"), ("Lukket", "success"))
_DEPARTMENTS = ("Lager", "Verksted", "Kontor", "Produksjon", "Transport")


def _rows() -> list[dict[str, Any]]:
    start = date(2025, 1, 1)
    rows = []
    for n in range(ROWS):
        status, color = _STATUSES[n % len(_STATUSES)]
        rows.append(
            {
                "id": 1000 + n,
                "title": f"Glatt gulv ved inngangen til lager {n + 1} – sand og skilt mangler",
                "status": status,
                "color": color,
                "department": _DEPARTMENTS[n % len(_DEPARTMENTS)],
                "created": start + timedelta(days=3 * n),
            }
        )
    return rows


# A logged-in administrator without a database row: what the layout reads of a principal.
FLOOR_PRINCIPAL = Principal(
    user=None,
    person=None,
    session_row=None,
    roles=frozenset({"employee", "admin"}),
    person_id=1,
    display_name="Ingrid Solheim",
    csrf_token="bench-floor-csrf-token-not-a-secret",
)


def create_app() -> FastAPI:
    app = create_hms_app()
    template: Template = env.from_string(FLOOR_TEMPLATE)
    rows = _rows()
    company = app.state.settings.company_name

    @app.get(FLOOR_PATH, dependencies=[PUBLIC], include_in_schema=False)
    def floor(request: Request) -> Response:
        # What the layout would otherwise read through the request's database session.
        request.state.company_name = company
        request.state.principal = FLOOR_PRINCIPAL
        # render() takes a template name; Jinja's get_template() also accepts a template.
        return render(request, cast(str, template), rows=rows)

    # First in the route table, before the app's own routes.
    routes = app.router.routes
    routes.insert(0, routes.pop())
    return app
