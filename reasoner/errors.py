"""Typed errors. Each carries the message a user can act on; the API maps the type to an HTTP code.

``where`` says where the problem is (a file and line, a field, a query parameter) so that the
message never has to be parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class MedsupplyError(Exception):
    """Base of every error medsupply raises on purpose."""

    message: str
    where: str | None = None
    details: list[dict[str, Any]] = field(default_factory=list)

    http_status = 500
    title = "Internal error"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(MedsupplyError):
    """A request, file or argument is malformed (bad JSON, unknown field, impossible date)."""

    http_status = 422
    title = "Invalid input"


class ParseError(InputError):
    """RDF, CSV or SPARQL text could not be parsed; ``where`` gives line and column."""

    http_status = 400
    title = "Could not parse input"


class ValidationFailed(InputError):
    """Data parsed but breaks the structural shapes; ``details`` lists every problem."""

    http_status = 422
    title = "Data failed validation"


class NotFound(MedsupplyError):
    http_status = 404
    title = "Not found"


class Refused(MedsupplyError):
    """The request is well-formed but not allowed here (SPARQL update, SERVICE, LOAD)."""

    http_status = 403
    title = "Refused"


class Unauthorized(MedsupplyError):
    http_status = 401
    title = "Authentication required"


class Forbidden(MedsupplyError):
    http_status = 403
    title = "Forbidden"


class Conflict(MedsupplyError):
    http_status = 409
    title = "Conflict"


class LimitExceeded(MedsupplyError):
    """A query ran past its time limit or its result limit."""

    http_status = 503
    title = "Query limit exceeded"


class RuleDataError(MedsupplyError):
    """The law data is inconsistent (a rule without legal basis, overlapping versions)."""

    http_status = 500
    title = "Rule data is inconsistent"


class QueryDataError(MedsupplyError):
    """A project query (``queries/``) does not give what its reader expects: a column missing, a
    malformed result line. A fault in the project's data, not in the request."""

    http_status = 500
    title = "Query data is inconsistent"
