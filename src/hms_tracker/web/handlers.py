"""The one shape of a form handler: validate → service → redirect with a message, or the
page again with what was typed and why.

    return submit(
        request, values, AppointmentForm,
        lambda data: service.create_appointment(session=session, data=data),
        again=lambda errors: _form_page(request, session, values=values, errors=errors),
        done=lambda appointment: f"/appointments/{appointment.id}",
        message=_("Vervet er registrert."),
    )

- `InvalidInput` (from the form or the service): `again(errors)`, answered 422.
- `EditConflict` / `TransitionRefused`: `conflict(exc)` / `refused(exc)` when the page
  shows them itself (409 on the page, with what was typed); otherwise they reach the
  error handlers (a 409 page).
- Success: the flash `message` and a 303 to `done` (each a string, or made from what
  `save` returned).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import Session

from hms_tracker.errors import EditConflict, InvalidInput, TransitionRefused
from hms_tracker.web.forms import parse_form
from hms_tracker.web.once import earlier, saved
from hms_tracker.web.templating import flash, redirect

F = TypeVar("F", bound=BaseModel)
T = TypeVar("T")


def submit(
    request: Request,
    values: dict[str, Any],
    form: type[F],
    save: Callable[[F], T],
    *,
    again: Callable[[dict[str, str]], Response],
    done: str | Callable[[T], str],
    message: str | Callable[[T], str],
    conflict: Callable[[EditConflict], Response] | None = None,
    refused: Callable[[TransitionRefused], Response] | None = None,
    once: Session | None = None,
) -> Response:
    """`once`: the request's session, for a create form with a one-time key (web/once.py):
    the same form sent again goes to what the first sending saved."""
    if once is not None and (answer := earlier(request, once, values)) is not None:
        return answer
    try:
        result = save(parse_form(form, values))
    except InvalidInput as exc:
        page = again(exc.errors)
        page.status_code = 422
        return page
    except EditConflict as exc:
        if conflict is None:
            raise
        return conflict(exc)
    except TransitionRefused as exc:
        if refused is None:
            raise
        return refused(exc)
    flash(request, message if isinstance(message, str) else message(result))
    url = done if isinstance(done, str) else done(result)
    if once is not None:
        saved(once, values, url)
    return redirect(request, url)
