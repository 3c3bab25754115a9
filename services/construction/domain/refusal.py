"""A refusal that is itself a fact: recorded as an event before the command is turned down."""

from __future__ import annotations

from shared.errors import InvalidCommand


class RecordedRefusal(InvalidCommand):
    """The aggregate recorded why it refused; the handler saves that event, then answers 4xx.

    Used where supervisors must be able to count attempts, not only successes:
    concealing unaccepted hidden works, starting work out of order, declaring completion early.
    """

    code = "refused"
