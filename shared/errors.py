"""Domain and application errors, each with a stable code and a message a person understands."""

from __future__ import annotations


class RenovationError(Exception):
    """Base of every error the API turns into a clear 4xx answer.

    `code` is stable and machine-readable; `message` is zh-CN for the person in front
    of the screen; `status` is the HTTP status the API answers with.
    """

    status: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}

    def to_dict(self) -> dict:
        """The JSON body the API answers with."""
        body = {"error": self.code, "detail": self.message}
        if self.details:
            body["details"] = self.details
        return body


class InvalidCommand(RenovationError):
    """The request is well-formed but breaks a rule of the domain."""

    status = 422
    code = "rule_violated"


class NotFound(RenovationError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class ConcurrencyError(RenovationError):
    """Somebody else changed the same stream first: reload and try again."""

    status = 409
    code = "concurrent_change"


class Unauthenticated(RenovationError):
    """No valid credentials came with the request."""

    status = 401
    code = "unauthenticated"


class Forbidden(RenovationError):
    """The actor's role may not do this."""

    status = 403
    code = "forbidden"


class RecordedRefusal(InvalidCommand):
    """The aggregate recorded why it refused; the handler saves that event, then answers 422.

    Used where supervisors must count attempts, not only successes: concealing unaccepted
    hidden works, starting work out of order, requesting an acceptance too early.
    """

    code = "refused"
