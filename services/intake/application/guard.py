"""Turning what can go wrong in a command into the domain's errors: bad values, concurrent writers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError

from shared.errors import ConcurrencyError, InvalidCommand

T = TypeVar("T")


def validated(build: Callable[[], T], *, code: str = "invalid_value") -> T:
    """Build a domain value; its validation errors become one InvalidCommand with every reason."""
    try:
        return build()
    except ValidationError as error:
        raise InvalidCommand("；".join(_reason(e) for e in error.errors()), code=code) from None


def _reason(error: dict) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{where}：{message}" if where else message


def retrying(run: Callable[[], T], *, attempts: int = 5) -> T:
    """Run a whole command again (reload, re-check, record) after a concurrent change.

    Many households answer at once during a consent drive; each retry checks the answer
    again against the fresh stream, so it never records what the rules would refuse.
    """
    for attempt in range(1, attempts + 1):
        try:
            return run()
        except ConcurrencyError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
