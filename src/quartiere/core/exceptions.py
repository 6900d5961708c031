"""Errors that services raise; views and the API map them to messages and HTTP codes."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the operation; ``message`` is safe to show to the user."""

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidTransitionError(ApplicationError):
    """A status change that the workflow does not allow."""


class ImportRejectedError(ApplicationError):
    """An import file with at least one bad row: nothing was written."""

    def __init__(self, message: str, *, errors: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.errors = errors


class NoCurrentLabError(ApplicationError):
    """A page that works on one lab was opened with no lab chosen (e.g. by an administrator)."""
