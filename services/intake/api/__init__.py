"""Intake's HTTP surface: the JSON API and the zh-CN pages."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router of intake, API first, pages last."""
    from services.intake.api import (
        calendar,
        community,
        households,
        library,
        notice,
        pages,
        pages_community,
        pages_decision,
        pages_household,
        pages_project,
        project,
    )

    return [community.router, households.router, households.me, project.router, notice.router,
            library.router, pages.router, pages_community.router, pages_household.router,
            pages_project.router, pages_decision.router, calendar.router]
