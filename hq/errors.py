"""Headquarters' refusals: DomainError subclasses with Persian and English text, an exit code for
the command line and an HTTP status and code for the API (ErrorBody)."""

from __future__ import annotations

from desktop.domain.errors import DomainError


class HqError(DomainError):
    status = 400
    code = "bad_request"


class UsageError(HqError):
    """A command line argparse cannot make sense of (exit 2)."""

    code = "usage"


class Refused(HqError):
    """A rule says no (exit 3): a reserved branch code, a branch already registered …"""

    exit_code = 3
    status = 409
    code = "refused"


class NotFoundError(HqError):
    exit_code = 2
    status = 404
    code = "not_found"


class DatabaseUnavailable(HqError):
    """PostgreSQL cannot be reached, or the database is not headquarters' (exit 5)."""

    exit_code = 5
    status = 503
    code = "database_unavailable"


class Unauthorized(HqError):
    status = 401
    code = "unauthorized"


class Forbidden(HqError):
    exit_code = 4
    status = 403
    code = "forbidden"


class TooLarge(HqError):
    status = 413
    code = "too_large"
