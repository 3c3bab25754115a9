"""Acceptance's pages (placeholder until the page module lands)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
