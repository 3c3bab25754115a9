"""A JSON column holding canonical JSON (RFC 8785): a rebuilt read model equals the live one.

Live, a projection sees the payload as the event serialised it (model field order, 1200.0);
on a rebuild it sees the stored canonical JSON (sorted keys, 1200). Writing both the same
canonical way makes the two tables identical, key order and number forms included.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from shared.envelope import canonical_json


class CanonicalJSON(sa.types.TypeDecorator):
    """sa.JSON whose values are written in canonical form."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> Any:
        """Canonicalise before the JSON type serialises it."""
        return None if value is None else json.loads(canonical_json(value))
