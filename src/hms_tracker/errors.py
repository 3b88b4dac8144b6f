"""Domain errors raised by services; one set of handlers in web/ turns them into pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hms_tracker.translation import _


class DomainError(Exception):
    """Base of the errors a service may raise."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class NotAuthenticated(DomainError):
    pass


class InvalidInput(DomainError):
    """Field errors: {field name: message already translated}. `""` is a form-wide error."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__(dict(errors))
        self.errors: dict[str, str] = dict(errors)


class Conflict(DomainError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionRefused(DomainError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class EditConflict(Conflict):
    """Someone saved the record after the form was opened; `current` is what they saved."""

    def __init__(self, current: Any):
        super().__init__(
            _(
                "Oppføringen er endret av noen andre siden du åpnet skjemaet. "
                "Se de lagrede verdiene, og lagre på nytt hvis dine endringer skal gjelde."
            )
        )
        self.current = current
