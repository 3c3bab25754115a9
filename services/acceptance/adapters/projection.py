"""Acceptance's whole projection: its read models, and every event recorded for the archive."""

from __future__ import annotations

from services.acceptance.adapters import community
from services.acceptance.adapters.foreign import foreign
from services.acceptance.adapters.own import own
from services.acceptance.adapters.record import records
from shared.unit_of_work import Projection

projection = Projection.merge(records, community.projection, foreign, own)
