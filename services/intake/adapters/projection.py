"""Every read model of intake as one projection (what the unit of work and a rebuild apply)."""

from __future__ import annotations

from services.intake.adapters import annual_plan, community, household, notice, project
from shared.unit_of_work import Projection

# Order matters only for updaters of the same event: a project row exists before its notice.
projection = Projection.merge(community.projection, household.projection, project.projection,
                              notice.projection, annual_plan.projection)
