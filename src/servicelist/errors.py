"""Domain errors. The HTTP layer renders each as an RFC 9457 problem.

    ServicelistError            base: an HTTP status and a stable problem code
    ├── NotFound                404 not-found: an unknown list, item or service
    ├── InvalidParameter        400 invalid-parameter: a query value that cannot be used
    │   └── InvalidCursor       400 invalid-cursor: a pagination cursor we did not issue
    ├── ImportRejected          422 import-rejected: a file with row-level errors; nothing stored
    ├── InvalidValue            422 invalid-value: a request body value that cannot be stored
    ├── Unauthorized            401 unauthorized: no API key, or one that is unknown or revoked
    ├── Forbidden               403 forbidden: the key's role does not allow the request
    ├── Conflict                409 conflict: the request contradicts the stored state
    ├── PreconditionFailed      412 precondition-failed: If-Match names an outdated ETag
    └── PreconditionRequired    428 precondition-required: a write without If-Match

Domain code raises these and never imports the web layer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in an imported file: where it is, the value and why it was rejected."""

    row: int
    column: str | None
    value: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ServicelistError(Exception):
    """Base of every expected failure. ``code`` is stable and ends the problem type URI."""

    status = 500
    code = "internal-error"
    title = "Internal server error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ServicelistError):
    status = 404
    code = "not-found"
    title = "Resource not found"


class InvalidParameter(ServicelistError):
    status = 400
    code = "invalid-parameter"
    title = "Invalid query parameter"

    def __init__(self, detail: str, *, parameter: str, value: str, location: str = "query") -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.value = value
        # Where the parameter is: "query", or "path" for a segment of the URL path.
        self.location = location


class InvalidCursor(InvalidParameter):
    code = "invalid-cursor"
    title = "Invalid pagination cursor"


class ImportRejected(ServicelistError):
    status = 422
    code = "import-rejected"
    title = "Import rejected"

    def __init__(self, detail: str, errors: list[RowError]) -> None:
        super().__init__(detail)
        self.errors = errors


class InvalidValue(ServicelistError):
    status = 422
    code = "invalid-value"
    title = "Invalid value"

    def __init__(self, detail: str, errors: list[RowError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class Unauthorized(ServicelistError):
    status = 401
    code = "unauthorized"
    title = "API key required"


class Forbidden(ServicelistError):
    status = 403
    code = "forbidden"
    title = "Role does not allow this request"


class Conflict(ServicelistError):
    status = 409
    code = "conflict"
    title = "Conflict with the stored state"


class PreconditionFailed(ServicelistError):
    status = 412
    code = "precondition-failed"
    title = "Resource changed since it was read"

    def __init__(self, detail: str, current_etag: str) -> None:
        super().__init__(detail)
        self.current_etag = current_etag


class PreconditionRequired(ServicelistError):
    status = 428
    code = "precondition-required"
    title = "If-Match required"
