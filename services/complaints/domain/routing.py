"""Routing a complaint to a site: a point inside a published site boundary, else the nearest site in range."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import Point, Polygon

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Site:
    """A community (and its project, if any) as far as routing needs it."""

    community_id: str
    project_id: str | None
    latitude: float
    longitude: float
    boundary: tuple[tuple[float, float], ...] = ()  # (latitude, longitude) vertices, as intake publishes


@dataclass(frozen=True)
class Route:
    """Where a point goes, how it was decided and how far the site's centre is."""

    site: Site
    method: str  # boundary | nearest
    distance_m: float


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine): exact enough within a city."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def route_point(latitude: float, longitude: float, sites: list[Site], *, radius_m: float) -> Route | None:
    """The site whose boundary holds the point (the smallest, if they nest), else the nearest within the radius."""
    point = Point(longitude, latitude)
    inside = [(Polygon([(lon, lat) for lat, lon in s.boundary]), s) for s in sites if len(s.boundary) >= 3]
    holding = [(poly.area, s) for poly, s in inside if poly.is_valid and poly.covers(point)]
    if holding:
        site = min(holding, key=lambda pair: pair[0])[1]
        return Route(site, "boundary", distance_m(latitude, longitude, site.latitude, site.longitude))
    # Key on distance alone: Site objects do not compare, and ties keep the published order.
    near = sorted(((distance_m(latitude, longitude, s.latitude, s.longitude), s) for s in sites),
                  key=lambda pair: pair[0])
    if near and near[0][0] <= radius_m:
        return Route(near[0][1], "nearest", near[0][0])
    return None
