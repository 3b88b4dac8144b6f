"""Domain errors raised by services; one set of handlers in web/ turns them into pages."""

from __future__ import annotations

from collections.abc import Mapping


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
