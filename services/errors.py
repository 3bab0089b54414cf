"""Errors raised by the services layer.

Each carries a sentence meant for the caller-facing model: tools turn them into ``ToolError``.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class: a business rule refused the request. ``str(err)`` is a speakable sentence."""


class NotFoundError(ServiceError):
    """The record does not exist, or does not belong to the verified caller (same message on purpose,
    so that a caller cannot probe for other customers' order numbers)."""


class InvalidStateError(ServiceError):
    """The record exists but is in a state that forbids the request (e.g. returning an undelivered order)."""


class InvalidInputError(ServiceError):
    """A value is malformed (bad date, empty reason, unknown condition...)."""


class LockedOutError(ServiceError):
    """Too many failed identity checks; the account is locked for a while."""


class ServiceTimeoutError(ServiceError):
    """A backend call did not finish within the configured timeout."""
