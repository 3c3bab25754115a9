"""A refusal that is itself a fact: recorded as an event before the command is turned down."""

from __future__ import annotations

from shared.errors import InvalidCommand


class RecordedRefusal(InvalidCommand):
    """The aggregate recorded why it refused; the handler saves that event, then answers 422.

    Used where supervisors count attempts: an acceptance requested too early, a final
    acceptance requested while a party, a check or the residents have not passed.
    """

    code = "refused"
